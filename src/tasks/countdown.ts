// Countdown (TinyZero-style): reach a target from 3 or 4 given numbers with + - * / and
// parentheses, using each given number exactly once.
//
// Prompt: the numbers, a colon, the target, `=`: `3,7,25,50:100=` (the rules forbid '>', so no
// arrow). Numbers are drawn uniformly from 1..maxNumber (repeats allowed).
// Trace (`<think>`): the gold construction, one operation per step, in post-order of the gold
// expression tree, comma-separated, no spaces: `50-25=25,7-3=4,25*4=100`.
// Answer (`<answer>`): one expression, e.g. `(50-25)*(7-3)` (spaces between tokens allowed).
//
// Generation: starting from the pool of numbers, repeatedly pick uniformly among all valid moves
// (ordered pair of pool entries and an operator) until one value is left. Gold intermediates are
// kept positive integers <= 9999 (a-b needs a>b, a/b needs b | a), so gold traces stay compact;
// the target must be an integer in 1..999 (otherwise the build is redrawn).
//
// Verification is exact and accepts ANY correct expression, not only the gold one:
// - answer: a recursive-descent parser (precedence, left associativity, parentheses; decimal
//   integers without leading zeros; no unary minus or plus; at most 200 characters and nesting
//   depth 20), evaluated in exact rational arithmetic (BigInt numerator/denominator; division
//   by zero makes the answer invalid). The multiset of literals must equal the given multiset and
//   the value must equal the target.
// - steps: each step `x op y=z` must be arithmetically right (rationals allowed: a non-integer
//   value is written in parentheses as `(n/d)`, a negative one with a leading `-`, e.g.
//   `3-7=-4`, `3/4=(3/4)`), both operands must be available (the givens or earlier results,
//   each used once, matched by value), and after the steps exactly one value may remain and it
//   must equal the target. `first_wrong_step` names the first step that breaks a rule; a
//   missing step is reported as step (number of steps + 1).
// As in addition, `correct` = format && answer; the steps are a separate check.

import type { Rng } from '../rng.ts';
import { finishVerdict, formatCheck, parseCompletion } from './format.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';
import { applyOp, evaluateExpression, quote, rat, ratEq, showRat, type CountdownOp, type Rat } from './countdown-expr.ts';

export { applyOp, evaluateExpression, MAX_DEPTH, MAX_EXPR_CHARS, showRat, type CountdownOp, type ExprResult, type Rat } from './countdown-expr.ts';

export interface CountdownConfig {
  /** How many numbers are given (3-4). */
  count: number;
  /** Largest given number (9-99); numbers are drawn from 1..maxNumber. */
  maxNumber: number;
}


/** The gold construction: a binary tree over the given numbers. */
export type CountdownExpr = { kind: 'num'; value: number } | { kind: 'op'; op: CountdownOp; l: CountdownExpr; r: CountdownExpr };

export interface CountdownProblem {
  /** The given numbers, in prompt order. */
  numbers: number[];
  target: number;
  /** One gold solution (the construction the target was built from). */
  expr: CountdownExpr;
}

export const TARGET_MIN = 1;
export const TARGET_MAX = 999;
/** Largest intermediate value in a gold construction. */
export const INTERMEDIATE_MAX = 9999;

const OPS: readonly CountdownOp[] = ['+', '-', '*', '/'];


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

// ---------------------------------------------------------------------------------------------
// Steps: `x op y=z`, values `[-]N` or `([-]N/N)`, no spaces.

interface ParsedStep {
  x: Rat;
  op: CountdownOp;
  y: Rat;
  z: Rat;
}

const MAX_STEP_CHARS = 100;

