// Supervised fine-tuning on gold reasoning traces: a Trainer owns the model, the optimizer and
// the data stream, and `run()` trains, evaluates and reports through typed events. Batches are a
// pure function of (seed, step) and, under the auto curriculum, the current level, which is saved
// in snapshots: a resumed run continues exactly where it stopped.

import * as tf from '@tensorflow/tfjs';
import { modelConfigOf, type RunConfig } from '../run-config.ts';
import { makeBatch, type Batch, type Example } from '../data/batch.ts';
import { distinctProblems, problemAt } from '../data/split.ts';
import type { ModelConfig } from '../model/config.ts';
import { disposeParams, makeParams, maskedLoss, paramArrays, type Params } from '../model/gpt.ts';
import { renderCompletion } from '../tasks/format.ts';
import { envOf, taskByName as getTask } from '../envs/as-task.ts';
import type { AnyTask } from '../tasks/types.ts';
import { hashInts, Rng } from '../rng.ts';
import { Tokenizer } from '../tokenizer.ts';
import { curriculumLevels, mixedLevel, nextLevel, type CurriculumLevel } from './curriculum.ts';
import { goldTrajectoryBatch } from './env-data.ts';
import { evaluate } from './eval.ts';
import { EVAL_SEED, evaluateAndReport, heldOutProblems, type EvalSummary } from './report.ts';
import type { EventSink, Phase } from './events.ts';
import { adamW, Clock, runLoop, startWeights, type RunEnd, type RunOptions } from './loop.ts';
import { lrAt, type AdamW } from './optim.ts';

export { EVAL_SEED } from './report.ts';
export type { RunOptions } from './loop.ts';

export interface TrainerSnapshot {
  step: number;
  params: Map<string, Float32Array>;
  optimizer: Awaited<ReturnType<AdamW['state']>>;
  /** Auto curriculum: the current level and the last step whose evaluation decided on it. */
  curriculum?: CurriculumState;
}

export interface CurriculumState {
  level: number;
  decidedAt: number;
}

/** Held-out problems per level evaluation of the auto curriculum (at most eval.n). */
export const LEVEL_EVAL_N = 100;

export class Trainer {
  readonly model: ModelConfig;
  readonly task: AnyTask;
  readonly tok: Tokenizer;
  readonly params: Params;
  readonly opt: AdamW;
  /** Steps completed. */
  step = 0;
  phase: Phase = 'sft';
  /** The curriculum levels, easiest first, the task config last (just that one when off). */
  readonly levels: CurriculumLevel[];
  /** Auto curriculum: index into `levels` trained on now, and the step that last decided it. */
  curriculum: CurriculumState = { level: 0, decidedAt: 0 };
  private pools = new Map<number, unknown[]>();
  private levelProblems = new Map<number, unknown[]>();
  readonly clock = new Clock();
  /** Steps taken but not yet reported: their scalars are read back every logEvery steps. */
  private pending: { step: number; lr: number; level: number; out: ReturnType<Trainer['trainStep']> }[] = [];
  private tWindow = 0;

  constructor(
    readonly cfg: RunConfig,
    init?: { params?: Map<string, Float32Array>; snapshot?: TrainerSnapshot; tokenizer?: Tokenizer },
  ) {
    this.tok = init?.tokenizer ?? new Tokenizer();
    this.model = modelConfigOf(cfg, this.tok);
    this.task = getTask(cfg.task.name);
    if (envOf(this.task) && cfg.train.curriculum === 'mixed') throw new Error(`environment ${cfg.task.name}: curriculum mixed is not supported (use off or auto)`);
    this.levels = cfg.train.curriculum === 'off' ? [{ config: cfg.task.config, label: 'task' }] : curriculumLevels(this.task, cfg.task.config, this.model.blockSize);
    const c = init?.snapshot?.curriculum;
    if (c && cfg.train.curriculum === 'auto') {
      // Checked before any tensor exists, so a bad snapshot leaks nothing.
      if (!Number.isInteger(c.level) || c.level < 0 || c.level >= this.levels.length) {
        throw new Error(`the snapshot's curriculum level ${c.level} is not one of the run's ${this.levels.length} levels (${this.levels.map((l) => l.label).join(' | ')})`);
      }
      this.curriculum = { level: c.level, decidedAt: c.decidedAt };
    }
    this.params = makeParams(this.model, startWeights(cfg, this.model, init?.snapshot?.params ?? init?.params));
    this.opt = adamW(this.model, this.params, { ...cfg.train, totalSteps: cfg.train.steps });
    if (init?.snapshot) {
      this.opt.load(init.snapshot.optimizer);
      this.step = init.snapshot.step;
    }
  }

