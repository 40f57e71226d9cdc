// The GPT, its sampler and its optimizer on the cpu backend, checked against independent
// references: causality, "KV-cache decode equals full forward", sampling from a model whose output
// distribution is known exactly, finite-difference and built-in-autodiff gradient checks, AdamW's
// update rules and NaN guard, flat tensor counts, and bitwise determinism of training.
// Tiny models (2 layers, width 16, context 16) keep the file fast.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../src/config.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { disposeParams, forward, initParamArrays, makeParams, maskedLoss, paramArrays, paramSpecs, type Params } from '../src/model/gpt.ts';
import { crossEntropyRows, embed, gelu, layerNorm, mm, oneHotF32 } from '../src/model/ops.ts';
import { LN_EPS } from '../src/model/params.ts';
import { sample, type SampleOptions, type SampleResult } from '../src/model/sample.ts';
import { Rng } from '../src/rng.ts';
import type { TrainEvent } from '../src/train/events.ts';
import { AdamW, DEFAULT_OPTIM, type OptimConfig } from '../src/train/optim.ts';
import { Trainer } from '../src/train/sft.ts';
import { useBackend } from './helpers/backend.ts';

const cfg: ModelConfig = { nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 16, vocabSize: 11 };
const V = cfg.vocabSize;

beforeAll(async () => {
  await useBackend('cpu');
});

/**
 * Random weights with a large spread (std 0.3, and LayerNorm/bias terms off their 1/0 init) so
 * that logits are far from uniform: argmax ties cannot flip between two computation orders, and
 * every gradient is well above float32 noise.
 */
function randomArrays(c: ModelConfig, seed: number, std = 0.3): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = initParamArrays(c, rng);
  for (const s of paramSpecs(c)) {
    const a = out.get(s.name)!;
    for (let i = 0; i < a.length; i++) {
      a[i] = s.init === 'normal' || s.init === 'residual' ? rng.normal() * std : (s.init === 'ones' ? 1 : 0) + 0.1 * rng.normal();
    }
  }
  return out;
}

function randTokens(rng: Rng, n: number, vocab = V): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(vocab));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Logits [B*T, V] of `forward` on host tokens, read back to the host. */
async function logitsOf(params: Params, c: ModelConfig, tokens: Int32Array, B: number, T: number): Promise<Float32Array> {
  const l = tf.tidy(() => forward(params, c, tf.tensor2d(tokens, [B, T], 'int32')));
  const out = (await l.data()) as Float32Array;
  l.dispose();
  return out;
}

/** Log-softmax of one row of V logits (float64 on the host). */
function logSoftmaxRow(row: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]!);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i]! - m);
  const lse = m + Math.log(s);
  return Array.from(row, (x) => x - lse);
}

function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

function expectLogprobsValid(r: SampleResult): void {
  for (const lp of r.logprobs) for (const x of lp) expect(x).toBeLessThanOrEqual(0);
}

describe('forward', () => {
  it('future tokens never change past logits; the token at t changes the logits at t', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 1));
    const B = 2;
    const T = cfg.blockSize;
    const rng = new Rng(2);
    const base = randTokens(rng, B * T);
    const ref = await logitsOf(params, cfg, base, B, T);
    const rows = (l: Float32Array, b: number, from: number, to: number) => l.subarray((b * T + from) * V, (b * T + to) * V);
    for (const t of [0, 1, 5, 9, T - 2]) {
      // Every token after t replaced by a different one.
      const future = base.slice();
      for (let b = 0; b < B; b++) for (let s = t + 1; s < T; s++) future[b * T + s] = (base[b * T + s]! + 1 + rng.int(V - 1)) % V;
      const got = await logitsOf(params, cfg, future, B, T);
      for (let b = 0; b < B; b++) {
        expect(maxAbsDiff(rows(got, b, 0, t + 1), rows(ref, b, 0, t + 1)), `row ${b}, positions <= ${t}`).toBeLessThanOrEqual(1e-6);
        expect(maxAbsDiff(rows(got, b, t + 1, T), rows(ref, b, t + 1, T)), `row ${b}, positions > ${t} must see the change`).toBeGreaterThan(1e-3);
      }
      // Only the token at t replaced: the logits at t must move.
      const now = base.slice();
      for (let b = 0; b < B; b++) now[b * T + t] = (base[b * T + t]! + 1 + rng.int(V - 1)) % V;
      const got2 = await logitsOf(params, cfg, now, B, T);
      for (let b = 0; b < B; b++) {
        expect(maxAbsDiff(rows(got2, b, 0, t), rows(ref, b, 0, t))).toBeLessThanOrEqual(1e-6);
        expect(maxAbsDiff(rows(got2, b, t, t + 1), rows(ref, b, t, t + 1)), `row ${b}, position ${t}`).toBeGreaterThan(1e-3);
      }
    }
    // Rows of a batch do not see each other.
    const other = base.slice();
    for (let s = 0; s < T; s++) other[T + s] = (base[T + s]! + 1) % V;
    const got3 = await logitsOf(params, cfg, other, B, T);
    expect(maxAbsDiff(rows(got3, 0, 0, T), rows(ref, 0, 0, T))).toBeLessThanOrEqual(1e-6);
    disposeParams(params);
  });
});

