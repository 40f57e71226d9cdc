// Batched autoregressive sampling with a KV cache: greedy, temperature and top-k, stop on <eos>,
// returning tokens and per-token log-probs. Everything stays on the device until the end: prompts
// of different lengths are fed one position per step (teacher-forced), noise for Gumbel-max
// sampling comes from the caller's seeded Rng, and the GPU is read only every `checkEvery` steps
// (to stop early) and once at the end. Dimensions: B batch, H heads, D head size, S cache slots,
// G = B*H rows of the t-major cache.

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';
import type { ModelConfig } from './config.ts';
import { forward, MASK_NEG, type Params } from './gpt.ts';
import { attendCached, geluFwd, layerNormFwd, linearFwd, oneHotF32 } from './ops.ts';

export interface SampleOptions {
  /** Most tokens to generate per prompt (eos included). */
  maxNewTokens: number;
  /** 0 = greedy (argmax); otherwise softmax(logits / temperature). */
  temperature: number;
  /** Keep only the k most likely tokens (0 = all). */
  topK: number;
  eosId: number;
  /** Source of the sampling noise; unused when greedy. */
  rng: Rng;
  /** Use the KV cache (default). false recomputes the whole prefix each token (reference/bench). */
  useCache?: boolean;
  /** Read the all-done flag back every this many tokens to stop early (default 8). */
  checkEvery?: number;
}

export interface SampleResult {
  /** Generated tokens per prompt (eos included when emitted). */
  tokens: Int32Array[];
  /** log p(token) under the sampling distribution (temperature, top-k); greedy: under the model. */
  logprobs: Float32Array[];
  /** True when the row stopped without <eos> (length limit): the completion is truncated. */
  truncated: boolean[];
}

export type Cache = {
  k: tf.Tensor[]; // per layer [S, G, D], t-major: slot s holds position s
  v: tf.Tensor[]; // per layer [S, G, D]
};

/**
 * GPU backends get a fixed-size cache (S slots, empty ones masked) so buffers and shaders are
 * reused every step; CPU backends (wasm, cpu) grow it by one position per step (S = pos + 1),
 * which writes and reads only the filled part: ~3x less work per step.
 */
export const growingCache = (): boolean => ['wasm', 'cpu'].includes(tf.getBackend());

/** Slots rounded up to a multiple of 16 so buffers of the same size are reused across calls. */
export function cacheSlots(steps: number, blockSize: number): number {
  return Math.min(blockSize, Math.ceil(steps / 16) * 16);
}

/**
 * Weights in the form decoding uses, derived once per sample() call: q's columns of c_attn
 * pre-scaled by 1/sqrt(D), and wte transposed for the head.
 */
export interface DecodeWeights {
  wte: tf.Tensor; // [V, C]
  wteT: tf.Tensor; // [C, V]
  attnW: tf.Tensor[]; // per layer [C, 3C]
  attnB: tf.Tensor[]; // per layer [3C]
}

export function decodeWeights(params: Params, c: ModelConfig): DecodeWeights {
  return tf.tidy(() => {
    const C = c.nEmbd;
    const qScale = tf.concat([tf.fill([C], 1 / Math.sqrt(C / c.nHead)), tf.ones([2 * C])]); // [3C]
    const wte = params['transformer.wte.weight']!;
    const attnW: tf.Tensor[] = [];
    const attnB: tf.Tensor[] = [];
    for (let l = 0; l < c.nLayer; l++) {
      attnW.push(tf.mul(params[`transformer.h.${l}.attn.c_attn.weight`]!, qScale));
      attnB.push(tf.mul(params[`transformer.h.${l}.attn.c_attn.bias`]!, qScale));
    }
    return { wte, wteT: tf.transpose(wte), attnW, attnB };
  });
}

/**
 * One decode position for all rows: tok int32 [B] at position pos -> logits [B, V]; returns the new
 * cache. S: slots of a fixed-size cache, or 0 for a growing one.
 */
