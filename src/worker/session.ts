// One training run inside the worker: builds the trainer (SFT, then RL), forwards its events as
// metric batches, and pauses exactly between steps by awaiting a gate inside the event sink (the
// trainer awaits the sink after every step it reports, so no step is lost or repeated). Checkpoints
// go to IndexedDB every `checkpointEvery` steps, on pause and at the end; a failed write or a lost
// GPU pauses the run with a message, and the last saved checkpoint stays resumable.

import { modelConfigOf, type RunConfig } from '../run-config.ts';
import { runTotal } from '../runsteps.ts';
import { paramCount } from '../model/config.ts';
import type { EventSink, TrainEvent } from '../train/events.ts';
import type { RunEnd, RunOptions } from '../train/loop.ts';
import { RlTrainer, type RlSnapshot } from '../train/rl.ts';
import { Trainer, type TrainerSnapshot } from '../train/sft.ts';
import { snapshotToFiles } from '../train/snapshot.ts';
import type { Tokenizer } from '../tokenizer.ts';
import type { ModelConfig } from '../model/config.ts';
import { getEnv, isEnvName } from '../envs/registry.ts';
import { DatasetTrainer, type Dataset } from './data.ts';
import { MetricsBuffer } from './metrics.ts';
import { RunControl } from './run-control.ts';
import type { RunState, RunSummary, SessionUpdate } from './protocol.ts';
import { StorageError, type RunStore, type StoredRl } from './store.ts';

/**
 * What the session needs of a trainer: the SFT Trainer and the RlTrainer (both run by train/loop.ts's
 * runLoop) and the uploaded-dataset trainer have it.
 */
export interface PhaseTrainer {
  step: number;
  readonly model: ModelConfig;
  readonly tok: Tokenizer;
  run(sink: EventSink, o: RunOptions): Promise<RunEnd>;
  snapshot(): Promise<TrainerSnapshot>;
  dispose(): void;
}

/** Let queued messages (pause, stop, queries) in: a macrotask turn, not just a microtask. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

export interface StartSpec {
  id: string;
  name: string;
  cfg: RunConfig;
  backend: string;
  dataset: Dataset | null;
  /** Resume: the stored snapshot and where it was in the run. */
  from?: { snapshot: TrainerSnapshot; tokenizer: Tokenizer; phase: 'sft' | 'rl'; offset: number; rl?: StoredRl };
  created?: number;
  stepMode?: boolean;
}

export const CHECKPOINT_EVERY = 50;
/** Web Lock name prefix: a session holds `RUN_LOCK + id` while it runs, so other tabs see it is live. */
export const RUN_LOCK = 'reasonlab-run:';
const MAX_STORED_SAMPLES = 64;

export class Session extends RunControl {
  private trainer: PhaseTrainer | null = null;
  private switchRequested = false;
  private unsaved: TrainEvent[] = [];
  private phase: 'sft' | 'rl' = 'sft';
  private offset = 0;
  private created: number;

  constructor(
    private spec: StartSpec,
    private store: RunStore,
    send: (u: SessionUpdate) => void,
  ) {
    const cfg = spec.cfg;
    const phase = spec.from?.phase ?? (cfg.stage === 'rl' ? 'rl' : 'sft');
    const offset = spec.from?.offset ?? 0;
    // A run resumed in its RL phase ends `rl.steps` after its SFT steps (fewer than train.steps
    // when SFT was cut short by Switch to RL).
    const total = phase === 'rl' && spec.from ? offset + cfg.rl.steps : runTotal(cfg);
    // An environment's samples carry their turns (the tags copied: the env object holds functions).
    const env = isEnvName(cfg.task.name) ? getEnv(cfg.task.name) : null;
    super(
      new MetricsBuffer(spec.id, 64, env && { actionEnds: [...env.actionEnds], envTags: [...env.envTags] }),
      { runId: spec.id, state: 'starting', step: spec.from?.snapshot.step ?? 0, phase, total, message: null, savedStep: spec.from ? spec.from.snapshot.step : -1, stepMode: !!spec.stepMode },
      send,
    );
    this.created = spec.created ?? Date.now();
    this.phase = phase;
    this.offset = offset;
    this.pauseRequested = !!spec.stepMode;
  }

