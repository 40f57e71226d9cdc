// AdamW with decoupled weight decay (matrices only), warmup + cosine learning-rate schedule,
// global-norm gradient clipping, and a device-side guard: a step whose loss or gradients are not
// finite changes nothing (parameters and moments keep their last good values) and is reported.
// One call = one synchronous tf.tidy; nothing is read back here.

import * as tf from '@tensorflow/tfjs';
import type { Params } from '../model/gpt.ts';
import { lrAt, type OptimConfig } from './schedule.ts';

export { DEFAULT_OPTIM, lrAt, type OptimConfig } from './schedule.ts';

export type StepOutput = {
  /** Scalar loss of this step (kept; the caller disposes). */
  loss: tf.Scalar;
  /** Scalar global gradient norm before clipping (kept). */
  gradNorm: tf.Scalar;
  /** Scalar 1 if the update was applied, 0 if skipped for non-finite values (kept). */
  applied: tf.Scalar;
};

export class AdamW {
  /** Number of applied-or-attempted steps; bias correction uses `t` on the device. */
  step = 0;
  readonly m: Record<string, tf.Variable> = {};
  readonly v: Record<string, tf.Variable> = {};
  /** Device-side count of applied updates (for bias correction that ignores skipped steps). */
  t: tf.Variable;

  constructor(
    public cfg: OptimConfig,
    private params: Params,
    private decay: (name: string) => boolean,
  ) {
    for (const [k, p] of Object.entries(params)) {
      this.m[k] = tf.variable(tf.zerosLike(p), false);
      this.v[k] = tf.variable(tf.zerosLike(p), false);
    }
    this.t = tf.variable(tf.scalar(0), false);
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
      const names = Object.keys(this.params);
      const { value: loss, grads } = tf.variableGrads(lossFn, names.map((n) => this.params[n]!));
      const gs = names.map((n) => grads[this.params[n]!.name]!);
      // Not tf.addN: on WebGPU it binds one storage buffer per input, and more than 8 makes Dawn
      // reject the whole command buffer (seen with 28 parameters). stack splits its inputs safely.
      const sq = tf.sum(tf.stack(gs.map((g) => tf.sum(tf.square(g)))));
      const gradNorm = tf.sqrt(sq) as tf.Scalar;
      const ok = tf.logicalAnd(tf.isFinite(loss), tf.isFinite(gradNorm)); // scalar bool
      const okF = tf.cast(ok, 'float32');
      const scale = gradClip > 0 ? tf.minimum(1, tf.div(gradClip, tf.add(gradNorm, 1e-6))) : tf.scalar(1);
      // Zero the scale when not finite, so NaNs never reach the moments through arithmetic.
      const safeScale = tf.where(ok, scale, tf.zerosLike(scale));
      const tNew = tf.add(this.t, okF);
      const bc1 = tf.sub(1, tf.pow(b1, tNew));
      const bc2 = tf.sub(1, tf.pow(b2, tNew));
      const stepSize = tf.div(tf.mul(lr, tf.sqrt(tf.maximum(bc2, 1e-12))), tf.maximum(bc1, 1e-12));
      names.forEach((n, i) => {
        const p = this.params[n]!;
        const g = tf.where(ok, tf.mul(gs[i]!, safeScale), tf.zerosLike(p));
        const m = tf.add(tf.mul(this.m[n]!, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[n]!, b2), tf.mul(tf.square(g), 1 - b2));
        let upd = tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), eps));
        if (wd > 0 && this.decay(n)) upd = tf.add(upd, tf.mul(p, lr * wd));
        p.assign(tf.where(ok, tf.sub(p, upd), p));
        this.m[n]!.assign(tf.where(ok, m, this.m[n]!));
        this.v[n]!.assign(tf.where(ok, v, this.v[n]!));
      });
      this.t.assign(tNew);
      return { loss: tf.keep(loss as tf.Scalar), gradNorm: tf.keep(gradNorm), applied: tf.keep(okF as tf.Scalar) };
    });
  }

  /** Host copies of the moments and counters, for checkpoints. */
  async state(): Promise<{ step: number; t: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    const m = new Map<string, Float32Array>();
    const v = new Map<string, Float32Array>();
    for (const k of Object.keys(this.m)) {
      m.set(k, (await this.m[k]!.data()) as Float32Array);
      v.set(k, (await this.v[k]!.data()) as Float32Array);
    }
    return { step: this.step, t: (await this.t.data())[0]!, m, v };
  }

  load(s: { step: number; t: number; m: Map<string, Float32Array>; v: Map<string, Float32Array> }): void {
    this.step = s.step;
    this.t.assign(tf.scalar(s.t));
    for (const k of Object.keys(this.m)) {
      const mm = s.m.get(k);
      const vv = s.v.get(k);
      if (!mm || !vv) throw new Error(`optimizer state: missing moments for ${k}`);
      tf.tidy(() => {
        this.m[k]!.assign(tf.tensor(mm, this.m[k]!.shape));
        this.v[k]!.assign(tf.tensor(vv, this.v[k]!.shape));
      });
    }
  }

  dispose(): void {
    for (const x of [...Object.values(this.m), ...Object.values(this.v), this.t]) x.dispose();
  }
}
