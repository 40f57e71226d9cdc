// Fused GELU (tanh approximation, as x * sigmoid(2u), u = sqrt(2/pi)(x + 0.044715 x^3)) for the
// webgpu backend: forward and backward in one dispatch each instead of ~6 and ~8 element-wise tfjs
// kernels; the backward recomputes sigmoid from x rather than saving it. Declared equal to
// ops.ts's plain geluFwd/geluBwd and tested against them (test/fused-webgpu.test.ts).

import type * as tf from '@tensorflow/tfjs';
import { runKernel, type Kernel } from './program.ts';

const C0 = 2 * Math.sqrt(2 / Math.PI);
const C1 = C0 * 0.044715;
// Written out with enough digits to round to the same f32 as the plain path's constants.
const SIG = `
  fn gsig(v : f32) -> f32 {
    let z = v * (v * v * ${C1.toPrecision(17)} + ${C0.toPrecision(17)});
    return 1.0 / (1.0 + exp(-z));
  }`;

const FWD: Kernel = {
  key: 'fusedGeluFwd',
  inputs: ['x'],
  uniformDecl: 'n : i32,',
  wgsl: `${SIG}
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let v = x[index];
    result[index] = v * gsig(v);
  }`,
};

/** dy * (s + y (1 - s)(C0 + 3 C1 x^2)), y = x s. */
const BWD: Kernel = {
  key: 'fusedGeluBwd',
  inputs: ['dy', 'x'],
  uniformDecl: 'n : i32,',
  wgsl: `${SIG}
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let v = x[index];
    let s = gsig(v);
    let dz = v * v * ${(3 * C1).toPrecision(17)} + ${C0.toPrecision(17)};
    result[index] = dy[index] * (s + v * s * (1.0 - s) * dz);
  }`,
};

export function geluFwdFused(x: tf.Tensor): tf.Tensor {
  return runKernel(FWD, [x], x.shape, x.size, [{ type: 'int32', data: [x.size] }]);
}

export function geluBwdFused(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  return runKernel(BWD, [dy, x], x.shape, x.size, [{ type: 'int32', data: [x.size] }]);
}
