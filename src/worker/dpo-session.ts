// "Train on my ratings": one DPO run inside the worker. The CLI's DpoTrainer and runPrefLoop
// (train/dpo.ts, train/pref-loop.ts) run unchanged; this file only does what session.ts does for
// SFT and RL: status, metric batches, pause between steps, a Web Lock while it runs, and the
// checkpoint in IndexedDB. A DPO run is a run of its own (its summary names the run and step it
// started from): the source run keeps its checkpoint, ratings and charts untouched. It saves its
// checkpoint on pause, on stop and at the end; it is not resumed (its frozen reference would have
// to be stored too), so a reload mid-run lists it as interrupted, with the last saved checkpoint.

import type { RunConfig } from '../run-config.ts';
import { DpoTrainer } from '../train/dpo.ts';
import type { TrainEvent } from '../train/events.ts';
import type { PrefEvent } from '../train/pref-events.ts';
import { runPrefLoop } from '../train/pref-loop.ts';
import { snapshotToFiles } from '../train/snapshot.ts';
import { MetricsBuffer } from './metrics.ts';
import { RunControl } from './run-control.ts';
import type { PrefRunInfo, RunState, RunSummary, SessionUpdate } from './protocol.ts';
import { RUN_LOCK } from './session.ts';
import { StorageError, type RunStore } from './store.ts';

export interface DpoSpec {
  id: string;
  name: string;
  /** The source run's config: the task, model and seed the DPO policy keeps. */
  cfg: RunConfig;
  backend: string;
  pref: PrefRunInfo;
}

export class DpoSession extends RunControl {
  private unsaved: PrefEvent[] = [];
  private readonly created = Date.now();

  constructor(
    private spec: DpoSpec,
    private trainer: DpoTrainer,
    private store: RunStore,
    send: (u: SessionUpdate) => void,
  ) {
    super(new MetricsBuffer(spec.id, 64), { runId: spec.id, state: 'starting', step: 0, phase: 'sft', total: trainer.cfg.steps, message: null, savedStep: -1, stepMode: false, stage: 'dpo' }, send);
  }

  get id(): string {
    return this.spec.id;
  }

  get task(): string {
    return this.spec.cfg.task.name;
  }

  summary(): RunSummary {
    return this.summaryOf(this.spec, this.created, 'sft', { datasetName: null, pref: this.spec.pref });
  }

  switchToRl(): void {
    throw new Error('a DPO run has no RL phase: start an SFT → RL run for that');
  }

  private sink = async (e: PrefEvent): Promise<void> => {
    // Pref rows go through the same buffer and store as the SFT/RL events (their own types).
    this.metrics.push(e as unknown as TrainEvent);
    this.unsaved.push(e);
    if (e.type === 'pref_eval' && e.greedy_acc !== undefined) this.lastAcc = e.greedy_acc;
    this.flushMetrics(e.type !== 'pref_step');
    if (e.type !== 'pref_step') return;
    this.status.step = e.step;
    if (this.status.state === 'starting') this.setStatus({ state: 'running' });
    else this.send({ kind: 'status', status: { ...this.status } });
    if (this.pauseRequested && !this.ctrl.signal.aborted) {
      this.flushMetrics(true);
      this.setStatus({ state: 'paused' });
      await this.checkpoint();
      if (this.pauseRequested && !this.ctrl.signal.aborted) await this.waitAtGate();
      if (!this.ctrl.signal.aborted) this.setStatus({ state: 'running', message: null });
    }
  };

  /**
   * Save the policy and the rows since the last save (one transaction); a failure is reported.
   * `announce` false: the caller sends the status (at the end, only once the store says done).
   */
  private async checkpoint(announce = true): Promise<void> {
    if (this.lostDevice || this.status.step <= this.status.savedStep) return;
    const step = this.status.step;
    try {
      const snap = await this.trainer.snapshot(0);
      const files = snapshotToFiles(snap, this.spec.cfg, this.trainer.model, this.trainer.tok);
      const summary = { ...this.summary(), savedStep: step };
      await this.store.saveCheckpoint({ runId: this.spec.id, step, phase: 'sft', offset: 0, files }, this.unsaved as unknown as TrainEvent[], summary);
      this.unsaved = [];
      if (announce) this.setStatus({ savedStep: step });
      else this.status.savedStep = step;
    } catch (e) {
      const msg = e instanceof StorageError ? e.message : `saving the DPO checkpoint failed: ${(e as Error).message}`;
      this.setStatus({ message: msg });
    }
  }

  async run(): Promise<void> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    if (locks) void locks.request(RUN_LOCK + this.spec.id, () => finished).catch(() => undefined);
    try {
      await this.store.putRun(this.summary());
      const reason = await runPrefLoop(this.trainer, this.sink, { signal: this.ctrl.signal });
      if (this.lostDevice) throw new Error(this.lostDevice);
      this.flushMetrics(true);
      const state: RunState = reason === 'stopped' ? 'stopped' : 'done';
      // Stored first, then announced: the UI reads the run list when it hears the run ended.
      this.status.state = state;
      await this.checkpoint(false);
      await this.store.putRun(this.summary()).catch(() => undefined);
      this.setStatus({ state });
    } catch (e) {
      this.flushMetrics(true);
      const why = this.lostDevice ? `the GPU device was lost (${this.lostDevice})` : (e as Error).message;
      this.setStatus({ state: 'error', message: `DPO failed at step ${this.status.step}: ${why}. ${this.status.savedStep >= 0 ? `Its checkpoint at step ${this.status.savedStep} is kept.` : 'Nothing was saved: train on the ratings again.'}` });
      await this.store.putRun({ ...this.summary(), state: 'stopped' }).catch(() => undefined);
    } finally {
      done();
      try {
        this.trainer.dispose();
      } catch {
        // a lost device may refuse to free its buffers
      }
    }
  }
}
