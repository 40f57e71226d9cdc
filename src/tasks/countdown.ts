// Countdown (TinyZero-style): reach a target from 3 or 4 given numbers with + - * / and
// parentheses, using each given number exactly once.
//
// Prompt: the numbers, a colon, the target, `=`: `3,7,8:29=` (the rules forbid '>', so no arrow).
// Answer (`<answer>`): one expression, e.g. `3*7+8` (spaces between tokens allowed).
// Trace (`<think>`), comma-separated steps `a op b=v`, by `format`:
// - `search` (default): the search that finds the answer, in the spirit of Stream of Search
//   (Gandhi et al. 2024, docs/FACTS.md): a fixed depth-first search (countdown-search.ts has the
//   rules) writes every operation it tries, `^` when it gives up on a state and goes back, and ends
//   with the operation that reaches the target. `3,7,8:29=` (29 > 3+7+8, so `*` is tried first):
//   `7*3=21,21+8=29`; `9,5,8:4=`: `9+5=14,14-8=6,^,9-5=4,8-4=4` (14-8 misses and 8 does not
//   divide 14, so back, and the next operation on 9 and 5), answer `8-(9-5)`.
//   The previous trace showed only the finished solution, so the search that found it was
//   hidden; here each try is an explicit step, and the next one follows from the last try by a
//   fixed order and a comparison with the target.
// - `solution`: the version-1 trace, the gold construction in post-order (`7*3=21,21+8=29`).
// - `mixed`: per generated problem a fair coin (drawn after the problem, so the problems are the
//   search format's) picks the search or the solution trace. Repeated draws of one puzzle get
//   both, so a model learns two right thoughts of different lengths for it (the preference
//   lesson, docs/EXPERIMENTS.md 13). The steps check is the search check, which accepts both.
// Generation: numbers uniform in 1..maxNumber (repeats allowed); the target comes from a random
// construction (uniform among valid moves, positive integer intermediates <= 9999, target in
// 1..999), and a problem is kept only when the gold search reaches it within `maxTrace` characters
// (in both formats, so both see the same problems). That bound makes maxCompletionLength exact.
// Defaults (version 2): 3 numbers from 1..9 and maxTrace 40, a context of 64 tokens. The v1
// defaults (4 numbers up to 20, targets up to 999) gave a tiny model four-digit arithmetic in one
// step, and their search traces run to ~200 characters median; 3 numbers up to 9 need small
// tables (at most two digits times one) and searches of 25 characters median, of which 65% fit
// 40. The kept problems: trace median 14 characters, 74% solved without going back, 23% after one
// `^`, 3% after two. The whole space is small: 1,631 problems, 73 of them in the test split;
// maxNumber 12 with maxTrace 48 gives 4,223 (208 test) at the cost of larger tables.
//
// Verification is exact and accepts ANY correct answer and ANY valid search, not only the gold:
// - answer: parsed (countdown-expr.ts) and evaluated in exact rationals; the multiset of literals
//   must equal the given multiset and the value must equal the target.
// - steps: every written operation must be exact arithmetic on numbers available in the current
//   state of the search, `^` must have a state to go back to, and the search must end at the
//   target (countdown-search.ts, `checkSearch`). The order of the tries is free: demanding the
//   gold order would fail searches that are right step by step; the gold order is deterministic,
//   so a model still has one trace to learn, and the steps detail says whether it was followed.
// As in addition, `correct` = format && answer; the steps are a separate check.

import type { Rng } from '../rng.ts';
import { finishVerdict, formatCheck, parseCompletion } from './format.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';
import { evaluateExpression, quote, ratEq, renderExpr, showRat, type CountdownExpr, type CountdownOp } from './countdown-expr.ts';
import { BACK, checkSearch, goldSearch, INTERMEDIATE_MAX } from './countdown-search.ts';