function parseStep(s: string): ParsedStep | string {
  if (s.length === 0) return 'empty step';
  if (s.length > MAX_STEP_CHARS) return `longer than ${MAX_STEP_CHARS} characters`;
  let pos = 0;
  const digits = (): bigint | string => {
    const start = pos;
    while (pos < s.length && s[pos]! >= '0' && s[pos]! <= '9') pos++;
    const lit = s.slice(start, pos);
    if (lit.length === 0) return `expected a number at column ${start + 1}`;
    if (lit.length > 1 && lit[0] === '0') return `number ${quote(lit)} has a leading zero`;
    return BigInt(lit);
  };
  const signed = (): bigint | string => {
    const neg = s[pos] === '-';
    if (neg) pos++;
    const v = digits();
    return typeof v === 'string' ? v : neg ? -v : v;
  };
  const value = (): Rat | string => {
    if (s[pos] !== '(') {
      const n = signed();
      return typeof n === 'string' ? n : { n, d: 1n };
    }
    pos++;
    const n = signed();
    if (typeof n === 'string') return n;
    if (s[pos] !== '/') return `expected "/" in a fraction at column ${pos + 1}`;
    pos++;
    const d = digits();
    if (typeof d === 'string') return d;
    if (s[pos] !== ')') return `expected ")" at column ${pos + 1}`;
    pos++;
    return rat(n, d) ?? 'a fraction with denominator 0';
  };
  const x = value();
  if (typeof x === 'string') return x;
  const op = s[pos];
  if (op !== '+' && op !== '-' && op !== '*' && op !== '/') return `expected an operator at column ${pos + 1}`;
  pos++;
  const y = value();
  if (typeof y === 'string') return y;
  if (s[pos] !== '=') return `expected "=" at column ${pos + 1}`;
  pos++;
  const z = value();
  if (typeof z === 'string') return z;
  if (pos !== s.length) return `unexpected ${quote(s.slice(pos))} at column ${pos + 1}`;
  return { x, op, y, z };
}

/** Check a trace against a problem: null when every step is right, else the first wrong step. */
export function checkSteps(p: Pick<CountdownProblem, 'numbers' | 'target'>, think: string): { step: number; reason: string } | null {
  const pool: Rat[] = p.numbers.map((v) => ({ n: BigInt(v), d: 1n }));
  const poolText = () => list(pool.map(showRat));
  const target: Rat = { n: BigInt(p.target), d: 1n };
  const steps = think.length ? think.split(',') : [];
  for (let i = 0; i < steps.length; i++) {
    const k = i + 1;
    const st = parseStep(steps[i]!);
    if (typeof st === 'string') return { step: k, reason: `step ${k} ${quote(steps[i]!)}: ${st}` };
    // Both operands must be in the pool (by value), as two different entries.
    const ix = pool.findIndex((v) => ratEq(v, st.x));
    const iy = pool.findIndex((v, i) => i !== ix && ratEq(v, st.y));
    const missing = ix < 0 ? st.x : iy < 0 ? st.y : null;
    if (missing) return { step: k, reason: `step ${k}: ${showRat(missing)} is not available (left: ${poolText() || 'nothing'})` };
    pool.splice(Math.max(ix, iy), 1);
    pool.splice(Math.min(ix, iy), 1);
    const v = applyOp(st.x, st.op, st.y);
    if (v === null) return { step: k, reason: `step ${k}: division by zero` };
    if (!ratEq(v, st.z)) return { step: k, reason: `step ${k}: ${showRat(st.x)}${st.op}${showRat(st.y)} is ${showRat(v)}, not ${showRat(st.z)}` };
    pool.push(v);
  }
  if (pool.length > 1) {
    const k = steps.length + 1;
    return { step: k, reason: `missing step ${k}: ${pool.length} values left (${poolText()}), need one` };
  }
  if (!ratEq(pool[0]!, target)) return { step: steps.length, reason: `step ${steps.length}: the last result ${showRat(pool[0]!)} is not the target ${p.target}` };
  return null;
}

// ---------------------------------------------------------------------------------------------
// Generation and gold.

const PREC: Record<CountdownOp, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };

/** Minimal-parentheses rendering (left associative; a-(b+c) and a/(b*c) keep theirs). */
export function renderExpr(e: CountdownExpr): string {
  if (e.kind === 'num') return String(e.value);
  const p = PREC[e.op];
  const l = renderExpr(e.l);
  const r = renderExpr(e.r);
  const lp = e.l.kind === 'op' && PREC[e.l.op] < p;
  const rp = e.r.kind === 'op' && (PREC[e.r.op] < p || (PREC[e.r.op] === p && (e.op === '-' || e.op === '/')));
  return `${lp ? `(${l})` : l}${e.op}${rp ? `(${r})` : r}`;
}

