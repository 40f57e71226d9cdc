// Checkpoints as Hugging Face GPT-2 files (config.json, model.safetensors, tokenizer.json with its
// tokenizer_config.json and special_tokens_map.json), plus reasonlab_tokenizer.json (reasonlab's own
// char format), built from and read into host arrays, so the browser and the CLI share one format and
// `transformers`' Auto classes load the folder as it is. No I/O here. Reading validates and throws CheckpointError.

import type { ModelConfig } from './config.ts';
import { validateModelConfig } from './config.ts';
import { LN_EPS, paramSpecs } from './params.ts';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.ts';
import { Tokenizer, type TokenizerJSON } from '../tokenizer.ts';
import { hfTokenizerFiles, isHfTokenizerJSON, tokenizerFromHf } from './hf-tokenizer.ts';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export interface Checkpoint {
  config: ModelConfig;
  tokenizer: TokenizerJSON;
  /** Host arrays keyed by paramSpecs names (Hugging Face GPT-2 layout). */
  params: Map<string, Float32Array>;
  /** reasonlab's own extra info (task, task config, step, ...); stored under config.json "reasonlab". */
  meta: Record<string, unknown>;
}

export interface CheckpointFiles {
  'config.json': string;
  'model.safetensors': Uint8Array;
  /** Hugging Face `tokenizers` format since format 2; reasonlab's own char format in format 1. */
  'tokenizer.json': string;
  // The three below are always written; checkpoints of format 1 (and ones stored by older builds) lack them.
  'tokenizer_config.json'?: string;
  'special_tokens_map.json'?: string;
  /** reasonlab's own tokenizer file (Tokenizer.toJSON), what reading prefers. */
  'reasonlab_tokenizer.json'?: string;
}

/** 2: tokenizer.json became a Hugging Face tokenizer, reasonlab's own moved to reasonlab_tokenizer.json. */
export const FORMAT_VERSION = 2;
/** Format versions this build reads (1: tokenizer.json in reasonlab's char format). */
const READS = [1, 2];

/** Buffers that some Hugging Face GPT-2 exports write besides the weights; safe to skip. */
const HF_BUFFER = /^transformer\.h\.\d+\.attn\.(bias|masked_bias)$/;

const shapeStr = (s: readonly number[]): string => `[${s.join(', ')}]`;

/** Serialise a checkpoint to the files of a Hugging Face GPT-2 model directory. */
export function checkpointToFiles(ck: Checkpoint): CheckpointFiles {
  const fail = (msg: string): never => {
    throw new CheckpointError(`checkpointToFiles: ${msg}`);
  };
  const c = ck.config;
  try {
    validateModelConfig(c);
  } catch (e) {
    fail((e as Error).message);
  }
  let tok: Tokenizer | undefined;
  try {
    tok = new Tokenizer(ck.tokenizer);
  } catch (e) {
    fail((e as Error).message);
  }
  if (tok!.vocabSize !== c.vocabSize) fail(`tokenizer has ${tok!.vocabSize} tokens but config.vocabSize is ${c.vocabSize}`);

  const specs = paramSpecs(c);
  const known = new Set(specs.map((s) => s.name));
  for (const name of ck.params.keys()) if (!known.has(name)) fail(`unknown parameter ${name}`);
  const tensors = specs.map((s) => {
    const data = ck.params.get(s.name);
    if (!data) return fail(`missing parameter ${s.name}`);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) fail(`parameter ${s.name} has ${data.length} values, shape ${shapeStr(s.shape)} needs ${n}`);
    return { name: s.name, shape: s.shape, data };
  });

  const { format_version: _ignored, ...meta } = ck.meta;
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.blockSize,
    n_ctx: c.blockSize,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: null, // null means 4 * n_embd, our MLP width
    activation_function: 'gelu_new', // tanh-approximate GELU, as ops.geluFwd computes
    layer_norm_epsilon: LN_EPS,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    initializer_range: 0.02,
    bos_token_id: tok!.bos,
    eos_token_id: tok!.eos,
    pad_token_id: tok!.pad,
    tie_word_embeddings: true,
    torch_dtype: 'float32',
    reasonlab: { format_version: FORMAT_VERSION, ...meta },
  };
  return {
    'config.json': JSON.stringify(config, null, 2) + '\n',
    // lm_head.weight is tied to wte and not written, as transformers' save_pretrained does.
    'model.safetensors': encodeSafetensors(tensors, { format: 'pt' }),
    ...hfTokenizerFiles(tok!, c.blockSize),
    'reasonlab_tokenizer.json': JSON.stringify(tok!.toJSON(), null, 2) + '\n',
  };
}

/**
 * Parse and validate the files; `where` (a directory or label) prefixes every error. `tokenizer` is
 * tokenizer.json in either format; `reasonlabTokenizer` is reasonlab_tokenizer.json where present.
 */
