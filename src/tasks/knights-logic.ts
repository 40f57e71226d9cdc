// Knights and knaves: the statements, their exact truth values, the brute-force solver, the
// statement-by-statement case analysis that the 'cases' trace writes down, and the generator.
// A person is a knight (always truthful) or a knave (always lies); an assignment is a bit mask
// with bit i set when person i is a knave. Everything here is pure and exact.

import type { Rng } from '../rng.ts';

export const LETTERS = 'ABCDE';
/** Most people a statement talks about (so a prompt stays short at 5 people). */
export const MAX_GROUP = 3;

/** `is`: one claim; `and`: every claim holds; `or`: at least one holds; `one`: exactly one holds. */
export type Op = 'is' | 'and' | 'or' | 'one';

/** A claim about one person: `knight` true claims "X is a knight", false "X is a knave". */
export interface Lit {
  who: number;
  knight: boolean;
}

/** What one speaker says: `op` over 1 (`is`) or 2-3 claims about distinct people, in person order. */
export interface Statement {
  op: Op;
  lits: Lit[];
}

export interface KnightsProblem {
  /** says[i] is the statement made by person i; says.length is the number of people. */
  says: Statement[];
}

/** Whether person i is a knight under assignment `mask` (bit i set = knave). */
export const isKnight = (mask: number, i: number) => ((mask >> i) & 1) === 0;

/** A claim as one letter: upper case claims a knight, lower case a knave (also how the trace writes roles). */
export const litText = (who: number, knight: boolean) => (knight ? LETTERS[who]! : LETTERS[who]!.toLowerCase());

const OP_CHAR: Record<Exclude<Op, 'is'>, string> = { and: '&', or: '|', one: '1' };

/** `b` (B is a knave), `&Ac` (A is a knight and C a knave), `|aB` (A knave or B knight), `1ABC` (exactly one of A, B, C is a knight). */
export function statementText(s: Statement): string {
  const lits = s.lits.map((l) => litText(l.who, l.knight)).join('');
  return s.op === 'is' ? lits : OP_CHAR[s.op] + lits;
}

/** Exact truth value of a statement under an assignment. */
export function truthOf(s: Statement, mask: number): boolean {
  let held = 0;
  for (const l of s.lits) if (isKnight(mask, l.who) === l.knight) held++;
  switch (s.op) {
    case 'is':
    case 'and':
      return held === s.lits.length;
    case 'or':
      return held > 0;
    case 'one':
      return held === 1;
  }
}

/** The first speaker whose statement disagrees with their role under `mask`, or -1 when consistent. */
export function firstLiar(p: KnightsProblem, mask: number): number {
  for (let i = 0; i < p.says.length; i++) if (truthOf(p.says[i]!, mask) !== isKnight(mask, i)) return i;
  return -1;
}

/** Assignments (masks) consistent with every statement. */
export function solutions(p: KnightsProblem): number[] {
  const out: number[] = [];
  for (let mask = 0; mask < 1 << p.says.length; mask++) if (firstLiar(p, mask) < 0) out.push(mask);
  return out;
}

/** The cases of the 'enum' and 'table' traces: T before F for each person, the last person varying fastest. */
export function caseMasks(n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < 1 << n; k++) {
    let mask = 0;
    // Person i's role is bit (n-1-i) of the counter k (1 = F).
    for (let i = 0; i < n; i++) if ((k >> (n - 1 - i)) & 1) mask |= 1 << i;
    out.push(mask);
  }
  return out;
}

/** An assignment as roles in person order: `TFT`. */
export const rolesText = (mask: number, n: number) => Array.from({ length: n }, (_, i) => (isKnight(mask, i) ? 'T' : 'F')).join('');

const statementCache = new Map<number, Statement[]>();

/**
 * Every statement about n people, each meaning written once: single claims; for 2 people `and`/`or`
 * with every sign pattern and `one` with the first claim a knight one (`1ab` means `1AB`, `1aB`
 * means `1Ab`); for 3 people `and`/`or`/`one` with every sign pattern (all 24 differ).
 */
