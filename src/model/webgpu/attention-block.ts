// The attention sub-layer x + c_proj(attention(ln_1(x))) on the fused WebGPU kernels: one matmul
// makes the packed qkv [N, 3C] that the fused attention reads directly (the plain block in gpt.ts
// makes q, k, v by three matmuls on column slices of c_attn, with the 1/sqrt(D) scale folded into
// q's weights, and transposes them for batched matmuls). Same inputs, outputs and gradients as
// gpt.ts's attentionBlock, which selects this when the fused kernels are on.

import * as tf from '@tensorflow/tfjs';
import { layerNormBwd, layerNormFwd, linearBwd, linearFwd } from '../ops.ts';
import { attentionBwdFused, attentionFwdFused } from './attention.ts';

type T = tf.Tensor;
type GradFn = Parameters<typeof tf.customGrad>[0];
const customGrad = (f: (...args: never[]) => { value: T; gradFunc: (dy: T, saved: T[]) => T[] }) =>
  tf.customGrad(f as unknown as GradFn) as unknown as (...xs: T[]) => T;

/** x [N, C] t-major, additive mask [T, T], ps = ln_1 g, b, c_attn w, b, c_proj w, b. */
export function attentionBlockFused(x: T, Tn: number, B: number, H: number, mask: T, ps: T[]): T {
  return customGrad((x: T, g: T, b: T, wA: T, bA: T, wP: T, bP: T, m: T, save: tf.GradSaveFunc) => {
    const dims = { T: Tn, B, H, scale: 1 / Math.sqrt(x.shape[1]! / H) };
    const ln = layerNormFwd(x, g, b);
    const qkv = linearFwd(ln.y, wA, bA); // [N, 3C]
    const ay = attentionFwdFused(qkv, m, dims); // [N, C]
    save([ln.xhat, ln.rstd, g, ln.y, wA, qkv, ay, wP, m]);
    return {
      value: tf.add(x, linearFwd(ay, wP, bP)),
      gradFunc: (dy: T, saved: T[]) => {
        const [xhat, rstd, sg, h, swA, sqkv, say, swP, sm] = saved as [T, T, T, T, T, T, T, T, T];
        const lp = linearBwd(dy, say, swP);
        const la = linearBwd(attentionBwdFused(lp.dx, sqkv, say, sm, dims), h, swA);
        const lb = layerNormBwd(la.dx, { xhat, rstd }, sg);
        return [tf.add(dy, lb.dx), lb.dg, lb.db, la.dw, la.db, lp.dw, lp.db, tf.zerosLike(sm)];
      },
    };
  })(x, ...ps, mask);
}