  /** The auto curriculum's current level (0 when the curriculum is off or mixed). */
  get level(): number {
    return this.cfg.train.curriculum === 'auto' ? this.curriculum.level : 0;
  }

  /**
   * The examples of step `step`: a pure function of the seed, the step and (auto curriculum) the
   * level. Each example's level: the auto level, a uniform draw per (seed, step, b) when mixed,
   * else the task config. With trainSize > 0 each level has its own pool of distinct problems.
   */
  batchExamples(step: number, level = this.level): Example[] {
    const { seed, batchSize: B, trainSize, curriculum } = this.cfg.train;
    const rng = trainSize > 0 ? new Rng(hashInts(seed, 2, step)) : null;
    const out: Example[] = [];
    for (let b = 0; b < B; b++) {
      const lv = curriculum === 'mixed' ? mixedLevel(seed, step, b, this.levels.length) : level;
      const tc = this.levels[lv]!.config;
      let p: unknown;
      if (rng) {
        let pool = this.pools.get(lv);
        if (!pool) this.pools.set(lv, (pool = distinctProblems(this.task, tc, seed, 'train', trainSize)));
        p = pool[rng.int(pool.length)];
      } else p = problemAt(this.task, tc, seed, 'train', step * B + b);
      out.push(this.goldExample(p, tc));
    }
    return out;
  }

  goldExample(p: unknown, tc: object = this.cfg.task.config): Example {
    const g = this.task.gold(p, tc);
    return { prompt: this.task.prompt(p, tc), completion: renderCompletion(g, g.trace.length > 0) };
  }

  /** One synchronous training step on `examples`; returns kept scalars (caller disposes). */
  trainStep(examples: Example[]) {
    return this.trainBatch(makeBatch(this.tok, examples, this.model.blockSize));
  }

  /**
   * The batch of step `step`: gold examples of a task, or gold trajectories of an environment
   * (its model turns the only targets: env/tokens.ts).
   */
  batchAt(step: number, level = this.level): Batch {
    const env = envOf(this.task);
    if (!env) return makeBatch(this.tok, this.batchExamples(step, level), this.model.blockSize);
    const { seed, batchSize, trainSize } = this.cfg.train;
    const T = this.model.blockSize;
    return goldTrajectoryBatch(env, this.levels[level]!.config, this.tok, { seed, step, batchSize, trainSize, blockSize: T, maxTokens: T - 1 });
  }

  /** One synchronous training step on a batch; returns kept scalars (caller disposes). */
  trainBatch(b: Batch) {
    return tf.tidy(() => {
      const inputs = tf.tensor2d(b.inputs, [b.B, b.T], 'int32');
      const targets = tf.tensor2d(b.targets, [b.B, b.T], 'int32');
      const mask = tf.tensor2d(b.mask, [b.B, b.T], 'float32');
      return this.opt.minimize(() => maskedLoss(this.params, this.model, inputs, targets, mask));
    });
  }

  get phaseStep(): number {
    return this.step;
  }

  get phaseSteps(): number {
    return this.cfg.train.steps;
  }

  /** Train until cfg.train.steps (or the signal), evaluating and reporting on the way. */
  run(sink: EventSink, o: RunOptions = {}): Promise<RunEnd> {
    this.tWindow = performance.now();
    return runLoop(this, sink, { ...o, evalAtStart: false });
  }

  /** One step of the run loop: the step is taken now, its loss read back every logEvery steps. */
  async advance(sink: EventSink): Promise<boolean[]> {
    const lr = lrAt(this.opt.cfg, this.opt.step);
    const level = this.level;
    const out = this.trainBatch(this.batchAt(this.step, level));
    this.step++;
    this.pending.push({ step: this.step, lr, level, out });
    return this.step % this.cfg.train.logEvery === 0 || this.step === this.cfg.train.steps ? this.flush(sink) : [];
  }

