// AdamW with decoupled weight decay (matrices only), warmup + cosine learning-rate schedule,
// global-norm gradient clipping, and a device-side guard: a step whose loss or gradients are not
// finite changes nothing (parameters and moments keep their last good values) and is reported.
// One call = one synchronous tf.tidy; nothing is read back here.

import * as tf from '@tensorflow/tfjs';
import type { Params } from '../model/gpt.ts';
import { adamwFused } from '../model/webgpu/adamw.ts';
import { useFused } from '../model/webgpu/fused.ts';
import { lrAt, type OptimConfig } from '../knobs.ts';

export { DEFAULT_OPTIM, lrAt, type OptimConfig } from '../knobs.ts';

export type StepOutput = {
  /** Scalar loss of this step (kept; the caller disposes). */
  loss: tf.Scalar;
  /** Scalar global gradient norm before clipping (kept). */
  gradNorm: tf.Scalar;
  /** Scalar 1 if the update was applied, 0 if skipped for non-finite values (kept). */
  applied: tf.Scalar;
};

export class AdamW {
  /** Number of applied-or-attempted steps (drives the learning-rate schedule). */
  step = 0;
  /**
   * First and second moments of all parameters as two flat vectors [P], in `names` order. Flat,
   * because per-tensor updates cost ~30 kernels per parameter (about 1,000 per step for these
   * models), and at this size each kernel's dispatch costs more than its arithmetic.
   */
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  /** Device-side count of applied updates (bias correction ignores skipped steps). */
  readonly t: tf.Variable;
  private readonly names: string[];
  private readonly sizes: number[];
  /** 1 where the element belongs to a decayed (matrix) parameter, else 0. [P] */
  private readonly decayMask: tf.Tensor1D;
  /** Per parameter in `names` order: weight decay applies (the fused webgpu update's input). */
  private readonly decays: boolean[];

  constructor(
    public cfg: OptimConfig,
    private params: Params,
    decay: (name: string) => boolean,
  ) {
    this.names = Object.keys(params);
    this.sizes = this.names.map((n) => params[n]!.size);
    const P = this.sizes.reduce((a, b) => a + b, 0);
    const mask = new Float32Array(P);
    let off = 0;
    this.names.forEach((n, i) => {
      if (decay(n)) mask.fill(1, off, off + this.sizes[i]!);
      off += this.sizes[i]!;
    });
    this.decayMask = tf.tensor1d(mask);
    this.decays = this.names.map((n) => decay(n));
    // tidy: a variable made from a tensor leaves that tensor's handle behind (it shares the data),
    // which kept every disposed optimizer's moments alive (3 tensors per trainer).
    [this.m, this.v, this.t] = tf.tidy(() => [tf.variable(tf.zeros([P]), false), tf.variable(tf.zeros([P]), false), tf.variable(tf.scalar(0), false)]);
  }

  /** Concatenate as one [P] vector (1-D tensors as they are: a reshape is one more kernel). */
  private flat(ts: tf.Tensor[]): tf.Tensor1D {
    return tf.concat(ts.map((x) => (x.rank === 1 ? x : tf.reshape(x, [-1])))) as tf.Tensor1D;
  }