  get id(): string {
    return this.spec.id;
  }

  /** The run's task (the UI splits its samples' traces with that task's step separator). */
  get task(): string {
    return this.spec.cfg.task.name;
  }

  get state(): RunState {
    return this.status.state;
  }

  summary(): RunSummary {
    return this.summaryOf(this.spec, this.created, this.phase, { datasetName: this.spec.dataset?.name ?? null });
  }

  switchToRl(): void {
    if (this.phase !== 'sft' || !this.active) return;
    this.switchRequested = true;
    this.stop();
  }

  // ---- the run ----

  private sink: EventSink = async (e) => {
    this.metrics.push(e);
    this.unsaved.push(e);
    if (e.type === 'eval') this.lastAcc = e.greedy_acc;
    const isStep = e.type === 'step' || e.type === 'rl_step';
    if (isStep) this.status.step = e.step;
    if (e.type === 'phase') this.setStatus({ phase: e.phase });
    this.flushMetrics(e.type === 'eval' || e.type === 'phase' || e.type === 'passk');
    if (isStep && (this.status.state === 'starting' || this.status.state === 'running')) {
      if (this.status.state === 'starting') this.setStatus({ state: 'running' });
      else this.send({ kind: 'status', status: { ...this.status } });
    }
    if (isStep && this.pauseRequested && !this.ctrl.signal.aborted) await this.pauseHere();
    await yieldToEvents();
  };

  private async pauseHere(): Promise<void> {
    this.flushMetrics(true);
    this.setStatus({ state: 'paused' });
    if (this.status.step > this.status.savedStep) await this.checkpoint();
    if (!this.pauseRequested || this.ctrl.signal.aborted) {
      // A command arrived while the checkpoint was written.
      if (!this.ctrl.signal.aborted) this.setStatus({ state: 'running' });
      return;
    }
    await this.waitAtGate();
    if (!this.ctrl.signal.aborted) this.setStatus({ state: 'running', message: null });
  }

  /** Save the trainer's state and the events since the last save; a failure pauses the run. */
  private checkpoint = async (): Promise<void> => {
    const t = this.trainer;
    if (!t || this.lostDevice) return;
    const step = this.status.step;
    try {
      const snap = await t.snapshot();
      const files = snapshotToFiles(snap, this.spec.cfg, t.model, t.tok);
      const shown = (e: TrainEvent) => e.type === 'sample' || e.type === 'rollout' || e.type === 'trajectory';
      const keep = this.unsaved.filter((e) => !shown(e));
      const samples = this.unsaved.filter(shown).slice(-MAX_STORED_SAMPLES);
      const summary = { ...this.summary(), savedStep: step };
      const r = snap as Partial<RlSnapshot>;
      const rl = this.phase === 'rl' && r.ref ? { rlStep: r.rlStep!, optStep: r.optStep!, startStep: r.startStep!, baseline: r.baseline ?? null, ref: r.ref } : undefined;
      await this.store.saveCheckpoint({ runId: this.spec.id, step, phase: this.phase, offset: this.offset, files, ...(rl ? { rl } : {}) }, [...keep, ...samples], summary);
      this.unsaved = [];
      this.setStatus({ savedStep: step });
    } catch (e) {
      const msg = e instanceof StorageError ? e.message : `saving the checkpoint failed: ${(e as Error).message}`;
      this.pauseRequested = true;
      this.setStatus({ message: `${msg}. The run pauses; the last saved checkpoint (step ${this.status.savedStep}) is kept.` });
    }
  };

  private makeSft(): PhaseTrainer {
    const from = this.spec.from?.phase === 'sft' ? this.spec.from : undefined;
    const init = from ? { snapshot: from.snapshot, tokenizer: from.tokenizer } : undefined;
    const ds = this.spec.dataset;
    return ds ? new DatasetTrainer(this.spec.cfg, ds.examples, init) : new Trainer(this.spec.cfg, init);
  }

  async run(): Promise<void> {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return this.runLocked();
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    // Held until the run ends (or the worker is terminated, which releases it).
    void locks.request(RUN_LOCK + this.spec.id, () => finished).catch(() => undefined);
    try {
      await this.runLocked();
    } finally {
      done();
    }
  }

