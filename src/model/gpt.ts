// GPT-2 as functions over an explicit params record with Hugging Face GPT-2 tensor names and
// layouts (Conv1D weights are [in, out]), so checkpoints load in PyTorch as they are.
// Pre-LayerNorm blocks, causal multi-head attention, GELU MLP (4x), final LayerNorm, head tied
// to wte. Dimensions: B batch, T time, C channels, H heads, D head size (C/H), V vocab, N = B*T.

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';
import type { ModelConfig } from './config.ts';
import { initParamArrays, paramSpecs } from './params.ts';
import { crossEntropyRows, embed, gelu, layerNorm, mm, oneHotF32 } from './ops.ts';

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
    params[s.name] = tf.variable(tf.tensor(a, s.shape, 'float32'), true, `${s.name}_${nextVarId++}`);
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
// A large finite negative, not -Infinity: WGSL may assume no Inf/NaN (FACTS.md).
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

/** x [N, C] @ w [C, K] + b [K]. */
export function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.add(mm(x, w), b);
}

/** Split heads: [N, C] -> [B, H, T, D]. */
function heads(x: tf.Tensor, B: number, T: number, H: number): tf.Tensor {
  return tf.transpose(tf.reshape(x, [B, T, H, -1]), [0, 2, 1, 3]);
}

/**
 * Full forward pass. tokens: int32 [B, T] -> logits [N, V] (rows ordered b*T + t).
 * Must run inside tf.tidy (or a gradient function); allocates freely.
 */
export function forward(params: Params, c: ModelConfig, tokens: tf.Tensor2D): tf.Tensor2D {
  const [B, T] = tokens.shape;
  if (T > c.blockSize) throw new Error(`sequence of ${T} tokens exceeds blockSize ${c.blockSize}`);
  const C = c.nEmbd;
  const H = c.nHead;
  const D = C / H;
  const wte = P(params, 'transformer.wte.weight');
  const onehot = oneHotF32(tf.reshape(tokens, [-1]), c.vocabSize); // [N, V]
  const pos = tf.slice(P(params, 'transformer.wpe.weight'), [0, 0], [T, C]); // [T, C]
  let x = tf.reshape(tf.add(tf.reshape(embed(onehot, wte), [B, T, C]), pos), [B * T, C]); // [N, C]
  const mask = causalMask(T);
  const scale = 1 / Math.sqrt(D);
  for (let l = 0; l < c.nLayer; l++) {
    const p = `transformer.h.${l}.`;
    // attention
    const h1 = layerNorm(x, P(params, p + 'ln_1.weight'), P(params, p + 'ln_1.bias'));
    const qkv = linear(h1, P(params, p + 'attn.c_attn.weight'), P(params, p + 'attn.c_attn.bias')); // [N, 3C]
    const [q, k, v] = tf.split(qkv, 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor];
    const qh = heads(q, B, T, H); // [B, H, T, D]
    const kT = tf.transpose(tf.reshape(k, [B, T, H, D]), [0, 2, 3, 1]); // [B, H, D, T]
    const vh = heads(v, B, T, H); // [B, H, T, D]
    const att = tf.softmax(tf.add(tf.mul(mm(qh, kT), scale), mask)); // [B, H, T, T]
    const y = tf.reshape(tf.transpose(mm(att, vh), [0, 2, 1, 3]), [B * T, C]); // [N, C]
    x = tf.add(x, linear(y, P(params, p + 'attn.c_proj.weight'), P(params, p + 'attn.c_proj.bias')));
    // MLP
    const h2 = layerNorm(x, P(params, p + 'ln_2.weight'), P(params, p + 'ln_2.bias'));
    const f = gelu(linear(h2, P(params, p + 'mlp.c_fc.weight'), P(params, p + 'mlp.c_fc.bias'))); // [N, 4C]
    x = tf.add(x, linear(f, P(params, p + 'mlp.c_proj.weight'), P(params, p + 'mlp.c_proj.bias')));
  }
  const hf = layerNorm(x, P(params, 'transformer.ln_f.weight'), P(params, 'transformer.ln_f.bias'));
  return mm(hf, tf.transpose(wte)) as tf.Tensor2D; // [N, V], head tied to wte
}

/**
 * Mean cross-entropy over positions where mask = 1. inputs/targets int32 [B, T], mask float32 [B, T].
 * Returns a scalar; must run inside tf.tidy / variableGrads.
 */
export function maskedLoss(params: Params, c: ModelConfig, inputs: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const logits = forward(params, c, inputs);
  const nll = crossEntropyRows(logits, oneHotF32(tf.reshape(targets, [-1]), c.vocabSize)); // [N]
  const m = tf.reshape(mask, [-1]);
  return tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}
