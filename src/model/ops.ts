// Forward/backward pairs with hand-written gradients, composed by gpt.ts into one custom-gradient
// op per sub-layer (and held equal to its referenceForward by test/model-reference.test.ts), plus
// crossEntropyRows. Why by hand: tfjs-wasm runs transposed and batched matmuls at 1-2 GFLOP/s
// (docs/FACTS.md, "Transposed matmuls are slow on wasm"), so on wasm backward matmuls use explicit
// transposed copies and attention's batched matmuls run as depthwise convolutions (one GEMM each).
// Shapes: N rows, C channels, V vocab, T time, G = B*H independent sequences, D head size.

import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';
import { LN_EPS } from './params.ts';
import { crossEntropyBwdFused, crossEntropyFwdFused } from './webgpu/crossentropy.ts';
import { useFused } from './webgpu/fused.ts';
import { geluBwdFused, geluFwdFused } from './webgpu/gelu.ts';
import { layerNormBwdFused, layerNormFwdFused } from './webgpu/layernorm.ts';

type GradFn = Parameters<typeof tf.customGrad>[0];

/** Checked per call: the backend can change between calls (tests switch it). */
const onWasm = (): boolean => tf.getBackend() === 'wasm';

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/** a @ b^T (same-batch operands). */
export function matMulTB(a: Tensor, b: Tensor): Tensor {
  return onWasm() ? tf.matMul(a, tf.transpose(b, swapLast(b.rank))) : tf.matMul(a, b, false, true);
}

/** a^T @ b (same-batch operands). */
export function matMulTA(a: Tensor, b: Tensor): Tensor {
  return onWasm() ? tf.matMul(tf.transpose(a, swapLast(a.rank)), b) : tf.matMul(a, b, true, false);
}

/** x^T @ y for x [N, A], y [N, B] -> [A, B]; on wasm transposes the narrower operand. */
export function weightGrad(x: Tensor, y: Tensor): Tensor {
  if (!onWasm()) return tf.matMul(x, y, true, false);
  return x.shape[1]! <= y.shape[1]! ? tf.matMul(tf.transpose(x), y) : tf.transpose(tf.matMul(tf.transpose(y), x));
}

/** Widest K for which colSum uses the average-pool path (see colSum). */
export const COLSUM_POOL_MAX = 4096;

/**
 * Column sums of x [N, K] -> [K]. wasm reduces only the innermost axis fast (axis 0 costs a
 * transpose); its average pooling (XNNPACK) over an [N, 1] window is ~20x faster.
 */
export function colSum(x: Tensor): Tensor {
  const [N, K] = x.shape as [number, number];
  // XNNPACK's average pool corrupts wasm memory with 16,384 channels (crash seen in decode with
  // batch 128 on micro; 8,192 was fine): keep to widths well inside what was seen to work.
  if (!onWasm() || K > COLSUM_POOL_MAX) return tf.sum(x, 0);
  return tf.mul(tf.reshape(tf.avgPool(tf.reshape(x, [1, N, 1, K]) as tf.Tensor4D, [N, 1], 1, 'valid'), [K]), N);
}

/** One-hot as float32, built from int32 (wasm's float one-hot is wrong: docs/FACTS.md, "wasm one-hot"). */
export function oneHotF32(ids: Tensor, depth: number): Tensor {
  return tf.cast(tf.oneHot(tf.cast(ids, 'int32') as tf.Tensor1D, depth, 1, 0, 'int32'), 'float32');
}

// ---- forward/backward pairs (no tape inside: used within customGrad bodies) ----

export interface LnSaved {
  xhat: Tensor; // [N, C] (fused webgpu kernels: x itself)
  rstd: Tensor; // [N, 1] (fused webgpu kernels: [N, 2] mean and rstd)
}

/** LayerNorm over the last axis: x [N, C], gain g [C], bias b [C]. */
export function layerNormFwd(x: Tensor, g: Tensor, b: Tensor): { y: Tensor } & LnSaved {
  if (useFused()) {
    const f = layerNormFwdFused(x, g, b, LN_EPS);
    return { y: f.y, xhat: x, rstd: f.st };
  }
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS));
  const xhat = tf.mul(xc, rstd);
  return { y: tf.add(tf.mul(xhat, g), b), xhat, rstd };
}

