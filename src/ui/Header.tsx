// The top bar: backend badge, run state (live, or a saved run shown after a load), step counter,
// speed and accuracy; below it the skipped backends and the error banner.

import type { BackendReport, RunSummary, StatusUpdate } from '../worker/protocol.ts';
import { GLOSSARY } from './glossary.ts';
import { resumable } from './Panels.tsx';

const WHERE: Record<string, string> = { webgpu: 'on the GPU', webgl: 'on the GPU', wasm: 'on the CPU', cpu: 'on the CPU, slow' };

/** One plain phrase; the adapter and why other backends were passed over go in the tooltip. */
function backendText(b: BackendReport): string {
  const threads = b.threads === null ? '' : ` · ${b.threads} thread${b.threads === 1 ? '' : 's'}`;
  return `${b.name} · ${b.software ? 'software GPU, slow' : (WHERE[b.name] ?? '')}${threads}`;
}

/** The badge's tooltip: the adapter, why other backends were skipped, and why wasm runs on one thread. */
function backendTitle(b: BackendReport): string {
  const adapter = b.adapter ? [`adapter: ${b.adapter}${b.software ? ' (software)' : ''}`] : [];
  const lines = [...adapter, ...b.skipped.map((s) => `${s.name} skipped: ${s.reason}`)];
  if (b.threadsNote) lines.push(`one thread: ${b.threadsNote}`);
  return lines.join('\n');
}

export function Header(props: {
  backend: BackendReport | null;
  backendErr: string | null;
  /** The worker's status; null until it answers. */
  status: StatusUpdate | null;
  /** The saved run shown while nothing trains, or null. */
  restoredRun: RunSummary | null;
  shown: { step: number; total: number; phase: 'sft' | 'rl' };
  /** The run on screen is a DPO run (its steps are DPO steps). */
  dpo?: boolean;
  tps: number | null;
  tpsWindow: number;
  inRl: boolean;
  /** Held-out accuracy of the run on screen, or of each run of a demo (named). */
  accs: { name: string | null; acc: number }[];
  errorMsg: string | null;
  /** A note that needs no fix, dismissable. */
  notice: string | null;
  onDismissNotice: () => void;
  /** Set when the banner is the app's own message (it can be dismissed). */
  onDismiss: (() => void) | null;
}) {
  const { backend, backendErr, status, restoredRun, shown, tps, tpsWindow, accs, errorMsg } = props;
  return (
    <>
      <header className="topbar">
        <h1>reasonlab</h1>
        <span className="badge" data-testid="backend-badge" title={backend ? backendTitle(backend) : undefined}>
          {backend ? backendText(backend) : backendErr ? 'no backend' : 'detecting backend…'}
        </span>
        {restoredRun ? (
          // data-state stays the worker's (idle: nothing trains); the text says what was stored.
          <span
            className={`state state-${restoredRun.state === 'interrupted' ? 'paused' : restoredRun.state} restored`}
            data-testid="run-state"
            data-state={status?.state}
            data-restored={restoredRun.state}
            title={`A saved run, loaded from this browser: nothing is training.${resumable(restoredRun) ? ` Resume continues it from step ${restoredRun.savedStep}.` : ''}`}
          >
            {restoredRun.state === 'done' || restoredRun.state === 'stopped'
              ? `${restoredRun.state} (saved run)`
              : restoredRun.state === 'running' || restoredRun.state === 'starting'
                ? 'closing after the reload… (or training in another tab)'
                : `${restoredRun.state} · saved at step ${Math.max(0, restoredRun.savedStep)}`}
          </span>
        ) : status ? (
          <span className={`state state-${status.state}`} data-testid="run-state" data-state={status.state}>
            {status.state}
            {status.stepMode && status.state === 'paused' ? ' (step mode)' : ''}
          </span>
        ) : (
          <span className="state" data-testid="run-state">
            connecting…
          </span>
        )}
        <span className="counter" data-testid="step-counter" data-step={shown.step}>
          step {shown.step}
          {shown.total ? ` / ${shown.total}` : ''} ·{' '}
          {props.dpo ? <abbr title="Direct preference optimisation on the run's ratings">DPO</abbr> : <abbr title={GLOSSARY[shown.phase === 'rl' ? 'RL' : 'SFT']}>{shown.phase.toUpperCase()}</abbr>}
        </span>
        {tps !== null && (
          <span className="muted" data-testid="tokens-per-s" data-value={tps} title={`Median over the last ${tpsWindow} logged steps${props.inRl ? ' (RL update speed)' : ''}`}>
            {Math.round(tps).toLocaleString('en-US')} tok/s <span className="fine">(median, last {tpsWindow} steps)</span>
          </span>
        )}
        {accs.length > 0 && (
          <span className="muted" data-testid="header-acc" title="Last held-out greedy accuracy: fully right (format, every step and the answer)">
            acc {accs.map((a) => `${a.name ? `${a.name} ` : ''}${(a.acc * 100).toFixed(1)}%`).join(' · ')} fully right
          </span>
        )}
      </header>
      {backend && backend.skipped.length > 0 && (
        <details className="skipped muted">
          <summary>why {backend.name}?</summary>
          {backend.skipped.map((s) => (
            <span key={s.name}>
              {s.name} skipped: {s.reason}.{' '}
            </span>
          ))}
        </details>
      )}
      {props.notice && (
        <div className="notice" data-testid="notice" role="status">
          <span>{props.notice}</span>
          <button type="button" className="link" onClick={props.onDismissNotice}>
            dismiss
          </button>
        </div>
      )}
      {errorMsg && (
        <div className="banner" data-testid="error-banner" role="alert">
          <span>{errorMsg}</span>
          {props.onDismiss && (
            <button type="button" className="link" onClick={props.onDismiss}>
              dismiss
            </button>
          )}
        </div>
      )}
    </>
  );
}
