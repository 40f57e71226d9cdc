// The sampler on the cpu backend: KV-cache decode equals the no-cache path and the full forward,
// sampling from a model whose output distribution is known exactly, per-row <eos> stops, and
// seeded determinism. (test/model-reference.test.ts holds the decode step to referenceForward.)

import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, makeParams, type Params } from '../src/model/gpt.ts';
import { sample, type SampleOptions, type SampleResult } from '../src/model/sample.ts';
import { Rng } from '../src/rng.ts';
import { useBackend } from './helpers/backend.ts';
import { argmax, bits, cfg, logitsOf, logSoftmaxRow, maxAbsDiff, randomArrays, V } from './helpers/model.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

function expectLogprobsValid(r: SampleResult): void {
  for (const lp of r.logprobs) for (const x of lp) expect(x).toBeLessThanOrEqual(0);
}

describe('sample', () => {
  const greedy = (o: Partial<SampleOptions> = {}): SampleOptions => ({ maxNewTokens: 8, temperature: 0, topK: 0, eosId: 0, rng: new Rng(0), ...o });

  it('KV-cache decode equals the no-cache path and full forward, for prompts of different lengths', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 3));
    // Lengths 1..10; the last one runs into blockSize (10 + 8 - 1 > 16) and must be cut there.
    const prompts = [[1], [3, 4, 5], [2, 7, 1, 8, 2], [9, 9], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]];
    const o = greedy({ maxNewTokens: 8, eosId: 0 });
    const withCache = await sample(params, cfg, prompts, { ...o, useCache: true });
    const noCache = await sample(params, cfg, prompts, { ...o, useCache: false });
    expect(withCache.tokens.map((t) => Array.from(t))).toEqual(noCache.tokens.map((t) => Array.from(t)));
    expect(withCache.truncated).toEqual(noCache.truncated);
    let generated = 0;
    for (let i = 0; i < prompts.length; i++) {
      const p = prompts[i]!;
      const toks = Array.from(withCache.tokens[i]!);
      const lps = withCache.logprobs[i]!;
      generated += toks.length;
      expect(maxAbsDiff(lps, noCache.logprobs[i]!)).toBeLessThanOrEqual(1e-4);
      // Length rule: stops at eos, else at maxNewTokens or at the end of the context.
      const limit = Math.min(o.maxNewTokens, cfg.blockSize - p.length + 1);
      if (withCache.truncated[i]) {
        expect(toks).not.toContain(o.eosId);
        expect(toks.length).toBe(limit);
      } else {
        expect(toks.indexOf(o.eosId)).toBe(toks.length - 1);
      }
      // The real reference: forward over prompt + completion, log_softmax at each generated position.
      const seq = [...p, ...toks];
      const T = seq.length - 1;
      const logits = await logitsOf(params, cfg, Int32Array.from(seq.slice(0, T)), 1, T);
      for (let j = 0; j < toks.length; j++) {
        const pos = p.length - 1 + j;
        const row = logits.subarray(pos * V, (pos + 1) * V);
        expect(toks[j], `row ${i} token ${j} is the argmax`).toBe(argmax(row));
        expect(Math.abs(lps[j]! - logSoftmaxRow(row)[toks[j]!]!), `row ${i} token ${j}`).toBeLessThanOrEqual(1e-4);
      }
    }
    expect(withCache.tokens[4]!.length === 7 || !withCache.truncated[4]).toBe(true);
    expect(generated).toBeGreaterThanOrEqual(15); // enough decode steps to mean something
    expectLogprobsValid(withCache);
    disposeParams(params);
  });

  /**
   * A model whose next-token logits are `logits` at every position, whatever the input:
   * ln_f's gain is 0 and its bias the unit vector e0, so the head reads column 0 of wte.
   */
  function fixedDistribution(logits: number[]): Params {
    const a = randomArrays(cfg, 4);
    a.get('transformer.ln_f.weight')!.fill(0);
    const b = a.get('transformer.ln_f.bias')!;
    b.fill(0);
    b[0] = 1;
    const wte = a.get('transformer.wte.weight')!;
    logits.forEach((l, v) => (wte[v * cfg.nEmbd] = l));
    return makeParams(cfg, a);
  }

  it('samples from softmax(logits / temperature) with exact log-probs, and top-k keeps the k best', async () => {
    const L = [2.0, 1.5, 1.0, 0.5, 0, -0.5, -1, -1.5, -2, -2.5, -6];
    const eos = 10; // nearly never drawn: rows run to maxNewTokens
    const params = fixedDistribution(L);
    const prompts = Array.from({ length: 64 }, () => [1]);
    for (const [temperature, topK] of [
      [1, 0],
      [0.5, 0],
      [1, 3],
    ] as const) {
      const r = await sample(params, cfg, prompts, { maxNewTokens: 15, temperature, topK, eosId: eos, rng: new Rng(7) });
      const kept = topK > 0 ? L.map((x, v) => (v < topK ? x / temperature : -Infinity)) : L.map((x) => x / temperature);
      const logp = logSoftmaxRow(kept);
      const counts = new Array<number>(V).fill(0);
      let n = 0;
      r.tokens.forEach((toks, i) => {
        toks.forEach((tok, j) => {
          expect(logp[tok], `token ${tok} outside the top ${topK}`).toBeGreaterThan(-Infinity);
          expect(Math.abs(r.logprobs[i]![j]! - logp[tok]!)).toBeLessThanOrEqual(1e-5);
          counts[tok]!++;
          n++;
        });
      });
      expect(n).toBeGreaterThan(800);
      // Frequencies match the distribution (5 standard errors; the draw is fixed by the seed).
      for (let v = 0; v < V; v++) {
        const p = Math.exp(logp[v]!);
        expect(Math.abs(counts[v]! / n - p), `T=${temperature} k=${topK} token ${v}`).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / n) + 1 / n);
      }
      expectLogprobsValid(r);
    }
    disposeParams(params);
  });

  it('stops each row at its own <eos>; truncated flags agree with the tokens', async () => {
    // p(eos) = 0.25 per step: rows stop at different steps, some never within 6 tokens.
    const L = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    L[2] = Math.log((0.25 / 0.75) * 10);
    const params = fixedDistribution(L);
    const prompts = Array.from({ length: 32 }, (_, i) => Array.from({ length: 1 + (i % 4) }, () => 1));
    const r = await sample(params, cfg, prompts, { maxNewTokens: 6, temperature: 1, topK: 0, eosId: 2, rng: new Rng(11), checkEvery: 2 });
    const lengths = new Set<number>();
    let stopped = 0;
    let truncated = 0;
    r.tokens.forEach((t, i) => {
      const toks = Array.from(t);
      lengths.add(toks.length);
      if (r.truncated[i]) {
        truncated++;
        expect(toks.length).toBe(6);
        expect(toks).not.toContain(2);
      } else {
        stopped++;
        expect(toks.indexOf(2)).toBe(toks.length - 1);
      }
      expect(r.logprobs[i]!.length).toBe(toks.length);
    });
    expect(stopped).toBeGreaterThan(0);
    expect(truncated).toBeGreaterThan(0);
    expect(lengths.size).toBeGreaterThanOrEqual(3);
    // Greedy with eos the most likely token: every row is exactly [eos].
    L[2] = 3;
    disposeParams(params);
    const p2 = fixedDistribution(L);
    const g = await sample(p2, cfg, prompts.slice(0, 4), { maxNewTokens: 6, temperature: 0, topK: 0, eosId: 2, rng: new Rng(0) });
    expect(g.tokens.map((t) => Array.from(t))).toEqual([[2], [2], [2], [2]]);
    expect(g.truncated).toEqual([false, false, false, false]);
    disposeParams(p2);
  });

  it('same seed gives the same sample, another seed another; topK=1 equals greedy', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 5));
    const prompts = [[1, 4], [1], [1, 5, 6, 7]];
    const o = { maxNewTokens: 10, temperature: 1, topK: 0, eosId: 0 };
    const a = await sample(params, cfg, prompts, { ...o, rng: new Rng(21) });
    const b = await sample(params, cfg, prompts, { ...o, rng: new Rng(21) });
    const c = await sample(params, cfg, prompts, { ...o, rng: new Rng(22) });
    const toks = (r: SampleResult) => r.tokens.map((t) => Array.from(t));
    expect(toks(a)).toEqual(toks(b));
    expect(a.logprobs.map((l) => bits(l))).toEqual(b.logprobs.map((l) => bits(l)));
    expect(toks(c)).not.toEqual(toks(a));
    const top1 = await sample(params, cfg, prompts, { ...o, topK: 1, rng: new Rng(23) });
    const g = await sample(params, cfg, prompts, { ...o, temperature: 0, rng: new Rng(0) });
    expect(toks(top1)).toEqual(toks(g));
    for (const lp of top1.logprobs) for (const x of lp) expect(Math.abs(x)).toBeLessThanOrEqual(1e-6); // the only choice
    for (const r of [a, c, g]) expectLogprobsValid(r);
    disposeParams(params);
  });
});