export function decodeStep(params: Params, c: ModelConfig, w: DecodeWeights, cache: Cache, tok: tf.Tensor, pos: number, S: number): { logits: tf.Tensor; cache: Cache } {
  const B = tok.shape[0]!;
  const C = c.nEmbd;
  const H = c.nHead;
  const G = B * H;
  const D = C / H;
  const g = (n: string) => params[n]!;
  const grow = S === 0;
  let slotK: tf.Tensor | null = null;
  let attBias: tf.Tensor | null = null;
  if (!grow) {
    const slot = new Float32Array(S);
    slot[pos] = 1;
    const bias = new Float32Array(S).fill(MASK_NEG);
    bias.fill(0, 0, pos + 1);
    slotK = tf.tensor3d(slot, [S, 1, 1]);
    attBias = tf.tensor2d(bias, [S, 1]);
  }
  /** Cache with position pos written: appended (growing), or added into its still-zero slot. */
  const write = (cached: tf.Tensor, x: tf.Tensor) => {
    const x3 = tf.reshape(x, [1, G, D]);
    if (grow) return pos === 0 ? x3 : tf.concat([cached, x3], 0);
    return tf.add(cached, tf.mul(x3, slotK!));
  };
  let x = tf.add(tf.gather(w.wte, tok), tf.slice(g('transformer.wpe.weight'), [pos, 0], [1, C])); // [B, C]
  const k: tf.Tensor[] = [];
  const v: tf.Tensor[] = [];
  for (let l = 0; l < c.nLayer; l++) {
    const p = `transformer.h.${l}.`;
    const h1 = layerNormFwd(x, g(p + 'ln_1.weight'), g(p + 'ln_1.bias')).y;
    const [q, kk, vv] = tf.split(linearFwd(h1, w.attnW[l]!, w.attnB[l]!), 3, 1) as [tf.Tensor, tf.Tensor, tf.Tensor]; // [B, C] = [G, D]
    k.push(write(cache.k[l]!, kk));
    v.push(write(cache.v[l]!, vv));
    const y = tf.reshape(attendCached(q, k[l]!, v[l]!, attBias), [B, C]);
    x = tf.add(x, linearFwd(y, g(p + 'attn.c_proj.weight'), g(p + 'attn.c_proj.bias')));
    const h2 = layerNormFwd(x, g(p + 'ln_2.weight'), g(p + 'ln_2.bias')).y;
    const f = geluFwd(linearFwd(h2, g(p + 'mlp.c_fc.weight'), g(p + 'mlp.c_fc.bias'))).y;
    x = tf.add(x, linearFwd(f, g(p + 'mlp.c_proj.weight'), g(p + 'mlp.c_proj.bias')));
  }
  const hf = layerNormFwd(x, g('transformer.ln_f.weight'), g('transformer.ln_f.bias')).y;
  return { logits: tf.matMul(hf, w.wteT), cache: { k, v } }; // [B, V]
}

/**
 * Logits [B, T, V] at every position of tokens int32 [B, T], computed the way sample() computes
 * them: one decodeStep per position against the KV cache. For tests, which hold it equal to
 * referenceForward. cache: 'growing' (what cpu and wasm use) or 'fixed' (S slots, GPU backends).
 * Must run inside tf.tidy.
 */
export function decodeLogits(params: Params, c: ModelConfig, tokens: tf.Tensor2D, cache: 'growing' | 'fixed'): tf.Tensor3D {
  const [B, T] = tokens.shape;
  if (T > c.blockSize) throw new Error(`decodeLogits: sequence of ${T} tokens exceeds blockSize ${c.blockSize}`);
  const S = cache === 'growing' ? 0 : cacheSlots(T, c.blockSize);
  const empty = () => Array.from({ length: c.nLayer }, () => tf.zeros([S, B * c.nHead, c.nEmbd / c.nHead]));
  const w = decodeWeights(params, c);
  let kv: Cache = { k: empty(), v: empty() };
  const out: tf.Tensor[] = [];
  for (let t = 0; t < T; t++) {
    const s = decodeStep(params, c, w, kv, tf.reshape(tf.slice(tokens, [0, t], [B, 1]), [B]), t, S);
    out.push(s.logits); // [B, V]
    kv = s.cache;
  }
  return tf.stack(out, 1) as tf.Tensor3D;
}

/** Logits of the last position of each row by a full forward over the prefix (no cache). */
function lastLogitsNoCache(params: Params, c: ModelConfig, seq: tf.Tensor2D): tf.Tensor {
  const [B, T] = seq.shape;
  const logits = forward(params, c, seq); // [B*T, V]
  return tf.reshape(tf.slice(tf.reshape(logits, [B, T, -1]), [0, T - 1, 0], [B, 1, -1]), [B, -1]);
}

/** Pick next tokens from logits [B, V]; returns [token int32 [B], logprob [B]]. */
export function pick(logits: tf.Tensor, o: SampleOptions, V: number): [tf.Tensor, tf.Tensor] {
  const B = logits.shape[0]!;
  if (o.temperature <= 0) {
    const tok = tf.argMax(logits, -1);
    const lp = tf.sum(tf.mul(tf.logSoftmax(logits), oneHotF32(tok, V)), -1);
    return [tf.cast(tok, 'int32'), lp];
  }
  let scaled = tf.div(logits, o.temperature);
  if (o.topK > 0 && o.topK < V) {
    const kth = tf.slice(tf.topk(scaled, o.topK).values, [0, o.topK - 1], [B, 1]); // [B, 1]
    scaled = tf.where(tf.less(scaled, kth), tf.fill([B, V], MASK_NEG), scaled);
  }
  const logp = tf.logSoftmax(scaled);
  // Gumbel-max: argmax(logp + G) is a sample from softmax; G from the caller's Rng (deterministic).
  const u = new Float32Array(B * V);
  for (let i = 0; i < u.length; i++) u[i] = -Math.log(-Math.log((o.rng.nextU32() + 0.5) / 4294967296));
  const tok = tf.argMax(tf.add(logp, tf.tensor2d(u, [B, V])), -1);
  return [tf.cast(tok, 'int32'), tf.sum(tf.mul(logp, oneHotF32(tok, V)), -1)];
}

