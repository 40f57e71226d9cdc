// The exported Hugging Face tokenizer files load in @huggingface/tokenizers (the npm library that
// reads transformers' tokenizer.json) and give exactly reasonlab's ids and text on every task's
// prompts and gold completions; checkpoints round trip through the run folder and the app's zip,
// and a folder written before the export (tokenizer.json in reasonlab's format) still loads.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { RunDir } from '../src/cli/rundir.ts';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import { encodePrompt } from '../src/data/batch.ts';
import { checkpointToFiles } from '../src/model/checkpoint.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { initParamArrays } from '../src/model/params.ts';
import { generateRecord, toTRL } from '../src/records/record.ts';
import { Rng } from '../src/rng.ts';
import { TASKS } from '../src/tasks/registry.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { snapshotFromFiles, snapshotToFiles, type SnapshotFiles } from '../src/train/snapshot.ts';
import { checkpointFiles, snapshotInputs, zipCheckpoint } from '../src/worker/zip.ts';

const tok = new Tokenizer();
const model: ModelConfig = { nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 32, vocabSize: tok.vocabSize };
const ckFiles = checkpointToFiles({ config: model, tokenizer: tok.toJSON(), params: initParamArrays(model, new Rng(3)), meta: { task: 'addition' } });
const hf = new HfTokenizer(JSON.parse(ckFiles['tokenizer.json']), JSON.parse(ckFiles['tokenizer_config.json']!));

/** 20 train and 5 test records of every task at its default config: prompt and gold completion. */
const pairs = Object.keys(TASKS).flatMap((name) =>
  [...Array.from({ length: 20 }, (_, i) => generateRecord(name, {}, 7, 'train', i)), ...Array.from({ length: 5 }, (_, i) => generateRecord(name, {}, 7, 'test', i))].map(toTRL),
);

/** Texts no task writes but a user might: newlines, every printable character, near-miss and literal tags. */
const edgeTexts = [
  'line one\nline two\n\n',
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(''),
  '<<think>> </think</think> <answer <answer>>a, b . c ! d ? e \' f n\'t',
  '<pad><bos><eos><think></think><answer></answer>',
  '<thinking> <bos <eos> < > <> <x>',
  ' leading and trailing spaces  ',
];

const hfIds = (text: string, addSpecial = false) => hf.encode(text, { add_special_tokens: addSpecial }).ids;

describe('Hugging Face tokenizer.json', () => {
  it('has one added token per special, pad/bos/eos special, the tags plain, ids as in config.json', () => {
    const tj = JSON.parse(ckFiles['tokenizer.json']);
    expect(tj.added_tokens.map((t: { id: number; content: string }) => [t.id, t.content])).toEqual(tok.specials.map((s, i) => [i, s]));
    expect(tj.added_tokens.filter((t: { special: boolean }) => t.special).map((t: { content: string }) => t.content)).toEqual(['<pad>', '<bos>', '<eos>']);
    expect(Object.keys(tj.model.vocab)).toHaveLength(tok.vocabSize);
    const cfg = JSON.parse(ckFiles['config.json']);
    const tc = JSON.parse(ckFiles['tokenizer_config.json']!);
    for (const k of ['bos', 'eos', 'pad'] as const) {
      expect(hf.token_to_id(tc[`${k}_token`])).toBe(cfg[`${k}_token_id`]);
      expect(JSON.parse(ckFiles['special_tokens_map.json']!)[`${k}_token`]).toBe(tc[`${k}_token`]);
    }
    expect(tc.model_max_length).toBe(model.blockSize);
    expect(tc.model_input_names).toEqual(['input_ids', 'attention_mask']);
  });

  it(`encodes and decodes ${pairs.length} prompts and gold completions of all ${Object.keys(TASKS).length} tasks exactly as reasonlab`, () => {
    expect(new Set(pairs.map((p) => p.prompt)).size).toBeGreaterThan(pairs.length / 2);
    for (const { prompt, completion } of pairs) {
      for (const text of [prompt, completion, prompt + completion]) {
        const ids = tok.encode(text);
        expect(hfIds(text)).toEqual(ids);
        expect(hf.decode(ids, { skip_special_tokens: false })).toBe(text);
      }
      // With special tokens: the prompt as the sampler sees it, the sequence as SFT trains on it
      // (TRL appends the eos token's text to the completion).
      const p = encodePrompt(tok, prompt);
      expect(hfIds(prompt, true)).toEqual(p);
      const seq = [...p, ...tok.encode(completion), tok.eos];
      expect(hfIds(prompt + completion + '<eos>', true)).toEqual(seq);
      expect(hf.decode(seq, { skip_special_tokens: true })).toBe(tok.decode(seq));
      expect(tok.decode(seq)).toBe(prompt + completion);
    }
  });

  it('matches reasonlab on newlines, every printable character, near-miss and literal tags', () => {
    for (const text of edgeTexts) {
      expect(hfIds(text)).toEqual(tok.encode(text));
      expect(hf.decode(tok.encode(text), { skip_special_tokens: false })).toBe(text);
    }
    expect(hfIds('\n')).toEqual([tok.encode('\n')[0]]);
    expect(hfIds('<think>')).toEqual([tok.id('<think>')]);
  });

  it('decodes every id as reasonlab does (pad/bos/eos dropped with skip_special_tokens, tags kept)', () => {
    for (let id = 0; id < tok.vocabSize; id++) {
      expect(hf.decode([id], { skip_special_tokens: true })).toBe(tok.decode([id]));
      expect(hf.decode([id], { skip_special_tokens: false })).toBe(id < tok.specials.length ? tok.specials[id] : tok.chars[id - tok.specials.length]);
    }
  });

  it('gives no valid id for a character outside the vocabulary (reasonlab throws)', () => {
    expect(() => tok.encode('é')).toThrow(/not in the vocabulary/);
    expect(hfIds('é').every((id) => Number.isInteger(id))).toBe(false);
  });
});

