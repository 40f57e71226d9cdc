// Checkpoint files: a real paramSpecs config survives the round trip bit for bit, config.json has
// the fields transformers' GPT2LMHeadModel expects, and wrong shapes, missing or unknown tensors,
// bad JSON and mismatched vocabularies each give a one-line CheckpointError naming the file.

import { describe, it, expect } from 'vitest';
import { checkpointFromFiles, checkpointToFiles, CheckpointError, type Checkpoint } from '../src/model/checkpoint.ts';
import { paramCount, type ModelConfig } from '../src/model/config.ts';
import { initParamArrays, paramSpecs } from '../src/model/gpt.ts';
import { encodeSafetensors, type TensorIn } from '../src/model/safetensors.ts';
import { Rng } from '../src/rng.ts';
import { Tokenizer } from '../src/tokenizer.ts';

const tok = new Tokenizer();
const cfg: ModelConfig = { nLayer: 2, nHead: 2, nEmbd: 8, blockSize: 16, vocabSize: tok.vocabSize };
const meta = { task: 'addition', taskConfig: { digits: 3 }, step: 1200 };

function makeCk(): Checkpoint {
  return { config: { ...cfg }, tokenizer: tok.toJSON(), params: initParamArrays(cfg, new Rng(1)), meta: structuredClone(meta) };
}

function files(ck = makeCk()) {
  const f = checkpointToFiles(ck);
  return { config: f['config.json'], safetensors: f['model.safetensors'], tokenizer: f['tokenizer.json'] };
}

/** The spec's tensors as encoder input, after an optional edit of the list. */
function tensorsWith(edit: (ts: TensorIn[]) => TensorIn[]): Uint8Array {
  const p = initParamArrays(cfg, new Rng(1));
  const ts = paramSpecs(cfg).map((s) => ({ name: s.name, shape: s.shape, data: p.get(s.name)! }));
  return encodeSafetensors(edit(ts), { format: 'pt' });
}