export function layerNormBwd(dy: Tensor, s: LnSaved, g: Tensor): { dx: Tensor; dg: Tensor; db: Tensor } {
  if (s.rstd.shape[1] === 2) return layerNormBwdFused(dy, s.xhat, s.rstd, g); // saved by the fused forward
  const dxhat = tf.mul(dy, g);
  const m1 = tf.mean(dxhat, -1, true);
  const m2 = tf.mean(tf.mul(dxhat, s.xhat), -1, true);
  const dx = tf.mul(s.rstd, tf.sub(tf.sub(dxhat, m1), tf.mul(s.xhat, m2)));
  return { dx, dg: colSum(tf.mul(dy, s.xhat)), db: colSum(dy) };
}

/** x [N, Cin] @ w [Cin, Cout] + b [Cout], bias fused into the matmul (XNNPACK on wasm). */
export function linearFwd(x: Tensor, w: Tensor, b: Tensor): Tensor {
  return tf.fused.matMul({ a: x, b: w, bias: b });
}

export function linearBwd(dy: Tensor, x: Tensor, w: Tensor): { dx: Tensor; dw: Tensor; db: Tensor } {
  return { dx: matMulTB(dy, w), dw: weightGrad(x, dy), db: colSum(dy) };
}

const GELU_C0 = 2 * Math.sqrt(2 / Math.PI);
const GELU_C1 = GELU_C0 * 0.044715;

/**
 * GELU, tanh approximation (GPT-2's "gelu_new": docs/FACTS.md, "GELU"), computed as
 * x * sigmoid(2u) with u = sqrt(2/pi) (x + 0.044715 x^3): the same function
 * (0.5 (1 + tanh u) = sigmoid(2u)), and wasm's sigmoid is ~13x faster than its tanh.
 */
export function geluFwd(x: Tensor): { y: Tensor; s: Tensor } {
  if (useFused()) {
    const y = geluFwdFused(x);
    return { y, s: y }; // the fused backward recomputes s from x
  }
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(tf.square(x), GELU_C1), GELU_C0)));
  return { y: tf.mul(x, s), s };
}

/** y = x s(z): dy/dx = s + x s (1 - s) z'(x) = s + y (1 - s)(C0 + 3 C1 x^2). */
export function geluBwd(dy: Tensor, x: Tensor, y: Tensor, s: Tensor): Tensor {
  if (useFused()) return geluBwdFused(dy, x); // the switch must not flip between forward and backward
  const dz = tf.add(tf.mul(tf.square(x), 3 * GELU_C1), GELU_C0);
  return tf.mul(dy, tf.add(s, tf.mul(tf.mul(y, tf.sub(1, s)), dz)));
}

/**
 * Batched matmul as a depthwise convolution (wasm). 'w': x [M, K, G] (contraction on the width
 * axis); 'h': x [K, M, G] (on the height axis). f [K, G, N]. Returns [M, G, N].
 */
