// The RL stage's pure arithmetic (src/train/advantages.ts) against hand-computed examples: the four
// advantage estimators (docs/FACTS.md, "Rewards and RL"), zero-variance groups, the per-sequence
// loss weights, and the unbiased pass@k estimator against brute-force enumeration of k-subsets.

import { describe, expect, it } from 'vitest';
import { computeAdvantages, passAtK, sequenceWeights } from '../src/train/advantages.ts';

/** Element-wise closeness of two number lists. */
function near(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
}

// Two groups of G = 4: one with signal, one where every completion got the same reward.
const R = [1, 0, 0, 1, 1, 1, 1, 1];

describe('computeAdvantages', () => {
  it('grpo: (r - mean) / (population std + 1e-4) per group', () => {
    const { advantages, zeroVar, baseline } = computeAdvantages('grpo', R, 4, null);
    // group 0: mean 0.5, population std 0.5 (the sample std would be 0.577)
    const a = 0.5 / (0.5 + 1e-4);
    near(advantages, [a, -a, -a, a, 0, 0, 0, 0]);
    expect(zeroVar).toEqual([false, true]);
    expect(baseline).toBe(0); // not a reinforce run: no baseline kept

    // one right out of four: mean 0.25, std sqrt(0.1875)
    const s = Math.sqrt(0.1875);
    near(computeAdvantages('grpo', [0, 0, 1, 0], 4, null).advantages, [-0.25 / (s + 1e-4), -0.25 / (s + 1e-4), 0.75 / (s + 1e-4), -0.25 / (s + 1e-4)]);
    // non-binary rewards: [3, -1] -> mean 1, std 2
    near(computeAdvantages('grpo', [3, -1], 2, null).advantages, [2 / 2.0001, -2 / 2.0001]);
  });

  it('drgrpo: r - group mean, no std division', () => {
    const { advantages, zeroVar } = computeAdvantages('drgrpo', R, 4, null);
    near(advantages, [0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0]);
    expect(zeroVar).toEqual([false, true]);
    near(computeAdvantages('drgrpo', [0, 0, 1, 0], 4, null).advantages, [-0.25, -0.25, 0.75, -0.25]);
  });

  it('rloo: r - mean of the other G-1 rewards', () => {
    const { advantages, zeroVar } = computeAdvantages('rloo', R, 4, null);
    near(advantages, [1 - 1 / 3, 0 - 2 / 3, 0 - 2 / 3, 1 - 1 / 3, 0, 0, 0, 0]);
    expect(zeroVar).toEqual([false, true]);
    // [0.1, 1, 0]: others' means 0.5, 0.05, 0.55
    near(computeAdvantages('rloo', [0.1, 1, 0], 3, null).advantages, [0.1 - 0.5, 1 - 0.05, 0 - 0.55]);
    // rloo == G/(G-1) * drgrpo
    const dr = computeAdvantages('drgrpo', [0, 0, 1, 0, 1, 0.1], 6, null).advantages;
    near(computeAdvantages('rloo', [0, 0, 1, 0, 1, 0.1], 6, null).advantages, Array.from(dr, (x) => (x * 6) / 5));
  });

  it('reinforce: the first batch uses its own mean, then a momentum running mean', () => {
    // batch 1: mean 0.75; baseline null -> used = 0.75; b = 0.9*0.75 + 0.1*0.75 = 0.75
    const one = computeAdvantages('reinforce', R, 4, null);
    near(one.advantages, R.map((r) => r - 0.75));
    expect(one.baseline).toBeCloseTo(0.75, 12);
    expect(one.zeroVar).toEqual([false, true]); // still flagged per group
    // batch 2: mean 0.25; uses b = 0.75; b <- 0.9*0.75 + 0.1*0.25 = 0.7
    const R2 = [0, 0, 0, 0, 0, 0, 1, 1];
    const two = computeAdvantages('reinforce', R2, 4, one.baseline);
    near(two.advantages, R2.map((r) => r - 0.75));
    expect(two.baseline).toBeCloseTo(0.7, 12);
    expect(two.zeroVar).toEqual([true, false]);
    // batch 3 with momentum 0.5: uses 0.7; b <- 0.5*0.7 + 0.5*1 = 0.85
    const three = computeAdvantages('reinforce', [1, 1], 2, two.baseline, 0.5);
    near(three.advantages, [0.3, 0.3]);
    expect(three.baseline).toBeCloseTo(0.85, 12);
    // a zero-variance batch still gets a signal against the baseline (unlike the group estimators)
    expect(three.zeroVar).toEqual([true]);
  });

  it('flags exactly the groups whose rewards are all equal (within 1e-9)', () => {
    const r = [1, 0, 1, 0, 0, 0, 0.1, 0.1, 0.1 + 1e-12, 0.5, 0.5, 0.5000001];
    for (const algo of ['grpo', 'drgrpo', 'rloo', 'reinforce'] as const) {
      expect(computeAdvantages(algo, r, 3, null).zeroVar, algo).toEqual([false, true, true, false]);
    }
    // grpo on a zero-variance group: exactly 0 (no division blow-up)
    const g = computeAdvantages('grpo', [0.3, 0.3, 0.3], 3, null).advantages;
    expect(Array.from(g)).toEqual([0, 0, 0]);
  });

  it('rejects rewards that do not split into groups', () => {
    expect(() => computeAdvantages('grpo', [1, 0, 1], 2, null)).toThrow(/groups of 2/);
    expect(() => computeAdvantages('grpo', [1, 0], 0, null)).toThrow();
  });
});

