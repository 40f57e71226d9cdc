// Supervised fine-tuning on gold reasoning traces: a Trainer owns the model, the optimizer and
// the data stream, and `run()` trains, evaluates and reports through typed events. Batches are a
// pure function of (seed, step), so a resumed run continues exactly where it stopped.

import * as tf from '@tensorflow/tfjs';
import { modelConfigOf, type RunConfig } from '../config.ts';
import { makeBatch, type Example } from '../data/batch.ts';
import { distinctProblems, problemAt } from '../data/split.ts';
import type { ModelConfig } from '../model/config.ts';
import { disposeParams, initParamArrays, makeParams, maskedLoss, paramArrays, paramSpecs, type Params } from '../model/gpt.ts';
import { renderCompletion } from '../tasks/format.ts';
import { getTask } from '../tasks/registry.ts';
import type { AnyTask } from '../tasks/types.ts';
import { hashInts, Rng } from '../rng.ts';
import { Tokenizer } from '../tokenizer.ts';
import { evaluateAndReport, heldOutProblems, type EvalSummary } from './report.ts';
import type { EventSink, Phase } from './events.ts';
import { AdamW, lrAt } from './optim.ts';

export { EVAL_SEED } from './report.ts';

export interface TrainerSnapshot {
  step: number;
  params: Map<string, Float32Array>;
  optimizer: Awaited<ReturnType<AdamW['state']>>;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Called every `checkpointEvery` steps and at the end, with the trainer idle. */
  onCheckpoint?: (step: number) => Promise<void>;
  checkpointEvery?: number;
}

export class Trainer {
  readonly model: ModelConfig;
  readonly task: AnyTask;
  readonly tok: Tokenizer;
  readonly params: Params;
  readonly opt: AdamW;
  /** Steps completed. */
  step = 0;
  phase: Phase = 'sft';
  private pool: unknown[] | null = null;
  private t0 = 0;

  constructor(
    readonly cfg: RunConfig,
    init?: { params?: Map<string, Float32Array>; snapshot?: TrainerSnapshot; tokenizer?: Tokenizer },
  ) {
    this.tok = init?.tokenizer ?? new Tokenizer();
    this.model = modelConfigOf(cfg, this.tok);
    this.task = getTask(cfg.task.name);
    const arrays = init?.snapshot?.params ?? init?.params ?? initParamArrays(this.model, new Rng(hashInts(cfg.train.seed, 1)));
    this.params = makeParams(this.model, arrays);
    const decay = new Set(paramSpecs(this.model).filter((s) => s.decay).map((s) => s.name));
    this.opt = new AdamW({ ...cfg.train, totalSteps: cfg.train.steps }, this.params, (n) => decay.has(n));
    if (init?.snapshot) {
      this.opt.load(init.snapshot.optimizer);
      this.step = init.snapshot.step;
    }
  }

  /** The examples of step `step`: a pure function of the seed and the step. */
  batchExamples(step: number): Example[] {
    const { seed, batchSize: B, trainSize } = this.cfg.train;
    const tc = this.cfg.task.config;
    const probs: unknown[] = [];
    if (trainSize > 0) {
      this.pool ??= distinctProblems(this.task, tc, seed, 'train', trainSize);
      const rng = new Rng(hashInts(seed, 2, step));
      for (let b = 0; b < B; b++) probs.push(this.pool[rng.int(this.pool.length)]);
    } else {
      for (let b = 0; b < B; b++) probs.push(problemAt(this.task, tc, seed, 'train', step * B + b));
    }
    return probs.map((p) => this.goldExample(p));
  }

  goldExample(p: unknown): Example {
    const tc = this.cfg.task.config;
    const g = this.task.gold(p, tc);
    return { prompt: this.task.prompt(p, tc), completion: renderCompletion(g, g.trace.length > 0) };
  }

