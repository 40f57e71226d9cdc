// Data: held-out splits by canonical form (deterministic, ~90/5/5, never leaking across splits),
// per-(seed, index) problem streams, distinct-problem sets in tiny problem spaces, and token batches
// (shift by one, loss mask exactly on completion + <eos>, padding, clear too-long errors).

import { describe, it, expect } from 'vitest';
import { distinctProblems, problemAt, splitOf, type Split } from '../src/data/split.ts';
import { encodePrompt, makeBatch, type Example } from '../src/data/batch.ts';
import { addition, type AdditionConfig, type AdditionProblem } from '../src/tasks/addition.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { Tokenizer } from '../src/tokenizer.ts';

const SPLITS: Split[] = ['train', 'val', 'test'];
const cfg3: AdditionConfig = { digits: 3, minDigits: 1, format: 'scratchpad' };
const cfg1: AdditionConfig = { digits: 1, minDigits: 1, format: 'plain' };
const canon = (p: unknown) => addition.canonical(p as AdditionProblem);

describe('splitOf', () => {
  it('is deterministic', () => {
    for (let i = 0; i < 1000; i++) expect(splitOf(`${i}+${i * 7}`)).toBe(splitOf(`${i}+${i * 7}`));
  });

  it('is roughly 90/5/5 over 40,000 canonical forms', () => {
    const counts = { train: 0, val: 0, test: 0 };
    let n = 0;
    for (let a = 0; a < 200; a++) for (let b = 0; b < 200; b++, n++) counts[splitOf(`${a}+${b}`)]++;
    expect(counts.val / n).toBeGreaterThan(0.04);
    expect(counts.val / n).toBeLessThan(0.06);
    expect(counts.test / n).toBeGreaterThan(0.04);
    expect(counts.test / n).toBeLessThan(0.06);
    expect(counts.train / n).toBeGreaterThan(0.88);
  });
});

describe('problemAt', () => {
  it('always returns a problem of the requested split, deterministically per (seed, split, index)', () => {
    for (const split of SPLITS) {
      for (let i = 0; i < 200; i++) {
        const p = problemAt(addition, cfg3, 7, split, i);
        expect(splitOf(canon(p))).toBe(split);
        expect(problemAt(addition, cfg3, 7, split, i)).toEqual(p);
      }
    }
  });

  it('does not depend on call order (pure function of its arguments)', () => {
    const forward = Array.from({ length: 50 }, (_, i) => problemAt(addition, cfg3, 3, 'train', i));
    const backward = Array.from({ length: 50 }, (_, i) => problemAt(addition, cfg3, 3, 'train', 49 - i)).reverse();
    expect(backward).toEqual(forward);
  });

  it('different seeds and indices give different streams', () => {
    const a = Array.from({ length: 50 }, (_, i) => canon(problemAt(addition, cfg3, 1, 'train', i)));
    const b = Array.from({ length: 50 }, (_, i) => canon(problemAt(addition, cfg3, 2, 'train', i)));
    expect(a).not.toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(45);
  });

  it('works in the 1-digit space for every split', () => {
    for (const split of SPLITS) expect(splitOf(canon(problemAt(addition, cfg1, 1, split, 0)))).toBe(split);
  });
});

describe('distinctProblems', () => {
  it('returns n distinct canonicals of the split, deterministically', () => {
    const ps = distinctProblems(addition, cfg3, 11, 'test', 200);
    expect(ps.length).toBe(200);
    const keys = ps.map(canon);
    expect(new Set(keys).size).toBe(200);
    for (const k of keys) expect(splitOf(k)).toBe('test');
    expect(distinctProblems(addition, cfg3, 11, 'test', 200)).toEqual(ps);
  });

  it('train and test sets never share a problem', () => {
    const train = new Set(distinctProblems(addition, cfg3, 5, 'train', 2000).map(canon));
    for (const p of distinctProblems(addition, cfg3, 5, 'test', 200)) expect(train.has(canon(p))).toBe(false);
  });

  it('1-digit addition (100 problems): returns the whole small test split, fewer than asked, without hanging', () => {
    const all: string[] = [];
    for (let a = 0; a < 10; a++) for (let b = 0; b < 10; b++) all.push(`${a}+${b}`);
    const testSet = all.filter((k) => splitOf(k) === 'test');
    expect(testSet.length).toBeGreaterThan(0);
    expect(testSet.length).toBeLessThan(15);
    for (const n of [50, 500]) {
      const t0 = performance.now();
      const ps = distinctProblems(addition, cfg1, 1, 'test', n);
      expect(performance.now() - t0).toBeLessThan(5000);
      const keys = ps.map(canon);
      expect(new Set(keys).size).toBe(keys.length);
      expect([...keys].sort()).toEqual([...testSet].sort());
    }
  });
});

