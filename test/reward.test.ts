// The reward model: hiddenStates is what forward projects (so forward's numbers are untouched),
// score reads the head at each row's last completion token, gradients reach the head and the
// trunk, a Bradley-Terry AdamW step leaks no tensor, and the head's own file round-trips while the
// model folder stays a plain GPT-2 checkpoint.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeBatch } from '../src/data/batch.ts';
import { lastIndices } from '../src/data/pairs.ts';
import { checkpointFromFiles, checkpointToFiles, CheckpointError } from '../src/model/checkpoint.ts';
import { disposeParams, hiddenStates, makeParams, paramSpecs } from '../src/model/gpt.ts';
import { initRewardHead, makeRewardHead, REWARD_HEAD_TENSOR, rewardHeadArray, rewardHeadFromFile, rewardHeadToFile, score } from '../src/model/reward.ts';
import { Rng } from '../src/rng.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { AdamW, DEFAULT_OPTIM } from '../src/train/optim.ts';
import { bradleyTerryLoss } from '../src/train/preference-loss.ts';
import { useBackend } from './helpers/backend.ts';
import { cfg, logitsOf, maxAbsDiff, randomArrays, randTokens } from './helpers/model.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const B = 3;
const T = cfg.blockSize;
const C = cfg.nEmbd;

describe('hiddenStates', () => {
  it('is [B, T, C] and projected onto wte gives forward logits', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 2));
    const toks = randTokens(new Rng(3), B * T);
    const h = tf.tidy(() => hiddenStates(params, cfg, tf.tensor2d(toks, [B, T], 'int32')));
    expect(h.shape).toEqual([B, T, C]);
    const proj = tf.tidy(() => tf.matMul(tf.reshape(h, [B * T, C]), params['transformer.wte.weight']!, false, true));
    expect(maxAbsDiff(await proj.data(), await logitsOf(params, cfg, toks, B, T))).toBeLessThan(1e-4);
    tf.dispose([h, proj]);
    disposeParams(params);
  });
});