/**
 * Generate completions for `prompts` (token ids, each starting with <bos>). Async: reads the
 * device only every `checkEvery` steps and at the end. Leaves no tensors behind.
 */
export async function sample(params: Params, c: ModelConfig, prompts: number[][], o: SampleOptions): Promise<SampleResult> {
  const B = prompts.length;
  if (B === 0) return { tokens: [], logprobs: [], truncated: [] };
  const lens = prompts.map((p) => p.length);
  const maxL = Math.max(...lens);
  if (Math.min(...lens) < 1) throw new Error('sample: every prompt needs at least one token (<bos>)');
  if (maxL > c.blockSize) throw new Error(`sample: prompt of ${maxL} tokens exceeds blockSize ${c.blockSize}`);
  const steps = Math.min(maxL + o.maxNewTokens - 1, c.blockSize);
  const useCache = o.useCache ?? true;
  const checkEvery = o.checkEvery ?? 8;
  const H = c.nHead;
  const D = c.nEmbd / H;
  const S = growingCache() ? 0 : cacheSlots(steps, c.blockSize);
  const V = c.vocabSize;

  const G = B * H;
  const w = useCache ? decodeWeights(params, c) : null;
  let cache: Cache = {
    k: useCache ? Array.from({ length: c.nLayer }, () => tf.zeros([S, G, D])) : [],
    v: useCache ? Array.from({ length: c.nLayer }, () => tf.zeros([S, G, D])) : [],
  };
  let prev = tf.zeros([B], 'int32'); // last picked token per row
  let done = tf.zeros([B]); // 1 once a row has emitted <eos>
  let seq: tf.Tensor2D | null = useCache ? null : tf.zeros([B, 0], 'int32');
  const outTok: tf.Tensor[] = [];
  const outLp: tf.Tensor[] = [];
  try {
    for (let t = 0; t < steps; t++) {
      // Input at position t: the prompt token while the row is still in its prompt, else the last pick.
      const col = new Int32Array(B);
      const inPrompt = new Float32Array(B);
      const generating = new Float32Array(B); // this step's output is a generated token
      for (let i = 0; i < B; i++) {
        if (t < lens[i]!) {
          col[i] = prompts[i]![t]!;
          inPrompt[i] = 1;
        }
        if (t + 1 >= lens[i]!) generating[i] = 1;
      }
      const r = tf.tidy(() => {
        const isPrompt = tf.greater(tf.tensor1d(inPrompt), 0);
        const tokIn = tf.where(isPrompt, tf.tensor1d(col, 'int32'), prev);
        let logits: tf.Tensor;
        let newCache: Cache = { k: [], v: [] };
        let newSeq: tf.Tensor2D[] = [];
        if (seq) {
          newSeq = [tf.concat([seq, tf.reshape(tokIn, [B, 1])], 1) as tf.Tensor2D];
          logits = lastLogitsNoCache(params, c, newSeq[0]!);
        } else {
          const s = decodeStep(params, c, w!, cache, tokIn, t, S);
          logits = s.logits;
          newCache = s.cache;
        }
        const [tok, lp] = pick(logits, o, V);
        const gen = tf.tensor1d(generating);
        const newDone = tf.maximum(done, tf.mul(gen, tf.cast(tf.equal(tok, o.eosId), 'float32')));
        return { tok, lp, newDone, newCache, newSeq };
      });
      if (r.newCache.k.length) {
        for (const x of [...cache.k, ...cache.v]) x.dispose();
        cache = r.newCache;
      }
      if (r.newSeq[0]) {
        seq!.dispose();
        seq = r.newSeq[0];
      }
      prev.dispose();
      prev = r.tok;
      done.dispose();
      done = r.newDone;
      outTok.push(tf.clone(r.tok));
      outLp.push(r.lp);
      if (t + 1 >= maxL && (t + 1) % checkEvery === 0) {
        const allDone = tf.min(done);
        const v = (await allDone.data())[0];
        allDone.dispose();
        if (v === 1) break;
      }
    }
    const toks = tf.stack(outTok); // [steps, B]
    const lps = tf.stack(outLp);
    const [tokData, lpData] = await Promise.all([toks.data(), lps.data()]);
    toks.dispose();
    lps.dispose();
    const n = outTok.length;
    const res: SampleResult = { tokens: [], logprobs: [], truncated: [] };
    for (let i = 0; i < B; i++) {
      const ts: number[] = [];
      const ls: number[] = [];
      let finished = false;
      for (let t = lens[i]! - 1; t < n && ts.length < o.maxNewTokens; t++) {
        ts.push(tokData[t * B + i]!);
        ls.push(lpData[t * B + i]!);
        if (ts[ts.length - 1] === o.eosId) {
          finished = true;
          break;
        }
      }
      res.tokens.push(Int32Array.from(ts));
      res.logprobs.push(Float32Array.from(ls));
      res.truncated.push(!finished);
    }
    return res;
  } finally {
    for (const x of [...cache.k, ...cache.v, ...outTok, ...outLp, prev, done]) x.dispose();
    if (w) tf.dispose([w.wteT, ...w.attnW, ...w.attnB]);
    seq?.dispose();
  }
}