describe('checkpoint files with the Hugging Face tokenizer', () => {
  const cfg = applyOverrides(DEFAULT_CONFIG, { task: 'addition', nLayer: 1, nHead: 2, nEmbd: 8 });
  const params = initParamArrays(model, new Rng(5));
  const zeros = new Map([...params].map(([n, p]) => [n, new Float32Array(p.length)]));
  const snap = { step: 4, params, optimizer: { step: 4, t: 4, m: zeros, v: zeros } };
  const files = snapshotToFiles(snap, cfg, model, tok);

  const expectSame = (loaded: ReturnType<typeof snapshotFromFiles>) => {
    expect(loaded.tokenizer).toEqual(tok.toJSON());
    expect(loaded.snapshot.step).toBe(4);
    expect(loaded.snapshot.params.get('transformer.wte.weight')).toEqual(params.get('transformer.wte.weight'));
  };

  it('writes all four tokenizer files and reads them back from a run folder and from the app zip', () => {
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'reasonlab_tokenizer.json']));
    const dir = mkdtempSync(join(tmpdir(), 'reasonlab-hf-'));
    try {
      const run = new RunDir(dir);
      run.writeCheckpoint(files);
      const read = run.readCheckpoint();
      expect(read.reasonlabTokenizer).toBe(files['reasonlab_tokenizer.json']);
      expectSame(snapshotFromFiles(read, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const unzipped = checkpointFiles([{ name: 'ck.zip', data: zipCheckpoint(files) }]);
    expect(unzipped['tokenizer_config.json']).toBe(files['tokenizer_config.json']);
    expectSame(snapshotFromFiles(snapshotInputs(unzipped), 'ck.zip'));
  });

  it('rebuilds reasonlab\'s tokenizer from tokenizer.json alone (e.g. a folder re-saved by transformers)', () => {
    const { 'reasonlab_tokenizer.json': _own, ...rest } = files;
    expectSame(snapshotFromFiles(snapshotInputs(rest as SnapshotFiles), 'hf-only'));
  });

  it('still loads a format-1 folder: tokenizer.json in reasonlab\'s own format, no other tokenizer files', () => {
    const config = JSON.parse(files['config.json']);
    config.reasonlab.format_version = 1;
    const old: Record<string, string | Uint8Array> = {
      'config.json': JSON.stringify(config),
      'model.safetensors': files['model.safetensors'],
      'tokenizer.json': JSON.stringify(tok.toJSON(), null, 2) + '\n',
      'optimizer.safetensors': files['optimizer.safetensors'],
      'trainer.json': files['trainer.json'],
    };
    const dir = mkdtempSync(join(tmpdir(), 'reasonlab-old-'));
    try {
      for (const [name, data] of Object.entries(old)) writeFileSync(join(dir, name), data);
      const run = new RunDir(join(dir, '..'));
      const read = run.readCheckpoint(dir.split('/').pop()!);
      expect(read.reasonlabTokenizer).toBeUndefined();
      expectSame(snapshotFromFiles(read, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const uploaded = Object.entries(old).map(([name, data]) => ({ name, data: typeof data === 'string' ? new TextEncoder().encode(data) : data }));
    expectSame(snapshotFromFiles(snapshotInputs(checkpointFiles(uploaded)), 'upload'));
  });
});
