// GPT-2 as functions over an explicit params record with Hugging Face GPT-2 tensor names and
// layouts (Conv1D weights are [in, out]), so checkpoints load in PyTorch as they are (docs/FACTS.md,
// "GPT-2"). referenceForward is the spec, in plain tfjs ops as nanoGPT's model.py writes it; the
// fast path (forward, maskedLoss, tokenLogprobs) runs each sub-layer as one custom-gradient op
// (ops.ts), t-major (row t*B + b) so q, k, v are [T, G, D] views, and is tested equal to it.
// Dimensions: B batch, T time, C channels, H heads, D head size (C/H), V vocab, N = B*T, G = B*H.

import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';
import type { ModelConfig } from './config.ts';
import { initParamArrays, LN_EPS, paramSpecs } from './params.ts';
import {
  attentionBwd,
  attentionFwd,
  crossEntropyRows,
  geluBwd,
  geluFwd,
  layerNormBwd,
  layerNormFwd,
  linearBwd,
  linearFwd,
  matMulTA,
  matMulTB,
  oneHotF32,
  weightGrad,
} from './ops.ts';
import { attentionBlockFused } from './webgpu/attention-block.ts';
import { useFused } from './webgpu/fused.ts';

export type Params = Record<string, tf.Variable>;
export { initParamArrays, paramSpecs, type ParamSpec } from './params.ts';

/** Create trainable variables from host arrays (checked against the config's shapes). */
export function makeParams(c: ModelConfig, arrays: Map<string, Float32Array>): Params {
  const params: Params = {};
  for (const s of paramSpecs(c)) {
    const a = arrays.get(s.name);
    const n = s.shape.reduce((x, y) => x * y, 1);
    if (!a) throw new Error(`missing parameter ${s.name}`);
    if (a.length !== n) throw new Error(`parameter ${s.name}: expected ${n} values for shape [${s.shape}], got ${a.length}`);
    // The variable shares the tensor's data; disposing the tensor drops only its own handle (else
    // every model made here would keep its initial weights alive after disposeParams).
    const init = tf.tensor(a, s.shape, 'float32');
    params[s.name] = tf.variable(init, true, `${s.name}_${nextVarId++}`);
    init.dispose();
  }
  return params;
}
let nextVarId = 0;

export function initParams(c: ModelConfig, rng: Rng): Params {
  return makeParams(c, initParamArrays(c, rng));
}

export function disposeParams(p: Params): void {
  for (const v of Object.values(p)) v.dispose();
}

/** Read all parameters back to host arrays (async; never dataSync). */
export async function paramArrays(p: Params): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of Object.entries(p)) out.set(k, (await v.data()) as Float32Array);
  return out;
}

function P(params: Params, name: string): tf.Variable {
  const v = params[name];
  if (!v) throw new Error(`missing parameter ${name}`);
  return v;
}

// Additive causal masks [T, T] (0 on/below the diagonal, -1e9 above), cached per T on the host.
// A large finite negative, not -Infinity: WGSL may assume no Inf/NaN (docs/FACTS.md,
// "WebGPU and non-finite values").
const maskCache = new Map<number, Float32Array>();
export const MASK_NEG = -1e9;
function causalMask(T: number): tf.Tensor2D {
  let m = maskCache.get(T);
  if (!m) {
    m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = MASK_NEG;
    maskCache.set(T, m);
  }
  return tf.tensor2d(m, [T, T]);
}

// ---- The reference forward (the spec): batch-major, plain tfjs ops, gradients by autodiff ----

/** x [..., Cin] @ w [Cin, Cout] + b [Cout] -> [..., Cout] (a Hugging Face Conv1D). */
function refLinear(x: Tensor, w: Tensor, b: Tensor): Tensor {
  const [Cin, Cout] = w.shape as [number, number];
  return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [-1, Cin]), w), b), [...x.shape.slice(0, -1), Cout]);
}

/** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * g + b. */
function refLayerNorm(x: Tensor, g: Tensor, b: Tensor): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), g), b);
}

/** GPT-2's GELU ("gelu_new"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function refGelu(x: Tensor): Tensor {
  const u = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(u)));
}

/** Causal self-attention of layer prefix `p` (nanoGPT's CausalSelfAttention) on x [B, T, C]. */
function refAttention(params: Params, p: string, H: number, x: Tensor): Tensor {
  const [B, T, C] = x.shape as [number, number, number];
  const D = C / H;
  const qkv = refLinear(x, P(params, p + 'attn.c_attn.weight'), P(params, p + 'attn.c_attn.bias')); // [B, T, 3C]
  const heads = (t: Tensor) => tf.transpose(tf.reshape(t, [B, T, H, D]), [0, 2, 1, 3]); // [B, T, C] -> [B, H, T, D]
  const [q, k, v] = tf.split(qkv, 3, 2).map(heads) as [Tensor, Tensor, Tensor]; // [B, H, T, D] each
  const att = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(D)); // [B, H, T, T]
  const masked = tf.add(att, causalMask(T)); // [B, H, T, T], MASK_NEG where key j > query i
  const y = tf.matMul(tf.softmax(masked), v); // [B, H, T, D]
  const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B, T, C]); // [B, T, C]
  return refLinear(merged, P(params, p + 'attn.c_proj.weight'), P(params, p + 'attn.c_proj.bias')); // [B, T, C]
}

/** The MLP of layer prefix `p` on x [B, T, C]: c_proj(gelu(c_fc(x))). */
function refMlp(params: Params, p: string, x: Tensor): Tensor {
  const u = refLinear(x, P(params, p + 'mlp.c_fc.weight'), P(params, p + 'mlp.c_fc.bias')); // [B, T, 4C]
  return refLinear(refGelu(u), P(params, p + 'mlp.c_proj.weight'), P(params, p + 'mlp.c_proj.bias')); // [B, T, C]
}

/**
 * The GPT-2 forward as nanoGPT's model.py writes it, in plain differentiable tfjs ops: the spec
 * that forward, maskedLoss, tokenLogprobs and the KV-cache decode step are tested equal to.
 * idx int32 [B, T] -> logits [B, T, V]. Slow (batched transposed matmuls); for tests and checks.
 * Must run inside tf.tidy (or a gradient function).
 */
export function referenceForward(params: Params, c: ModelConfig, idx: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = idx.shape;
  if (T > c.blockSize) throw new Error(`sequence of ${T} tokens exceeds blockSize ${c.blockSize}`);
  const C = c.nEmbd;
  const wte = P(params, 'transformer.wte.weight'); // [V, C]
  // Token embedding as a one-hot matmul, not tf.gather, which has no gradient on wasm
  // (docs/FACTS.md, "No gather gradient on wasm").
  const tokEmb = tf.reshape(tf.matMul(oneHotF32(tf.reshape(idx, [-1]), c.vocabSize), wte), [B, T, C]); // [B, T, C]
  const posEmb = tf.slice(P(params, 'transformer.wpe.weight'), [0, 0], [T, C]); // [T, C]
  const ln = (name: string, x: Tensor) => refLayerNorm(x, P(params, `${name}.weight`), P(params, `${name}.bias`));
  let x = tf.add(tokEmb, posEmb); // [B, T, C]
  for (let l = 0; l < c.nLayer; l++) {
    const p = `transformer.h.${l}.`;
    x = tf.add(x, refAttention(params, p, c.nHead, ln(p + 'ln_1', x))); // [B, T, C]: x = x + attn(ln_1(x))
    x = tf.add(x, refMlp(params, p, ln(p + 'ln_2', x))); // [B, T, C]: x = x + mlp(ln_2(x))
  }
  x = ln('transformer.ln_f', x); // [B, T, C]
  return tf.reshape(tf.matMul(tf.reshape(x, [B * T, C]), wte, false, true), [B, T, c.vocabSize]) as tf.Tensor3D; // [B, T, V]
}

