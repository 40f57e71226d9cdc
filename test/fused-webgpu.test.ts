// The fused WebGPU kernels (src/model/webgpu/) against the plain tfjs path they are declared equal
// to, both on the webgpu backend (Dawn + lavapipe here): forward values and gradients within 1e-4
// on random inputs of several shapes (widths that are not multiples of the workgroup size), and
// dispatch counts. webgpu fails under CI when it cannot start and is skipped elsewhere.

import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { countDispatches, hookDispatches } from '../src/bench/dispatches.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { disposeParams, initParamArrays, makeParams, maskedLoss, paramArrays, paramSpecs } from '../src/model/gpt.ts';
import { attentionBwd, attentionFwd, crossEntropyRows, geluBwd, geluFwd, layerNormBwd, layerNormFwd } from '../src/model/ops.ts';
import { attentionBwdFused, attentionFwdFused } from '../src/model/webgpu/attention.ts';
import { setFusedKernels, useFused } from '../src/model/webgpu/fused.ts';
import { Rng } from '../src/rng.ts';
import { AdamW, DEFAULT_OPTIM } from '../src/train/optim.ts';
import { releaseWebGPU, requireWebGPU } from './helpers/backend.ts';

afterAll(() => releaseWebGPU());
afterEach(() => setFusedKernels(true));

const rng = new Rng(7);
const randn = (shape: number[], scale = 1): tf.Tensor => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale), shape);

/** Max |a - b| / max(1, max |b|): relative for large values, absolute near zero. */
async function diff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  expect(a.shape).toEqual(b.shape);
  const [x, y] = [await a.data(), await b.data()];
  let d = 0;
  let s = 1;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    s = Math.max(s, Math.abs(y[i]!));
  }
  return d / s;
}

/** Run `f` with the fused kernels on and off; returns both results (kept) and asserts the switch took. */
function both<R>(f: () => R): { fused: R; plain: R } {
  setFusedKernels(true);
  expect(useFused()).toBe(true);
  const fused = f();
  setFusedKernels(false);
  const plain = f();
  setFusedKernels(true);
  return { fused, plain };
}

const SHAPES: [number, number][] = [[5, 7], [64, 48], [130, 128], [33, 103]];

describe('fused webgpu kernels equal the plain path', () => {
  for (const [N, C] of SHAPES) {
    it(`LayerNorm forward and backward, [${N}, ${C}]`, async (ctx) => {
      await requireWebGPU(ctx);
      const [x, g, b, dy] = [randn([N, C], 3), randn([C]), randn([C]), randn([N, C])];
      const r = both(() => {
        const f = layerNormFwd(x, g, b);
        return { y: f.y, xhat: f.xhat, ...layerNormBwd(dy, f, g) };
      });
      expect(r.fused.xhat === x, 'fused forward saves x').toBe(true);
      for (const k of ['y', 'dx', 'dg', 'db'] as const) expect(await diff(r.fused[k], r.plain[k]), k).toBeLessThanOrEqual(1e-4);
    });

    it(`GELU forward and backward, [${N}, ${C}]`, async (ctx) => {
      await requireWebGPU(ctx);
      const [x, dy] = [randn([N, C], 3), randn([N, C])];
      const r = both(() => {
        const f = geluFwd(x);
        return { y: f.y, dx: geluBwd(dy, x, f.y, f.s) };
      });
      for (const k of ['y', 'dx'] as const) expect(await diff(r.fused[k], r.plain[k]), k).toBeLessThanOrEqual(1e-4);
    });

    it(`cross-entropy forward and backward, [${N}, ${C}]`, async (ctx) => {
      await requireWebGPU(ctx);
      const logits = randn([N, C], 4);
      const ids = tf.tensor1d(Int32Array.from({ length: N }, () => rng.int(C)), 'int32');
      const targets = tf.cast(tf.oneHot(ids, C), 'float32');
      const w = randn([N]);
      const r = both(() => tf.valueAndGrad((l: tf.Tensor) => tf.sum(tf.mul(crossEntropyRows(l, targets), w)))(logits));
      expect(await diff(r.fused.value, r.plain.value), 'loss').toBeLessThanOrEqual(1e-4);
      expect(await diff(r.fused.grad, r.plain.grad), 'grad').toBeLessThanOrEqual(1e-4);
    });
  }

  // [T, B, H, D]: head sizes and sequence counts that are not multiples of the workgroup size.
  for (const [T, B, H, D] of [[5, 3, 2, 4], [7, 1, 1, 5], [16, 2, 3, 16], [64, 2, 4, 32]] as const) {
    it(`attention forward and backward, T=${T} B=${B} H=${H} D=${D}`, async (ctx) => {
      await requireWebGPU(ctx);
      const [N, C, G] = [T * B, H * D, B * H];
      const scale = 1 / Math.sqrt(D);
      const qkv = randn([N, 3 * C]);
      const dy = randn([N, C]);
      const m = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
      const mask = tf.tensor2d(m, [T, T]);
      setFusedKernels(false);
      // The plain path: pre-scaled q, k, v [T, G, D] (rows t*B + b, columns h*D + d: a reshape).
      const part = (i: number) => tf.reshape(tf.slice(qkv, [0, i * C], [N, C]), [T, G, D]);
      const f = attentionFwd(tf.mul(part(0), scale), part(1), part(2), mask);
      const b = attentionBwd(tf.reshape(dy, [T, G, D]), f);
      const dqkv = tf.concat([tf.mul(b.dq, scale), b.dk, b.dv].map((t) => tf.reshape(t, [N, C])), 1);
      setFusedKernels(true);
      const dims = { T, B, H, scale };
      const y = attentionFwdFused(qkv, mask, dims);
      expect(await diff(y, tf.reshape(f.y, [N, C])), 'y').toBeLessThanOrEqual(1e-4);
      expect(await diff(attentionBwdFused(dy, qkv, y, mask, dims), dqkv), 'dqkv').toBeLessThanOrEqual(1e-4);
    });
  }

  it('one fused LayerNorm forward is 2 dispatches, its backward 3', async (ctx) => {
    await requireWebGPU(ctx);
    expect(hookDispatches()).toBe(true);
    const [x, g, b] = [randn([9, 5]), randn([5]), randn([5])];
    let f: ReturnType<typeof layerNormFwd> | undefined;
    expect((await countDispatches(() => (f = layerNormFwd(x, g, b)))).total).toBe(2);
    expect((await countDispatches(() => layerNormBwd(x, f!, g))).total).toBe(3);
  });
});

