// Fused causal attention for short contexts on the webgpu backend. q, k and v are read straight
// from the packed projection qkv [N, 3C] (rows t*B + b, columns which*C + h*D + d), so one matmul
// replaces three on column slices of c_attn, and no transposes are made. Forward: one dispatch
// (scores, additive mask, softmax and the weighted sum of v). Backward:
// two (per-row log-sum-exp and delta = dy . y, then dq, dk, dv written into one [N, 3C] gradient),
// recomputing the probabilities instead of saving them. Declared equal to ops.ts's plain
// attentionFwd/Bwd and tested against them (test/fused-webgpu.test.ts).

import type * as tf from '@tensorflow/tfjs';
import { runKernel, type Kernel } from './program.ts';

/**
 * Shared WGSL: indexing into qkv and the score s(i, j) of query i against key j. Sizes are
 * uniforms and every thread writes one output element: loops with constant bounds and private
 * accumulator arrays made lavapipe's shader compile take minutes at D = 32.
 */
const COMMON = `
  fn qkvAt(t : i32, b : i32, which : i32, h : i32) -> i32 {
    let C = uniforms.H * uniforms.D;
    return (t * uniforms.B + b) * 3 * C + which * C + h * uniforms.D;
  }
  fn rowAt(t : i32, b : i32, h : i32) -> i32 { return (t * uniforms.B + b) * uniforms.H * uniforms.D + h * uniforms.D; }
  fn statAt(i : i32, b : i32, h : i32) -> i32 { return 2 * ((i * uniforms.B + b) * uniforms.H + h); }
  fn score(i : i32, j : i32, b : i32, h : i32) -> f32 {
    let qo = qkvAt(i, b, 0, h);
    let ko = qkvAt(j, b, 1, h);
    var s = 0.0;
    for (var d = 0; d < uniforms.D; d++) { s += qkv[qo + d] * qkv[ko + d]; }
    return s * uniforms.scale + mask[i * uniforms.T + j];
  }`;
const UNIFORMS = 'T : i32, B : i32, H : i32, D : i32, scale : f32,';

/** y[n, h*D + d] = sum_j softmax_j(s(t, j)) v_j[d]; one thread per output element. */
const FWD: Kernel = {
  key: 'fusedAttnFwd',
  inputs: ['qkv', 'mask'],
  uniformDecl: UNIFORMS,
  wgsl: `${COMMON}
  fn main(index : i32) {
    let C = uniforms.H * uniforms.D;
    if (index >= uniforms.T * uniforms.B * C) { return; }
    let n = index / C;
    let col = index - n * C;
    let h = col / uniforms.D;
    let d = col - h * uniforms.D;
    let i = n / uniforms.B;
    let b = n - i * uniforms.B;
    var m = -3.402823e+38;
    for (var j = 0; j < uniforms.T; j++) { m = max(m, score(i, j, b, h)); }
    var l = 0.0;
    var acc = 0.0;
    for (var j = 0; j < uniforms.T; j++) {
      let p = exp(score(i, j, b, h) - m);
      l += p;
      acc += p * qkv[qkvAt(j, b, 2, h) + d];
    }
    result[index] = acc / l;
  }`,
};

/** Per (i, b, h): [log-sum-exp of the scores, delta = dy . y]; one thread each. */
const STATS: Kernel = {
  key: 'fusedAttnStats',
  inputs: ['qkv', 'mask', 'dy', 'y'],
  uniformDecl: UNIFORMS,
  wgsl: `${COMMON}
  fn main(index : i32) {
    let G = uniforms.B * uniforms.H;
    if (index >= uniforms.T * G) { return; }
    let i = index / G;
    let g = index - i * G;
    let b = g / uniforms.H;
    let h = g - b * uniforms.H;
    var m = -3.402823e+38;
    for (var j = 0; j < uniforms.T; j++) { m = max(m, score(i, j, b, h)); }
    var l = 0.0;
    for (var j = 0; j < uniforms.T; j++) { l += exp(score(i, j, b, h) - m); }
    let yo = rowAt(i, b, h);
    var delta = 0.0;
    for (var d = 0; d < uniforms.D; d++) { delta += dy[yo + d] * y[yo + d]; }
    result[statAt(i, b, h)] = m + log(l);
    result[statAt(i, b, h) + 1] = delta;
  }`,
};

