// Shared shapes of the per-task test files: generating many problems per seed, the gold-verdict
// assertions, the verifier truth-table rows every task has (wrong answer, missing think, broken tags,
// malformed answers, wrong step that is still paid, garbage think with the right answer), reward
// schemes (a wrong answer always earns less than the right one with the same steps, an empty think
// earns no step credit), the truncated flag, hostile-completion suites and length bounds. The
// task-specific checks stay in the files.

import { expect, it } from 'vitest';
import { Rng } from '../../src/rng.ts';
import { tokenLength } from '../../src/tasks/format.ts';
import { SCHEMES } from '../../src/tasks/rewards.ts';
import type { Check, Gold, Task, Verdict } from '../../src/tasks/types.ts';
import { expectNeverPaid } from './hostile.ts';

type Opts = { truncated?: boolean; scheme?: string };

/** `n` problems drawn from one rng seeded with `seed`. */
export function generateMany<P, C extends object>(task: Task<P, C>, seed: number, n: number, cfg: C): P[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => task.generate(rng, cfg));
}

/** The named check of a verdict. */
export const checkOf = (v: Verdict, name: string): Check | undefined => v.checks.find((c) => c.name === name);

/** Printable junk of `n` characters drawn from `rng` (callers share the rng, so call order matters). */
export const junkFrom = (rng: Rng) => (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + rng.int(95))).join('');

/** Printable ASCII without < or > (prompts, traces and answers never contain tags or newlines). */
export function expectPlainAscii(s: string, label: string = JSON.stringify(s)): void {
  expect([...s].filter((ch) => ch < ' ' || ch > '~' || ch === '<' || ch === '>'), label).toEqual([]);
}

/** Same seed, same problems; another seed, other problems (compared through `key` when given). */
export function expectDeterministic<P>(problems: (seed: number) => P[], seed: number, other: number, key?: (p: P) => unknown): void {
  expect(problems(seed)).toEqual(problems(seed));
  const k = key ?? ((p: P) => p);
  expect(problems(seed).map(k)).not.toEqual(problems(other).map(k));
}

/** A gold completion's verdict: fully right, every check passed, no wrong step, reward 1, the gold answer. */
export function expectGoldVerdict(r: Verdict, answer: string, label: string): void {
  expect(r.correct, `${label}: ${JSON.stringify(r.checks)}`).toBe(true);
  expect(r.fully_correct, label).toBe(true);
  expect(r.checks.every((c) => c.passed)).toBe(true);
  expect(r.first_wrong_step).toBeNull();
  expect(r.reward).toBe(1);
  expect(r.answer).toBe(answer);
}

/** A well-formed wrong answer: format ok, outcome wrong with `detail`, reward 0. */
export function expectWrongAnswer(r: Verdict, detail: string | RegExp, label?: string): void {
  expect(r.correct, label).toBe(false);
  expect(r.fully_correct, label).toBe(false);
  expect(r.format_ok).toBe(true);
  if (typeof detail === 'string') expect(checkOf(r, 'answer')?.detail).toBe(detail);
  else expect(checkOf(r, 'answer')?.detail).toMatch(detail);
  expect(r.reward).toBe(0);
}

/** No think block where one is required: the format fails, so not correct. */
export function expectMissingThink(r: Verdict): void {
  expect(r.format_ok).toBe(false);
  expect(r.correct).toBe(false);
  expect(checkOf(r, 'format')?.detail).toMatch(/missing <think> block/);
}

/** Every completion has a broken layout: format fails, not correct, reward 0. Returns the verdicts. */
export function expectFormatBroken(v: (c: string) => Verdict, completions: string[]): Verdict[] {
  return completions.map((c) => {
    const r = v(c);
    expect(r.format_ok, c).toBe(false);
    expect(r.correct, c).toBe(false);
    expect(r.fully_correct, c).toBe(false);
    expect(r.reward, c).toBe(0);
    return r;
  });
}

/** Every answer is rejected by the answer check with a detail matching `why`. */
export function expectAnswersRejected(withAnswer: (a: string) => Verdict, answers: string[], why: RegExp): void {
  for (const a of answers) {
    const r = withAnswer(a);
    expect(r.correct, a).toBe(false);
    expect(checkOf(r, 'answer')?.detail, a).toMatch(why);
  }
}

/**
 * A wrong step with the right answer: the step is named, the steps check fails; still correct (the
 * outcome rewards pay it, documented) but not fully right, so it counts in no accuracy.
 */
export function expectWrongStepStillPaid(r: Verdict, firstWrong: { step: number; reason: string }): void {
  expect(r.first_wrong_step).toEqual(firstWrong);
  expect(checkOf(r, 'steps')?.passed).toBe(false);
  expect(r.correct).toBe(true);
  expect(r.fully_correct).toBe(false);
}

/** A huge garbage think with the right answer: paid, the steps check fails at step 1 with a short reason, fast. */
export function expectGarbageThinkPaid(withThink: (think: string) => Verdict, thinks: string[]): void {
  for (const think of thinks) {
    const t0 = performance.now();
    const r = withThink(think);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.correct).toBe(true);
    expect(r.fully_correct).toBe(false);
    expect(checkOf(r, 'steps')?.passed).toBe(false);
    expect(r.first_wrong_step?.step).toBe(1);
    expect(r.first_wrong_step!.reason.length).toBeLessThan(200);
  }
}

