// Fused AdamW update for the webgpu backend, for the flat moment vectors of train/optim.ts: one
// dispatch for the global gradient norm and the step's scalars (finite check, clip scale, bias
// correction), one each for the new m and v, and one per parameter tensor (a program has one
// output, and each parameter is its own buffer), instead of ~30 element-wise kernels on [P] plus
// a concat of the parameters and a slice per parameter. Same update as the plain path of
// AdamW.minimize, including the device-side guard: a non-finite step changes nothing.

import * as tf from '@tensorflow/tfjs';
import { FINITE_WGSL, runKernel, type Kernel } from './program.ts';

const WG = 256;

/** One workgroup: [gradNorm, ok, gradScale, tNew, stepSize] from g [P], loss and t. */
const STATS: Kernel = {
  key: 'fusedAdamStats',
  inputs: ['g', 'loss', 't'],
  uniformDecl: 'lr : f32, b1 : f32, b2 : f32, clip : f32,',
  workgroup: WG,
  wgsl: `${FINITE_WGSL}
  var<workgroup> part : array<f32, ${WG}>;
  fn main(index : i32) {
    let P = uniforms.gShape;
    var s = 0.0;
    for (var i = index; i < P; i += ${WG}) { s += g[i] * g[i]; }
    part[index] = s;
    workgroupBarrier();
    for (var w = ${WG / 2}; w > 0; w = w / 2) {
      if (index < w) { part[index] += part[index + w]; }
      workgroupBarrier();
    }
    if (index == 0) {
      let norm = sqrt(part[0]);
      let ok = isFiniteF(loss[0]) && isFiniteF(norm);
      var scale = 1.0;
      if (uniforms.clip > 0.0) { scale = min(1.0, uniforms.clip / (norm + 1e-6)); }
      let okF = select(0.0, 1.0, ok);
      let tNew = t[0] + okF;
      let bc1 = 1.0 - pow(uniforms.b1, tNew);
      let bc2 = 1.0 - pow(uniforms.b2, tNew);
      result[0] = norm;
      result[1] = okF;
      result[2] = select(0.0, scale, ok);
      result[3] = tNew;
      result[4] = uniforms.lr * sqrt(max(bc2, 1e-12)) / max(bc1, 1e-12);
    }
  }`,
};

/** New first (pow 1) or second (pow 2) moment; unchanged when the step is skipped. */
const moment = (pow: 1 | 2): Kernel => ({
  key: `fusedAdamMoment${pow}`,
  inputs: ['g', 'mo', 'st'],
  uniformDecl: 'beta : f32,',
  wgsl: `${FINITE_WGSL}
  fn main(index : i32) {
    if (index >= uniforms.gShape) { return; }
    let raw = g[index];
    let gc = select(0.0, raw * st[2], isFiniteF(raw));
    let old = mo[index];
    let nw = uniforms.beta * old + (1.0 - uniforms.beta) * ${pow === 1 ? 'gc' : 'gc * gc'};
    result[index] = select(old, nw, st[1] > 0.5);
  }`,
});
const M1 = moment(1);
const M2 = moment(2);

/** p - ok (m stepSize / (sqrt(v) + eps) + decay p) for one parameter at offset `off` of m, v. */
const PARAM: Kernel = {
  key: 'fusedAdamParam',
  inputs: ['p', 'm', 'v', 'st'],
  uniformDecl: 'n : i32, off : i32, decay : f32, eps : f32,',
  wgsl: `
  fn main(index : i32) {
    if (index >= uniforms.n) { return; }
    let i = uniforms.off + index;
    let upd = m[i] * st[4] / (sqrt(v[i]) + uniforms.eps) + p[index] * uniforms.decay;
    result[index] = p[index] - upd * st[1];
  }`,
};

export interface AdamwFusedArgs {
  g: tf.Tensor; // flat gradients [P], in parameter order
  loss: tf.Tensor;
  t: tf.Tensor;
  m: tf.Tensor;
  v: tf.Tensor;
  params: tf.Tensor[];
  /** Per parameter: weight decay applies. */
  decays: boolean[];
  lr: number;
  cfg: { beta1: number; beta2: number; eps: number; weightDecay: number; gradClip: number };
}

/** New m, v, t and parameters, and the step's gradient norm and applied flag (scalars). */
export function adamwFused(a: AdamwFusedArgs): { m: tf.Tensor; v: tf.Tensor; t: tf.Tensor; params: tf.Tensor[]; gradNorm: tf.Scalar; applied: tf.Scalar } {
  const P = a.g.size;
  const f = (x: number) => ({ type: 'float32' as const, data: [x] });
  const st = runKernel(STATS, [a.g, tf.reshape(a.loss, [1]), tf.reshape(a.t, [1])], [5], WG, [f(a.lr), f(a.cfg.beta1), f(a.cfg.beta2), f(a.cfg.gradClip)]);
  const m = runKernel(M1, [a.g, a.m, st], [P], P, [f(a.cfg.beta1)]);
  const v = runKernel(M2, [a.g, a.v, st], [P], P, [f(a.cfg.beta2)]);
  let off = 0;
  const params = a.params.map((p, i) => {
    const decay = a.decays[i] && a.cfg.weightDecay > 0 ? a.lr * a.cfg.weightDecay : 0;
    const out = runKernel(PARAM, [p, m, v, st], p.shape, p.size, [{ type: 'int32', data: [p.size] }, { type: 'int32', data: [off] }, f(decay), f(a.cfg.eps)]);
    off += p.size;
    return out;
  });
  if (off !== P) throw new Error(`adamwFused: parameters hold ${off} values but the gradient vector ${P}`);
  const at = (i: number) => tf.reshape(tf.slice(st, [i], [1]), []) as tf.Scalar;
  return { m, v, t: at(3), params, gradNorm: at(0), applied: at(1) };
}