/** Post-order steps `x op y=z` of a gold tree (integer intermediates); returns the value. */
function goldSteps(e: CountdownExpr, out: string[]): number {
  if (e.kind === 'num') return e.value;
  const x = goldSteps(e.l, out);
  const y = goldSteps(e.r, out);
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

const digitsOf = (n: number) => String(n).length;

export const countdown: Task<CountdownProblem, CountdownConfig> = {
  name: 'countdown',
  version: 1,
  description: 'Reach the target from the given numbers with + - * / and parentheses, each number used exactly once.',
  defaults: { count: 4, maxNumber: 20 },
  curriculum: [{ count: 3, maxNumber: 9 }, { count: 3, maxNumber: 20 }, { count: 4, maxNumber: 20 }, { count: 4, maxNumber: 99 }],
  knobs: {
    count: { min: 3, max: 4, integer: true, help: 'how many numbers are given' },
    maxNumber: { min: 9, max: 99, integer: true, help: 'largest given number (numbers are drawn from 1..maxNumber)' },
  },
  options: {},

  generate(rng, cfg) {
    // Every build has positive probability of succeeding (all-+ sums stay in 3..396), so this
    // loop ends; the guard only turns a bug into an error instead of a hang.
    for (let tries = 0; tries < 10_000; tries++) {
      const numbers = Array.from({ length: cfg.count }, () => rng.range(1, cfg.maxNumber));
      for (let attempt = 0; attempt < 20; attempt++) {
        const b = build(rng, numbers);
        if (b) return { numbers, target: b.value, expr: b.expr };
      }
    }
    throw new Error('countdown.generate: no problem found (bug)');
  },

  // The puzzle is the multiset of numbers and the target, whatever their order or gold solution.
  level: (p) => `${p.numbers.length} numbers`,
  canonical: (p) => `${[...p.numbers].sort((a, b) => a - b).join(',')}:${p.target}`,

  prompt: (p) => `${p.numbers.join(',')}:${p.target}=`,

  gold(p): Gold {
    const steps: string[] = [];
    goldSteps(p.expr, steps);
    return { trace: steps.join(','), answer: renderExpr(p.expr) };
  },

  // count numbers of up to d digits, count-1 commas, ':', a 3-digit target, '='.
  maxPromptLength: (cfg) => cfg.count * digitsOf(cfg.maxNumber) + (cfg.count - 1) + 1 + digitsOf(TARGET_MAX) + 1,

  maxCompletionLength(cfg) {
    const dn = digitsOf(cfg.maxNumber);
    // A non-final intermediate combines at most count-1 numbers: <= maxNumber^(count-1), capped.
    const di = digitsOf(Math.min(INTERMEDIATE_MAX, cfg.maxNumber ** (cfg.count - 1)));
    const nSteps = cfg.count - 1;
    // Each step: two operands (<= di digits), op, '=', result (<= di digits, the last <= 3).
    const trace = nSteps * (2 * di + 2) + (nSteps - 1) * di + digitsOf(TARGET_MAX) + (nSteps - 1);
    // Answer: count numbers, count-1 operators, one pair of parentheses per non-root operator.
    const answer = cfg.count * dn + (cfg.count - 1) + 2 * (cfg.count - 2);
    return 4 + trace + answer;
  },

  verify(p, completion, _cfg, opts = {}): Verdict {
    const parsed = parseCompletion(completion, true);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;

    if (parsed.think !== null) {
      firstWrong = checkSteps(p, parsed.think);
      const n = parsed.think.length ? parsed.think.split(',').length : 0;
      // Every solution combines the numbers pairwise: count - 1 steps (the process reward's share).
      stepsTotal = Math.max(p.numbers.length - 1, n);
      checks.push({ name: 'steps', passed: firstWrong === null, detail: firstWrong ? firstWrong.reason : `${n} steps ok, reaching ${p.target}` });
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

