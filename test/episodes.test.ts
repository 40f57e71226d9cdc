// Multi-turn sampling (train/episodes.ts) on the cpu backend: the log-probs of a sampled
// transcript, replies fed through the KV cache between turns, equal a full re-run of the whole
// transcript through the forward pass (1e-4); greedy picks are its argmax; the environment's
// tokens carry mask 0 and no log-prob; rows of different lengths share the batch; same seed, same
// episodes. A toy environment whose actions end at any digit makes a random model take many turns.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from '../src/model/config.ts';
import { disposeParams, makeParams, tokenLogprobs } from '../src/model/gpt.ts';
import { trajectoryTokens } from '../src/envs/tokens.ts';
import { guessNumber } from '../src/envs/guess.ts';
import { validateEnvConfig } from '../src/envs/registry.ts';
import type { Environment } from '../src/envs/types.ts';
import { sampleEpisodes, type EpisodeRow } from '../src/train/episodes.ts';
import { Rng } from '../src/rng.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { useBackend } from './helpers/backend.ts';
import { argmax, logitsOf, randomArrays } from './helpers/model.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const tok = new Tokenizer();
const mc: ModelConfig = { nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 96, vocabSize: tok.vocabSize };
const DIGITS = '0123456789'.split('');

/** Actions end at any digit; the reply's length varies with the turn, so rows fall out of step. */
const digitEnv: Environment<{ n: number }, { turns: number }, { turns: number }> = {
  name: 'digit-toy',
  version: 1,
  description: 'test only',
  defaults: { turns: 4 },
  curriculum: [],
  knobs: {},
  options: {},
  generate: (rng) => ({ n: rng.int(5) }),
  canonical: (p) => String(p.n),
  level: () => 'one',
  actionEnds: DIGITS,
  envTags: ['[', ']'],
  limits: (cfg) => ({ maxTurns: cfg.turns, maxTokens: 80 }),
  maxObservationLength: () => 8,
  reset: (p) => ({ state: { turns: 0 }, observation: `go${'x'.repeat(p.n)}:` }),
  step: (p, s, action) => ({ state: { turns: s.turns + 1 }, observation: DIGITS.some((d) => action.endsWith(d)) ? `[${'r'.repeat((s.turns + p.n) % 5)}]` : '', done: false }),
  judge: (_p, s, _c, _cfg, opts) => ({ correct: false, fully_correct: false, format_ok: true, truncated: opts.truncation !== null, answer: null, checks: [{ name: 'turns', passed: true, detail: `${s.turns}` }], first_wrong_step: null, reward: 0, scheme: 'binary' }),
  gold: () => '1',
};

const problems = [0, 1, 2, 3, 4, 0, 2, 4].map((n) => ({ n }));

/** log p(ids[j]) by one forward over the whole transcript, per position j >= 1. */
async function rerun(params: ReturnType<typeof makeParams>, ids: number[]): Promise<Float32Array> {
  const T = ids.length - 1;
  const lp = tf.tidy(() => tokenLogprobs(params, mc, tf.tensor2d(ids.slice(0, T), [1, T], 'int32'), tf.tensor2d(ids.slice(1), [1, T], 'int32'), 1, false).logp);
  const out = (await lp.data()) as Float32Array;
  lp.dispose();
  return out;
}

function checkMask(r: EpisodeRow): void {
  // Model tokens are exactly the turns the trajectory marks model (turns re-encode to the same
  // tokens when the model wrote no <pad>/<bos>, which decode drops).
  if (r.ids.slice(1).some((x) => x === tok.pad || x === tok.bos)) return;
  const tt = trajectoryTokens(tok, r.trajectory.turns, r.trajectory.truncation);
  const eosByEnv = tt.ids.length === r.ids.length + 1 && tt.ids.at(-1) === tok.eos;
  expect(eosByEnv ? tt.ids.slice(0, -1) : tt.ids).toEqual(r.ids);
  expect(eosByEnv ? tt.mask.slice(0, -1) : tt.mask).toEqual(r.mask);
}