  private async runLocked(): Promise<void> {
    const cfg = this.spec.cfg;
    this.setStatus({ state: 'starting' });
    try {
      await this.store.putRun(this.summary());
      if (this.spec.dataset && !this.spec.from) await this.store.putDataset(this.spec.id, this.spec.dataset.name, this.spec.dataset.text);
    } catch (e) {
      this.setStatus({ state: 'error', message: (e as Error).message });
      return;
    }
    let params: Map<string, Float32Array> | undefined;
    let reason: 'finished' | 'stopped' | 'diverged' = 'finished';
    try {
      if (this.phase === 'sft') {
        const t = (this.trainer = this.makeSft());
        reason = await t.run(this.sink, { signal: this.ctrl.signal, checkpointEvery: CHECKPOINT_EVERY, onCheckpoint: this.checkpoint });
        this.check();
        const toRl = (reason === 'finished' && cfg.stage === 'sft+rl') || (this.switchRequested && reason === 'stopped');
        if (toRl) {
          params = (await t.snapshot()).params;
          this.offset = t.step;
          t.dispose();
          this.trainer = null;
          this.phase = 'rl';
          this.ctrl = new AbortController();
          this.switchRequested = false;
          this.setStatus({ phase: 'rl', total: this.offset + cfg.rl.steps });
        }
      }
      if (this.phase === 'rl') {
        const from = this.spec.from?.phase === 'rl' ? this.spec.from : undefined;
        const run = this.spec.name;
        // An RL checkpoint without its RL state (e.g. from the CLI) starts a fresh RL phase from its weights.
        const init = from?.rl
          ? { snapshot: { ...from.snapshot, ...from.rl } as RlSnapshot, tokenizer: from.tokenizer, run }
          : from
            ? { params: from.snapshot.params, startStep: from.snapshot.step, tokenizer: from.tokenizer, run }
            : { params, startStep: this.offset, run, ...(this.spec.from ? { tokenizer: this.spec.from.tokenizer } : {}) };
        const t = (this.trainer = new RlTrainer(cfg, init));
        // Just switched from SFT: save the switch (an RL checkpoint at RL step 0), so a reload
        // before the first periodic RL checkpoint resumes in RL, not in SFT.
        if (!this.spec.from || this.spec.from.phase === 'sft') await this.checkpoint();
        reason = await t.run(this.sink, { signal: this.ctrl.signal, checkpointEvery: CHECKPOINT_EVERY, onCheckpoint: this.checkpoint });
        this.check();
      }
      this.flushMetrics(true);
      const state: RunState = reason === 'stopped' ? 'stopped' : 'done';
      const msg = reason === 'diverged' ? `training diverged at step ${this.status.step} (non-finite loss for ${cfg.train.maxBadSteps} steps in a row); lower the learning rate` : this.status.message;
      this.setStatus({ state, message: msg });
      await this.store.putRun(this.summary()).catch(() => undefined);
    } catch (e) {
      this.flushMetrics(true);
      // A destroyed GPU device fails the running step (a mapAsync error) before its `lost` promise
      // settles: give it a moment, so the message names the lost device, not the failed call.
      if (!this.lostDevice && this.spec.backend === 'webgpu') await new Promise((r) => setTimeout(r, 200));
      const m = this.lostDevice
        ? `the GPU device was lost (${this.lostDevice}). Nothing saved is lost: resume the run from its last checkpoint (step ${this.status.savedStep}).`
        : `training failed at step ${this.status.step}: ${(e as Error).message}. Resume continues from the last checkpoint (step ${this.status.savedStep}).`;
      this.setStatus({ state: 'error', message: m });
      await this.store.putRun({ ...this.summary(), state: 'paused' }).catch(() => undefined);
    } finally {
      try {
        this.trainer?.dispose();
      } catch {
        // a lost device may refuse to free its buffers
      }
      this.trainer = null;
    }
  }

  private check(): void {
    if (this.lostDevice) throw new Error(this.lostDevice);
  }
}

export function modelSummary(cfg: RunConfig): { blockSize: number; paramCount: number } {
  const m = modelConfigOf(cfg);
  return { blockSize: m.blockSize, paramCount: paramCount(m) };
}