describe('sample', () => {
  const greedy = (o: Partial<SampleOptions> = {}): SampleOptions => ({ maxNewTokens: 8, temperature: 0, topK: 0, eosId: 0, rng: new Rng(0), ...o });

  it('KV-cache decode equals the no-cache path and full forward, for prompts of different lengths', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 3));
    // Lengths 1..10; the last one runs into blockSize (10 + 8 - 1 > 16) and must be cut there.
    const prompts = [[1], [3, 4, 5], [2, 7, 1, 8, 2], [9, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]];
    const o = greedy({ maxNewTokens: 8, eosId: 0 });
    const withCache = await sample(params, cfg, prompts, { ...o, useCache: true });
    const noCache = await sample(params, cfg, prompts, { ...o, useCache: false });
    expect(withCache.tokens.map((t) => Array.from(t))).toEqual(noCache.tokens.map((t) => Array.from(t)));
    expect(withCache.truncated).toEqual(noCache.truncated);
    let generated = 0;
    for (let i = 0; i < prompts.length; i++) {
      const p = prompts[i]!;
      const toks = Array.from(withCache.tokens[i]!);
      const lps = withCache.logprobs[i]!;
      generated += toks.length;
      expect(maxAbsDiff(lps, noCache.logprobs[i]!)).toBeLessThanOrEqual(1e-4);
      // Length rule: stops at eos, else at maxNewTokens or at the end of the context.
      const limit = Math.min(o.maxNewTokens, cfg.blockSize - p.length + 1);
      if (withCache.truncated[i]) {
        expect(toks).not.toContain(o.eosId);
        expect(toks.length).toBe(limit);
      } else {
        expect(toks.indexOf(o.eosId)).toBe(toks.length - 1);
      }
      // The real reference: forward over prompt + completion, log_softmax at each generated position.
      const seq = [...p, ...toks];
      const T = seq.length - 1;
      const logits = await logitsOf(params, cfg, Int32Array.from(seq.slice(0, T)), 1, T);
      for (let j = 0; j < toks.length; j++) {
        const pos = p.length - 1 + j;
        const row = logits.subarray(pos * V, (pos + 1) * V);
        expect(toks[j], `row ${i} token ${j} is the argmax`).toBe(argmax(row));
        expect(Math.abs(lps[j]! - logSoftmaxRow(row)[toks[j]!]!), `row ${i} token ${j}`).toBeLessThanOrEqual(1e-4);
      }
    }
    expect(withCache.tokens[4]!.length === 7 || !withCache.truncated[4]).toBe(true);
    expect(generated).toBeGreaterThanOrEqual(15); // enough decode steps to mean something
    expectLogprobsValid(withCache);
    disposeParams(params);
  });

  /**
   * A model whose next-token logits are `logits` at every position, whatever the input:
   * ln_f's gain is 0 and its bias the unit vector e0, so the head reads column 0 of wte.
   */
  function fixedDistribution(logits: number[]): Params {
    const a = randomArrays(cfg, 4);
    a.get('transformer.ln_f.weight')!.fill(0);
    const b = a.get('transformer.ln_f.bias')!;
    b.fill(0);
    b[0] = 1;
    const wte = a.get('transformer.wte.weight')!;
    logits.forEach((l, v) => (wte[v * cfg.nEmbd] = l));
    return makeParams(cfg, a);
  }

  it('samples from softmax(logits / temperature) with exact log-probs, and top-k keeps the k best', async () => {
    const L = [2.0, 1.5, 1.0, 0.5, 0, -0.5, -1, -1.5, -2, -2.5, -6];
    const eos = 10; // nearly never drawn: rows run to maxNewTokens
    const params = fixedDistribution(L);
    const prompts = Array.from({ length: 64 }, () => [1]);
    for (const [temperature, topK] of [
      [1, 0],
      [0.5, 0],
      [1, 3],
    ] as const) {
      const r = await sample(params, cfg, prompts, { maxNewTokens: 15, temperature, topK, eosId: eos, rng: new Rng(7) });
      const kept = topK > 0 ? L.map((x, v) => (v < topK ? x / temperature : -Infinity)) : L.map((x) => x / temperature);
      const logp = logSoftmaxRow(kept);
      const counts = new Array<number>(V).fill(0);
      let n = 0;
      r.tokens.forEach((toks, i) => {
        toks.forEach((tok, j) => {
          expect(logp[tok], `token ${tok} outside the top ${topK}`).toBeGreaterThan(-Infinity);
          expect(Math.abs(r.logprobs[i]![j]! - logp[tok]!)).toBeLessThanOrEqual(1e-5);
          counts[tok]!++;
          n++;
        });
      });
      expect(n).toBeGreaterThan(800);
      // Frequencies match the distribution (5 standard errors; the draw is fixed by the seed).
      for (let v = 0; v < V; v++) {
        const p = Math.exp(logp[v]!);
        expect(Math.abs(counts[v]! / n - p), `T=${temperature} k=${topK} token ${v}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1 / n);
      }
      expectLogprobsValid(r);
    }
    disposeParams(params);
  });

  it('stops each row at its own <eos>; truncated flags agree with the tokens', async () => {
    // p(eos) = 0.25 per step: rows stop at different steps, some never within 6 tokens.
    const L = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    L[2] = Math.log((0.25 / 0.75) * 10);
    const params = fixedDistribution(L);
    const prompts = Array.from({ length: 32 }, (_, i) => Array.from({ length: 1 + (i % 4) }, () => 1));
    const r = await sample(params, cfg, prompts, { maxNewTokens: 6, temperature: 1, topK: 0, eosId: 2, rng: new Rng(11), checkEvery: 2 });
    const lengths = new Set<number>();
    let stopped = 0;
    let truncated = 0;
    r.tokens.forEach((t, i) => {
      const toks = Array.from(t);
      lengths.add(toks.length);
      if (r.truncated[i]) {
        truncated++;
        expect(toks.length).toBe(6);
        expect(toks).not.toContain(2);
      } else {
        stopped++;
        expect(toks.indexOf(2)).toBe(toks.length - 1);
      }
      expect(r.logprobs[i]!.length).toBe(toks.length);
    });
    expect(stopped).toBeGreaterThan(0);
    expect(truncated).toBeGreaterThan(0);
    expect(lengths.size).toBeGreaterThanOrEqual(3);
    // Greedy with eos the most likely token: every row is exactly [eos].
    L[2] = 3;
    disposeParams(params);
    const p2 = fixedDistribution(L);
    const g = await sample(p2, cfg, prompts.slice(0, 4), { maxNewTokens: 6, temperature: 0, topK: 0, eosId: 2, rng: new Rng(0) });
    expect(g.tokens.map((t) => Array.from(t))).toEqual([[2], [2], [2], [2]]);
    expect(g.truncated).toEqual([false, false, false, false]);
    disposeParams(p2);
  });

  it('same seed gives the same sample, another seed another; topK=1 equals greedy', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 5));
    const prompts = [[1, 4], [1], [1, 5, 6, 7]];
    const o = { maxNewTokens: 10, temperature: 1, topK: 0, eosId: 0 };
    const a = await sample(params, cfg, prompts, { ...o, rng: new Rng(21) });
    const b = await sample(params, cfg, prompts, { ...o, rng: new Rng(21) });
    const c = await sample(params, cfg, prompts, { ...o, rng: new Rng(22) });
    const toks = (r: SampleResult) => r.tokens.map((t) => Array.from(t));
    expect(toks(a)).toEqual(toks(b));
    expect(a.logprobs.map((l) => bits(l))).toEqual(b.logprobs.map((l) => bits(l)));
    expect(toks(c)).not.toEqual(toks(a));
    const top1 = await sample(params, cfg, prompts, { ...o, topK: 1, rng: new Rng(23) });
    const g = await sample(params, cfg, prompts, { ...o, temperature: 0, rng: new Rng(0) });
    expect(toks(top1)).toEqual(toks(g));
    for (const lp of top1.logprobs) for (const x of lp) expect(Math.abs(x)).toBeLessThanOrEqual(1e-6); // the only choice
    for (const r of [a, c, g]) expectLogprobsValid(r);
    disposeParams(params);
  });
});

describe('gradients', () => {
  it('maskedLoss gradients of every parameter tensor match central finite differences', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 6));
    const B = 2;
    const T = cfg.blockSize; // every wpe row takes part
    const rng = new Rng(7);
    const inputs = randTokens(rng, B * T);
    const targets = randTokens(rng, B * T);
    const mask = Float32Array.from({ length: B * T }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const batch = () => [tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), tf.tensor2d(mask, [B, T])] as const;
    const lossAt = async (): Promise<number> => {
      const l = tf.tidy(() => maskedLoss(params, cfg, ...batch()));
      const v = (await l.data())[0]!;
      l.dispose();
      return v;
    };
    const names = paramSpecs(cfg).map((s) => s.name);
    const grads = tf.tidy(() => {
      const { value, grads: g } = tf.variableGrads(() => maskedLoss(params, cfg, ...batch()), names.map((n) => params[n]!));
      value.dispose();
      return names.map((n) => g[params[n]!.name]!);
    });
    const eps = 1e-2;
    const pick = new Rng(8);
    let checked = 0;
    for (let k = 0; k < names.length; k++) {
      const v = params[names[k]!]!;
      const g = (await grads[k]!.data()) as Float32Array;
      const orig = (await v.data()) as Float32Array;
      // The largest-gradient coordinate plus three random ones.
      let big = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[big]!)) big = i;
      expect(Math.abs(g[big]!), `${names[k]} has a gradient`).toBeGreaterThan(1e-3);
      for (const i of [big, pick.int(g.length), pick.int(g.length), pick.int(g.length)]) {
        const a = orig.slice();
        const at = async (x: number) => {
          a[i] = x;
          tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
          return lossAt();
        };
        const fd = ((await at(orig[i]! + eps)) - (await at(orig[i]! - eps))) / (2 * eps);
        await at(orig[i]!);
        const err = Math.abs(g[i]! - fd);
        expect(err, `${names[k]}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`).toBeLessThanOrEqual(1e-2 * Math.max(Math.abs(g[i]!), Math.abs(fd)) + 3e-5);
        checked++;
      }
    }
    expect(checked).toBe(4 * names.length);
    tf.dispose(grads);
    disposeParams(params);
  });

  /** Values and gradients of sum(f(...xs) * w) for the custom op and a built-in reference. */
  async function compareOps(
    custom: (...xs: tf.Tensor[]) => tf.Tensor,
    reference: (...xs: tf.Tensor[]) => tf.Tensor,
    inputs: tf.Tensor[],
    wrt: number[],
    tol = 1e-5,
  ): Promise<void> {
    const run = (f: (...xs: tf.Tensor[]) => tf.Tensor) =>
      tf.tidy(() => {
        const y = f(...inputs);
        const w = tf.randomNormal(y.shape, 0, 1, 'float32', 99); // a fixed upstream gradient
        const gs = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
        return [y, ...wrt.map((i) => gs[i]!)];
      });
    const a = run(custom);
    const b = run(reference);
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.shape).toEqual(b[i]!.shape);
      const x = await a[i]!.data();
      const y = await b[i]!.data();
      const scale = Math.max(1, ...Array.from(y, Math.abs));
      expect(maxAbsDiff(x, y) / scale, i === 0 ? 'value' : `gradient of input ${wrt[i - 1]}`).toBeLessThanOrEqual(tol);
    }
    tf.dispose([...a, ...b, ...inputs]);
  }

  it('mm, embed, layerNorm, gelu and crossEntropyRows match tfjs autodiff of the same math', async () => {
    const r = (shape: number[], seed: number, mean = 0) => tf.randomNormal(shape, mean, 1, 'float32', seed);
    await compareOps(mm, (a, b) => tf.matMul(a, b), [r([5, 7], 1), r([7, 3], 2)], [0, 1]);
    await compareOps(mm, (a, b) => tf.matMul(a, b), [r([2, 3, 5, 4], 3), r([2, 3, 4, 6], 4)], [0, 1]);
    const ids = tf.tensor1d([0, 3, 3, 10, 7, 1], 'int32');
    const oh = oneHotF32(ids, V);
    await compareOps(embed, (o, w) => tf.matMul(o, w), [oh, r([V, 8], 5)], [1]);
    const refLN = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(x, -1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), g), b);
    };
    await compareOps(layerNorm, refLN, [r([6, 16], 6, 0.5), r([16], 7, 1), r([16], 8)], [0, 1, 2]);
    const refGelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
    await compareOps(gelu, refGelu, [tf.linspace(-6, 6, 97)], [0]);
    const targets = oneHotF32(tf.tensor1d([1, 0, 10, 4, 4, 9], 'int32'), V);
    await compareOps(
      (l) => crossEntropyRows(l, targets),
      (l) => tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(l)), -1)),
      [tf.mul(r([6, V], 9), 3)],
      [0],
    );
    tf.dispose([ids, targets]);
  });
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