// ---- The fast path: one custom-gradient op per sub-layer, rows t-major ----

type GradFn = Parameters<typeof tf.customGrad>[0];
/** tf.customGrad over n tensors, typed loosely (tfjs types it for a fixed arity). */
const customGrad = (f: (...args: never[]) => { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor[] }) =>
  tf.customGrad(f as unknown as GradFn) as unknown as (...xs: Tensor[]) => Tensor;

/** x [N, C] = wte[ids] + wpe[t] for t-major ids int32 [N] (row t*B + b). */
function embedTokens(ids: Tensor, T: number, B: number, wte: Tensor, wpe: Tensor): Tensor {
  return customGrad((w: Tensor, p: Tensor, save: tf.GradSaveFunc) => {
    const [V, C] = w.shape as [number, number];
    save([ids]);
    const tok = tf.reshape(tf.matMul(oneHotF32(ids, V), w), [T, B, C]);
    const pos = tf.reshape(tf.slice(p, [0, 0], [T, C]), [T, 1, C]);
    return {
      value: tf.reshape(tf.add(tok, pos), [T * B, C]),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const sid = saved[0]!;
        const dpos = tf.sum(tf.reshape(dy, [T, B, C]), 1); // [T, C]
        const rows = p.shape[0]!;
        return [matMulTA(oneHotF32(sid, V), dy), rows > T ? tf.pad(dpos, [[0, rows - T], [0, 0]]) : dpos];
      },
    };
  })(wte, wpe);
}

/** x + c_proj(attention(ln_1(x))) for t-major x [N, C]. */
function attentionBlock(x: Tensor, T: number, B: number, H: number, mask: Tensor, ps: Tensor[]): Tensor {
  if (useFused()) return attentionBlockFused(x, T, B, H, mask, ps); // webgpu: webgpu/attention-block.ts
  return customGrad((x: Tensor, g: Tensor, b: Tensor, wA: Tensor, bA: Tensor, wP: Tensor, bP: Tensor, save: tf.GradSaveFunc) => {
    const [N, C] = x.shape as [number, number];
    const D = C / H;
    const scale = 1 / Math.sqrt(D);
    const ln = layerNormFwd(x, g, b);
    const h = ln.y;
    // q, k, v by three matmuls on column slices of c_attn (no split of the [N, 3C] activation);
    // the 1/sqrt(D) scale is folded into q's weights.
    const cols = (t: Tensor, i: number) => (t.rank === 2 ? tf.slice(t, [0, i * C], [C, C]) : tf.slice(t, [i * C], [C]));
    const proj = (i: number, s: number) => {
      const [w, bb] = [cols(wA, i), cols(bA, i)];
      return tf.reshape(linearFwd(h, s === 1 ? w : tf.mul(w, s), s === 1 ? bb : tf.mul(bb, s)), [T, B * H, D]);
    };
    const a = attentionFwd(proj(0, scale), proj(1, 1), proj(2, 1), mask);
    const ay = tf.reshape(a.y, [N, C]);
    const keep = [ln.xhat, ln.rstd, g, h, wA, a.q, a.k, a.v, a.p, ay, wP];
    save(a.pt ? [...keep, a.pt] : keep);
    return {
      value: tf.add(x, linearFwd(ay, wP, bP)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xhat, rstd, sg, sh, swA, q, k] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
        const [v, p, say, swP, pt] = saved.slice(7) as [Tensor, Tensor, Tensor, Tensor, Tensor | undefined];
        const lp = linearBwd(dy, say, swP);
        const ab = attentionBwd(tf.reshape(lp.dx, [T, B * H, D]), { q, k, v, p, pt: pt ?? null });
        const dqkv = tf.concat([tf.mul(ab.dq, scale), ab.dk, ab.dv].map((t) => tf.reshape(t, [N, C])), 1); // [N, 3C]
        const la = linearBwd(dqkv, sh, swA);
        const lb = layerNormBwd(la.dx, { xhat, rstd }, sg);
        return [tf.add(dy, lb.dx), lb.dg, lb.db, la.dw, la.db, lp.dw, lp.db];
      },
    };
  })(x, ...ps);
}

