// The DPO stage: the policy of a checkpoint trained on preference pairs against a frozen copy of
// itself (the reference), with beta setting how far it may move. Ties carry no preference and are
// left out. Evaluations report what the preference is about and what it must not break: implicit
// reward margin and pair accuracy (train and held-out pairs), and on held-out test problems the
// greedy fully-right accuracy, completion and thought lengths, and a sampled KL to the start policy.

import * as tf from '@tensorflow/tfjs';
import { encodePrompt } from '../data/batch.ts';
import { makePairBatch, type PairBatch } from '../data/pairs.ts';
import { seqBatch, splitPairs, stepIndices, type SeqBatch } from '../data/pref-split.ts';
import type { ModelConfig } from '../model/config.ts';
import { disposeParams, makeParams, paramArrays, type Params } from '../model/gpt.ts';
import { thoughtLength } from '../records/raters.ts';
import { hashInts, Rng } from '../rng.ts';
import type { AnyTask } from '../tasks/types.ts';
import type { Tokenizer } from '../tokenizer.ts';
import { sampleAndVerify } from './generate.ts';
import { adamW } from './loop.ts';
import { lrAt, type AdamW } from './optim.ts';
import { dpoLoss, sequenceLogprobs } from './preference-loss.ts';
import { PREF_EVAL_TRAIN_N, type PrefEvalEvent } from './pref-events.ts';
import { chunks, prefOptim, type PrefConfig, type PrefTrainer } from './pref-loop.ts';
import type { PlacedPair } from './rm.ts';
import type { TrainerSnapshot } from './sft.ts';

const CHUNK = 64;

/** The task side of DPO's evaluation: held-out test problems of the checkpoint's task config. */
export interface DpoEvalTask {
  task: AnyTask;
  config: object;
  problems: readonly unknown[];
}

/**
 * Mean thought length (tokens inside <think>) of all completions, and of the fully right ones
 * alone (absent when none is right, rather than a 0 that reads as a length).
 */
export function thoughtMeans(texts: readonly string[], right: readonly boolean[]): { think_len_mean: number; think_len_right_mean?: number } {
  const lens = texts.map(thoughtLength);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  const r = lens.filter((_, i) => right[i]);
  return { think_len_mean: mean(lens), ...(r.length ? { think_len_right_mean: mean(r) } : {}) };
}

export class DpoTrainer implements PrefTrainer {
  readonly stage = 'dpo' as const;
  readonly params: Params;
  /** The frozen start policy: never trained. */
  readonly ref: Params;
  readonly opt: AdamW;
  step = 0;
  readonly train: PlacedPair[];
  readonly heldOut: PlacedPair[];
  /** Pairs left out because they are ties. */
  readonly ties: number;

  constructor(
    readonly cfg: PrefConfig,
    readonly model: ModelConfig,
    readonly tok: Tokenizer,
    start: Map<string, Float32Array>,
    pairs: readonly PlacedPair[],
    private readonly evalTask: DpoEvalTask | null,
  ) {
    const decided = pairs.filter((p) => !p.record.tie);
    this.ties = pairs.length - decided.length;
    if (decided.length === 0) throw new Error(`no usable pairs: all ${pairs.length} pair(s) are ties, and a tie carries no preference for DPO`);
    const split = splitPairs(decided.map((p) => ({ ...p, prompt: p.record.prompt })), cfg.heldOut);
    this.train = split.train;
    this.heldOut = split.heldOut;
    if (this.train.length === 0) throw new Error(`no training pairs: all ${decided.length} decided pair(s) fell in the held-out share (${cfg.heldOut}); give more pairs or a smaller --heldout`);
    for (const set of [this.train, this.heldOut]) if (set.length) this.batch(set);
    this.params = makeParams(model, start);
    this.ref = makeParams(model, start);
    this.opt = adamW(model, this.params, prefOptim(cfg));
  }

  private batch(pairs: readonly PlacedPair[]): PairBatch {
    return makePairBatch(this.tok, pairs.map((p) => p.record), this.model.blockSize, (i) => pairs[i]!.where);
  }

  /** Summed completion log-probs [B] of `p` on both sides of `b` (inside a tidy). */
  private logps(p: Params, b: PairBatch): [tf.Tensor1D, tf.Tensor1D] {
    const side = (x: PairBatch['chosen']) => {
      const sh: [number, number] = [x.B, x.T];
      return sequenceLogprobs(p, this.model, tf.tensor2d(x.inputs, sh, 'int32'), tf.tensor2d(x.targets, sh, 'int32'), tf.tensor2d(x.mask, sh));
    };
    return [side(b.chosen), side(b.rejected)];
  }