/**
 * dqkv [N, 3C], one thread per element, with p = exp(s - lse) and ds = p (dy_i . v_j - delta_i):
 * dq_i = scale sum_j ds k_j, dk_j = scale sum_i ds q_i, dv_j = sum_i p dy_i.
 */
const BWD: Kernel = {
  key: 'fusedAttnBwd',
  inputs: ['qkv', 'mask', 'dy', 'st'],
  uniformDecl: UNIFORMS,
  wgsl: `${COMMON}
  fn pAt(i : i32, j : i32, b : i32, h : i32) -> f32 { return exp(score(i, j, b, h) - st[statAt(i, b, h)]); }
  fn dsAt(i : i32, j : i32, b : i32, h : i32) -> f32 {
    let yo = rowAt(i, b, h);
    let vo = qkvAt(j, b, 2, h);
    var dp = 0.0;
    for (var d = 0; d < uniforms.D; d++) { dp += dy[yo + d] * qkv[vo + d]; }
    return pAt(i, j, b, h) * (dp - st[statAt(i, b, h) + 1]);
  }
  fn main(index : i32) {
    let C = uniforms.H * uniforms.D;
    if (index >= uniforms.T * uniforms.B * 3 * C) { return; }
    let n = index / (3 * C);
    let col = index - n * 3 * C;
    let which = col / C;
    let h = (col - which * C) / uniforms.D;
    let d = col - which * C - h * uniforms.D;
    let t = n / uniforms.B;
    let b = n - t * uniforms.B;
    var acc = 0.0;
    for (var o = 0; o < uniforms.T; o++) {
      if (which == 0) {
        acc += dsAt(t, o, b, h) * qkv[qkvAt(o, b, 1, h) + d];
      } else if (which == 1) {
        acc += dsAt(o, t, b, h) * qkv[qkvAt(o, b, 0, h) + d];
      } else {
        acc += pAt(o, t, b, h) * dy[rowAt(o, b, h) + d];
      }
    }
    result[index] = select(acc, acc * uniforms.scale, which < 2);
  }`,
};

export interface AttnDims {
  T: number;
  B: number;
  H: number;
  /** 1/sqrt(D), applied to the scores (q is read unscaled from qkv). */
  scale: number;
}

function uniforms(a: AttnDims, D: number) {
  return [
    { type: 'int32' as const, data: [a.T] },
    { type: 'int32' as const, data: [a.B] },
    { type: 'int32' as const, data: [a.H] },
    { type: 'int32' as const, data: [D] },
    { type: 'float32' as const, data: [a.scale] },
  ];
}

function headSize(qkv: tf.Tensor, a: AttnDims): number {
  const [N, C3] = qkv.shape as [number, number];
  if (N !== a.T * a.B || C3 % (3 * a.H) !== 0) throw new Error(`fused attention: qkv [${qkv.shape}] does not fit T=${a.T}, B=${a.B}, H=${a.H}`);
  return C3 / (3 * a.H);
}

/** y [N, C] (= [T, G, D]) for packed qkv [N, 3C] and an additive mask [T, T]. */
export function attentionFwdFused(qkv: tf.Tensor, mask: tf.Tensor, a: AttnDims): tf.Tensor {
  const D = headSize(qkv, a);
  return runKernel(FWD, [qkv, mask], [a.T * a.B, a.H * D], a.T * a.B * a.H * D, uniforms(a, D));
}

/** dqkv [N, 3C] for dy [N, C], given the forward's inputs and output y [N, C]. */
export function attentionBwdFused(dy: tf.Tensor, qkv: tf.Tensor, y: tf.Tensor, mask: tf.Tensor, a: AttnDims): tf.Tensor {
  const D = headSize(qkv, a);
  const st = runKernel(STATS, [qkv, mask, dy, y], [a.T * a.B * a.H, 2], a.T * a.B * a.H, uniforms(a, D));
  return runKernel(BWD, [qkv, mask, dy, st], qkv.shape, qkv.size, uniforms(a, D));
}