function dwMatMul(x: Tensor, f: Tensor, mode: 'w' | 'h'): Tensor {
  const [a, b, G] = x.shape as [number, number, number];
  const N = f.shape[2]!;
  const K = mode === 'w' ? b : a;
  const M = mode === 'w' ? a : b;
  const fil = tf.reshape(f, mode === 'w' ? [1, K, G, N] : [K, 1, G, N]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(tf.reshape(x, [1, a, b, G]) as tf.Tensor4D, fil, 1, 'valid');
  return tf.reshape(out, [M, G, N]);
}

export interface AttnSaved {
  q: Tensor; // [T, G, D], already scaled by 1/sqrt(D)
  k: Tensor; // [T, G, D]
  v: Tensor; // [T, G, D]
  p: Tensor; // attention weights: wasm [i, G, j]; elsewhere [G, i, j]
  pt: Tensor | null; // wasm: p as [i, j, G]
}

/**
 * Causal attention core for t-major q (pre-scaled), k, v [T, G, D] and an additive mask [T, T]
 * (0 where key j <= query i, MASK_NEG above). Returns y [T, G, D].
 */
export function attentionFwd(q: Tensor, k: Tensor, v: Tensor, mask: Tensor): { y: Tensor } & AttnSaved {
  const T = q.shape[0]!;
  if (onWasm()) {
    const s = dwMatMul(tf.transpose(q, [0, 2, 1]), tf.transpose(k, [2, 1, 0]), 'w'); // [i, G, j]
    const p = tf.softmax(tf.add(s, tf.reshape(mask, [T, 1, T])));
    const pt = tf.transpose(p, [0, 2, 1]); // [i, j, G]
    return { y: dwMatMul(pt, v, 'w'), q, k, v, p, pt };
  }
  const [qg, kg, vg] = [q, k, v].map((x) => tf.transpose(x, [1, 0, 2])) as [Tensor, Tensor, Tensor]; // [G, T, D]
  const p = tf.softmax(tf.add(tf.matMul(qg, kg, false, true), mask)); // [G, i, j]
  return { y: tf.transpose(tf.matMul(p, vg), [1, 0, 2]), q, k, v, p, pt: null };
}

/** Gradients of attentionFwd for dy [T, G, D]: dq (w.r.t. the scaled q), dk, dv, all [T, G, D]. */
export function attentionBwd(dy: Tensor, s: AttnSaved): { dq: Tensor; dk: Tensor; dv: Tensor } {
  // softmax: dS = P (dP - rowsum(dP P))
  const dSoftmax = (p: Tensor, dp: Tensor) => tf.mul(p, tf.sub(dp, tf.sum(tf.mul(dp, p), -1, true)));
  if (s.pt) {
    const dp = dwMatMul(tf.transpose(dy, [0, 2, 1]), tf.transpose(s.v, [2, 1, 0]), 'w'); // [i, G, j]
    const dv = dwMatMul(s.pt, dy, 'h'); // sum_i P[i,g,j] dy[i,g,d] -> [j, G, D]
    const dst = tf.transpose(dSoftmax(s.p, dp), [0, 2, 1]); // [i, j, G]
    return { dq: dwMatMul(dst, s.k, 'w'), dk: dwMatMul(dst, s.q, 'h'), dv };
  }
  const [qg, kg, vg, dyg] = [s.q, s.k, s.v, dy].map((x) => tf.transpose(x, [1, 0, 2])) as [Tensor, Tensor, Tensor, Tensor];
  const ds = dSoftmax(s.p, tf.matMul(dyg, vg, false, true)); // [G, i, j]
  const back = (x: Tensor) => tf.transpose(x, [1, 0, 2]);
  return { dq: back(tf.matMul(ds, kg)), dk: back(tf.matMul(ds, qg, true, false)), dv: back(tf.matMul(s.p, dyg, true, false)) };
}

/**
 * One decode position against a t-major cache: q [G, D] (pre-scaled), keys and values kc, vc
 * [S, G, D], optional additive bias [S, 1] (0 for filled slots, MASK_NEG for empty ones).
 * Returns [G, D].
 */
export function attendCached(q: Tensor, kc: Tensor, vc: Tensor, bias: Tensor | null): Tensor {
  const [S, G, D] = kc.shape as [number, number, number];
  let scores = tf.sum(tf.mul(tf.reshape(q, [1, G, D]), kc), -1); // [S, G]
  if (bias) scores = tf.add(scores, bias);
  const p = tf.transpose(tf.softmax(tf.transpose(scores))); // softmax over S, back to [S, G]
  return tf.reshape(colSum(tf.reshape(tf.mul(tf.reshape(p, [S, G, 1]), vc), [S, G * D])), [G, D]);
}

/**
 * Per-row cross-entropy -log softmax(logits)[target] for logits [N, V] and one-hot targets [N, V];
 * returns [N]. Backward is (softmax - onehot) * dy. The targets get no gradient (a constant).
 */
export function crossEntropyRows(logits: Tensor, targets: Tensor): Tensor {
  const f = tf.customGrad(((l: Tensor, save: tf.GradSaveFunc) => {
    if (useFused()) {
      save([l, targets]);
      return { value: crossEntropyFwdFused(l, targets), gradFunc: (dy: Tensor, saved: Tensor[]) => [crossEntropyBwdFused(saved[0]!, saved[1]!, dy)] };
    }
    const logp = tf.logSoftmax(l);
    save([logp, targets]);
    return {
      value: tf.neg(tf.sum(tf.mul(targets, logp), -1)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => [tf.mul(tf.sub(tf.exp(saved[0]!), saved[1]!), tf.expandDims(dy, -1))],
    };
  }) as unknown as GradFn) as (l: Tensor) => Tensor;
  return f(logits);
}
