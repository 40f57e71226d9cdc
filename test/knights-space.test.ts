// Knights and knaves: the size of the problem space per split, and levels that cannot hold out a
// test split are refused when the run is configured. The 2- and 3-person spaces are enumerated
// exactly; every split at the default knobs is drawn, as training and evaluation draw it.

import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import { generateCommand } from '../src/cli/datacmd.ts';
import { distinctProblems, problemAt, splitOf, type Split } from '../src/data/split.ts';
import { Rng } from '../src/rng.ts';
import { acceptedSolution, allStatements, type KnightsProblem } from '../src/tasks/knights-logic.ts';
import { DISTINCT_PUZZLES, knightsKnaves as K, MIN_TEST_PUZZLES } from '../src/tasks/knights.ts';
import { ConfigError, validateTaskConfig } from '../src/tasks/registry.ts';

const SPLITS: Split[] = ['train', 'val', 'test'];

/** Distinct puzzles per split and, per split, how many of them have each answer. */
type Tally = Record<Split, Map<string, string>>;
const emptyTally = (): Tally => ({ train: new Map(), val: new Map(), test: new Map() });
const add = (t: Tally, p: KnightsProblem, answer: string) => {
  const key = K.canonical(p);
  t[splitOf(key)].set(key, answer);
};

/** Every answer that occurs is within 2x of its fair share among them; returns the counts. */
function expectBalanced(answers: Iterable<string>, label: string): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1), total++;
  const fair = total / counts.size;
  for (const [a, c] of counts) expect(c, `${label}: ${a} has ${c} of ${total}`).toBeLessThanOrEqual(2 * fair);
  return counts;
}

/** Every accepted puzzle of n people, by brute force over all statement tuples. */
function enumerate(n: number): Tally {
  const S = allStatements(n);
  const t = emptyTally();
  const idx: number[] = new Array(n).fill(0);
  for (;;) {
    const p: KnightsProblem = { says: idx.map((k) => S[k]!) };
    const mask = acceptedSolution(p);
    if (mask >= 0) add(t, p, String(mask));
    let k = 0;
    while (k < n && ++idx[k]! === S.length) idx[k++] = 0;
    if (k === n) return t;
  }
}

describe('the problem space', () => {
  it('2 and 3 people, enumerated: DISTINCT_PUZZLES is exact, and only 3 people hold 1,000 test puzzles', () => {
    for (const n of [2, 3]) {
      const t = enumerate(n);
      const total = SPLITS.reduce((s, x) => s + t[x].size, 0);
      expect(total).toBe(DISTINCT_PUZZLES[n]);
      const all = SPLITS.flatMap((x) => [...t[x].values()]);
      expect(expectBalanced(all, `${n} people`).size).toBe(2 ** n);
      if (n === 2) expect(t.test.size).toBeLessThan(10);
      else for (const x of SPLITS) expect(t[x].size, x).toBeGreaterThanOrEqual(MIN_TEST_PUZZLES);
    }
  });

  it('default knobs, 200,000 draws: every split holds over 1,000 distinct puzzles with balanced answers', () => {
    const cfg = validateTaskConfig(K, {}) as unknown as typeof K.defaults;
    expect(cfg.people).toBe(3);
    const rng = new Rng(2024);
    const t = emptyTally();
    for (let i = 0; i < 200_000; i++) {
      const p = K.generate(rng, cfg);
      add(t, p, K.gold(p, cfg).answer);
    }
    for (const x of SPLITS) {
      expect(t[x].size, x).toBeGreaterThanOrEqual(1000);
      expect(expectBalanced(t[x].values(), x).size).toBe(8);
    }
  });

  it('4 and 5 people, 30,000 draws each: over 1,000 distinct puzzles per split', () => {
    for (const people of [4, 5]) {
      const cfg = { ...K.defaults, people };
      const rng = new Rng(people);
      const t = emptyTally();
      for (let i = 0; i < 30_000; i++) {
        const p = K.generate(rng, cfg);
        add(t, p, K.gold(p, cfg).answer);
      }
      for (const x of SPLITS) {
        expect(t[x].size, `${people} ${x}`).toBeGreaterThanOrEqual(1000);
        expectBalanced(t[x].values(), `${people} ${x}`);
      }
    }
  });
});

describe('levels are refused when configured, or run', () => {
  const MESSAGE = /people=2 has only 80 distinct puzzles, about 4 of them in the test split \(5%\), and held-out evaluation needs at least 1000: use 3 to 5 people/;

  it('--people 2: refused by the task config, by `train` and by `generate` (any split), before any problem is drawn', async () => {
    expect(() => validateTaskConfig(K, { people: 2 })).toThrow(ConfigError);
    expect(() => validateTaskConfig(K, { people: '2' })).toThrow(MESSAGE);
    expect(() => applyOverrides(DEFAULT_CONFIG, { task: 'knights-knaves', people: '2' })).toThrow(MESSAGE);
    for (const split of SPLITS) {
      const io = { stdout: () => {}, stderr: () => {} };
      await expect(generateCommand(new Map([['task', 'knights-knaves'], ['n', '3'], ['split', split], ['people', '2']]), io)).rejects.toThrow(MESSAGE);
    }
  });

  it('every curriculum level, every format: configures, and draws 200 distinct test problems and val problems', () => {
    expect(K.curriculum).toEqual([{ people: 3 }, { people: 4 }, { people: 5 }]);
    for (const level of K.curriculum) {
      for (const format of K.options.format!) {
        const cfg = applyOverrides(DEFAULT_CONFIG, { task: 'knights-knaves', ...level, format }).task.config;
        const test = distinctProblems(K, cfg, 1, 'test', 200);
        expect(test).toHaveLength(200);
        for (let i = 0; i < 20; i++) expect(splitOf(K.canonical(problemAt(K, cfg, 1, 'val', i) as KnightsProblem))).toBe('val');
      }
    }
  });
});