describe('a training step with the fused kernels', () => {
  const cfg: ModelConfig = { nLayer: 2, nHead: 2, nEmbd: 20, blockSize: 12, vocabSize: 103 };
  const [B, T] = [3, 12];
  const weights = initParamArrays(cfg, new Rng(1));
  const r = new Rng(2);
  const ids = () => Int32Array.from({ length: B * T }, () => r.int(cfg.vocabSize));
  const [inputs, targets] = [ids(), ids()];
  const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T < 3 ? 0 : 1));
  const decays = new Set(paramSpecs(cfg).filter((s) => s.decay).map((s) => s.name));
  const optim = { ...DEFAULT_OPTIM, lr: 1e-2, minLr: 1e-2, warmupSteps: 0, weightDecay: 0.1, gradClip: 1 };

  /** Two AdamW steps from the same weights; loss, dispatches and tensors left per step. */
  async function run(fused: boolean) {
    setFusedKernels(fused);
    expect(hookDispatches()).toBe(true);
    const params = makeParams(cfg, weights);
    const opt = new AdamW(optim, params, (n) => decays.has(n));
    const step = () => {
      const out = tf.tidy(() => opt.minimize(() => maskedLoss(params, cfg, tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), tf.tensor2d(mask, [B, T]))));
      return out;
    };
    const losses: number[] = [];
    let dispatches = 0;
    let leaked = 0;
    for (let i = 0; i < 2; i++) {
      const n0 = tf.memory().numTensors;
      let out: ReturnType<typeof step> | undefined;
      dispatches = (await countDispatches(() => (out = step()))).total;
      losses.push((await out!.loss.data())[0]!);
      expect((await out!.applied.data())[0]).toBe(1);
      tf.dispose(Object.values(out!));
      leaked = tf.memory().numTensors - n0;
    }
    const updated = await paramArrays(params);
    const m = await opt.m.data();
    opt.dispose();
    disposeParams(params);
    setFusedKernels(true);
    return { losses, dispatches, leaked, updated, m };
  }

  it('gives the plain path loss and parameters, in fewer dispatches and without leaks', async (ctx) => {
    await requireWebGPU(ctx);
    const plain = await run(false);
    const fused = await run(true);
    for (let i = 0; i < 2; i++) expect(Math.abs(fused.losses[i]! - plain.losses[i]!), `loss ${i}`).toBeLessThanOrEqual(1e-4);
    for (const [n, a] of plain.updated) {
      const b = fused.updated.get(n)!;
      const before = weights.get(n)!;
      // The updates (about lr in size) agree, not only the much larger weights.
      let d = 0;
      let s = 0;
      for (let i = 0; i < a.length; i++) {
        d = Math.max(d, Math.abs(b[i]! - a[i]!));
        s = Math.max(s, Math.abs(a[i]! - before[i]!));
      }
      expect(d / s, n).toBeLessThanOrEqual(1e-3);
    }
    expect(fused.leaked).toBe(0);
    expect(plain.leaked).toBe(0);
    expect(fused.dispatches).toBeLessThan(plain.dispatches / 1.8);
  });
});