  /** Read the pending steps' scalars in one transfer; warn of skipped steps, report the last. */
  async flush(sink: EventSink): Promise<boolean[]> {
    const pending = this.pending;
    if (!pending.length) return [];
    this.pending = [];
    const packed = tf.tidy(() => tf.stack(pending.flatMap((p) => [p.out.loss, p.out.gradNorm, p.out.applied])));
    const vals = await packed.data();
    packed.dispose();
    const now = performance.now();
    const tps = (pending.length * this.cfg.train.batchSize * this.model.blockSize) / ((now - this.tWindow) / 1000);
    this.tWindow = now;
    const finite: boolean[] = [];
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      const [loss, gn, applied] = [vals[3 * i]!, vals[3 * i + 1]!, vals[3 * i + 2]!];
      finite.push(applied !== 0);
      if (applied === 0) {
        await sink({ type: 'warning', phase: this.phase, step: p.step, message: `non-finite loss (${loss}) or gradient norm (${gn}): step skipped, parameters and optimizer state kept at the last good values` });
      }
      if (i === pending.length - 1) {
        const lv = this.cfg.train.curriculum === 'auto' ? { level: p.level } : {};
        await sink({ type: 'step', phase: this.phase, step: p.step, loss, lr: p.lr, grad_norm: gn, tokens_per_s: tps, elapsed_s: this.clock.seconds(), ...lv });
      }
      for (const x of Object.values(p.out)) x.dispose();
    }
    return finite;
  }

  /** The held-out test problems (fixed seed, same for every run of this task config). */
  evalProblems(): unknown[] {
    return heldOutProblems(this.task, this.cfg);
  }

  /**
   * Evaluate on the task config's held-out problems (the headline row, comparable across
   * schedules). Auto curriculum: the row also carries the current level and its own held-out
   * accuracy, and with `advance` (a scheduled evaluation) the level moves up when that accuracy
   * reaches the threshold, at most once per step.
   */
  async evaluateAndReport(sink: EventSink, o: { advance?: boolean } = {}): Promise<EvalSummary> {
    const at = { phase: this.phase, step: this.step, elapsed: () => this.clock.seconds() };
    if (this.cfg.train.curriculum !== 'auto') return evaluateAndReport(this, this.evalProblems(), sink, at);
    const lv = this.curriculum.level;
    const last = this.levels.length - 1;
    // Below the last level, its own test problems; at the last level the headline row is its accuracy.
    const own = lv < last ? await this.levelAccuracy(lv) : null;
    const tagged: EventSink = (e) =>
      sink(e.type === 'eval' ? { ...e, level: lv, level_label: this.levels[lv]!.label, level_acc: own?.accuracy ?? e.greedy_acc, level_n: own?.n ?? e.n } : e);
    const summary = await evaluateAndReport(this, this.evalProblems(), tagged, at);
    const acc = own?.accuracy ?? summary.greedy;
    if (o.advance && this.step > this.curriculum.decidedAt) {
      const threshold = this.cfg.train.curriculumThreshold;
      const next = nextLevel(lv, this.levels.length, acc, threshold);
      this.curriculum = { level: next, decidedAt: this.step };
      if (next !== lv) await sink({ type: 'curriculum', phase: this.phase, step: this.step, from: lv, to: next, label: this.levels[next]!.label, level_acc: acc, threshold });
    }
    return summary;
  }

  /**
   * Greedy fully-right accuracy at level `level`, on up to LEVEL_EVAL_N of its held-out test
   * problems, and how many there were. A small level lacks them (1-digit addition has 3 test
   * problems, so its gate moved in thirds and opened by luck: docs/EXPERIMENTS.md 7): its gate is
   * topped up with the level's validation, then training problems. The gate measures mastery of
   * the level; the headline row stays held out.
   */
  async levelAccuracy(level: number): Promise<{ accuracy: number; n: number }> {
    const tc = this.levels[level]!.config;
    let ps = this.levelProblems.get(level);
    if (!ps) {
      const want = Math.min(this.cfg.eval.n, LEVEL_EVAL_N);
      const seen = new Set<string>();
      ps = [];
      for (const split of ['test', 'val', 'train'] as const) {
        for (const p of distinctProblems(this.task, tc, EVAL_SEED, split, want - ps.length)) {
          const key = this.task.canonical(p);
          if (!seen.has(key)) (seen.add(key), ps.push(p));
        }
        if (ps.length >= want) break;
      }
      this.levelProblems.set(level, ps);
    }
    if (!ps.length) return { accuracy: 0, n: 0 };
    const r = await evaluate(this.params, this.model, this.tok, this.task, tc, ps, { temperature: 0, topK: 0, seed: 0, batchSize: 128 });
    return { accuracy: r.accuracy, n: r.n };
  }

  async snapshot(): Promise<TrainerSnapshot> {
    const curriculum = this.cfg.train.curriculum === 'auto' ? { curriculum: { ...this.curriculum } } : {};
    return { step: this.step, params: await paramArrays(this.params), optimizer: await this.opt.state(), ...curriculum };
  }

  dispose(): void {
    disposeParams(this.params);
    this.opt.dispose();
  }
}
