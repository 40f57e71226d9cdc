// Differentiable building blocks with hand-written gradients, as forward/backward pairs. Why:
// on wasm, tfjs runs only 2-D untransposed matmuls fast (XNNPACK); transposed and batched ones
// fall back to a naive loop at 1-2 GFLOP/s (FACTS.md). So backward matmuls use explicit
// transposed copies on wasm (matMul's transpose flags elsewhere), and attention's batched
// matmuls run on wasm as depthwise convolutions, which XNNPACK computes as one GEMM per group.
// The model (gpt.ts) composes the *Fwd/*Bwd pairs into one custom-gradient op per sub-layer;
// mm, embed, layerNorm, linear, gelu and crossEntropyRows are the standalone differentiable ops.
// Shapes: N rows, C channels, V vocab, T time, G = B*H independent sequences, D head size.

import * as tf from '@tensorflow/tfjs';
import { LN_EPS } from './params.ts';
import { crossEntropyBwdFused, crossEntropyFwdFused } from './webgpu/crossentropy.ts';
import { useFused } from './webgpu/fused.ts';
import { geluBwdFused, geluFwdFused } from './webgpu/gelu.ts';
import { layerNormBwdFused, layerNormFwdFused } from './webgpu/layernorm.ts';

type GradFn = Parameters<typeof tf.customGrad>[0];
type T = tf.Tensor;

/** Checked per call: the backend can change between calls (tests switch it). */
const onWasm = (): boolean => tf.getBackend() === 'wasm';

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/** a @ b^T (same-batch operands). */
export function matMulTB(a: T, b: T): T {
  return onWasm() ? tf.matMul(a, tf.transpose(b, swapLast(b.rank))) : tf.matMul(a, b, false, true);
}

/** a^T @ b (same-batch operands). */
export function matMulTA(a: T, b: T): T {
  return onWasm() ? tf.matMul(tf.transpose(a, swapLast(a.rank)), b) : tf.matMul(a, b, true, false);
}

/** x^T @ y for x [N, A], y [N, B] -> [A, B]; on wasm transposes the narrower operand. */
export function weightGrad(x: T, y: T): T {
  if (!onWasm()) return tf.matMul(x, y, true, false);
  return x.shape[1]! <= y.shape[1]! ? tf.matMul(tf.transpose(x), y) : tf.transpose(tf.matMul(tf.transpose(y), x));
}

/** Widest K for which colSum uses the average-pool path (see colSum). */
export const COLSUM_POOL_MAX = 4096;

/**
 * Column sums of x [N, K] -> [K]. wasm reduces only the innermost axis fast (axis 0 costs a
 * transpose); its average pooling (XNNPACK) over an [N, 1] window is ~20x faster.
 */
export function colSum(x: T): T {
  const [N, K] = x.shape as [number, number];
  // XNNPACK's average pool corrupts wasm memory with 16,384 channels (crash seen in decode with
  // batch 128 on micro; 8,192 was fine): keep to widths well inside what was seen to work.
  if (!onWasm() || K > COLSUM_POOL_MAX) return tf.sum(x, 0);
  return tf.mul(tf.reshape(tf.avgPool(tf.reshape(x, [1, N, 1, K]) as tf.Tensor4D, [N, 1], 1, 'valid'), [K]), N);
}

/** a @ b for 2-D or same-batch N-D operands, with transpose-free backward matmuls on wasm. */
export const mm = tf.customGrad(((a: T, b: T, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: T, saved: T[]) => {
      const [sa, sb] = saved as [T, T];
      return [matMulTB(dy, sb), matMulTA(sa, dy)];
    },
  };
}) as unknown as GradFn) as (a: T, b: T) => T;

/**
 * Token embedding as a one-hot matmul: onehot [N, V] @ wte [V, C] -> [N, C]. (wasm has no gradient
 * kernel for gather.) The one-hot input gets a zero gradient without computing dy @ wte^T.
 */
export const embed = tf.customGrad(((onehot: T, wte: T, save: tf.GradSaveFunc) => {
  save([onehot]);
  return {
    value: tf.matMul(onehot, wte),
    gradFunc: (dy: T, saved: T[]) => [tf.zerosLike(saved[0]!), matMulTA(saved[0]!, dy)],
  };
}) as unknown as GradFn) as (onehot: T, wte: T) => T;

/** One-hot as float32, built from int32 (wasm's float one-hot is wrong, FACTS.md). */
export function oneHotF32(ids: T, depth: number): T {
  return tf.cast(tf.oneHot(tf.cast(ids, 'int32') as tf.Tensor1D, depth, 1, 0, 'int32'), 'float32');
}

// ---- forward/backward pairs (no tape inside: used within customGrad bodies) ----

export interface LnSaved {
  xhat: T; // [N, C] (fused webgpu kernels: x itself)
  rstd: T; // [N, 1] (fused webgpu kernels: [N, 2] mean and rstd)
}