describe('sequenceWeights', () => {
  const lens = [2, 4, 8];
  it('drgrpo: the constant 1 / (Lmax * N), whatever the lengths', () => {
    near(sequenceWeights('drgrpo', lens, 10), [1 / 30, 1 / 30, 1 / 30]);
  });
  it.each(['grpo', 'rloo', 'reinforce'] as const)('%s: 1 / (|o_i| * N) (mean per sequence, then over sequences)', (algo) => {
    near(sequenceWeights(algo, lens, 10), [1 / 6, 1 / 12, 1 / 24]);
    // a sequence's weights sum to 1/N over its tokens
    const w = sequenceWeights(algo, lens, 10);
    near(lens.map((l, i) => l * w[i]!), [1 / 3, 1 / 3, 1 / 3]);
    // an empty completion does not divide by zero
    near(sequenceWeights(algo, [0, 2], 5), [1 / 2, 1 / 4]);
  });
});

/** Every k-subset of {0..n-1}. */
function* subsets(n: number, k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield acc;
    return;
  }
  for (let i = start; i <= n - (k - acc.length); i++) yield* subsets(n, k, i + 1, [...acc, i]);
}

describe('passAtK', () => {
  it('equals brute-force enumeration of all k-subsets (n <= 10, every c, every k <= n)', () => {
    let cases = 0;
    for (let n = 1; n <= 10; n++) {
      for (let c = 0; c <= n; c++) {
        for (let k = 1; k <= n; k++) {
          // samples 0..c-1 are the correct ones
          let hit = 0;
          let all = 0;
          for (const s of subsets(n, k)) {
            all++;
            if (s.some((i) => i < c)) hit++;
          }
          expect(Math.abs(passAtK(n, c, k) - hit / all), `n=${n} c=${c} k=${k}`).toBeLessThanOrEqual(1e-12);
          cases++;
        }
      }
    }
    expect(cases).toBe(440);
  });

  it('edge values: pass@1 = c/n, c = 0 -> 0, c = n -> 1', () => {
    expect(passAtK(10, 3, 1)).toBeCloseTo(0.3, 15);
    expect(passAtK(7, 0, 7)).toBe(0);
    expect(passAtK(7, 7, 1)).toBe(1);
    // large n stays in [0, 1] (product form, no factorial overflow)
    const v = passAtK(1000, 1, 500);
    expect(v).toBeCloseTo(0.5, 12);
  });

  it('errors for k > n and invalid inputs', () => {
    expect(() => passAtK(4, 2, 5)).toThrow(/k=5 exceeds the 4 samples/);
    expect(() => passAtK(0, 0, 1)).toThrow(/exceeds/);
    expect(() => passAtK(4, 5, 1)).toThrow(/n >= c/);
    expect(() => passAtK(4, 1, 0)).toThrow(/k >= 1/);
    expect(() => passAtK(4, -1, 1)).toThrow();
    expect(() => passAtK(4.5, 1, 1)).toThrow();
  });
});
