// The sidebar's top: the one-click demos, and Start / Pause / Resume / Step / Stop / Switch to RL
// with the config error and the copy-link button.

import type { BackendReport, RunSummary, StatusUpdate } from '../worker/protocol.ts';
import { DEMOS, type Demo } from './demos.ts';
import { resumable } from './Panels.tsx';

/** The worker's run commands (each a call that can fail: the app shows why in its banner). */
export type Command = 'pause' | 'resume' | 'step' | 'stop' | 'switchToRl';

export function RunControls(props: {
  /** The worker's status; null until it answers. */
  status: StatusUpdate | null;
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
  onCommand: (c: Command) => void;
  onResumeRun: (id: string) => void;
  onDemo: (d: Demo) => void;
  onCopyLink: () => void;
}) {
  const { active, canStart, backend, restoredRun, cfgError } = props;
  const state = props.status?.state;
  const run = props.onCommand;
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
          <button type="button" data-testid="pause-btn" disabled={state !== 'running'} onClick={() => run('pause')}>
            Pause
          </button>
          <button
            type="button"
            data-testid="resume-btn"
            disabled={!(state === 'paused' || (restoredRun && resumable(restoredRun) && !!backend))}
            onClick={() => (restoredRun ? props.onResumeRun(restoredRun.id) : run('resume'))}
            title={restoredRun ? `Continue the saved run from step ${restoredRun.savedStep}` : undefined}
          >
            Resume
          </button>
          <button
            type="button"
            data-testid="step-btn"
            disabled={!(state === 'paused' || state === 'running' || canStart)}
            onClick={() => (active ? run('step') : props.onStartStepping())}
            title="Train one step, then pause (starts a run in step mode when idle)"
          >
            Step
          </button>
          <button type="button" data-testid="stop-btn" disabled={!active} onClick={() => run('stop')}>
            Stop
          </button>
          <button type="button" data-testid="switch-rl-btn" disabled={!active || props.status?.phase !== 'sft' || !props.ready} onClick={() => run('switchToRl')} title="End SFT now and continue with RL from the current weights">
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
