// Training on the cpu backend: AdamW's update rules, decoupled weight decay and NaN guard, an
// overfit of one batch, flat tensor counts over Trainer steps and sampling, and bitwise
// determinism of training runs.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../src/run-config.ts';
import { disposeParams, initParamArrays, makeParams, maskedLoss, paramArrays, paramSpecs, type Params } from '../src/model/gpt.ts';
import { sample } from '../src/model/sample.ts';
import { Rng } from '../src/rng.ts';
import type { TrainEvent } from '../src/train/events.ts';
import { AdamW, DEFAULT_OPTIM, type OptimConfig } from '../src/train/optim.ts';
import { Trainer } from '../src/train/sft.ts';
import { useBackend } from './helpers/backend.ts';
import { bits, cfg, maxAbsDiff, randomArrays, randTokens } from './helpers/model.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('AdamW', () => {
  const optim = (o: Partial<OptimConfig> = {}): OptimConfig => ({ ...DEFAULT_OPTIM, warmupSteps: 0, totalSteps: 1000, lr: 1e-2, minLr: 1e-2, ...o });
  const decays = new Set(paramSpecs(cfg).filter((s) => s.decay).map((s) => s.name));
  const B = 4;
  const T = cfg.blockSize;

  function fixedBatch(seed: number) {
    const rng = new Rng(seed);
    const inputs = randTokens(rng, B * T);
    const targets = randTokens(rng, B * T);
    return () => maskedLoss0(inputs, targets);
  }
  let current: Params;
  function maskedLoss0(inputs: Int32Array, targets: Int32Array): tf.Scalar {
    return maskedLoss(current, cfg, tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), tf.ones([B, T]) as tf.Tensor2D);
  }
  async function stepValues(out: ReturnType<AdamW['minimize']>): Promise<{ loss: number; applied: number; gradNorm: number }> {
    const [loss, gradNorm, applied] = [(await out.loss.data())[0]!, (await out.gradNorm.data())[0]!, (await out.applied.data())[0]!];
    tf.dispose([out.loss, out.gradNorm, out.applied]);
    return { loss, gradNorm, applied };
  }
  async function moments(opt: AdamW) {
    const s = await opt.state();
    return { t: s.t, m: [...s.m.values()].map(bits), v: [...s.v.values()].map(bits) };
  }

  it('one step changes every parameter tensor, each element by at most lr (plus decay)', async () => {
    current = makeParams(cfg, initParamArrays(cfg, new Rng(9)));
    const o = optim({ weightDecay: 0.1 });
    const opt = new AdamW(o, current, (n) => decays.has(n));
    const before = await paramArrays(current);
    const r = await stepValues(opt.minimize(fixedBatch(1)));
    expect(r.applied).toBe(1);
    expect(Number.isFinite(r.loss) && r.gradNorm > 0).toBe(true);
    const after = await paramArrays(current);
    for (const [n, a] of before) {
      const b = after.get(n)!;
      let changed = 0;
      let full = 0;
      let maxA = 0;
      for (let i = 0; i < a.length; i++) {
        if (a[i] !== b[i]) changed++;
        if (Math.abs(a[i]! - b[i]!) > 0.5 * o.lr) full++;
        maxA = Math.max(maxA, Math.abs(a[i]!));
      }
      expect(changed, `${n} changed`).toBeGreaterThan(a.length / 2);
      // Bias-corrected, the first step moves most elements by about lr (not (1 - beta1) * lr).
      expect(full, `${n} elements moved by ~lr`).toBeGreaterThan(a.length / 2);
      // First Adam step: |m_hat / sqrt(v_hat)| <= 1, so |delta| <= lr (+ lr*wd*|p| when decayed).
      expect(maxAbsDiff(a, b), n).toBeLessThanOrEqual(o.lr * 1.001 + (decays.has(n) ? o.lr * o.weightDecay * maxA : 0));
    }
    expect((await opt.state()).t).toBe(1);
    opt.dispose();
    disposeParams(current);
  });

  it('overfits one fixed batch', async () => {
    current = makeParams(cfg, initParamArrays(cfg, new Rng(10)));
    const opt = new AdamW(optim({ lr: 1e-2, weightDecay: 0, gradClip: 1 }), current, (n) => decays.has(n));
    const lossFn = fixedBatch(2);
    const first = await stepValues(opt.minimize(lossFn));
    let last = first.loss;
    for (let s = 1; s < 300 && last > 0.05; s++) {
      const out = opt.minimize(lossFn);
      if (s % 25 === 0) last = (await stepValues(out)).loss;
      else tf.dispose([out.loss, out.gradNorm, out.applied]);
    }
    expect(first.loss).toBeGreaterThan(2); // ~ln(11) at init
    expect(last).toBeLessThan(0.05);
    opt.dispose();
    disposeParams(current);
  });

  it('a step with a non-finite loss or gradient changes no parameter and no moment', async () => {
    current = makeParams(cfg, initParamArrays(cfg, new Rng(11)));
    const opt = new AdamW(optim({ weightDecay: 0.1 }), current, (n) => decays.has(n));
    const lossFn = fixedBatch(3);
    expect((await stepValues(opt.minimize(lossFn))).applied).toBe(1); // moments now non-zero
    // Finite value, infinite gradient: only the gradient-norm guard can catch it.
    const poison = tf.customGrad(((x: tf.Tensor) => ({ value: tf.sum(tf.mul(x, 0)), gradFunc: (dy: tf.Tensor) => tf.mul(tf.onesLike(x), tf.mul(dy, Infinity)) })) as never) as (x: tf.Tensor) => tf.Tensor;
    const bad: [string, () => tf.Scalar][] = [
      ['NaN loss', () => tf.add(lossFn(), tf.scalar(NaN))],
      ['Infinite loss', () => tf.mul(lossFn(), tf.scalar(Infinity))],
      ['Infinite gradient', () => tf.add(lossFn(), poison(current['transformer.h.0.mlp.c_fc.bias']!)) as tf.Scalar],
    ];
    for (const [what, fn] of bad) {
      const p0 = await paramArrays(current);
      const m0 = await moments(opt);
      const r = await stepValues(opt.minimize(fn));
      expect(r.applied, what).toBe(0);
      const p1 = await paramArrays(current);
      for (const [n, a] of p0) expect(bits(p1.get(n)!), `${what}: ${n}`).toEqual(bits(a));
      expect(await moments(opt), what).toEqual(m0);
    }
    // And training resumes normally afterwards.
    expect((await stepValues(opt.minimize(lossFn))).applied).toBe(1);
    expect((await opt.state()).t).toBe(2);
    opt.dispose();
    disposeParams(current);
  });

  it('weight decay shrinks only decay=true parameters', async () => {
    current = makeParams(cfg, randomArrays(cfg, 12));
    const o = optim({ lr: 0.05, weightDecay: 0.2 });
    const opt = new AdamW(o, current, (n) => decays.has(n));
    const before = await paramArrays(current);
    // Zero gradients everywhere: the only change is the decoupled decay, p <- p * (1 - lr*wd).
    const zero = () => tf.addN(Object.values(current).map((p) => tf.sum(tf.mul(p, 0)))) as tf.Scalar;
    expect((await stepValues(opt.minimize(zero))).applied).toBe(1);
    const after = await paramArrays(current);
    expect(decays.size).toBe(4 * cfg.nLayer);
    for (const [n, a] of before) {
      const b = after.get(n)!;
      if (decays.has(n)) {
        const want = a.map((x) => x * (1 - o.lr * o.weightDecay));
        expect(maxAbsDiff(b, want), n).toBeLessThanOrEqual(1e-6);
        expect(maxAbsDiff(a, b), n).toBeGreaterThan(1e-3);
      } else {
        expect(bits(b), n).toEqual(bits(a));
      }
    }
    opt.dispose();
    disposeParams(current);
  });
});

