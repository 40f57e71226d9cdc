// referenceForward (src/model/gpt.ts) is the spec of the model: plain tfjs ops, gradients by
// autodiff. The fast path (one custom-gradient op per sub-layer, t-major rows) and the KV-cache
// decode step are declared equal to it, as llm.c declares its matmul_forward equal to
// matmul_forward_naive: logits, loss, tokenLogprobs and the gradient of every parameter, on cpu,
// wasm (its own matmul and attention kernels) and webgpu (Dawn; required under CI). Plus causality.

import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { disposeParams, forward, makeParams, maskedLoss, paramSpecs, referenceForward, tokenLogprobs, type Params } from '../src/model/gpt.ts';
import { oneHotF32 } from '../src/model/ops.ts';
import { decodeLogits } from '../src/model/sample.ts';
import { Rng } from '../src/rng.ts';
import { releaseWebGPU, requireWebGPU, useBackend, type TestBackend } from './helpers/backend.ts';
import { cfg, logitsOf, maxAbsDiff, randomArrays, randTokens, V } from './helpers/model.ts';

afterAll(() => releaseWebGPU());

/**
 * Largest |fast - reference| allowed, float32. The two compute the same sums in different orders
 * (t-major vs batch-major rows, folded 1/sqrt(D), fused bias, sigmoid-form GELU, hand-written
 * backward), so they differ by rounding only. Measured on cpu, wasm and webgpu (Dawn/lavapipe):
 * logits (|logits| up to ~4) <= 3e-6, loss 0, gradients (up to ~0.4) <= 1.1e-5, decode <= 2.6e-6.
 */
const TOL = { logits: 1e-5, loss: 1e-6, grad: 1e-4, logp: 1e-5 };

const B = 3;
const T = cfg.blockSize; // every wpe row takes part
const rng = new Rng(31);
const inputs = randTokens(rng, B * T);
const targets = randTokens(rng, B * T);
const mask = Float32Array.from({ length: B * T }, (_, i) => (i % 7 === 0 ? 0 : 1));
const names = paramSpecs(cfg).map((s) => s.name);

async function use(backend: TestBackend, ctx: TestContext): Promise<void> {
  if (backend === 'webgpu') await requireWebGPU(ctx);
  else await useBackend(backend);
}

/** Read tensors back to the host and dispose them. */
async function host(ts: tf.Tensor[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of ts) out.push((await t.data()) as Float32Array);
  tf.dispose(ts);
  return out;
}

/** [value, gradient of every parameter in paramSpecs order] of a scalar objective. */
function valueAndGrads(params: Params, f: () => tf.Scalar): tf.Tensor[] {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(f, names.map((n) => params[n]!));
    return [value, ...names.map((n) => grads[params[n]!.name]!)];
  });
}

const batch = () => [tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), tf.tensor2d(mask, [B, T])] as const;

/** maskedLoss written on referenceForward: mean of -log p(target) over positions with mask 1. */
function refMaskedLoss(params: Params): tf.Scalar {
  const [x, y, m] = batch();
  const logp = tf.logSoftmax(referenceForward(params, cfg, x)); // [B, T, V]
  const nll = tf.neg(tf.sum(tf.mul(logp, tf.reshape(oneHotF32(tf.reshape(y, [-1]), V), [B, T, V])), -1)); // [B, T]
  return tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}

/** tokenLogprobs written on referenceForward: log p(target) and entropy under softmax(logits / temp). */
function refTokenLogprobs(params: Params, temperature: number): { logp: tf.Tensor; entropy: tf.Tensor } {
  const [x, y] = batch();
  const lp = tf.logSoftmax(tf.div(referenceForward(params, cfg, x), temperature)); // [B, T, V]
  const logp = tf.sum(tf.mul(lp, tf.reshape(oneHotF32(tf.reshape(y, [-1]), V), [B, T, V])), -1); // [B, T]
  return { logp, entropy: tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), -1)) };
}

/** Max |a - b| per pair of host arrays, with the parameter name in the failure message. */
function expectClose(what: string, got: Float32Array[], want: Float32Array[], tol: number, label: (i: number) => string): number {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const d = maxAbsDiff(got[i]!, want[i]!);
    expect(d, `${what}: ${label(i)}`).toBeLessThanOrEqual(tol);
    worst = Math.max(worst, d);
  }
  return worst;
}

const measured: string[] = [];
afterAll(() => console.info(`fast path vs referenceForward, max |diff|:\n${measured.join('\n')}`));