/** x + c_proj(gelu(c_fc(ln_2(x)))) for x [N, C]. */
function mlpBlock(x: Tensor, ps: Tensor[]): Tensor {
  return customGrad((x: Tensor, g: Tensor, b: Tensor, wF: Tensor, bF: Tensor, wP: Tensor, bP: Tensor, save: tf.GradSaveFunc) => {
    const ln = layerNormFwd(x, g, b);
    const u = linearFwd(ln.y, wF, bF); // [N, 4C]
    const f = geluFwd(u);
    save([ln.xhat, ln.rstd, g, ln.y, wF, u, f.y, f.s, wP]);
    return {
      value: tf.add(x, linearFwd(f.y, wP, bP)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xhat, rstd, sg, h, swF, su, fy, fs, swP] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
        const lp = linearBwd(dy, fy, swP);
        const lf = linearBwd(geluBwd(lp.dx, su, fy, fs), h, swF);
        const lb = layerNormBwd(lf.dx, { xhat, rstd }, sg);
        return [tf.add(dy, lb.dx), lb.dg, lb.db, lf.dw, lf.db, lp.dw, lp.db];
      },
    };
  })(x, ...ps);
}

/** logits [N, V] = ln_f(x) @ wte^T (head tied to the token embedding). */
function lmHead(x: Tensor, g: Tensor, b: Tensor, wte: Tensor): Tensor {
  return customGrad((x: Tensor, g: Tensor, b: Tensor, w: Tensor, save: tf.GradSaveFunc) => {
    const ln = layerNormFwd(x, g, b);
    save([ln.xhat, ln.rstd, g, ln.y, w]);
    return {
      value: matMulTB(ln.y, w),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xhat, rstd, sg, h, sw] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
        const lb = layerNormBwd(tf.matMul(dy, sw), { xhat, rstd }, sg);
        return [lb.dx, lb.dg, lb.db, weightGrad(dy, h)];
      },
    };
  })(x, g, b, wte);
}

/** ln_f(x) for x [N, C]: the final hidden state the head projects (used by hiddenStates). */
function finalNorm(x: Tensor, g: Tensor, b: Tensor): Tensor {
  return customGrad((x: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    const ln = layerNormFwd(x, g, b);
    save([ln.xhat, ln.rstd, g]);
    return {
      value: ln.y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xhat, rstd, sg] = saved as [Tensor, Tensor, Tensor];
        const lb = layerNormBwd(dy, { xhat, rstd }, sg);
        return [lb.dx, lb.dg, lb.db];
      },
    };
  })(x, g, b);
}

/** Logits [T*B, V] with rows t-major (t*B + b) for int32 tokens [B, T]. */
function forwardTMajor(params: Params, c: ModelConfig, tokens: tf.Tensor2D): Tensor {
  const wte = P(params, 'transformer.wte.weight');
  return lmHead(trunkTMajor(params, c, tokens), P(params, 'transformer.ln_f.weight'), P(params, 'transformer.ln_f.bias'), wte);
}