/** A tiny SFT run config: 1-digit plain addition (blockSize 16, Tokenizer vocab). */
function tinyRun(o: Record<string, unknown> = {}): RunConfig {
  return applyOverrides(DEFAULT_CONFIG, {
    'model.nLayer': 2,
    'model.nHead': 2,
    'model.nEmbd': 16,
    digits: 1,
    format: 'plain',
    batchSize: 4,
    steps: 10,
    warmupSteps: 2,
    logEvery: 1,
    'eval.n': 0,
    ...o,
  });
}

describe('memory', () => {
  it('makeParams + disposeParams leave nothing behind (the variables own the weights)', () => {
    const arrays = randomArrays(cfg, 2);
    const n0 = tf.memory().numTensors;
    const p = makeParams(cfg, arrays);
    expect(tf.memory().numTensors - n0).toBe(paramSpecs(cfg).length);
    disposeParams(p);
    expect(tf.memory().numTensors).toBe(n0);
  });

  it('numTensors is flat over 50 Trainer steps and over repeated sampling', async () => {
    const tr = new Trainer(tinyRun({ steps: 100 }));
    const step = (s: number) => tf.dispose(Object.values(tr.trainStep(tr.batchExamples(s))));
    step(0); // warm-up
    const n0 = tf.memory().numTensors;
    for (let s = 1; s <= 50; s++) step(s);
    expect(tf.memory().numTensors).toBe(n0);
    const prompts = [[1, 20, 30], [1], [1, 40, 41, 42, 43]];
    for (const useCache of [true, false]) {
      for (const temperature of [0, 0.8]) {
        await sample(tr.params, tr.model, prompts, { maxNewTokens: 9, temperature, topK: temperature ? 5 : 0, eosId: tr.tok.eos, rng: new Rng(1), useCache, checkEvery: 2 });
        expect(tf.memory().numTensors, `useCache=${useCache} temperature=${temperature}`).toBe(n0);
      }
    }
    tr.dispose();
  });

  it('Trainer.run with evaluation leaves no tensors behind', async () => {
    const tr = new Trainer(tinyRun({ steps: 4, 'eval.n': 3, 'eval.every': 2, logEvery: 2 }));
    tf.dispose(Object.values(tr.trainStep(tr.batchExamples(0)))); // warm-up
    const n0 = tf.memory().numTensors;
    const events: TrainEvent[] = [];
    expect(await tr.run((e) => void events.push(e))).toBe('finished');
    expect(events.filter((e) => e.type === 'eval').length).toBeGreaterThanOrEqual(1);
    expect(tf.memory().numTensors).toBe(n0);
    tr.dispose();
  });
});

describe('determinism', () => {
  async function losses(seed: number, trainSize = 0): Promise<number[]> {
    const tr = new Trainer(tinyRun({ seed, trainSize }));
    const out: number[] = [];
    await tr.run((e) => {
      if (e.type === 'step') out.push(e.loss);
    });
    tr.dispose();
    return out;
  }

  it('same config and seed give bitwise-identical losses; another seed differs', async () => {
    const a = await losses(5);
    const b = await losses(5);
    const c = await losses(6);
    expect(a.length).toBe(10);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(bits(Float32Array.from(b))).toEqual(bits(Float32Array.from(a)));
    expect(c).not.toEqual(a);
    // The fixed-pool data path (trainSize > 0) is deterministic too.
    const d = await losses(5, 32);
    expect(bits(Float32Array.from(await losses(5, 32)))).toEqual(bits(Float32Array.from(d)));
    expect(d).not.toEqual(a);
  });
});
