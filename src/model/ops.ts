// Differentiable building blocks with hand-written gradients. Why: tfjs's built-in matMul
// gradient uses transposed matmuls, which the wasm backend runs at 1-2 GFLOP/s (FACTS.md); here
// every backward matmul is a plain one on an explicitly transposed copy. LayerNorm, GELU and the
// cross-entropy get fused gradients too, which cuts the kernel count of a step.
// Shapes: N rows (B*T), C channels, V vocab; batched matmuls are [..., M, K] x [..., K, N].

import * as tf from '@tensorflow/tfjs';

type GradFn = Parameters<typeof tf.customGrad>[0];

function swapLast(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return perm;
}

/** a @ b for 2-D or same-batch N-D operands, with transpose-free backward matmuls. */
export const mm = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor, tf.Tensor];
      const p = swapLast(sa.rank);
      return [tf.matMul(dy, tf.transpose(sb, p)), tf.matMul(tf.transpose(sa, p), dy)];
    },
  };
}) as unknown as GradFn) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * Token embedding as a one-hot matmul: onehot [N, V] @ wte [V, C] -> [N, C]. (wasm has no gradient
 * kernel for gather.) The one-hot input gets a zero gradient without computing dy @ wte^T.
 */
export const embed = tf.customGrad(((onehot: tf.Tensor, wte: tf.Tensor, save: tf.GradSaveFunc) => {
  save([onehot]);
  return {
    value: tf.matMul(onehot, wte),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [oh] = saved as [tf.Tensor];
      return [tf.zerosLike(oh), tf.matMul(tf.transpose(oh), dy)];
    },
  };
}) as unknown as GradFn) as (onehot: tf.Tensor, wte: tf.Tensor) => tf.Tensor;

/** One-hot as float32, built from int32 (wasm's float one-hot is wrong, FACTS.md). */
export function oneHotF32(ids: tf.Tensor, depth: number): tf.Tensor {
  return tf.cast(tf.oneHot(tf.cast(ids, 'int32') as tf.Tensor1D, depth, 1, 0, 'int32'), 'float32');
}

import { LN_EPS } from './params.ts';

/** LayerNorm over the last axis of x [N, C] with gain g [C] and bias b [C]. */
export const layerNorm = tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  const { mean, variance } = tf.moments(x, -1, true);
  const rstd = tf.rsqrt(tf.add(variance, LN_EPS)); // [N, 1]
  const xhat = tf.mul(tf.sub(x, mean), rstd); // [N, C]
  save([xhat, rstd, g]);
  return {
    value: tf.add(tf.mul(xhat, g), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sxhat, srstd, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const dxhat = tf.mul(dy, sg);
      const m1 = tf.mean(dxhat, -1, true);
      const m2 = tf.mean(tf.mul(dxhat, sxhat), -1, true);
      const dx = tf.mul(srstd, tf.sub(tf.sub(dxhat, m1), tf.mul(sxhat, m2)));
      const dg = tf.sum(tf.mul(dy, sxhat), 0);
      const db = tf.sum(dy, 0);
      return [dx, dg, db];
    },
  };
}) as unknown as GradFn) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;

const GELU_K = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's "gelu_new"). */
export const gelu = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const x2 = tf.square(x);
  const t = tf.tanh(tf.mul(tf.mul(x, tf.add(tf.mul(x2, 0.044715), 1)), GELU_K));
  save([x, x2, t]);
  return {
    value: tf.mul(tf.mul(x, 0.5), tf.add(t, 1)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sx2, st] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      // d/dx = 0.5(1+t) + 0.5 x (1 - t^2) k (1 + 3*0.044715 x^2)
      const a = tf.mul(tf.add(st, 1), 0.5);
      const sech2 = tf.sub(1, tf.square(st));
      const du = tf.mul(tf.add(tf.mul(sx2, 3 * 0.044715), 1), GELU_K * 0.5);
      return [tf.mul(dy, tf.add(a, tf.mul(tf.mul(sx, sech2), du)))];
    },
  };
}) as unknown as GradFn) as (x: tf.Tensor) => tf.Tensor;

/**
 * Per-row cross-entropy -log softmax(logits)[target] for logits [N, V] and one-hot targets [N, V];
 * returns [N]. Backward is (softmax - onehot) * dy, one fused expression.
 */
export const crossEntropyRows = tf.customGrad(((logits: tf.Tensor, targets: tf.Tensor, save: tf.GradSaveFunc) => {
  const logp = tf.logSoftmax(logits);
  save([logp, targets]);
  return {
    value: tf.neg(tf.sum(tf.mul(targets, logp), -1)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [slogp, st] = saved as [tf.Tensor, tf.Tensor];
      return [tf.mul(tf.sub(tf.exp(slogp), st), tf.expandDims(dy, -1)), tf.zerosLike(st)];
    },
  };
}) as unknown as GradFn) as (logits: tf.Tensor, targets: tf.Tensor) => tf.Tensor;