/** The residual stream after the last block, before ln_f: [T*B, C], rows t-major. */
function trunkTMajor(params: Params, c: ModelConfig, tokens: tf.Tensor2D): Tensor {
  const [B, T] = tokens.shape;
  if (T > c.blockSize) throw new Error(`sequence of ${T} tokens exceeds blockSize ${c.blockSize}`);
  const wte = P(params, 'transformer.wte.weight');
  const ids = tf.reshape(tf.transpose(tokens), [-1]);
  let x = embedTokens(ids, T, B, wte, P(params, 'transformer.wpe.weight')); // [N, C]
  const mask = causalMask(T);
  const names = (p: string, ns: string[]) => ns.map((n) => P(params, p + n));
  for (let l = 0; l < c.nLayer; l++) {
    const p = `transformer.h.${l}.`;
    x = attentionBlock(x, T, B, c.nHead, mask, names(p, ['ln_1.weight', 'ln_1.bias', 'attn.c_attn.weight', 'attn.c_attn.bias', 'attn.c_proj.weight', 'attn.c_proj.bias']));
    x = mlpBlock(x, names(p, ['ln_2.weight', 'ln_2.bias', 'mlp.c_fc.weight', 'mlp.c_fc.bias', 'mlp.c_proj.weight', 'mlp.c_proj.bias']));
  }
  return x;
}

/** [T, B, ...] rows -> [B, T, ...] rows for a 2-D [T*B, K] tensor. */
function toBatchMajor(x: Tensor, B: number, T: number): Tensor {
  const K = x.shape[1]!;
  return tf.reshape(tf.transpose(tf.reshape(x, [T, B, K]), [1, 0, 2]), [B * T, K]);
}

/**
 * Full forward pass. tokens: int32 [B, T] -> logits [N, V] (rows ordered b*T + t).
 * Must run inside tf.tidy (or a gradient function); allocates freely.
 */
export function forward(params: Params, c: ModelConfig, tokens: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = tokens.shape;
  return toBatchMajor(forwardTMajor(params, c, tokens), B, T) as tf.Tensor2D;
}

/**
 * The final hidden states ln_f(x) that forward projects onto wte: int32 tokens [B, T] ->
 * [B, T, C]. Differentiable (the reward model's trunk); must run inside tf.tidy / variableGrads.
 */
export function hiddenStates(params: Params, c: ModelConfig, tokens: tf.Tensor2D): tf.Tensor3D {
  const [B, T] = tokens.shape;
  const h = finalNorm(trunkTMajor(params, c, tokens), P(params, 'transformer.ln_f.weight'), P(params, 'transformer.ln_f.bias')); // [T*B, C]
  return tf.reshape(toBatchMajor(h, B, T), [B, T, c.nEmbd]) as tf.Tensor3D;
}

/**
 * Mean cross-entropy over positions where mask = 1. inputs/targets int32 [B, T], mask float32 [B, T].
 * Returns a scalar; must run inside tf.tidy / variableGrads.
 */
export function maskedLoss(params: Params, c: ModelConfig, inputs: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const logits = forwardTMajor(params, c, inputs); // rows t-major: targets and mask follow
  const nll = crossEntropyRows(logits, oneHotF32(tf.reshape(tf.transpose(targets), [-1]), c.vocabSize)); // [N]
  const m = tf.reshape(tf.transpose(mask), [-1]);
  return tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}

/**
 * Per-position log-probabilities of `targets` under softmax(logits / temperature), and optionally
 * the policy's entropy there (nats). inputs/targets int32 [B, T] -> [B, T] each. Differentiable
 * (the RL loss); must run inside tf.tidy / variableGrads.
 */
export function tokenLogprobs(
  params: Params,
  c: ModelConfig,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  temperature: number,
  withEntropy: boolean,
): { logp: tf.Tensor2D; entropy: tf.Tensor2D | null } {
  const [B, T] = inputs.shape;
  let logits = forwardTMajor(params, c, inputs); // [T*B, V], rows t-major
  if (temperature !== 1) logits = tf.div(logits, temperature);
  const nll = crossEntropyRows(logits, oneHotF32(tf.reshape(tf.transpose(targets), [-1]), c.vocabSize)); // [N]
  const toBT = (x: Tensor) => tf.transpose(tf.reshape(x, [T, B])) as tf.Tensor2D;
  let entropy: tf.Tensor2D | null = null;
  if (withEntropy) {
    const lp = tf.logSoftmax(logits);
    entropy = toBT(tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), -1)));
  }
  return { logp: toBT(tf.neg(nll)), entropy };
}