export { applyOp, evaluateExpression, MAX_DEPTH, MAX_EXPR_CHARS, renderExpr, showRat, type CountdownExpr, type CountdownOp, type ExprResult, type Rat } from './countdown-expr.ts';
export { BACK, checkSearch, goldSearch, INTERMEDIATE_MAX } from './countdown-search.ts';

export interface CountdownConfig {
  /** How many numbers are given (3-4). */
  count: number;
  /** Largest given number (9-99); numbers are drawn from 1..maxNumber. */
  maxNumber: number;
  /** Longest search trace in characters; problems whose gold search needs more are not drawn. */
  maxTrace: number;
  /** Trace format: `search` (the tries, dead ends and backtracks), `solution` (v1: the solution steps) or `mixed` (either, by a coin per problem). */
  format: 'search' | 'solution' | 'mixed';
}

export interface CountdownProblem {
  /** The given numbers, in prompt order. */
  numbers: number[];
  target: number;
  /** The construction the target was built from (one solution; the `solution` format's trace). */
  expr: CountdownExpr;
  /** `mixed` format only: this draw's gold trace is the solution (true) or the search. */
  direct?: boolean;
}

export const TARGET_MIN = 1;
export const TARGET_MAX = 999;

const OPS: readonly CountdownOp[] = ['+', '-', '*', '/'];
const FORMATS = ['search', 'solution', 'mixed'] as const;

/** Missing and extra numbers of `used` against `given` (as multisets of decimal strings). */
function multisetDiff(given: string[], used: string[]): { missing: string[]; extra: string[] } {
  const count = new Map<string, number>();
  for (const g of given) count.set(g, (count.get(g) ?? 0) + 1);
  const extra: string[] = [];
  for (const u of used) {
    const k = count.get(u) ?? 0;
    if (k > 0) count.set(u, k - 1);
    else extra.push(u);
  }
  const missing: string[] = [];
  for (const [g, k] of count) for (let i = 0; i < k; i++) missing.push(g);
  return { missing, extra };
}

const list = (xs: string[]) => {
  const s = xs.join(',');
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Check an answer against a problem: null when right, else the reason. */
export function checkAnswer(p: Pick<CountdownProblem, 'numbers' | 'target'>, answer: string): string | null {
  const r = evaluateExpression(answer);
  if (!r.ok) return `answer ${quote(answer)}: ${r.error}`;
  const { missing, extra } = multisetDiff(p.numbers.map(String), r.numbers);
  if (missing.length || extra.length) {
    const parts = [];
    if (extra.length) parts.push(`uses ${list(extra)} beyond the given numbers`);
    if (missing.length) parts.push(`does not use ${list(missing)}`);
    return `answer ${quote(answer)} ${parts.join(' and ')} (each of ${p.numbers.join(',')} must be used exactly once)`;
  }
  if (!ratEq(r.value, { n: BigInt(p.target), d: 1n })) return `answer ${quote(answer)} is ${showRat(r.value)}, not ${p.target}`;
  return null;
}

/** Post-order steps `x op y=z` of a construction (integer intermediates); returns the value. */
function solutionSteps(e: CountdownExpr, out: string[]): number {
  if (e.kind === 'num') return e.value;
  const x = solutionSteps(e.l, out);
  const y = solutionSteps(e.r, out);
  const z = e.op === '+' ? x + y : e.op === '-' ? x - y : e.op === '*' ? x * y : x / y;
  out.push(`${x}${e.op}${y}=${z}`);
  return z;
}

function intOp(x: number, op: CountdownOp, y: number): number | null {
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x > y ? x - y : null;
    case '*':
      return x * y;
    case '/':
      return x % y === 0 ? x / y : null;
  }
}