/** LayerNorm over the last axis: x [N, C], gain g [C], bias b [C]. */
export function layerNormFwd(x: T, g: T, b: T): { y: T } & LnSaved {
  if (useFused()) {
    const f = layerNormFwdFused(x, g, b, LN_EPS);
    return { y: f.y, xhat: x, rstd: f.st };
  }
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS));
  const xhat = tf.mul(xc, rstd);
  return { y: tf.add(tf.mul(xhat, g), b), xhat, rstd };
}

export function layerNormBwd(dy: T, s: LnSaved, g: T): { dx: T; dg: T; db: T } {
  if (s.rstd.shape[1] === 2) return layerNormBwdFused(dy, s.xhat, s.rstd, g); // saved by the fused forward
  const dxhat = tf.mul(dy, g);
  const m1 = tf.mean(dxhat, -1, true);
  const m2 = tf.mean(tf.mul(dxhat, s.xhat), -1, true);
  const dx = tf.mul(s.rstd, tf.sub(tf.sub(dxhat, m1), tf.mul(s.xhat, m2)));
  return { dx, dg: colSum(tf.mul(dy, s.xhat)), db: colSum(dy) };
}

/** x [N, Cin] @ w [Cin, Cout] + b [Cout], bias fused into the matmul (XNNPACK on wasm). */
export function linearFwd(x: T, w: T, b: T): T {
  return tf.fused.matMul({ a: x, b: w, bias: b });
}

export function linearBwd(dy: T, x: T, w: T): { dx: T; dw: T; db: T } {
  return { dx: matMulTB(dy, w), dw: weightGrad(x, dy), db: colSum(dy) };
}

const GELU_C0 = 2 * Math.sqrt(2 / Math.PI);
const GELU_C1 = GELU_C0 * 0.044715;

/**
 * GELU, tanh approximation (GPT-2's "gelu_new"), computed as x * sigmoid(2u) with
 * u = sqrt(2/pi) (x + 0.044715 x^3): the same function (0.5 (1 + tanh u) = sigmoid(2u)), and
 * wasm's sigmoid is ~13x faster than its tanh.
 */
export function geluFwd(x: T): { y: T; s: T } {
  if (useFused()) {
    const y = geluFwdFused(x);
    return { y, s: y }; // the fused backward recomputes s from x
  }
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_C1), GELU_C0)));
  return { y: tf.mul(x, s), s };
}

/** y = x s(z): dy/dx = s + x s (1 - s) z'(x) = s + y (1 - s)(C0 + 3 C1 x^2). */
export function geluBwd(dy: T, x: T, y: T, s: T): T {
  if (useFused()) return geluBwdFused(dy, x); // the switch must not flip between forward and backward
  const dz = tf.add(tf.mul(tf.square(x), 3 * GELU_C1), GELU_C0);
  return tf.mul(dy, tf.add(s, tf.mul(tf.mul(y, tf.sub(1, s)), dz)));
}

/**
 * Batched matmul as a depthwise convolution (wasm). 'w': x [M, K, G] (contraction on the width
 * axis); 'h': x [K, M, G] (on the height axis). f [K, G, N]. Returns [M, G, N].
 */
