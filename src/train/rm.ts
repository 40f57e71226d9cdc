// The reward-model stage: the GPT trunk of a policy checkpoint plus a fresh scalar head, trained
// with the Bradley-Terry loss on preference pairs (ties as 0.5/0.5), evaluated on held-out pairs
// (pair accuracy, reward margin). Also the scorer the RL stage pays with (`--reward rm:RM`): the
// score at each sampled sequence's last completion token.

import * as tf from '@tensorflow/tfjs';
import { makePairBatch, type PairBatch } from '../data/pairs.ts';
import { seqBatch, splitPairs, stepIndices } from '../data/pref-split.ts';
import type { ModelConfig } from '../model/config.ts';
import { disposeParams, makeParams, paramArrays, type Params } from '../model/gpt.ts';
import { initRewardHead, makeRewardHead, rewardHeadArray, score, type RewardHead } from '../model/reward.ts';
import type { PreferenceRecord } from '../records/preference.ts';
import { hashInts, Rng } from '../rng.ts';
import type { Tokenizer } from '../tokenizer.ts';
import { adamW } from './loop.ts';
import { lrAt, type AdamW } from './optim.ts';
import { bradleyTerryLoss } from './preference-loss.ts';
import { PREF_EVAL_TRAIN_N } from './pref-events.ts';
import { chunks, prefOptim, type PrefConfig, type PrefTrainer } from './pref-loop.ts';
import type { TrainerSnapshot } from './sft.ts';

/** Pairs scored per forward pass at evaluation and when paying RL rollouts. */
const SCORE_CHUNK = 64;

/** A pair with where it came from (file:line), for errors. */
export interface PlacedPair {
  record: PreferenceRecord;
  where: string;
}

export class RmTrainer implements PrefTrainer {
  readonly stage = 'rm' as const;
  readonly params: Params;
  readonly head: RewardHead;
  readonly opt: AdamW;
  step = 0;
  readonly train: PlacedPair[];
  readonly heldOut: PlacedPair[];

  constructor(
    readonly cfg: PrefConfig,
    readonly model: ModelConfig,
    readonly tok: Tokenizer,
    trunk: Map<string, Float32Array>,
    pairs: readonly PlacedPair[],
  ) {
    const split = splitPairs(pairs.map((p) => ({ ...p, prompt: p.record.prompt })), cfg.heldOut);
    this.train = split.train;
    this.heldOut = split.heldOut;
    // Every pair is checked against the tokenizer and the context before a tensor exists.
    if (this.train.length === 0) throw new Error(`no training pairs: all ${pairs.length} pair(s) fell in the held-out share (${cfg.heldOut}); give more pairs or a smaller --heldout`);
    for (const set of [this.train, this.heldOut]) if (set.length) this.batch(set);
    this.params = makeParams(model, trunk);
    this.head = initRewardHead(model, new Rng(hashInts(cfg.seed, 12)));
    this.opt = adamW(model, { ...this.params, ...this.head }, prefOptim(cfg));
  }

  private batch(pairs: readonly PlacedPair[]): PairBatch {
    return makePairBatch(this.tok, pairs.map((p) => p.record), this.model.blockSize, (i) => pairs[i]!.where);
  }

  async trainStep() {
    const idx = stepIndices(this.cfg.seed, this.step, this.train.length, this.cfg.batchSize);
    const b = this.batch(idx.map((i) => this.train[i]!));
    const lr = lrAt(this.opt.cfg, this.opt.step);
    let parts!: ReturnType<typeof bradleyTerryLoss>;
    const out = tf.tidy(() => {
      const [c, r, tie] = this.tensors(b);
      return this.opt.minimize(() => {
        parts = bradleyTerryLoss(score(this.params, this.model, this.head, c, b.lastChosen), score(this.params, this.model, this.head, r, b.lastRejected), tie);
        tf.keep(parts.accuracy);
        tf.keep(parts.margin);
        return parts.loss;
      });
    });
    const packed = tf.stack([out.loss, out.gradNorm, parts.accuracy, parts.margin]);
    const [loss, gradNorm, accuracy, margin] = await packed.data();
    for (const x of [packed, out.loss, out.gradNorm, out.applied, parts.accuracy, parts.margin]) x.dispose();
    return { loss: loss!, accuracy: accuracy!, margin: margin!, grad_norm: gradNorm!, lr };
  }