describe('makeBatch', () => {
  const tok = new Tokenizer();
  const ex = (a: string, b: string, cfg: AdditionConfig = cfg3): Example => {
    const p = { a, b };
    return { prompt: addition.prompt(p, cfg), completion: renderCompletion(addition.gold(p, cfg), cfg.format === 'scratchpad') };
  };

  it('inputs/targets are <bos> prompt completion <eos> shifted by one; mask is exactly completion + <eos>; padding is pad with mask 0', () => {
    const examples = [ex('457', '385'), ex('1', '2'), ex('999', '999')];
    const T = 48;
    const batch = makeBatch(tok, examples, T);
    expect([batch.B, batch.T]).toEqual([3, T]);
    expect(batch.inputs.length).toBe(3 * T);
    expect(batch.targets.length).toBe(3 * T);
    expect(batch.mask.length).toBe(3 * T);
    let lossTokens = 0;
    examples.forEach((e, b) => {
      const prompt = encodePrompt(tok, e.prompt);
      expect(prompt[0]).toBe(tok.bos);
      const completion = tok.encode(e.completion);
      const seq = [...prompt, ...completion, tok.eos];
      const L = seq.length - 1; // positions used
      const row = (a: ArrayLike<number>) => Array.from(a).slice(b * T, (b + 1) * T);
      const inputs = row(batch.inputs);
      const targets = row(batch.targets);
      const mask = row(batch.mask);
      expect(inputs.slice(0, L)).toEqual(seq.slice(0, L));
      expect(targets.slice(0, L)).toEqual(seq.slice(1));
      // The mask is 1 exactly where the target is a completion token or the final <eos>.
      const maskedTargets = targets.filter((_, t) => mask[t] === 1);
      expect(maskedTargets).toEqual([...completion, tok.eos]);
      expect(mask.slice(0, prompt.length - 1).every((m) => m === 0)).toBe(true);
      expect(mask.slice(prompt.length - 1, L).every((m) => m === 1)).toBe(true);
      // Padding.
      expect(inputs.slice(L).every((x) => x === tok.pad)).toBe(true);
      expect(targets.slice(L).every((x) => x === tok.pad)).toBe(true);
      expect(mask.slice(L).every((m) => m === 0)).toBe(true);
      lossTokens += completion.length + 1;
    });
    expect(batch.lossTokens).toBe(lossTokens);
    expect(batch.lossTokens).toBe(batch.mask.reduce((s, m) => s + m, 0));
  });

  it('special tags in the completion are single tokens in the batch', () => {
    const e = ex('1', '2');
    const batch = makeBatch(tok, [e], 32);
    expect(Array.from(batch.targets)).toContain(tok.id('<think>'));
    expect(Array.from(batch.targets)).toContain(tok.id('</answer>'));
  });

  it('an example that exactly fits T is accepted; one token more throws, naming the example', () => {
    const e = ex('999', '999');
    const need = encodePrompt(tok, e.prompt).length + tok.encode(e.completion).length; // +eos -1 shift
    const batch = makeBatch(tok, [e], need);
    expect(batch.mask[need - 1]).toBe(1);
    expect(batch.targets[need - 1]).toBe(tok.eos);
    expect(() => makeBatch(tok, [ex('1', '2'), e], need - 1)).toThrow(/example 1 \("999\+999="\) needs \d+ positions, more than the \d+ of the context/);
  });

  it('empty completion: only <eos> carries loss', () => {
    const batch = makeBatch(tok, [{ prompt: '1+2=', completion: '' }], 8);
    expect(batch.lossTokens).toBe(1);
    expect(batch.targets[4]).toBe(tok.eos);
    expect(batch.mask[4]).toBe(1);
  });

  it('characters outside the vocabulary throw (not silently dropped)', () => {
    expect(() => makeBatch(tok, [{ prompt: '1+2=', completion: '3\t' }], 16)).toThrow(/not in the vocabulary/);
  });
});
