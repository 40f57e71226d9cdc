// What every run in the worker shares, whatever it trains (SFT/RL in session.ts, DPO in
// dpo-session.ts): its status and how it is sent, metric batches at most every SEND_EVERY_MS, and
// the commands between steps (pause, resume, one step, stop) with the gate a paused run waits at.

import type { MetricsBuffer } from './metrics.ts';
import type { RunConfig } from '../run-config.ts';
import type { RunStatus, RunSummary, SessionUpdate } from './protocol.ts';

const SEND_EVERY_MS = 250;

/** What names a run in the runs list, whatever it trains. */
export interface RunIdentity {
  id: string;
  name: string;
  cfg: RunConfig;
  backend: string;
}

export abstract class RunControl {
  protected ctrl = new AbortController();
  protected pauseRequested = false;
  protected lostDevice: string | null = null;
  /** Greedy fully-right accuracy of the latest evaluation, for the runs list. */
  protected lastAcc: number | null = null;
  private release: (() => void) | null = null;
  private lastSend = 0;

  constructor(
    readonly metrics: MetricsBuffer,
    protected status: RunStatus,
    protected send: (u: SessionUpdate) => void,
  ) {}

  get active(): boolean {
    return ['starting', 'running', 'paused'].includes(this.status.state);
  }

  snapshotStatus(): RunStatus {
    return { ...this.status };
  }

  protected setStatus(p: Partial<RunStatus>): void {
    Object.assign(this.status, p);
    this.send({ kind: 'status', status: { ...this.status } });
  }

  /** The run's entry in the runs list; `extra` is what its kind adds (dataset name, DPO source). */
  protected summaryOf(run: RunIdentity, created: number, phase: 'sft' | 'rl', extra: Pick<RunSummary, 'datasetName'> & Partial<RunSummary>): RunSummary {
    const { state, step, savedStep, total } = this.status;
    return { id: run.id, name: run.name, created, updated: Date.now(), cfg: run.cfg, state, step, phase, savedStep, total, backend: run.backend, lastAcc: this.lastAcc, ...extra };
  }

  /** Send the buffered metric rows: at once with `force`, else at most every SEND_EVERY_MS. */
  protected flushMetrics(force: boolean): void {
    const now = performance.now();
    if (this.metrics.empty || (!force && now - this.lastSend < SEND_EVERY_MS)) return;
    this.lastSend = now;
    this.send({ kind: 'metrics', batch: this.metrics.take() });
  }

  // ---- commands (from the UI) ----

  pause(): void {
    if (this.status.state === 'running') this.pauseRequested = true;
  }

  resume(): void {
    this.pauseRequested = false;
    this.setStatus({ stepMode: false });
    this.open();
  }

  /** One step, then pause again (teaching mode). */
  stepOnce(): void {
    this.pauseRequested = true;
    this.setStatus({ stepMode: true });
    this.open();
  }

  stop(): void {
    this.ctrl.abort();
    this.pauseRequested = false;
    this.open();
  }

  deviceLost(reason: string): void {
    this.lostDevice = reason;
    this.stop();
  }

  /** Wait here until resume, one step or stop opens the gate. */
  protected waitAtGate(): Promise<void> {
    return new Promise<void>((resolve) => (this.release = resolve));
  }

  private open(): void {
    const r = this.release;
    this.release = null;
    r?.();
  }
}
