// The preference losses against numbers computed by hand (written below), their guards (no pairs,
// bad beta), and DPO on a tiny model: one AdamW step on the policy (the reference a frozen copy)
// raises the chosen-vs-rejected margin, and a step leaks no tensor.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, makeParams, paramSpecs } from '../src/model/gpt.ts';
import { Rng } from '../src/rng.ts';
import { AdamW, DEFAULT_OPTIM } from '../src/train/optim.ts';
import { bradleyTerryLoss, dpoLoss, NoPairsError, sequenceLogprobs } from '../src/train/preference-loss.ts';
import { useBackend } from './helpers/backend.ts';
import { cfg, randomArrays, randTokens } from './helpers/model.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const t1 = (xs: number[]) => tf.tensor1d(xs);
/** Read every scalar of a loss output back and free it. */
async function values<T extends object>(o: T): Promise<Record<keyof T, number>> {
  const out = {} as Record<keyof T, number>;
  for (const [k, t] of Object.entries(o) as [keyof T, tf.Scalar][]) out[k] = (await t.data())[0]!;
  tf.dispose(Object.values(o) as tf.Tensor[]);
  return out;
}
/** tf.tidy over a function returning a record of scalars (tidy's types want an index signature). */
const tidy = <T extends object>(f: () => T): T => tf.tidy(f as () => tf.TensorContainer) as T;

describe('Bradley-Terry loss', () => {
  it('equals the hand-computed values, ties as a 0.5/0.5 target', async () => {
    // d = r_c - r_r = [1, -2, 0], the third pair a tie:
    //   -log sigmoid(1)  = log(1 + e^-1) = 0.3132617
    //   -log sigmoid(-2) = log(1 + e^2)  = 2.1269280
    //   tie at d = 0: -(0.5 log sigmoid(0) + 0.5 log sigmoid(0)) = log 2 = 0.6931472
    //   mean = 1.0444456; accuracy over the 2 non-ties = 1/2; margin = (1 - 2) / 2 = -0.5
    const v = await values(tidy(() => bradleyTerryLoss(t1([2, 0, 0.5]), t1([1, 2, 0.5]), t1([0, 0, 1]))));
    expect(v.loss).toBeCloseTo(1.0444456, 6);
    expect(v.accuracy).toBe(0.5);
    expect(v.margin).toBeCloseTo(-0.5, 6);
    // A tie at d = 1 costs 0.5 (log(1 + e^-1) + log(1 + e^1)) = 0.8132617 > log 2: ties pull rewards together.
    const tie = await values(tidy(() => bradleyTerryLoss(t1([1]), t1([0]), t1([1]))));
    expect(tie.loss).toBeCloseTo(0.8132617, 6);
    expect(tie.accuracy).toBe(0); // no decided pair: 0, not NaN
    // No tie tensor: every pair is decided.
    const plain = await values(tidy(() => bradleyTerryLoss(t1([1]), t1([0]))));
    expect(plain.loss).toBeCloseTo(0.3132617, 6);
    expect(plain.accuracy).toBe(1);
  });

  it('its gradient pushes the chosen reward up and the rejected one down', async () => {
    const g = tf.grads((c: tf.Tensor, r: tf.Tensor) => bradleyTerryLoss(c as tf.Tensor1D, r as tf.Tensor1D).loss)([t1([0.3]), t1([0.1])]);
    // d loss / d r_c = -(1 - sigmoid(0.2)) = -0.4501660
    expect((await g[0]!.data())[0]).toBeCloseTo(-0.450166, 5);
    expect((await g[1]!.data())[0]).toBeCloseTo(0.450166, 5);
  });

  it('zero pairs is a clear error, not a NaN', () => {
    expect(() => bradleyTerryLoss(t1([]), t1([]))).toThrow(NoPairsError);
    expect(() => bradleyTerryLoss(t1([]), t1([]))).toThrow(/no usable pairs/);
    expect(() => bradleyTerryLoss(t1([1, 2]), t1([1]))).toThrow(/same B/);
  });
});