describe('sampleEpisodes', () => {
  it('log-probs of multi-turn transcripts equal a full re-run (1e-4); replies have mask 0 and no log-prob', async () => {
    const params = makeParams(mc, randomArrays(mc, 5));
    const b = await sampleEpisodes({ params, model: mc, tok }, digitEnv, { turns: 4 }, problems, { temperature: 1, topK: 0, rng: new Rng(11) });
    let multi = 0;
    let envTokens = 0;
    const lengths = new Set<number>();
    for (const r of b.rows) {
      lengths.add(r.ids.length);
      const modelTurns = r.trajectory.turns.filter((t) => t.role === 'model').length;
      if (modelTurns >= 2) multi++;
      expect(r.ids.length).toBe(r.mask.length);
      expect(r.modelTokens).toBe(r.mask.reduce((a, x) => a + x, 0));
      const full = await rerun(params, r.ids);
      for (let j = 1; j < r.ids.length; j++) {
        if (r.mask[j] === 1) expect(Math.abs(r.logprobs[j]! - full[j - 1]!), `token ${j}`).toBeLessThanOrEqual(1e-4);
        else {
          expect(r.logprobs[j]).toBe(0);
          if (j >= r.promptLength) envTokens++;
        }
      }
      expect(r.mask.slice(0, r.promptLength).every((m) => m === 0)).toBe(true);
      checkMask(r);
    }
    expect(multi, 'episodes with several model turns').toBeGreaterThanOrEqual(3);
    expect(envTokens, 'reply tokens fed between turns').toBeGreaterThan(10);
    expect(lengths.size, 'rows of different lengths in one batch').toBeGreaterThan(2);
    disposeParams(params);
  });

  it('greedy picks are the argmax of the full forward; same seed, same episodes', async () => {
    const params = makeParams(mc, randomArrays(mc, 8));
    const run = (seed: number, temperature: number) => sampleEpisodes({ params, model: mc, tok }, digitEnv, { turns: 3 }, problems, { temperature, topK: 0, rng: new Rng(seed) });
    const g = await run(1, 0);
    for (const r of g.rows) {
      const T = r.ids.length - 1;
      const logits = await logitsOf(params, mc, Int32Array.from(r.ids.slice(0, T)), 1, T);
      for (let j = 1; j < r.ids.length; j++) {
        if (r.mask[j] === 1) expect(r.ids[j]).toBe(argmax(logits.subarray((j - 1) * mc.vocabSize, j * mc.vocabSize)));
      }
    }
    const [a, b, c] = [await run(3, 1), await run(3, 1), await run(4, 1)];
    expect(a.rows.map((r) => r.ids)).toEqual(b.rows.map((r) => r.ids));
    expect(a.rows.map((r) => r.logprobs)).toEqual(b.rows.map((r) => r.logprobs));
    expect(a.rows.map((r) => r.ids)).not.toEqual(c.rows.map((r) => r.ids));
    disposeParams(params);
  });

  it('every episode ends within the turn limit and the token budget, truncation recorded', async () => {
    const params = makeParams(mc, randomArrays(mc, 2));
    const b = await sampleEpisodes({ params, model: mc, tok }, digitEnv, { turns: 3 }, problems, { temperature: 1, topK: 0, rng: new Rng(2) });
    for (const r of b.rows) {
      const t = r.trajectory;
      expect(t.turns.filter((x) => x.role === 'model').length).toBeLessThanOrEqual(3);
      expect(r.ids.length - 1).toBeLessThanOrEqual(mc.blockSize);
      expect(['turns', 'tokens', null]).toContain(t.truncation);
      expect(t.verdict.truncated).toBe(t.truncation !== null);
    }
    expect(b.rows.some((r) => r.trajectory.truncation === 'turns')).toBe(true);
    // A real environment under a context too short for its budget: cut by the tokens, recorded.
    const small: ModelConfig = { ...mc, blockSize: 24 };
    const p2 = makeParams(small, randomArrays(small, 2));
    const cfg = validateEnvConfig(guessNumber, {});
    const g = await sampleEpisodes({ params: p2, model: small, tok }, guessNumber, cfg, [{ target: 5 }, { target: 77 }], { temperature: 1, topK: 0, rng: new Rng(1) });
    for (const r of g.rows) {
      expect(r.ids.length - 1).toBeLessThanOrEqual(small.blockSize);
      expect(r.trajectory.limits.maxTokens).toBe(small.blockSize - 1);
      expect(r.trajectory.truncation === 'tokens' || r.trajectory.truncation === null).toBe(true);
    }
    disposeParams(params);
    disposeParams(p2);
  });
});