function dwMatMul(x: T, f: T, mode: 'w' | 'h'): T {
  const [a, b, G] = x.shape as [number, number, number];
  const N = f.shape[2]!;
  const K = mode === 'w' ? b : a;
  const M = mode === 'w' ? a : b;
  const fil = tf.reshape(f, mode === 'w' ? [1, K, G, N] : [K, 1, G, N]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(tf.reshape(x, [1, a, b, G]) as tf.Tensor4D, fil, 1, 'valid');
  return tf.reshape(out, [M, G, N]);
}

export interface AttnSaved {
  q: T; // [T, G, D], already scaled by 1/sqrt(D)
  k: T; // [T, G, D]
  v: T; // [T, G, D]
  p: T; // attention weights: wasm [i, G, j]; elsewhere [G, i, j]
  pt: T | null; // wasm: p as [i, j, G]
}

/**
 * Causal attention core for t-major q (pre-scaled), k, v [T, G, D] and an additive mask [T, T]
 * (0 where key j <= query i, MASK_NEG above). Returns y [T, G, D].
 */
export function attentionFwd(q: T, k: T, v: T, mask: T): { y: T } & AttnSaved {
  const Tn = q.shape[0]!;
  if (onWasm()) {
    const s = dwMatMul(tf.transpose(q, [0, 2, 1]), tf.transpose(k, [2, 1, 0]), 'w'); // [i, G, j]
    const p = tf.softmax(tf.add(s, tf.reshape(mask, [Tn, 1, Tn])));
    const pt = tf.transpose(p, [0, 2, 1]); // [i, j, G]
    return { y: dwMatMul(pt, v, 'w'), q, k, v, p, pt };
  }
  const [qg, kg, vg] = [q, k, v].map((x) => tf.transpose(x, [1, 0, 2])) as [T, T, T]; // [G, T, D]
  const p = tf.softmax(tf.add(tf.matMul(qg, kg, false, true), mask)); // [G, i, j]
  return { y: tf.transpose(tf.matMul(p, vg), [1, 0, 2]), q, k, v, p, pt: null };
}

/** Gradients of attentionFwd for dy [T, G, D]: dq (w.r.t. the scaled q), dk, dv, all [T, G, D]. */
export function attentionBwd(dy: T, s: AttnSaved): { dq: T; dk: T; dv: T } {
  // softmax: dS = P (dP - rowsum(dP P))
  const dSoftmax = (p: T, dp: T) => tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
  if (s.pt) {
    const dp = dwMatMul(tf.transpose(dy, [0, 2, 1]), tf.transpose(s.v, [2, 1, 0]), 'w'); // [i, G, j]
    const dv = dwMatMul(s.pt, dy, 'h'); // sum_i P[i,g,j] dy[i,g,d] -> [j, G, D]
    const dst = tf.transpose(dSoftmax(s.p, dp), [0, 2, 1]); // [i, j, G]
    return { dq: dwMatMul(dst, s.k, 'w'), dk: dwMatMul(dst, s.q, 'h'), dv };
  }
  const [qg, kg, vg, dyg] = [s.q, s.k, s.v, dy].map((x) => tf.transpose(x, [1, 0, 2])) as [T, T, T, T];
  const ds = dSoftmax(s.p, tf.matMul(dyg, vg, false, true)); // [G, i, j]
  const back = (x: T) => tf.transpose(x, [1, 0, 2]);
  return { dq: back(tf.matMul(ds, kg)), dk: back(tf.matMul(ds, qg, true, false)), dv: back(tf.matMul(s.p, dyg, true, false)) };
}

/**
 * One decode position against a t-major cache: q [G, D] (pre-scaled), keys and values kc, vc
 * [S, G, D], optional additive bias [S, 1] (0 for filled slots, MASK_NEG for empty ones).
 * Returns [G, D].
 */
export function attendCached(q: T, kc: T, vc: T, bias: T | null): T {
  const [S, G, D] = kc.shape as [number, number, number];
  let scores = tf.sum(tf.mul(tf.reshape(q, [1, G, D]), kc), -1); // [S, G]
  if (bias) scores = tf.add(scores, bias);
  const p = tf.transpose(tf.softmax(tf.transpose(scores))); // softmax over S, back to [S, G]
  return tf.reshape(colSum(tf.reshape(tf.mul(tf.reshape(p, [S, G, 1]), vc), [S, G * D])), [G, D]);
}

// ---- differentiable ops (customGrad) ----

/** LayerNorm over the last axis of x [N, C] with gain g [C] and bias b [C]. */
export const layerNorm = tf.customGrad(((x: T, g: T, b: T, save: tf.GradSaveFunc) => {
  const f = layerNormFwd(x, g, b);
  save([f.xhat, f.rstd, g]);
  return {
    value: f.y,
    gradFunc: (dy: T, saved: T[]) => {
      const [xhat, rstd, sg] = saved as [T, T, T];
      const r = layerNormBwd(dy, { xhat, rstd }, sg);
      return [r.dx, r.dg, r.db];
    },
  };
}) as unknown as GradFn) as (x: T, g: T, b: T) => T;

/** x [N, Cin] @ w [Cin, Cout] + b [Cout]. */
export const linear = tf.customGrad(((x: T, w: T, b: T, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: linearFwd(x, w, b),
    gradFunc: (dy: T, saved: T[]) => {
      const r = linearBwd(dy, saved[0]!, saved[1]!);
      return [r.dx, r.dw, r.db];
    },
  };
}) as unknown as GradFn) as (x: T, w: T, b: T) => T;

/** GELU, tanh approximation (GPT-2's "gelu_new"). */
export const gelu = tf.customGrad(((x: T, save: tf.GradSaveFunc) => {
  const f = geluFwd(x);
  save([x, f.y, f.s]);
  return {
    value: f.y,
    gradFunc: (dy: T, saved: T[]) => [geluBwd(dy, saved[0]!, saved[1]!, saved[2]!)],
  };
}) as unknown as GradFn) as (x: T) => T;

/**
 * Per-row cross-entropy -log softmax(logits)[target] for logits [N, V] and one-hot targets [N, V];
 * returns [N]. Backward is (softmax - onehot) * dy. The targets get no gradient (a constant).
 */
export function crossEntropyRows(logits: T, targets: T): T {
  const f = tf.customGrad(((l: T, save: tf.GradSaveFunc) => {
    if (useFused()) {
      save([l, targets]);
      return { value: crossEntropyFwdFused(l, targets), gradFunc: (dy: T, saved: T[]) => [crossEntropyBwdFused(saved[0]!, saved[1]!, dy)] };
    }
    const logp = tf.logSoftmax(l);
    save([logp, targets]);
    return {
      value: tf.neg(tf.sum(tf.mul(targets, logp), -1)),
      gradFunc: (dy: T, saved: T[]) => [tf.mul(tf.sub(tf.exp(saved[0]!), saved[1]!), tf.expandDims(dy, -1))],
    };
  }) as unknown as GradFn) as (l: T) => T;
  return f(logits);
}