describe('DPO loss', () => {
  it('equals the hand-computed values', async () => {
    // beta 0.1; pair 1: (logp_c - ref_c) - (logp_r - ref_r) = (-5 + 6) - (-4 + 4) = 1  -> z = 0.1
    //           pair 2: (-3 + 3) - (-2 + 4) = -2                                      -> z = -0.2
    //   -log sigmoid(0.1) = log(1 + e^-0.1) = 0.6443967; -log sigmoid(-0.2) = log(1 + e^0.2) = 0.7981389
    //   loss = 0.7212678; accuracy 1/2; margin (0.1 - 0.2) / 2 = -0.05
    //   implicit rewards: chosen mean(0.1, 0) = 0.05, rejected mean(0, 0.2) = 0.1
    const v = await values(tidy(() => dpoLoss(t1([-5, -3]), t1([-4, -2]), t1([-6, -3]), t1([-4, -4]), 0.1)));
    expect(v.loss).toBeCloseTo(0.7212678, 6);
    expect(v.accuracy).toBe(0.5);
    expect(v.margin).toBeCloseTo(-0.05, 6);
    expect(v.chosenReward).toBeCloseTo(0.05, 6);
    expect(v.rejectedReward).toBeCloseTo(0.1, 6);
  });

  it('at the reference the loss is log 2 whatever beta', async () => {
    const v = await values(tidy(() => dpoLoss(t1([-7]), t1([-2]), t1([-7]), t1([-2]), 3)));
    expect(v.loss).toBeCloseTo(Math.LN2, 6);
    expect(v.margin).toBe(0);
  });

  it('refuses zero pairs and a bad beta', () => {
    expect(() => dpoLoss(t1([]), t1([]), t1([]), t1([]), 0.1)).toThrow(NoPairsError);
    expect(() => dpoLoss(t1([1]), t1([1]), t1([1]), t1([1]), 0)).toThrow(/beta must be a finite number > 0/);
  });

  it('one AdamW step on a tiny model raises the chosen-vs-rejected margin; a step leaks no tensor', async () => {
    const B = 3;
    const T = cfg.blockSize;
    const rng = new Rng(21);
    const arrays = randomArrays(cfg, 4, 0.1);
    const policy = makeParams(cfg, arrays);
    const ref = makeParams(cfg, arrays); // the frozen start policy: never given to the optimizer
    const half = (x: Int32Array) => tf.tensor2d(x, [B, T], 'int32');
    // Shared prompt (first 6 positions), different completions; the mask covers the completions.
    const prompt = randTokens(rng, 6);
    const seq = () => {
      const s = randTokens(rng, B * (T + 1));
      for (let b = 0; b < B; b++) s.set(prompt, b * (T + 1));
      const inp = new Int32Array(B * T);
      const tgt = new Int32Array(B * T);
      for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) (inp[b * T + t] = s[b * (T + 1) + t]!), (tgt[b * T + t] = s[b * (T + 1) + t + 1]!);
      return [inp, tgt] as const;
    };
    const [ci, ct] = seq();
    const [ri, rt] = seq();
    const mask = new Float32Array(B * T).map((_, i) => (i % T >= 5 ? 1 : 0));
    // Chosen and rejected in one forward: rows 0..B-1 chosen, B..2B-1 rejected.
    const inputs = tf.concat([half(ci), half(ri)]) as tf.Tensor2D;
    const targets = tf.concat([half(ct), half(rt)]) as tf.Tensor2D;
    const m = tf.tensor2d(new Float32Array([...mask, ...mask]), [2 * B, T]);
    const refLp = tf.tidy(() => sequenceLogprobs(ref, cfg, inputs, targets, m)); // [2B]
    const [refC, refR] = tf.split(refLp, 2) as [tf.Tensor1D, tf.Tensor1D];
    const out = () => {
      const lp = sequenceLogprobs(policy, cfg, inputs, targets, m);
      const [pc, pr] = tf.split(lp, 2) as [tf.Tensor1D, tf.Tensor1D];
      return dpoLoss(pc, pr, refC, refR, 0.5);
    };
    const margin = async () => values(tidy(() => ({ margin: out().margin, loss: out().loss })));
    const before = await margin();
    expect(before.margin).toBeCloseTo(0, 5); // policy == reference
    expect(before.loss).toBeCloseTo(Math.LN2, 5);
    const decays = new Set(paramSpecs(cfg).filter((s) => s.decay).map((s) => s.name));
    const opt = new AdamW({ ...DEFAULT_OPTIM, warmupSteps: 0, totalSteps: 10, lr: 1e-3, minLr: 1e-3 }, policy, (n) => decays.has(n));
    const counts: number[] = [];
    for (let s = 0; s < 3; s++) {
      const r = opt.minimize(() => out().loss);
      expect((await r.applied.data())[0]).toBe(1);
      tf.dispose([r.loss, r.gradNorm, r.applied]);
      counts.push(tf.memory().numTensors);
      if (s === 0) {
        const after = await margin();
        expect(after.margin).toBeGreaterThan(before.margin + 1e-3);
        expect(after.loss).toBeLessThan(before.loss);
      }
    }
    expect(counts[2]).toBe(counts[1]);
    expect(counts[1]).toBe(counts[0]);
    disposeParams(policy);
    disposeParams(ref);
    opt.dispose?.();
    tf.dispose([inputs, targets, m, refLp, refC, refR]);
  });
});
