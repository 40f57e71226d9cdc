// The countdown search trace, in the spirit of Stream of Search (Gandhi et al. 2024): a fixed,
// bounded depth-first search that writes every operation it tries, `^` when it gives up on a state,
// and stops at the first operation that reaches the target. Also the step parser and the checker
// that accepts ANY valid search written this way (true arithmetic on available numbers), not only
// the gold order.

import { applyOp, quote, rat, ratEq, showRat, type CountdownExpr, type CountdownOp, type Rat } from './countdown-expr.ts';

/** Largest intermediate value the search (and the generator) writes. */
export const INTERMEDIATE_MAX = 9999;
/** The step that goes back from the current state to the one before it. */
export const BACK = '^';

interface Entry {
  value: number;
  expr: CountdownExpr;
}

export interface Search {
  steps: string[];
  /** The solution the search ends at. */
  expr: CountdownExpr;
  /** How many times it went back (`^` steps). */
  backtracks: number;
}

/** Larger value first; equal values keep their order. */
const ordered = (p: Entry, q: Entry): [Entry, Entry] => (p.value >= q.value ? [p, q] : [q, p]);

/** a op b for a >= b as the search allows it between states: positive integers <= INTERMEDIATE_MAX. */
function stateOp(a: number, op: CountdownOp, b: number): number | null {
  const v = op === '+' ? a + b : op === '-' ? (a > b ? a - b : 0) : op === '*' ? a * b : b > 1 && a % b === 0 ? a / b : 0;
  return v >= 1 && v <= INTERMEDIATE_MAX ? v : null;
}

/**
 * The gold search, or null when it needs more than `budget` characters of trace (steps joined by
 * commas). Rules, with a the larger and b the smaller of the two numbers an operation uses, both
 * written in that order (`a op b=v`):
 * - A state with three or more numbers tries its pairs in order (positions i < j; a pair of values
 *   already tried in this state is skipped) and, within a pair, the operations `* + - /` when the
 *   target is above the sum of the state's numbers, else `+ - * /`; `-` only when a > b, `/` only
 *   when b > 1 divides a (a/1 equals a*1), no result above INTERMEDIATE_MAX. Each operation moves
 *   to the state without a and b and with the result appended; when that state fails, `^` comes
 *   back and the next operation is tried.
 * - A state with two numbers tries only operations that can still hit the target t: if t > a,
 *   `a+b`, then `a*b` if b > 1 and t > a+b (a*b >= a+b otherwise); if t < a, `a-b` if a > b, then
 *   `a/b` if b > 1 divides a; if t = a, `a*1` when b = 1. Each miss is a dead end.
 * Every solution of the generator (positive integer steps) is found, given an unlimited budget.
 */