  private tensors(b: PairBatch): [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D] {
    const T = this.model.blockSize;
    return [tf.tensor2d(b.chosen.inputs, [b.chosen.B, T], 'int32'), tf.tensor2d(b.rejected.inputs, [b.rejected.B, T], 'int32'), tf.tensor1d(b.tie)];
  }

  /** Pair accuracy (decided pairs ranked right) and mean margin r_c - r_r over decided pairs. */
  async pairMetrics(pairs: readonly PlacedPair[]): Promise<{ n: number; decided: number; accuracy: number; margin: number }> {
    let right = 0;
    let decided = 0;
    let sum = 0;
    for (const ix of chunks(pairs.length, SCORE_CHUNK)) {
      const b = this.batch(ix.map((i) => pairs[i]!));
      const d = tf.tidy(() => {
        const [c, r] = this.tensors(b);
        return tf.sub(score(this.params, this.model, this.head, c, b.lastChosen), score(this.params, this.model, this.head, r, b.lastRejected));
      });
      const dv = await d.data();
      d.dispose();
      dv.forEach((x, k) => {
        if (b.tie[k]) return;
        decided++;
        sum += x;
        if (x > 0) right++;
      });
    }
    return { n: pairs.length, decided, accuracy: decided ? right / decided : 0, margin: decided ? sum / decided : 0 };
  }

  async evaluate() {
    const h = await this.pairMetrics(this.heldOut);
    const t = await this.pairMetrics(this.train.slice(0, PREF_EVAL_TRAIN_N));
    return { heldout_pairs: h.n, heldout_decided: h.decided, heldout_accuracy: h.accuracy, heldout_margin: h.margin, train_pairs: t.n, train_accuracy: t.accuracy, train_margin: t.margin };
  }

  /** The trunk as a checkpoint snapshot (the head is saved on its own: headArray). */
  async snapshot(startStep: number): Promise<TrainerSnapshot> {
    const trunk = await paramArrays(this.params);
    const st = await this.opt.state();
    // The head's moments stay out: the checkpoint folder's optimizer file describes the trunk.
    for (const m of [st.m, st.v]) for (const k of [...m.keys()]) if (!trunk.has(k)) m.delete(k);
    return { step: startStep + this.step, params: trunk, optimizer: st };
  }

  headArray(): Promise<Float32Array> {
    return rewardHeadArray(this.head);
  }

  dispose(): void {
    disposeParams(this.params);
    disposeParams(this.head);
    this.opt.dispose();
  }
}

/** A trained reward model that scores sampled sequences (the RL stage's learned reward). */
export class RewardScorer {
  readonly params: Params;
  readonly head: RewardHead;

  constructor(
    readonly model: ModelConfig,
    readonly tok: Tokenizer,
    trunk: Map<string, Float32Array>,
    head: Float32Array,
  ) {
    this.params = makeParams(model, trunk);
    this.head = makeRewardHead(model, head);
  }

  /** The score of each row: prompt ids (with <bos>) then completion ids, read at the last completion token. */
  async scoreRows(prompts: readonly number[][], completions: readonly ArrayLike<number>[]): Promise<Float32Array> {
    const out = new Float32Array(prompts.length);
    for (const ix of chunks(prompts.length, SCORE_CHUNK)) {
      const s = seqBatch(
        ix.map((i) => prompts[i]!),
        ix.map((i) => completions[i]!),
        this.model.blockSize,
        this.tok.pad,
        this.tok.eos,
      );
      const r = tf.tidy(() => score(this.params, this.model, this.head, tf.tensor2d(s.inputs, [s.B, s.T], 'int32'), s.last));
      out.set(await r.data(), ix[0]!);
      r.dispose();
    }
    return out;
  }

  dispose(): void {
    disposeParams(this.params);
    disposeParams(this.head);
  }
}