function expectError(fn: () => unknown, file: string, pattern: RegExp, where = 'ck'): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CheckpointError);
  const msg = (err as Error).message;
  expect(msg).toContain(`${where}/${file}`);
  expect(msg).toMatch(pattern);
  expect(msg).not.toContain('\n');
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('checkpointToFiles', () => {
  it('writes a Hugging Face GPT-2 config.json', () => {
    const c = JSON.parse(files().config);
    expect(c).toMatchObject({
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: tok.vocabSize,
      n_positions: 16,
      n_ctx: 16,
      n_embd: 8,
      n_layer: 2,
      n_head: 2,
      n_inner: null,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      resid_pdrop: 0,
      embd_pdrop: 0,
      attn_pdrop: 0,
      initializer_range: 0.02,
      tie_word_embeddings: true,
      torch_dtype: 'float32',
    });
    // Token ids are positions in the specials list: ['<pad>', '<bos>', '<eos>', ...].
    expect([c.pad_token_id, c.bos_token_id, c.eos_token_id]).toEqual([0, 1, 2]);
    expect(c.reasonlab).toEqual({ format_version: 2, ...meta });
    expect('n_inner' in c).toBe(true); // present as null, not dropped
  });

  it('writes tensors in paramSpecs order with their shapes, no lm_head, metadata format pt', () => {
    const st = files().safetensors;
    const n = Number(new DataView(st.buffer, st.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(st.subarray(8, 8 + n)));
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const specs = paramSpecs(cfg);
    expect(Object.keys(header).filter((k) => k !== '__metadata__')).toEqual(specs.map((s) => s.name));
    for (const s of specs) expect(header[s.name].shape).toEqual(s.shape);
    expect(header['lm_head.weight']).toBeUndefined();
    expect(st.length - 8 - n).toBe(4 * paramCount(cfg));
  });

  it('refuses params that do not match the config', () => {
    const missing = makeCk();
    missing.params.delete('transformer.ln_f.bias');
    expect(() => checkpointToFiles(missing)).toThrow(/missing parameter transformer.ln_f.bias/);
    const short = makeCk();
    short.params.set('transformer.wpe.weight', new Float32Array(3));
    expect(() => checkpointToFiles(short)).toThrow(CheckpointError);
    const extra = makeCk();
    extra.params.set('transformer.h.9.ln_1.weight', new Float32Array(8));
    expect(() => checkpointToFiles(extra)).toThrow(/unknown parameter transformer.h.9.ln_1.weight/);
    const vocab = makeCk();
    vocab.config.vocabSize += 1;
    expect(() => checkpointToFiles(vocab)).toThrow(/tokenizer has \d+ tokens but config.vocabSize/);
  });
});

describe('checkpointFromFiles', () => {
  it('round trips config, tokenizer, meta and every parameter bit for bit', () => {
    const ck = makeCk();
    const back = checkpointFromFiles(files(ck), 'ck');
    expect(back.config).toEqual(cfg);
    expect(back.tokenizer).toEqual(tok.toJSON());
    expect(back.meta).toEqual(meta);
    expect([...back.params.keys()]).toEqual(paramSpecs(cfg).map((s) => s.name));
    for (const [name, a] of ck.params) expect(bits(back.params.get(name)!)).toEqual(bits(a));
    // Not all zeros: the random init really travelled.
    expect(back.params.get('transformer.wte.weight')!.some((x) => x !== 0)).toBe(true);
  });

  it('accepts lm_head.weight of the wte shape and the attention buffers HF writes', () => {
    const st = tensorsWith((ts) => [
      ...ts,
      { name: 'lm_head.weight', shape: [tok.vocabSize, 8], data: new Float32Array(tok.vocabSize * 8) },
      { name: 'transformer.h.0.attn.bias', shape: [1, 1, 16, 16], data: new Float32Array(256) },
      { name: 'transformer.h.1.attn.masked_bias', shape: [], data: new Float32Array([-1e4]) },
    ]);
    const back = checkpointFromFiles({ ...files(), safetensors: st }, 'ck');
    expect(back.params.size).toBe(paramSpecs(cfg).length);
    expect(back.params.has('lm_head.weight')).toBe(false);
  });

  it('rejects a tensor with the wrong shape, naming it and both shapes', () => {
    const name = 'transformer.h.1.attn.c_attn.weight';
    const st = tensorsWith((ts) => ts.map((t) => (t.name === name ? { ...t, shape: [24, 8] } : t)));
    expectError(() => checkpointFromFiles({ ...files(), safetensors: st }, 'ck'), 'model.safetensors',
      /tensor transformer\.h\.1\.attn\.c_attn\.weight has shape \[24, 8\], expected \[8, 24\]/);
    const head = tensorsWith((ts) => [...ts, { name: 'lm_head.weight', shape: [8, tok.vocabSize], data: new Float32Array(8 * tok.vocabSize) }]);
    expectError(() => checkpointFromFiles({ ...files(), safetensors: head }, 'ck'), 'model.safetensors', /lm_head\.weight has shape/);
  });

  it('rejects a missing tensor', () => {
    const st = tensorsWith((ts) => ts.filter((t) => t.name !== 'transformer.h.0.mlp.c_fc.bias'));
    expectError(() => checkpointFromFiles({ ...files(), safetensors: st }, 'ck'), 'model.safetensors',
      /missing tensor transformer\.h\.0\.mlp\.c_fc\.bias \(expected shape \[32\]\)/);
  });

  it('rejects unknown tensors, e.g. a layer the config does not have', () => {
    const st = tensorsWith((ts) => [...ts, { name: 'transformer.h.2.ln_1.weight', shape: [8], data: new Float32Array(8) }]);
    expectError(() => checkpointFromFiles({ ...files(), safetensors: st }, 'ck'), 'model.safetensors', /unexpected tensor\(s\).*transformer\.h\.2\.ln_1\.weight/);
  });

  it('wraps a corrupt safetensors file in a CheckpointError', () => {
    const st = files().safetensors.slice(0, 100);
    expectError(() => checkpointFromFiles({ ...files(), safetensors: st }, 'ck'), 'model.safetensors', /runs past the end/);
  });

  it('rejects bad JSON, naming the file', () => {
    expectError(() => checkpointFromFiles({ ...files(), config: '{"model_type": "gpt2",' }, 'ck'), 'config.json', /invalid JSON/);
    expectError(() => checkpointFromFiles({ ...files(), tokenizer: 'not json' }, 'ck'), 'tokenizer.json', /invalid JSON/);
    expectError(() => checkpointFromFiles({ ...files(), config: '[]' }, 'ck'), 'config.json', /expected a JSON object/);
    expectError(() => checkpointFromFiles({ ...files(), tokenizer: '{"type": "bpe"}' }, 'ck'), 'tokenizer.json', /neither a Hugging Face tokenizer .* nor reasonlab's char tokenizer/);
  });

  it('validates config.json fields', () => {
    const edit = (patch: Record<string, unknown>) => {
      const f = files();
      return { ...f, config: JSON.stringify({ ...JSON.parse(f.config), ...patch }) };
    };
    const load = (patch: Record<string, unknown>) => () => checkpointFromFiles(edit(patch), 'ck');
    expectError(load({ model_type: 'llama' }), 'config.json', /model_type must be "gpt2", got "llama"/);
    expectError(load({ n_embd: undefined }), 'config.json', /n_embd must be a positive integer, got undefined/);
    expectError(load({ n_layer: '2' }), 'config.json', /n_layer must be a positive integer, got "2"/);
    expectError(load({ n_head: 3 }), 'config.json', /divisible/);
    expectError(load({ activation_function: 'relu' }), 'config.json', /activation_function "relu" unsupported/);
    expectError(load({ n_inner: 16 }), 'config.json', /n_inner 16 unsupported/);
    expectError(load({ tie_word_embeddings: false }), 'config.json', /tie_word_embeddings/);
    expectError(load({ reasonlab: { format_version: 3 } }), 'config.json', /format_version 3 unsupported/);
    expectError(load({ vocab_size: tok.vocabSize + 1 }), 'tokenizer.json', /tokenizer has \d+ tokens but config.json vocab_size is/);
    // No reasonlab block (a plain transformers export): loads with empty meta.
    expect(checkpointFromFiles(edit({ reasonlab: undefined }), 'ck').meta).toEqual({});
  });

  it('rejects a tokenizer whose vocabulary differs from the config', () => {
    const bigger = { ...tok.toJSON(), chars: tok.chars + '\t' };
    expectError(() => checkpointFromFiles({ ...files(), tokenizer: JSON.stringify(bigger) }, 'ck'), 'tokenizer.json', /vocab_size/);
  });

  it('reads a format-1 folder, whose tokenizer.json is reasonlab\'s own format', () => {
    const f = files();
    const config = JSON.parse(f.config);
    config.reasonlab.format_version = 1;
    const back = checkpointFromFiles({ ...f, config: JSON.stringify(config), tokenizer: JSON.stringify(tok.toJSON()) }, 'ck');
    expect(back.tokenizer).toEqual(tok.toJSON());
    expect(back.meta).toEqual(meta);
  });

  it('prefers reasonlab_tokenizer.json and refuses one that disagrees with tokenizer.json', () => {
    const ck = makeCk();
    const f = checkpointToFiles(ck);
    const own = f['reasonlab_tokenizer.json']!;
    expect(JSON.parse(own)).toEqual(tok.toJSON());
    expect(checkpointFromFiles({ ...files(ck), reasonlabTokenizer: own }, 'ck').tokenizer).toEqual(tok.toJSON());
    // Same size, two characters swapped: the ids differ, so the pair must be refused.
    const swapped = { ...tok.toJSON(), chars: tok.chars.replace('ab', 'ba') };
    expectError(() => checkpointFromFiles({ ...files(ck), reasonlabTokenizer: JSON.stringify(swapped) }, 'ck'), 'tokenizer.json', /differs from reasonlab_tokenizer\.json/);
    expectError(() => checkpointFromFiles({ ...files(ck), reasonlabTokenizer: '{' }, 'ck'), 'reasonlab_tokenizer.json', /invalid JSON/);
  });

  it('refuses a Hugging Face tokenizer.json that is not reasonlab\'s character tokenizer', () => {
    const hf = JSON.parse(files().tokenizer);
    const edited = (patch: (j: typeof hf) => void) => {
      const j = structuredClone(hf);
      patch(j);
      return { ...files(), tokenizer: JSON.stringify(j) };
    };
    expectError(() => checkpointFromFiles(edited((j) => (j.model = { type: 'BPE', vocab: {}, merges: [] })), 'ck'), 'tokenizer.json', /model\.type is "BPE"/);
    expectError(() => checkpointFromFiles(edited((j) => (j.pre_tokenizer = null)), 'ck'), 'tokenizer.json', /pre_tokenizer must split every character/);
    expectError(() => checkpointFromFiles(edited((j) => (j.normalizer = { type: 'Lowercase' })), 'ck'), 'tokenizer.json', /normalizer/);
    expectError(() => checkpointFromFiles(edited((j) => (j.model.vocab['ab'] = tok.vocabSize)), 'ck'), 'tokenizer.json', /"ab" .* neither an added token nor one character/);
    expectError(() => checkpointFromFiles(edited((j) => delete j.model.vocab['a']), 'ck'), 'tokenizer.json', /no token has id/);
    expectError(() => checkpointFromFiles(edited((j) => (j.added_tokens = j.added_tokens.slice(1))), 'ck'), 'tokenizer.json', /"<pad>" \(id 0\) is neither an added token nor one character/);
  });

  it('uses "checkpoint" as the default location in messages', () => {
    expectError(() => checkpointFromFiles({ ...files(), config: '{' }), 'config.json', /invalid JSON/, 'checkpoint');
  });
});