export function goldSearch(numbers: readonly number[], target: number, budget = Infinity): Search | null {
  const steps: string[] = [];
  let chars = -1;
  let backtracks = 0;
  let over = false;
  const write = (s: string): boolean => {
    steps.push(s);
    chars += s.length + 1;
    over = chars > budget;
    return !over;
  };
  const combine = (x: Entry, op: CountdownOp, y: Entry, value: number): Entry => ({ value, expr: { kind: 'op', op, l: x.expr, r: y.expr } });

  function lastPair(pool: Entry[]): Entry | null {
    const [x, y] = ordered(pool[0]!, pool[1]!);
    const a = x.value;
    const b = y.value;
    const tries: [CountdownOp, number][] = [];
    if (target > a) {
      tries.push(['+', a + b]);
      if (b > 1 && target > a + b) tries.push(['*', a * b]);
    } else if (target < a) {
      if (a > b) tries.push(['-', a - b]);
      if (b > 1 && a % b === 0) tries.push(['/', a / b]);
    } else if (b === 1) tries.push(['*', a]);
    for (const [op, v] of tries) {
      if (!write(`${a}${op}${b}=${v}`)) return null;
      if (v === target) return combine(x, op, y, v);
    }
    return null;
  }

  function state(pool: Entry[]): Entry | null {
    if (pool.length === 2) return lastPair(pool);
    const sum = pool.reduce((s, e) => s + e.value, 0);
    const ops: CountdownOp[] = target > sum ? ['*', '+', '-', '/'] : ['+', '-', '*', '/'];
    const seen = new Set<string>();
    for (let i = 0; i < pool.length; i++) {
      for (let j = i + 1; j < pool.length; j++) {
        const [x, y] = ordered(pool[i]!, pool[j]!);
        const key = `${x.value},${y.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const rest = pool.filter((_, k) => k !== i && k !== j);
        for (const op of ops) {
          const v = stateOp(x.value, op, y.value);
          if (v === null) continue;
          if (!write(`${x.value}${op}${y.value}=${v}`)) return null;
          const found = state([...rest, combine(x, op, y, v)]);
          if (found || over || !write(BACK)) return found;
          backtracks++;
        }
      }
    }
    return null;
  }

  if (numbers.length < 2) return null;
  const found = state(numbers.map((value) => ({ value, expr: { kind: 'num', value } })));
  return found && !over ? { steps, expr: found.expr, backtracks } : null;
}

// ---------------------------------------------------------------------------------------------
// Checking a written search: steps `x op y=z` (values `[-]N` or `([-]N/N)`, no spaces) and `^`.

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

const list = (xs: Rat[]) => {
  const s = xs.map(showRat).join(',');
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/**
 * Check a written search: null when every step is right and the search ends at the target, else
 * the first wrong step (1-based; a missing end is step count + 1). The search keeps a stack of
 * states, the given numbers at the bottom. An operation must use two entries of the current state
 * (by value) and be exact arithmetic (fractions and negatives allowed); it moves to the state with
 * its result in their place, except when that state is a single number: then it is the target,
 * which ends the search (nothing may follow), or a dead end, and the search stays where it was.
 * `^` goes back to the state before the current one. The order of the tries is free: any valid
 * search passes, the gold one or another.
 */
export function checkSearch(numbers: readonly number[], target: number, think: string): { step: number; reason: string } | null {
  const stack: Rat[][] = [numbers.map((v) => ({ n: BigInt(v), d: 1n }))];
  const goal: Rat = { n: BigInt(target), d: 1n };
  const steps = think.length ? think.split(',') : [];
  let deadEnd: Rat | null = null;
  for (let i = 0; i < steps.length; i++) {
    const k = i + 1;
    const pool = stack[stack.length - 1]!;
    if (steps[i] === BACK) {
      if (stack.length === 1) return { step: k, reason: `step ${k}: "${BACK}" at the given numbers, there is no earlier state to go back to` };
      stack.pop();
      deadEnd = null;
      continue;
    }
    const st = parseStep(steps[i]!);
    if (typeof st === 'string') return { step: k, reason: `step ${k} ${quote(steps[i]!)}: ${st}` };
    // Both operands must be in the current state (by value), as two different entries.
    const ix = pool.findIndex((v) => ratEq(v, st.x));
    const iy = pool.findIndex((v, j) => j !== ix && ratEq(v, st.y));
    const missing = ix < 0 ? st.x : iy < 0 ? st.y : null;
    if (missing) return { step: k, reason: `step ${k}: ${showRat(missing)} is not available (the state is ${list(pool) || 'empty'})` };
    const v = applyOp(st.x, st.op, st.y);
    if (v === null) return { step: k, reason: `step ${k}: division by zero` };
    if (!ratEq(v, st.z)) return { step: k, reason: `step ${k}: ${showRat(st.x)}${st.op}${showRat(st.y)} is ${showRat(v)}, not ${showRat(st.z)}` };
    const next = [...pool.filter((_, j) => j !== ix && j !== iy), v];
    deadEnd = null;
    if (next.length > 1) stack.push(next);
    else if (ratEq(v, goal)) {
      if (k < steps.length) return { step: k + 1, reason: `step ${k + 1}: the search reached the target ${target} at step ${k}; nothing may follow` };
      return null;
    } else deadEnd = v;
  }
  const k = steps.length + 1;
  const pool = stack[stack.length - 1]!;
  if (deadEnd) return { step: k, reason: `missing step ${k}: the search stops at a dead end (${showRat(deadEnd)} is not the target ${target})` };
  return { step: k, reason: `missing step ${k}: the search stops at the state ${list(pool)} without reaching ${target}` };
}