/** One random construction over all the numbers, or null when it dead-ends or misses the range. */
function build(rng: Rng, numbers: number[]): { value: number; expr: CountdownExpr } | null {
  let pool = numbers.map((v) => ({ value: v, expr: { kind: 'num', value: v } as CountdownExpr }));
  while (pool.length > 1) {
    const last = pool.length === 2;
    const moves: [number, CountdownOp, number, number][] = [];
    for (let i = 0; i < pool.length; i++) {
      for (let j = 0; j < pool.length; j++) {
        if (i === j) continue;
        for (const op of OPS) {
          const z = intOp(pool[i]!.value, op, pool[j]!.value);
          if (z === null || z < 1 || z > (last ? TARGET_MAX : INTERMEDIATE_MAX)) continue;
          moves.push([i, op, j, z]);
        }
      }
    }
    if (moves.length === 0) return null;
    const [i, op, j, z] = rng.choice(moves);
    const node: CountdownExpr = { kind: 'op', op, l: pool[i]!.expr, r: pool[j]!.expr };
    pool = pool.filter((_, k) => k !== i && k !== j);
    pool.push({ value: z, expr: node });
  }
  const v = pool[0]!.value;
  return v >= TARGET_MIN && v <= TARGET_MAX ? pool[0]! : null;
}

/** The gold search of a problem (it always succeeds for generated problems; hand-made ones may fail). */
function searchOf(p: CountdownProblem) {
  const s = goldSearch(p.numbers, p.target);
  if (!s) throw new Error(`countdown: the gold search finds no solution for ${p.numbers.join(',')}:${p.target} (it needs fractions, or has none)`);
  return s;
}

/** The solution trace: the construction's steps in post-order. */
function solutionTrace(p: CountdownProblem): string {
  const steps: string[] = [];
  solutionSteps(p.expr, steps);
  return steps.join(',');
}

/** Whether the problem's gold is the solution trace (the `solution` format, or `mixed` with its coin). */
const usesSolution = (p: CountdownProblem, cfg: CountdownConfig) => cfg.format === 'solution' || (cfg.format === 'mixed' && p.direct === true);

/**
 * The trace the verdict's steps detail compares with (gold or not), or null when a hand-made
 * problem has no gold search. `mixed` compares with the search, whatever the coin: the detail then
 * says whether a completion is the gold search, as in the search format.
 */
function goldTrace(p: CountdownProblem, cfg: CountdownConfig): string | null {
  if (cfg.format === 'solution') return solutionTrace(p);
  return goldSearch(p.numbers, p.target)?.steps.join(',') ?? null;
}

const digitsOf = (n: number) => String(n).length;
/** Generation gives up after this many draws (a config whose search never fits maxTrace). */
const MAX_DRAWS = 20_000;