describe.each(['cpu', 'wasm', 'webgpu'] as const)('fast path equals referenceForward on %s', (backend) => {
  it('logits of forward equal referenceForward, at full and at shorter length', async (ctx) => {
    await use(backend, ctx);
    const params = makeParams(cfg, randomArrays(cfg, 32));
    let worst = 0;
    for (const t of [T, 5]) {
      const toks = inputs.slice(0, B * t);
      const want = await host([tf.tidy(() => referenceForward(params, cfg, tf.tensor2d(toks, [B, t], 'int32')))]);
      const scale = Math.max(...Array.from(want[0]!, Math.abs));
      expect(scale, 'logits far from zero (a meaningful comparison)').toBeGreaterThan(1);
      worst = Math.max(worst, expectClose('logits', [await logitsOf(params, cfg, toks, B, t)], want, TOL.logits, () => `T=${t}`));
    }
    measured.push(`${backend} logits ${worst.toExponential(2)}`);
    disposeParams(params);
  });

  it('maskedLoss and the gradient of every parameter equal autodiff through referenceForward', async (ctx) => {
    await use(backend, ctx);
    const params = makeParams(cfg, randomArrays(cfg, 33));
    const got = await host(valueAndGrads(params, () => maskedLoss(params, cfg, ...batch())));
    const want = await host(valueAndGrads(params, () => refMaskedLoss(params)));
    expectClose('loss', got.slice(0, 1), want.slice(0, 1), TOL.loss, () => 'value');
    for (const g of want.slice(1)) expect(Math.max(...Array.from(g, Math.abs)), 'every parameter has a gradient').toBeGreaterThan(1e-3);
    const worst = expectClose('gradient', got.slice(1), want.slice(1), TOL.grad, (i) => names[i]!);
    measured.push(`${backend} loss ${Math.abs(got[0]![0]! - want[0]![0]!).toExponential(2)}, gradients ${worst.toExponential(2)}`);
    disposeParams(params);
  });

  it('tokenLogprobs (temperature 0.7, entropy) and its gradients equal the reference', async (ctx) => {
    await use(backend, ctx);
    const params = makeParams(cfg, randomArrays(cfg, 34));
    const w = Float32Array.from({ length: B * T }, () => rng.normal()); // fixed weights of a toy RL objective
    type LogpEntropy = () => { logp: tf.Tensor; entropy: tf.Tensor };
    const fast: LogpEntropy = () => {
      const r = tokenLogprobs(params, cfg, batch()[0], batch()[1], 0.7, true);
      return { logp: r.logp, entropy: r.entropy! };
    };
    const ref: LogpEntropy = () => refTokenLogprobs(params, 0.7);
    const values = (f: LogpEntropy) => tf.tidy(() => [f().logp, f().entropy]);
    const objective = (f: LogpEntropy) => () => {
      const { logp, entropy } = f();
      return tf.add(tf.sum(tf.mul(logp, tf.tensor2d(w, [B, T]))), tf.mul(0.1, tf.sum(entropy))) as tf.Scalar;
    };
    const worstValue = expectClose('tokenLogprobs', await host(values(fast)), await host(values(ref)), TOL.logp, (i) => ['logp', 'entropy'][i]!);
    const got = await host(valueAndGrads(params, objective(fast)));
    const want = await host(valueAndGrads(params, objective(ref)));
    const worstGrad = expectClose('gradient', got.slice(1), want.slice(1), TOL.grad, (i) => names[i]!);
    measured.push(`${backend} tokenLogprobs ${worstValue.toExponential(2)}, gradients ${worstGrad.toExponential(2)}`);
    disposeParams(params);
  });

  it('the KV-cache decode step (growing and fixed-slot cache) equals referenceForward at every position', async (ctx) => {
    await use(backend, ctx);
    const params = makeParams(cfg, randomArrays(cfg, 35));
    const x = () => tf.tensor2d(inputs, [B, T], 'int32');
    const want = await host([tf.tidy(() => referenceForward(params, cfg, x()))]);
    let worst = 0;
    for (const cache of ['growing', 'fixed'] as const) {
      const got = await host([tf.tidy(() => decodeLogits(params, cfg, x(), cache))]);
      worst = Math.max(worst, expectClose('decode logits', got, want, TOL.logits, () => `${cache} cache`));
    }
    measured.push(`${backend} decode ${worst.toExponential(2)}`);
    disposeParams(params);
  });
});

describe('forward', () => {
  it('future tokens never change past logits; the token at t changes the logits at t', async () => {
    await useBackend('cpu');
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
