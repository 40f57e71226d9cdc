// Fused LayerNorm over the last axis for the webgpu backend: forward in 2 dispatches (row
// statistics, then the normalised output), backward in 3 (dx per row, dg and db per column),
// instead of ~9 and ~11 element-wise tfjs kernels. Declared equal to ops.ts's plain
// layerNormFwd/Bwd and tested against them (test/fused-webgpu.test.ts). Rows: N, channels: C.

import type * as tf from '@tensorflow/tfjs';
import { runKernel, type Kernel } from './program.ts';

/** Per row: [mean, 1/sqrt(var + eps)] -> [N, 2]. One thread per row. */
const STATS: Kernel = {
  key: 'fusedLnStats',
  inputs: ['x'],
  uniformDecl: 'eps : f32,',
  wgsl: `
  fn main(index : i32) {
    let n = index;
    let C = uniforms.xShape.y;
    if (n >= uniforms.xShape.x) { return; }
    var s = 0.0;
    for (var c = 0; c < C; c++) { s += x[n * C + c]; }
    let mean = s / f32(C);
    var q = 0.0;
    for (var c = 0; c < C; c++) { let d = x[n * C + c] - mean; q += d * d; }
    result[2 * n] = mean;
    result[2 * n + 1] = inverseSqrt(q / f32(C) + uniforms.eps);
  }`,
};

/** y = (x - mean) rstd g + b, one thread per element. */
const APPLY: Kernel = {
  key: 'fusedLnApply',
  inputs: ['x', 'st', 'g', 'b'],
  wgsl: `
  fn main(index : i32) {
    let C = uniforms.xShape.y;
    if (index >= uniforms.xShape.x * C) { return; }
    let n = index / C;
    let c = index - n * C;
    let xhat = (x[index] - st[2 * n]) * st[2 * n + 1];
    result[index] = xhat * g[c] + b[c];
  }`,
};

/** dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy g; one thread per row. */
const DX: Kernel = {
  key: 'fusedLnDx',
  inputs: ['dy', 'x', 'st', 'g'],
  wgsl: `
  fn main(index : i32) {
    let n = index;
    let C = uniforms.xShape.y;
    if (n >= uniforms.xShape.x) { return; }
    let mean = st[2 * n];
    let rstd = st[2 * n + 1];
    var m1 = 0.0;
    var m2 = 0.0;
    for (var c = 0; c < C; c++) {
      let i = n * C + c;
      let dxhat = dy[i] * g[c];
      m1 += dxhat;
      m2 += dxhat * (x[i] - mean) * rstd;
    }
    m1 = m1 / f32(C);
    m2 = m2 / f32(C);
    for (var c = 0; c < C; c++) {
      let i = n * C + c;
      let xhat = (x[i] - mean) * rstd;
      result[i] = rstd * (dy[i] * g[c] - m1 - xhat * m2);
    }
  }`,
};

/** dg[c] = sum_n dy[n, c] xhat[n, c]; one thread per column. */
const DG: Kernel = {
  key: 'fusedLnDg',
  inputs: ['dy', 'x', 'st'],
  wgsl: `
  fn main(index : i32) {
    let c = index;
    let N = uniforms.xShape.x;
    let C = uniforms.xShape.y;
    if (c >= C) { return; }
    var s = 0.0;
    for (var n = 0; n < N; n++) {
      let i = n * C + c;
      s += dy[i] * (x[i] - st[2 * n]) * st[2 * n + 1];
    }
    result[c] = s;
  }`,
};

/** db[c] = sum_n dy[n, c]; one thread per column (tf.sum over axis 0 is a transpose and a reduce). */
const DB: Kernel = {
  key: 'fusedLnDb',
  inputs: ['dy'],
  wgsl: `
  fn main(index : i32) {
    let c = index;
    let N = uniforms.dyShape.x;
    let C = uniforms.dyShape.y;
    if (c >= C) { return; }
    var s = 0.0;
    for (var n = 0; n < N; n++) { s += dy[n * C + c]; }
    result[c] = s;
  }`,
};

/** Forward: y [N, C] and the row statistics st [N, 2] (mean, rstd) that the backward reuses. */
export function layerNormFwdFused(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps: number): { y: tf.Tensor; st: tf.Tensor } {
  const [N, C] = x.shape as [number, number];
  const st = runKernel(STATS, [x], [N, 2], N, [{ type: 'float32', data: [eps] }]);
  return { y: runKernel(APPLY, [x, st, g, b], [N, C], N * C), st };
}

/** Backward for x [N, C] with its statistics st [N, 2]: dx [N, C], dg [C], db [C]. */
export function layerNormBwdFused(dy: tf.Tensor, x: tf.Tensor, st: tf.Tensor, g: tf.Tensor): { dx: tf.Tensor; dg: tf.Tensor; db: tf.Tensor } {
  const [N, C] = x.shape as [number, number];
  return { dx: runKernel(DX, [dy, x, st, g], [N, C], N), dg: runKernel(DG, [dy, x, st], [C], C), db: runKernel(DB, [dy], [C], C) };
}