  async trainStep() {
    const idx = stepIndices(this.cfg.seed, this.step, this.train.length, this.cfg.batchSize);
    const b = this.batch(idx.map((i) => this.train[i]!));
    const lr = lrAt(this.opt.cfg, this.opt.step);
    const [refC, refR] = tf.tidy(() => this.logps(this.ref, b));
    let parts!: ReturnType<typeof dpoLoss>;
    const out = tf.tidy(() =>
      this.opt.minimize(() => {
        const [c, r] = this.logps(this.params, b);
        parts = dpoLoss(c, r, refC, refR, this.cfg.beta);
        tf.keep(parts.accuracy);
        tf.keep(parts.margin);
        return parts.loss;
      }),
    );
    const packed = tf.stack([out.loss, out.gradNorm, parts.accuracy, parts.margin]);
    const [loss, gradNorm, accuracy, margin] = await packed.data();
    for (const x of [packed, out.loss, out.gradNorm, out.applied, parts.accuracy, parts.margin, refC, refR]) x.dispose();
    return { loss: loss!, accuracy: accuracy!, margin: margin!, grad_norm: gradNorm!, lr };
  }

  /** Implicit-reward pair accuracy (z > 0) and mean margin z over `pairs`. */
  async pairMetrics(pairs: readonly PlacedPair[]): Promise<{ n: number; accuracy: number; margin: number }> {
    let right = 0;
    let sum = 0;
    for (const ix of chunks(pairs.length, CHUNK)) {
      const b = this.batch(ix.map((i) => pairs[i]!));
      const z = tf.tidy(() => {
        const [c, r] = this.logps(this.params, b);
        const [rc, rr] = this.logps(this.ref, b);
        return tf.mul(this.cfg.beta, tf.sub(tf.sub(c, rc), tf.sub(r, rr)));
      });
      for (const x of await z.data()) (sum += x), (right += x > 0 ? 1 : 0);
      z.dispose();
    }
    const n = pairs.length;
    return { n, accuracy: n ? right / n : 0, margin: n ? sum / n : 0 };
  }

  async evaluate(): Promise<Omit<PrefEvalEvent, 'type' | 'stage' | 'step' | 'elapsed_s'>> {
    const h = await this.pairMetrics(this.heldOut);
    const t = await this.pairMetrics(this.train.slice(0, PREF_EVAL_TRAIN_N));
    const pairs = { heldout_pairs: h.n, heldout_accuracy: h.accuracy, heldout_margin: h.margin, train_pairs: t.n, train_accuracy: t.accuracy, train_margin: t.margin };
    return this.evalTask && this.evalTask.problems.length ? { ...pairs, ...(await this.taskMetrics(this.evalTask)) } : pairs;
  }

  /** Greedy accuracy and lengths, and a sampled KL(policy || reference), on the held-out problems. */
  private async taskMetrics(e: DpoEvalTask): Promise<{ n: number; greedy_acc: number; len_mean: number; think_len_mean: number; think_len_right_mean?: number; kl_seq: number }> {
    const prompts = e.problems.map((p) => encodePrompt(this.tok, e.task.prompt(p, e.config) as string));
    const greedy = await sampleAndVerify(this, e.task, e.config, e.problems, prompts, { temperature: 0, topK: 0, rng: new Rng(0) });
    const n = e.problems.length;
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
    const eosFree = (t: Int32Array) => (t.length > 0 && t[t.length - 1] === this.tok.eos ? t.length - 1 : t.length);
    // The same noise at every evaluation, so KL changes come from the policy, not the draw.
    const sampled = await sampleAndVerify(this, e.task, e.config, e.problems, prompts, { temperature: 1, topK: 0, rng: new Rng(hashInts(this.cfg.seed, 13)) });
    let kl = 0;
    for (const ix of chunks(n, CHUNK)) {
      const s: SeqBatch = seqBatch(
        ix.map((i) => prompts[i]!),
        ix.map((i) => sampled.tokens[i]!),
        this.model.blockSize,
        this.tok.pad,
        this.tok.eos,
      );
      const d = tf.tidy(() => {
        const sh: [number, number] = [s.B, s.T];
        const [inp, tgt, m] = [tf.tensor2d(s.inputs, sh, 'int32'), tf.tensor2d(s.targets, sh, 'int32'), tf.tensor2d(s.mask, sh)];
        return tf.sum(tf.sub(sequenceLogprobs(this.params, this.model, inp, tgt, m), sequenceLogprobs(this.ref, this.model, inp, tgt, m)));
      });
      kl += (await d.data())[0]!;
      d.dispose();
    }
    return {
      n,
      greedy_acc: greedy.verdicts.filter((v) => v.fully_correct).length / n,
      len_mean: mean(greedy.tokens.map(eosFree)),
      ...thoughtMeans(greedy.texts, greedy.verdicts.map((v) => v.fully_correct)),
      kl_seq: kl / n,
    };
  }

  async snapshot(startStep: number): Promise<TrainerSnapshot> {
    return { step: startStep + this.step, params: await paramArrays(this.params), optimizer: await this.opt.state() };
  }

  dispose(): void {
    disposeParams(this.params);
    disposeParams(this.ref);
    this.opt.dispose();
  }
}
