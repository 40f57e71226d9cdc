// Fused softmax cross-entropy for the webgpu backend: per-row -sum(t * log softmax(l)) forward and
// (softmax(l) - t) * dy backward in one dispatch each (one thread per row; the backward recomputes
// the row's max and log-sum-exp), instead of ~9 and ~3 tfjs kernels. Declared equal to ops.ts's
// plain crossEntropyRows and tested against it (test/fused-webgpu.test.ts).

import type * as tf from '@tensorflow/tfjs';
import { runKernel, type Kernel } from './program.ts';

// Targets are read through f32(): a one-hot cast from int32 keeps its i32 buffer on webgpu.

/** Row n's max and log(sum exp(l - max)), as `let m` and `let ls`. */
const ROW_LSE = `
    let V = uniforms.lShape.y;
    if (n >= uniforms.lShape.x) { return; }
    var m = -3.402823e+38;
    for (var v = 0; v < V; v++) { m = max(m, l[n * V + v]); }
    var s = 0.0;
    for (var v = 0; v < V; v++) { s += exp(l[n * V + v] - m); }
    let ls = log(s);`;

const FWD: Kernel = {
  key: 'fusedCeFwd',
  inputs: ['l', 't'],
  wgsl: `
  fn main(index : i32) {
    let n = index;${ROW_LSE}
    var nll = 0.0;
    for (var v = 0; v < V; v++) { nll -= f32(t[n * V + v]) * (l[n * V + v] - m - ls); }
    result[n] = nll;
  }`,
};

const BWD: Kernel = {
  key: 'fusedCeBwd',
  inputs: ['l', 't', 'dy'],
  wgsl: `
  fn main(index : i32) {
    let n = index;${ROW_LSE}
    for (var v = 0; v < V; v++) {
      let i = n * V + v;
      result[i] = (exp(l[i] - m - ls) - f32(t[i])) * dy[n];
    }
  }`,
};

/** logits [N, V], one-hot (or soft) targets [N, V] -> [N]. */
export function crossEntropyFwdFused(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  const N = logits.shape[0]!;
  return runKernel(FWD, [logits, targets], [N], N);
}

/** Gradient w.r.t. the logits for the upstream gradient dy [N]. */
export function crossEntropyBwdFused(logits: tf.Tensor, targets: tf.Tensor, dy: tf.Tensor): tf.Tensor {
  return runKernel(BWD, [logits, targets, dy], logits.shape, logits.shape[0]!);
}
