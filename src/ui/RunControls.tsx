// The sidebar's top: the one-click demos, and Start / Pause / Resume / Step / Stop / Switch to RL
// with the config error and the copy-link button.

import type { BackendReport, RunSummary, StatusUpdate } from '../worker/protocol.ts';
import type { Api } from './client.ts';
import { DEMOS, type Demo } from './demos.ts';
import { resumable } from './Panels.tsx';

export function RunControls(props: {
  api: () => Api;
  status: StatusUpdate;
  active: boolean;
  canStart: boolean;
  backend: BackendReport | null;
  /** Whether describe() answered (Switch to RL waits for it). */
  ready: boolean;
  restoredRun: RunSummary | null;
  cfgError: string | null;
  onStart: () => void;
  /** Start a run in step mode (Step while idle). */
  onStartStepping: () => void;
  onResumeRun: (id: string) => void;
  onDemo: (d: Demo) => void;
  onCopyLink: () => void;
}) {
  const { api, status, active, canStart, backend, restoredRun, cfgError } = props;
  return (
    <>
      <section className="panel demos-panel">
        <h2>Demos</h2>
        <div className="demos">
          {DEMOS.map((d) => (
            <button key={d.id} type="button" data-testid="demo-preset" data-demo={d.id} disabled={active || !backend} onClick={() => props.onDemo(d)} title={d.blurb}>
              {d.title}
            </button>
          ))}
        </div>
      </section>
      <section className="panel controls">
        <div className="buttons">
          <button type="button" className="primary" data-testid="start-btn" disabled={!canStart} onClick={props.onStart}>
            Start
          </button>
          <button type="button" data-testid="pause-btn" disabled={status.state !== 'running'} onClick={() => void api().pause()}>
            Pause
          </button>
          <button
            type="button"
            data-testid="resume-btn"
            disabled={!(status.state === 'paused' || (restoredRun && resumable(restoredRun) && !!backend))}
            onClick={() => (restoredRun ? props.onResumeRun(restoredRun.id) : void api().resume())}
            title={restoredRun ? `Continue the saved run from step ${restoredRun.savedStep}` : undefined}
          >
            Resume
          </button>
          <button
            type="button"
            data-testid="step-btn"
            disabled={!(status.state === 'paused' || status.state === 'running' || canStart)}
            onClick={() => (active ? void api().step() : props.onStartStepping())}
            title="Train one step, then pause (starts a run in step mode when idle)"
          >
            Step
          </button>
          <button type="button" data-testid="stop-btn" disabled={!active} onClick={() => void api().stop()}>
            Stop
          </button>
          <button type="button" data-testid="switch-rl-btn" disabled={!active || status.phase !== 'sft' || !props.ready} onClick={() => void api().switchToRl()} title="End SFT now and continue with RL from the current weights">
            Switch to RL
          </button>
        </div>
        {cfgError && (
          <p className="error" role="alert">
            {cfgError}
          </p>
        )}
        <button type="button" className="link" onClick={props.onCopyLink} title="The link holds every setting: opening it reproduces this experiment">
          copy link to these settings
        </button>
      </section>
    </>
  );
}