export const countdown: Task<CountdownProblem, CountdownConfig> = {
  name: 'countdown',
  version: 2,
  description: 'Reach the target from the given numbers with + - * / and parentheses, each number used exactly once; the trace is the search.',
  defaults: { count: 3, maxNumber: 9, maxTrace: 40, format: 'search' },
  curriculum: [
    { count: 3, maxNumber: 9, maxTrace: 24 },
    { count: 3, maxNumber: 9, maxTrace: 40 },
    { count: 3, maxNumber: 20, maxTrace: 64 },
    { count: 4, maxNumber: 9, maxTrace: 96 },
    { count: 4, maxNumber: 20, maxTrace: 160 },
  ],
  knobs: {
    count: { min: 3, max: 4, integer: true, help: 'how many numbers are given' },
    maxNumber: { min: 9, max: 99, integer: true, help: 'largest given number (numbers are drawn from 1..maxNumber)' },
    maxTrace: { min: 24, max: 1000, integer: true, help: 'longest search trace in characters (problems whose search is longer are not drawn)' },
  },
  options: { format: FORMATS },

  generate(rng, cfg) {
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const numbers = Array.from({ length: cfg.count }, () => rng.range(1, cfg.maxNumber));
      for (let attempt = 0; attempt < 20; attempt++) {
        const b = build(rng, numbers);
        if (!b || !goldSearch(numbers, b.value, cfg.maxTrace)) continue;
        const p: CountdownProblem = { numbers, target: b.value, expr: b.expr };
        // The coin comes from a fork, which leaves the stream as it was: problemAt may draw again
        // (split rejection), and mixed must draw the same problems as the other formats.
        if (cfg.format === 'mixed') p.direct = rng.fork(0x6d6978).float() < 0.5;
        return p;
      }
    }
    throw new Error(`countdown.generate: no problem with count ${cfg.count}, maxNumber ${cfg.maxNumber} has a search within maxTrace ${cfg.maxTrace} in ${MAX_DRAWS} draws; raise maxTrace`);
  },

  // The puzzle is the multiset of numbers and the target, whatever their order or gold solution.
  canonical: (p) => `${[...p.numbers].sort((a, b) => a - b).join(',')}:${p.target}`,
  level(p, cfg) {
    if (cfg.format === 'solution') return `${p.numbers.length} numbers`;
    const n = goldSearch(p.numbers, p.target)?.backtracks;
    return n === undefined ? 'no gold search' : `${n} backtrack${n === 1 ? '' : 's'}`;
  },

  prompt: (p) => `${p.numbers.join(',')}:${p.target}=`,

  gold(p, cfg): Gold {
    if (usesSolution(p, cfg)) return { trace: solutionTrace(p), answer: renderExpr(p.expr) };
    const s = searchOf(p);
    return { trace: s.steps.join(','), answer: renderExpr(s.expr) };
  },

  // count numbers of up to d digits, count-1 commas, ':', a 3-digit target, '='.
  maxPromptLength: (cfg) => cfg.count * digitsOf(cfg.maxNumber) + (cfg.count - 1) + 1 + digitsOf(TARGET_MAX) + 1,

  maxCompletionLength(cfg) {
    // Answer: count numbers, count-1 operators, one pair of parentheses per non-root operator.
    const answer = cfg.count * digitsOf(cfg.maxNumber) + (cfg.count - 1) + 2 * (cfg.count - 2);
    const search = 4 + cfg.maxTrace + answer;
    if (cfg.format === 'search') return search;
    const dn = digitsOf(cfg.maxNumber);
    // A non-final intermediate combines at most count-1 numbers: <= maxNumber^(count-1), capped.
    const di = digitsOf(Math.min(INTERMEDIATE_MAX, cfg.maxNumber ** (cfg.count - 1)));
    const nSteps = cfg.count - 1;
    // Each step: two operands (<= di digits; the first ones <= dn), op, '=', result (<= di digits, the last <= 3).
    const trace = nSteps * (2 * di + 2) + (nSteps - 1) * di + digitsOf(TARGET_MAX) + (nSteps - 1);
    const solution = 4 + trace + answer;
    return cfg.format === 'mixed' ? Math.max(search, solution) : solution;
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    const parsed = parseCompletion(completion, true);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;

    if (parsed.think !== null) {
      firstWrong = checkSearch(p.numbers, p.target, parsed.think);
      const goldSteps = goldTrace(p, cfg) ?? ''; // the search runs once per verdict
      let detail = firstWrong?.reason ?? '';
      if (!firstWrong) {
        const steps = parsed.think.split(',');
        const tries = steps.filter((s) => s !== BACK).length;
        const gold = goldSteps === parsed.think ? 'the gold trace' : 'not the gold trace';
        detail = `${tries} operations ok, ${steps.length - tries} backtracks, reaching ${p.target} (${gold})`;
      }
      // The process reward's share: the gold search's length, or the steps written if longer.
      stepsTotal = Math.max(goldSteps.split(',').length, parsed.think.length ? parsed.think.split(',').length : 0);
      checks.push({ name: 'steps', passed: firstWrong === null, detail });
    }

    const ans = parsed.answer === null ? null : parsed.answer.trim();
    let outcomeOk = false;
    let detail: string;
    if (ans === null) detail = 'no single answer';
    else {
      const why = checkAnswer(p, ans);
      outcomeOk = why === null;
      detail = why ?? `${quote(ans)} = ${p.target}, each number used once`;
    }
    checks.push({ name: 'answer', passed: outcomeOk, detail });

    return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
  },
};