/** binary (the default) pays 1 for `good`; tinyzero pays 1 / 0.1 for `wrong` / 0 for `unanswered`; unknown schemes throw. */
export function expectRewardSchemes(v: (c: string, opts?: Opts) => Verdict, c: { good: string; wrong: string; unanswered: string }): void {
  expect(v(c.good).reward).toBe(1);
  expect(v(c.good).scheme).toBe('binary');
  expect(v(c.good, { scheme: 'tinyzero' }).reward).toBe(1);
  expect(v(c.wrong, { scheme: 'tinyzero' }).reward).toBe(0.1);
  expect(v(c.unanswered, { scheme: 'tinyzero' }).reward).toBe(0);
  expect(() => v(c.good, { scheme: 'partial' })).toThrow(/unknown reward scheme/);
}

const withThink = (think: string, answer: string) => `<think>${think}</think><answer>${answer}</answer>`;

/**
 * For each problem: the gold steps with the well-formed wrong answer `wrong(p, gold)` earn strictly
 * less than the gold completion under every scheme, and at most half under 'process' (its outcome
 * half is lost); the wrong one is neither correct nor fully right.
 */
export function expectWrongAnswerPaidLess<P, C extends object>(task: Task<P, C>, cfg: C, problems: P[], wrong: (p: P, gold: Gold) => string): void {
  for (const p of problems) {
    const gold = task.gold(p, cfg);
    const bad = wrong(p, gold);
    const label = `${task.prompt(p, cfg)} answer ${bad} for ${gold.answer}`;
    for (const scheme of SCHEMES) {
      const right = task.verify(p, withThink(gold.trace, gold.answer), cfg, { scheme });
      const w = task.verify(p, withThink(gold.trace, bad), cfg, { scheme });
      expect(right.fully_correct, label).toBe(true);
      expect(w.format_ok, label).toBe(true);
      expect(checkOf(w, 'answer')?.passed, label).toBe(false);
      expect(w.correct, label).toBe(false);
      expect(w.fully_correct, label).toBe(false);
      expect(w.reward, `${label} (${scheme})`).toBeLessThan(right.reward);
      if (scheme === 'process') expect(w.reward, label).toBeLessThanOrEqual(0.5);
    }
  }
}

/**
 * For each problem: an empty think earns no step credit. The steps check fails at step 1, so the
 * right answer is correct but not fully right, and 'process' pays only its outcome half: 0.5 for
 * the right answer, 0 for `wrong(p, gold)`.
 */
export function expectEmptyThinkNoStepCredit<P, C extends object>(task: Task<P, C>, cfg: C, problems: P[], wrong: (p: P, gold: Gold) => string): void {
  for (const p of problems) {
    const gold = task.gold(p, cfg);
    const label = task.prompt(p, cfg);
    const r = task.verify(p, withThink('', gold.answer), cfg, { scheme: 'process' });
    expect(r.format_ok, label).toBe(true);
    expect(r.correct, label).toBe(true);
    expect(r.fully_correct, label).toBe(false);
    expect(checkOf(r, 'steps')?.passed, label).toBe(false);
    expect(r.first_wrong_step?.step, label).toBe(1);
    expect(r.reward, label).toBe(0.5);
    expect(task.verify(p, withThink('', wrong(p, gold)), cfg, { scheme: 'process' }).reward, label).toBe(0);
    // 'full' pays only fully right completions: the right answer without its steps earns nothing.
    expect(task.verify(p, withThink('', gold.answer), cfg, { scheme: 'full' }).reward, label).toBe(0);
    expect(task.verify(p, withThink(gold.trace, gold.answer), cfg, { scheme: 'full' }).reward, label).toBe(1);
  }
}

/** The sampler's truncated flag passes through; a completion cut inside the answer is not correct. */
export function expectTruncatedPassesThrough(v: (c: string, opts?: Opts) => Verdict, good: string, cut: string): void {
  expect(v(good, { truncated: true }).truncated).toBe(true);
  expect(v(good).truncated).toBe(false);
  const r = v(cut, { truncated: true });
  expect(r.truncated).toBe(true);
  expect(r.correct).toBe(false);
}

/** One test per hostile completion: none crashes, none is paid under any scheme. */
export function hostileSuite(hostile: [string, string][], v: (c: string, opts?: Opts) => Verdict): void {
  for (const [name, text] of hostile) {
    it(name, () => {
      expectNeverPaid((scheme) => v(text, { scheme }));
    });
  }
}

/**
 * The longest prompt and gold completion (in tokens) over `problems` stay within the task's
 * bounds for `cfg`; returns the bounds and what was seen, for tighter task-specific checks.
 */
export function expectLengthBounds<P, C extends object>(
  task: Task<P, C>,
  cfg: C,
  problems: P[],
  completion: (p: P) => string,
  label?: string,
): { maxP: number; maxC: number; seenP: number; seenC: number } {
  const maxP = task.maxPromptLength(cfg);
  const maxC = task.maxCompletionLength(cfg);
  let seenP = 0;
  let seenC = 0;
  for (const p of problems) {
    seenP = Math.max(seenP, tokenLength(task.prompt(p, cfg)));
    seenC = Math.max(seenC, tokenLength(completion(p)));
  }
  expect(seenP, label && `prompt ${label}`).toBeLessThanOrEqual(maxP);
  expect(seenC, label && `completion ${label}`).toBeLessThanOrEqual(maxC);
  return { maxP, maxC, seenP, seenC };
}