export function checkpointFromFiles(
  files: { config: string; safetensors: Uint8Array; tokenizer: string; reasonlabTokenizer?: string },
  where = 'checkpoint',
): Checkpoint {
  const failIn = (file: string, msg: string): never => {
    throw new CheckpointError(`${where}/${file}: ${msg}`);
  };
  const parse = (file: string, text: string): Record<string, unknown> => {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      failIn(file, `invalid JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) failIn(file, 'expected a JSON object');
    return v as Record<string, unknown>;
  };

  const cj = parse('config.json', files.config);
  const cfgFail = (msg: string): never => failIn('config.json', msg);
  if (cj.model_type !== 'gpt2') cfgFail(`model_type must be "gpt2", got ${JSON.stringify(cj.model_type)}`);
  const int = (k: string): number => {
    const v = cj[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) cfgFail(`${k} must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const config: ModelConfig = {
    nLayer: int('n_layer'),
    nHead: int('n_head'),
    nEmbd: int('n_embd'),
    blockSize: int('n_positions'),
    vocabSize: int('vocab_size'),
  };
  try {
    validateModelConfig(config);
  } catch (e) {
    cfgFail((e as Error).message);
  }
  // Settings our forward pass does not implement: refuse rather than load a different model.
  if (cj.n_inner != null && cj.n_inner !== 4 * config.nEmbd) cfgFail(`n_inner ${cj.n_inner} unsupported (only 4 * n_embd)`);
  if (cj.activation_function !== undefined && cj.activation_function !== 'gelu_new') {
    cfgFail(`activation_function ${JSON.stringify(cj.activation_function)} unsupported (only "gelu_new")`);
  }
  if (cj.layer_norm_epsilon !== undefined && cj.layer_norm_epsilon !== LN_EPS) {
    cfgFail(`layer_norm_epsilon ${cj.layer_norm_epsilon} unsupported (only ${LN_EPS})`);
  }
  if (cj.tie_word_embeddings === false) cfgFail('tie_word_embeddings false unsupported (the head is tied to wte)');
  const rl = cj.reasonlab ?? {};
  if (typeof rl !== 'object' || rl === null || Array.isArray(rl)) cfgFail('"reasonlab" must be an object');
  const { format_version: fv, ...meta } = rl as Record<string, unknown>;
  if (fv !== undefined && !READS.includes(fv as number)) {
    cfgFail(`reasonlab.format_version ${JSON.stringify(fv)} unsupported (this build reads ${READS.join(' and ')}; update reasonlab)`);
  }

  const tokIn = (file: string, read: () => TokenizerJSON): Tokenizer => {
    try {
      return new Tokenizer(read());
    } catch (e) {
      return failIn(file, (e as Error).message.replace(/^tokenizer\.json: /, ''));
    }
  };
  const tj = parse('tokenizer.json', files.tokenizer);
  if (!isHfTokenizerJSON(tj) && tj.type !== 'reasonlab-char') {
    failIn('tokenizer.json', 'neither a Hugging Face tokenizer (fields model, added_tokens) nor reasonlab\'s char tokenizer (fields type, specials, chars)');
  }
  let tok = tokIn('tokenizer.json', () => (isHfTokenizerJSON(tj) ? tokenizerFromHf(tj) : Tokenizer.fromJSON(tj).toJSON()));
  if (files.reasonlabTokenizer !== undefined) {
    const oj = parse('reasonlab_tokenizer.json', files.reasonlabTokenizer);
    const own = tokIn('reasonlab_tokenizer.json', () => Tokenizer.fromJSON(oj).toJSON());
    if (JSON.stringify(own.toJSON()) !== JSON.stringify(tok.toJSON())) {
      failIn('tokenizer.json', 'its vocabulary differs from reasonlab_tokenizer.json beside it (one of them was edited or replaced; restore the pair from the same checkpoint)');
    }
    tok = own;
  }
  if (tok.vocabSize !== config.vocabSize) {
    failIn('tokenizer.json', `tokenizer has ${tok.vocabSize} tokens but config.json vocab_size is ${config.vocabSize}`);
  }

  let decoded: ReturnType<typeof decodeSafetensors> | undefined;
  try {
    decoded = decodeSafetensors(files.safetensors, `${where}/model.safetensors`);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(e.message, { cause: e });
    throw e;
  }
  const tensors = decoded!.tensors;
  const stFail = (msg: string): never => failIn('model.safetensors', msg);
  const params = new Map<string, Float32Array>();
  const specs = paramSpecs(config);
  for (const s of specs) {
    const t = tensors.get(s.name);
    if (!t) return stFail(`missing tensor ${s.name} (expected shape ${shapeStr(s.shape)})`);
    if (t.shape.length !== s.shape.length || t.shape.some((d, i) => d !== s.shape[i])) {
      stFail(`tensor ${s.name} has shape ${shapeStr(t.shape)}, expected ${shapeStr(s.shape)}`);
    }
    params.set(s.name, t.data);
  }
  const known = new Set(specs.map((s) => s.name));
  const wteShape = specs[0]!.shape;
  const unknown: string[] = [];
  for (const [name, t] of tensors) {
    if (known.has(name) || HF_BUFFER.test(name)) continue;
    if (name === 'lm_head.weight') {
      if (shapeStr(t.shape) !== shapeStr(wteShape)) {
        stFail(`tensor lm_head.weight has shape ${shapeStr(t.shape)}, expected ${shapeStr(wteShape)} (tied to wte)`);
      }
      continue;
    }
    unknown.push(name);
  }
  if (unknown.length > 0) {
    const list = unknown.slice(0, 5).join(', ') + (unknown.length > 5 ? `, ... (${unknown.length} in all)` : '');
    stFail(`unexpected tensor(s) for a ${config.nLayer}-layer GPT-2: ${list}`);
  }
  return { config, tokenizer: tok.toJSON(), params, meta };
}