  /**
   * Compute loss and gradients of `lossFn` over the params and apply one AdamW update, unless
   * anything is non-finite. Synchronous; every intermediate is freed.
   */
  minimize(lossFn: () => tf.Scalar): StepOutput {
    const lr = lrAt(this.cfg, this.step);
    this.step++;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, gradClip } = this.cfg;
    return tf.tidy(() => {
      const vars = this.names.map((n) => this.params[n]!);
      const { value: loss, grads } = tf.variableGrads(lossFn, vars);
      const g0 = this.flat(vars.map((p) => grads[p.name]!)); // [P]
      if (useFused()) {
        // webgpu: the same update in a few dispatches (model/webgpu/adamw.ts).
        const f = adamwFused({ g: g0, loss, t: this.t, m: this.m, v: this.v, params: vars, decays: this.decays, lr, cfg: this.cfg });
        this.m.assign(f.m);
        this.v.assign(f.v);
        this.t.assign(f.t);
        vars.forEach((v, i) => v.assign(f.params[i]!));
        return { loss: tf.keep(loss as tf.Scalar), gradNorm: tf.keep(f.gradNorm), applied: tf.keep(f.applied) };
      }
      const gradNorm = tf.sqrt(tf.sum(tf.square(g0))) as tf.Scalar;
      const ok = tf.logicalAnd(tf.isFinite(loss), tf.isFinite(gradNorm)); // scalar bool
      const okF = tf.cast(ok, 'float32');
      const scale = gradClip > 0 ? tf.minimum(1, tf.div(gradClip, tf.add(gradNorm, 1e-6))) : tf.scalar(1);
      // NaN * 0 is NaN, so non-finite elements are replaced, and a bad step scales the rest by 0.
      // (An element-wise condition: a scalar one is tiled to [P] first, which cost ~40 ms on wasm.)
      const safeScale = tf.where(ok, scale, tf.zerosLike(scale));
      const g = tf.mul(tf.where(tf.isFinite(g0), g0, tf.zerosLike(g0)), safeScale);
      const tNew = tf.add(this.t, okF);
      const bc1 = tf.sub(1, tf.pow(b1, tNew));
      const bc2 = tf.sub(1, tf.pow(b2, tNew));
      const stepSize = tf.div(tf.mul(lr, tf.sqrt(tf.maximum(bc2, 1e-12))), tf.maximum(bc1, 1e-12));
      const mNew = tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1));
      const vNew = tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2));
      const p = this.flat(vars);
      let upd = tf.div(tf.mul(mNew, stepSize), tf.add(tf.sqrt(vNew), eps));
      if (wd > 0) upd = tf.add(upd, tf.mul(tf.mul(p, this.decayMask), lr * wd));
      // Everything below is finite, so blending by okF (0 or 1) keeps a skipped step a no-op.
      this.m.assign(tf.add(this.m, tf.mul(tf.sub(mNew, this.m), okF)));
      this.v.assign(tf.add(this.v, tf.mul(tf.sub(vNew, this.v), okF)));
      const pNew = tf.sub(p, tf.mul(upd, okF));
      // Slices, not tf.split: wasm's SplitV took ~45 ms for 0.8M values, a slice is a copy.
      let off = 0;
      vars.forEach((v, i) => {
        const part = tf.slice(pNew, [off], [this.sizes[i]!]);
        v.assign(v.rank === 1 ? part : tf.reshape(part, v.shape));
        off += this.sizes[i]!;
      });
      this.t.assign(tNew);
      return { loss: tf.keep(loss as tf.Scalar), gradNorm: tf.keep(gradNorm), applied: tf.keep(okF as tf.Scalar) };
    });
  }

  /** Host copies of the moments (per parameter) and counters, for checkpoints. */
  async state(): Promise<{ step: number; t: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    const [m, v] = [await this.m.data(), await this.v.data()] as Float32Array[];
    const mm = new Map<string, Float32Array>();
    const vm = new Map<string, Float32Array>();
    let off = 0;
    this.names.forEach((n, i) => {
      const k = this.sizes[i]!;
      mm.set(n, m!.slice(off, off + k));
      vm.set(n, v!.slice(off, off + k));
      off += k;
    });
    return { step: this.step, t: (await this.t.data())[0]!, m: mm, v: vm };
  }

  load(s: { step: number; t: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> }): void {
    const P = this.m.size;
    const m = new Float32Array(P);
    const v = new Float32Array(P);
    let off = 0;
    this.names.forEach((n, i) => {
      const k = this.sizes[i]!;
      const mm = s.m.get(n);
      const vv = s.v.get(n);
      if (!mm || !vv || mm.length !== k || vv.length !== k) throw new Error(`optimizer state: moments for ${n} are missing or of the wrong size`);
      m.set(mm, off);
      v.set(vv, off);
      off += k;
    });
    this.step = s.step;
    tf.tidy(() => {
      this.t.assign(tf.scalar(s.t));
      this.m.assign(tf.tensor1d(m));
      this.v.assign(tf.tensor1d(v));
    });
  }

  dispose(): void {
    for (const x of [this.m, this.v, this.t, this.decayMask]) x.dispose();
  }
}