export function allStatements(n: number): Statement[] {
  const cached = statementCache.get(n);
  if (cached) return cached;
  const out: Statement[] = [];
  const groups = (size: number, from: number, acc: number[]): number[][] =>
    acc.length === size ? [acc] : Array.from({ length: n - from }, (_, k) => groups(size, from + k + 1, [...acc, from + k])).flat();
  for (let size = 1; size <= Math.min(MAX_GROUP, n); size++) {
    for (const g of groups(size, 0, [])) {
      for (let signs = 0; signs < 1 << size; signs++) {
        const lits = g.map((who, k) => ({ who, knight: ((signs >> k) & 1) === 0 }));
        if (size === 1) out.push({ op: 'is', lits });
        else {
          out.push({ op: 'and', lits }, { op: 'or', lits });
          if (size > 2 || lits[0]!.knight) out.push({ op: 'one', lits });
        }
      }
    }
  }
  statementCache.set(n, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The case analysis. Assume A's role, then take the statements in speaker order, again and again
// over the ones left open, until none is open or one contradicts. Each statement is solved with
// what is known so far: the unknown roles among its speaker and the people it names must make its
// truth equal its speaker's role; no way is a contradiction (`x`), exactly one way fixes them (the
// newly known roles, or `+` when nothing was unknown), two or more ways leave it open (`?`).

/** `x` contradiction, `?` open, `+` checked with nothing new, else the roles it fixes (case letters, person order). */
export type StepResult = string;

/** Solve statement `i` given `known` (-1 unknown, 1 knight, 0 knave); returns the result and the roles it fixes. */
export function solveStep(p: KnightsProblem, i: number, known: Int8Array): { result: StepResult; fixes: [number, boolean][] } {
  const s = p.says[i]!;
  const people = [...new Set([i, ...s.lits.map((l) => l.who)])].sort((a, b) => a - b);
  const unknown = people.filter((j) => known[j] === -1);
  let base = 0;
  for (const j of people) if (known[j] === 0) base |= 1 << j;
  let ways = 0;
  let found = 0;
  for (let bits = 0; bits < 1 << unknown.length; bits++) {
    let mask = base;
    unknown.forEach((j, k) => {
      if ((bits >> k) & 1) mask |= 1 << j;
    });
    if (truthOf(s, mask) === isKnight(mask, i)) {
      ways++;
      found = mask;
    }
  }
  if (ways === 0) return { result: 'x', fixes: [] };
  if (ways > 1) return { result: '?', fixes: [] };
  const fixes = unknown.map((j): [number, boolean] => [j, isKnight(found, j)]);
  return { result: fixes.length ? fixes.map(([j, k]) => litText(j, k)).join('') : '+', fixes };
}

export interface Branch {
  /** The steps: the assumption (`A` or `a`), then `S:result` per statement taken. */
  steps: string[];
  /** `ok`: every statement holds (mask is the assignment); `x`: a contradiction; `stuck`: a pass fixed nothing. */
  end: 'ok' | 'x' | 'stuck';
  mask: number;
}

/** The case analysis of one assumption about A. */
export function caseBranch(p: KnightsProblem, aKnight: boolean): Branch {
  const n = p.says.length;
  const known = new Int8Array(n).fill(-1);
  known[0] = aKnight ? 1 : 0;
  const steps = [litText(0, aKnight)];
  let open = Array.from({ length: n }, (_, i) => i);
  while (open.length > 0) {
    const still: number[] = [];
    for (const i of open) {
      const { result, fixes } = solveStep(p, i, known);
      steps.push(`${LETTERS[i]}:${result}`);
      if (result === 'x') return { steps, end: 'x', mask: 0 };
      if (result === '?') still.push(i);
      for (const [j, k] of fixes) known[j] = k ? 1 : 0;
    }
    if (still.length === open.length) return { steps, end: 'stuck', mask: 0 };
    open = still;
  }
  let mask = 0;
  for (let j = 0; j < n; j++) if (known[j] === 0) mask |= 1 << j;
  return { steps, end: 'ok', mask };
}

/** Both branches (A a knight, then A a knave), or null when either gets stuck. */
export function caseAnalysis(p: KnightsProblem): { trace: string; mask: number } | null {
  const t = caseBranch(p, true);
  const f = caseBranch(p, false);
  if (t.end === 'stuck' || f.end === 'stuck') return null;
  if ((t.end === 'ok') === (f.end === 'ok')) return null; // both or neither: not a unique solution
  return { trace: [...t.steps, ...f.steps].join(STEP_SEP), mask: t.end === 'ok' ? t.mask : f.mask };
}

/** Steps of both trace formats are joined by this (the task's step separator). */
export const STEP_SEP = ';';

/**
 * Longest case-analysis trace a generated puzzle may have, per number of people. Puzzles with a
 * longer one are redrawn (0.2% of those the analysis solves at 3 people, 2% at 4, 1.3% at 5, as
 * measured when these were set), so the trace length is bounded exactly and the whole sequence
 * fits a context of 80, 104 and 136 tokens at 3, 4 and 5 people.
 */
export const TRACE_BUDGET: Record<number, number> = { 2: 23, 3: 43, 4: 56, 5: 77 };

const MAX_ATTEMPTS = 10_000;
const poolCache = new Map<string, Statement[]>();

/** The statements about n people that are true (`truth`) under `mask`. */
function pool(n: number, mask: number, truth: boolean): Statement[] {
  const key = `${n}/${mask}/${truth}`;
  let xs = poolCache.get(key);
  if (!xs) poolCache.set(key, (xs = allStatements(n).filter((s) => truthOf(s, mask) === truth)));
  return xs;
}

/**
 * Whether a puzzle is one the task generates: exactly one consistent assignment, a case analysis
 * that never gets stuck, and a trace within the budget. Returns the solution mask, or -1.
 */
export function acceptedSolution(p: KnightsProblem): number {
  const sols = solutions(p);
  if (sols.length !== 1) return -1;
  const ca = caseAnalysis(p);
  if (ca === null || ca.mask !== sols[0] || ca.trace.length > TRACE_BUDGET[p.says.length]!) return -1;
  return ca.mask;
}

/**
 * One puzzle and the number of draws it took. A target assignment is drawn once (uniform over the
 * 2^n), then each speaker's statement is drawn uniformly from those consistent with the target
 * (true for a knight, false for a knave), until the puzzle is accepted with the target as its
 * solution; so answers are uniform by construction.
 */
export function generateCounted(rng: Rng, n: number): { problem: KnightsProblem; attempts: number } {
  if (TRACE_BUDGET[n] === undefined) throw new Error(`knights-knaves: people must be 2-5, got ${n}`);
  const target = rng.int(1 << n);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const problem = { says: Array.from({ length: n }, (_, i) => rng.choice(pool(n, target, isKnight(target, i)))) };
    if (acceptedSolution(problem) === target) return { problem, attempts: attempt };
  }
  throw new Error(`knights-knaves: no accepted puzzle for target mask ${target} of ${n} people in ${MAX_ATTEMPTS} attempts`);
}