describe('reward model', () => {
  it('score is [B], the head times the final hidden state at each row\'s lastIndex', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 5));
    const head = initRewardHead(cfg, new Rng(1));
    const toks = tf.tensor2d(randTokens(new Rng(4), B * T), [B, T], 'int32');
    const last = [T - 1, 0, 7];
    const r = tf.tidy(() => score(params, cfg, head, toks, last));
    expect(r.shape).toEqual([B]);
    const h = tf.tidy(() => hiddenStates(params, cfg, toks));
    const hv = await h.data();
    const w = await rewardHeadArray(head);
    const want = last.map((t, b) => w.reduce((s, wc, c) => s + wc * hv[(b * T + t) * C + c]!, 0));
    expect(maxAbsDiff(await r.data(), want)).toBeLessThan(1e-5);
    expect(() => tf.tidy(() => score(params, cfg, head, toks, [0, 1]))).toThrow('score: 2 last indices for a batch of 3');
    expect(() => tf.tidy(() => score(params, cfg, head, toks, [0, 1, T]))).toThrow(`score: lastIndex[2] = ${T} is outside [0, ${T})`);
    tf.dispose([r, h, toks]);
    disposeParams(params);
    disposeParams(head);
  });

  it('lastIndices picks the last completion token of each row of a batch', () => {
    const tok = new Tokenizer();
    const b = makeBatch(tok, [{ prompt: 'ab', completion: 'xyz' }, { prompt: 'abcd', completion: '' }], 12);
    // <bos> a b x y z <eos>: inputs 0..5, the last input with a loss is 'z' at 5; row 2: 'd' at 4.
    expect(Array.from(lastIndices(b.mask, b.B, b.T))).toEqual([5, 4]);
    expect(b.inputs[5]).toBe(tok.encode('z')[0]);
    expect(() => lastIndices(new Float32Array(4), 1, 4)).toThrow(/row 0 of the mask has no completion position/);
  });

  it('the Bradley-Terry gradient reaches the head and every trunk tensor that shapes the last token', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 6));
    const head = initRewardHead(cfg, new Rng(2));
    const rng = new Rng(8);
    const chosen = tf.tensor2d(randTokens(rng, B * T), [B, T], 'int32');
    const rejected = tf.tensor2d(randTokens(rng, B * T), [B, T], 'int32');
    const last = [T - 1, T - 2, 5];
    const grads = tf.tidy(() => {
      const { grads } = tf.variableGrads(() => bradleyTerryLoss(score(params, cfg, head, chosen, last), score(params, cfg, head, rejected, last)).loss, [...Object.values(params), ...Object.values(head)]);
      return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.max(tf.abs(g))]));
    });
    const maxAbs = new Map<string, number>();
    for (const [k, g] of Object.entries(grads)) maxAbs.set(k, (await g.data())[0]!);
    const norm = (v: tf.Variable) => maxAbs.get(v.name)!;
    expect(norm(head[REWARD_HEAD_TENSOR]!)).toBeGreaterThan(0);
    for (const name of ['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.h.0.attn.c_attn.weight', 'transformer.h.1.mlp.c_fc.weight', 'transformer.ln_f.weight']) {
      expect(norm(params[name]!), name).toBeGreaterThan(0);
    }
    tf.dispose([chosen, rejected, ...Object.values(grads)]);
    disposeParams(params);
    disposeParams(head);
  });

  it('a reward-model AdamW step (trunk + head) lowers the loss and leaks no tensor', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 7, 0.1));
    const head = initRewardHead(cfg, new Rng(3));
    const all = { ...params, ...head };
    const decays = new Set([...paramSpecs(cfg).filter((s) => s.decay).map((s) => s.name), REWARD_HEAD_TENSOR]);
    const opt = new AdamW({ ...DEFAULT_OPTIM, warmupSteps: 0, totalSteps: 10, lr: 1e-3, minLr: 1e-3 }, all, (n) => decays.has(n));
    const rng = new Rng(9);
    const chosen = tf.tensor2d(randTokens(rng, B * T), [B, T], 'int32');
    const rejected = tf.tensor2d(randTokens(rng, B * T), [B, T], 'int32');
    const tie = tf.tensor1d([0, 0, 1]);
    const last = [T - 1, 4, 9];
    const loss = () => bradleyTerryLoss(score(params, cfg, head, chosen, last), score(params, cfg, head, rejected, last), tie).loss;
    const losses: number[] = [];
    const counts: number[] = [];
    for (let s = 0; s < 4; s++) {
      const out = opt.minimize(loss);
      losses.push((await out.loss.data())[0]!);
      tf.dispose([out.loss, out.gradNorm, out.applied]);
      counts.push(tf.memory().numTensors);
    }
    expect(losses[3]).toBeLessThan(losses[0]!);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[1]).toBe(counts[0]);
    opt.dispose();
    tf.dispose([chosen, rejected, tie]);
    disposeParams(params);
    disposeParams(head);
  });
});

describe('reward head file', () => {
  it('round-trips beside an unchanged GPT-2 checkpoint and refuses a wrong file or width', async () => {
    const head = initRewardHead(cfg, new Rng(4));
    const w = await rewardHeadArray(head);
    const bytes = rewardHeadToFile(w, C);
    expect(rewardHeadFromFile(bytes, C)).toEqual(w);
    const back = makeRewardHead(cfg, rewardHeadFromFile(bytes, C));
    expect(await rewardHeadArray(back)).toEqual(w);
    expect(() => rewardHeadFromFile(bytes, C + 1)).toThrow(`reward_head.safetensors: tensor score.weight has shape [1, ${C}], expected [1, ${C + 1}]`);
    expect(() => rewardHeadToFile(w, C + 1)).toThrow(CheckpointError);
    // The model folder itself is the plain three files: the head is not in model.safetensors.
    const files = checkpointToFiles({ config: cfg, tokenizer: testTokenizer(), params: randomArrays(cfg, 1), meta: {} });
    expect(() => rewardHeadFromFile(files['model.safetensors'], C, 'rm/model.safetensors')).toThrow('rm/model.safetensors: missing tensor score.weight');
    const ck = checkpointFromFiles({ config: files['config.json'], safetensors: files['model.safetensors'], tokenizer: files['tokenizer.json'] });
    expect(ck.params.size).toBe(paramSpecs(cfg).length);
    expect(() => rewardHeadFromFile(new Uint8Array(3), C)).toThrow(/reward_head\.safetensors: file is 3 bytes/);
    disposeParams(head);
    disposeParams(back);
  });
});

/** A tokenizer JSON whose vocabulary size equals the tiny test config's (11 tokens). */
function testTokenizer() {
  const t = new Tokenizer().toJSON();
  return { ...t, chars: '0123' };
}