  /** One synchronous training step on `examples`; returns kept scalars (caller disposes). */
  trainStep(examples: Example[]) {
    const b = makeBatch(this.tok, examples, this.model.blockSize);
    return tf.tidy(() => {
      const inputs = tf.tensor2d(b.inputs, [b.B, b.T], 'int32');
      const targets = tf.tensor2d(b.targets, [b.B, b.T], 'int32');
      const mask = tf.tensor2d(b.mask, [b.B, b.T], 'float32');
      return this.opt.minimize(() => maskedLoss(this.params, this.model, inputs, targets, mask));
    });
  }

  /** Train until cfg.train.steps (or the signal), evaluating and reporting on the way. */
  async run(sink: EventSink, o: RunOptions = {}): Promise<'finished' | 'stopped' | 'diverged'> {
    const { steps, logEvery, maxBadSteps, batchSize } = this.cfg.train;
    const evalEvery = this.cfg.eval.every;
    this.t0 = performance.now();
    await sink({ type: 'phase', phase: this.phase, step: this.step });
    let pending: { step: number; lr: number; out: ReturnType<Trainer['trainStep']> }[] = [];
    let tWindow = performance.now();
    let badRun = 0;
    let reason: 'finished' | 'stopped' | 'diverged' = 'finished';
    const flush = async () => {
      if (!pending.length) return;
      const packed = tf.tidy(() => tf.stack(pending.flatMap((p) => [p.out.loss, p.out.gradNorm, p.out.applied])));
      const vals = await packed.data();
      packed.dispose();
      const now = performance.now();
      const tps = (pending.length * batchSize * this.model.blockSize) / ((now - tWindow) / 1000);
      tWindow = now;
      for (let i = 0; i < pending.length; i++) {
        const p = pending[i]!;
        const [loss, gn, applied] = [vals[3 * i]!, vals[3 * i + 1]!, vals[3 * i + 2]!];
        if (applied === 0) {
          badRun++;
          await sink({ type: 'warning', phase: this.phase, step: p.step, message: `non-finite loss (${loss}) or gradient norm (${gn}): step skipped, parameters and optimizer state kept at the last good values` });
        } else badRun = 0;
        if (i === pending.length - 1) {
          await sink({ type: 'step', phase: this.phase, step: p.step, loss, lr: p.lr, grad_norm: gn, tokens_per_s: tps, elapsed_s: (now - this.t0) / 1000 });
        }
        for (const x of Object.values(p.out)) x.dispose();
      }
      pending = [];
    };
    while (this.step < steps) {
      if (o.signal?.aborted) {
        reason = 'stopped';
        break;
      }
      const lr = lrAt(this.opt.cfg, this.opt.step);
      const out = this.trainStep(this.batchExamples(this.step));
      this.step++;
      pending.push({ step: this.step, lr, out });
      if (this.step % logEvery === 0 || this.step === steps) await flush();
      if (badRun >= maxBadSteps) {
        reason = 'diverged';
        break;
      }
      if (evalEvery > 0 && this.step % evalEvery === 0 && this.step < steps) await this.evaluateAndReport(sink);
      if (o.onCheckpoint && o.checkpointEvery && this.step % o.checkpointEvery === 0 && this.step < steps) {
        await flush();
        await o.onCheckpoint(this.step);
      }
    }
    await flush();
    if (reason !== 'diverged') await this.evaluateAndReport(sink);
    if (o.onCheckpoint) await o.onCheckpoint(this.step);
    await sink({ type: 'done', phase: this.phase, step: this.step, reason, elapsed_s: (performance.now() - this.t0) / 1000 });
    return reason;
  }

  /** The held-out test problems (fixed seed, same for every run of this task config). */
  evalProblems(): unknown[] {
    return heldOutProblems(this.task, this.cfg);
  }

  async evaluateAndReport(sink: EventSink): Promise<EvalSummary> {
    return evaluateAndReport(this, this.evalProblems(), sink, { phase: this.phase, step: this.step, elapsed: () => (performance.now() - this.t0) / 1000 });
  }

  async snapshot(): Promise<TrainerSnapshot> {
    return { step: this.step, params: await paramArrays(this.params), optimizer: await this.opt.state() };
  }

  dispose(): void {
    disposeParams(this.params);
    this.opt.dispose();
  }
}
