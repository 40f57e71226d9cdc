// Knights and knaves. 2-4 people (A-D); knights always tell the truth, knaves always lie. Each
// person makes one statement; the puzzle has exactly one consistent assignment (checked by
// enumerating all 2^n assignments with an exact evaluator).
//
// Encoding (all printable ASCII, no '<' '>'):
//   prompt   `A:B-,B:A=B?`  one `S:stmt` per speaker in order A.., joined by ',', ended by '?'.
//            Statements: `X+` X is a knight, `X-` X is a knave, `X=Y` X and Y are the same kind,
//            `X!Y` X and Y differ, `X|Y` X or Y (or both) is a knight. Pairs are written X<Y.
//   trace    `TT:B;TF:ok;FT:A;FF:A`  one case per assignment, joined by ';', in a fixed order:
//            the letters are the roles of A.. (T knight, F knave), T before F, last person varying
//            fastest (binary counting with T=0). The verdict is `ok` when every statement agrees
//            with its speaker's role, otherwise the letter of the FIRST speaker (in order A..)
//            whose statement's truth differs from their role. Exactly one case is `ok`.
//   answer   `A=T,B=F`  the unique consistent assignment, every person in order.
// The verifier checks layout, every case (as a step) and the exact answer; no partial credit.

import type { Rng } from '../rng.ts';
import { exactAnswerCheck, exactStepsCheck, finishVerdict, formatCheck, parseCompletion } from './format.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';

export interface KnightsConfig {
  /** Number of people (2-4), named A, B, C, D. */
  people: number;
}

export type StatementKind = 'knight' | 'knave' | 'same' | 'differ' | 'or';

/** What one speaker says. `x` and `y` are person indices (0 = A); `y` is -1 for one-person statements, else y > x. */
export interface Statement {
  kind: StatementKind;
  x: number;
  y: number;
}

export interface KnightsProblem {
  /** says[i] is the statement made by person i; says.length is the number of people. */
  says: Statement[];
}

const LETTERS = 'ABCD';
const KINDS: readonly StatementKind[] = ['knight', 'knave', 'same', 'differ', 'or'];
const MAX_ATTEMPTS = 10_000;
/** Cases of the trace are joined by this (the task's step separator). */
const CASE_SEP = ';';

/** Whether person i is a knight under assignment `mask` (bit i set = knave). */
const isKnight = (mask: number, i: number) => ((mask >> i) & 1) === 0;

/** Exact truth value of a statement under an assignment. */
export function truthOf(s: Statement, mask: number): boolean {
  const x = isKnight(mask, s.x);
  switch (s.kind) {
    case 'knight':
      return x;
    case 'knave':
      return !x;
    case 'same':
      return x === isKnight(mask, s.y);
    case 'differ':
      return x !== isKnight(mask, s.y);
    case 'or':
      return x || isKnight(mask, s.y);
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

/** Cases in trace order: T before F for each person, the last person varying fastest. */
function caseMasks(n: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < 1 << n; k++) {
    let mask = 0;
    // Person i's role is bit (n-1-i) of the counter k (1 = F).
    for (let i = 0; i < n; i++) if ((k >> (n - 1 - i)) & 1) mask |= 1 << i;
    out.push(mask);
  }
  return out;
}

const rolesText = (mask: number, n: number) => Array.from({ length: n }, (_, i) => (isKnight(mask, i) ? 'T' : 'F')).join('');
const assignmentText = (mask: number, n: number) => Array.from({ length: n }, (_, i) => `${LETTERS[i]}=${isKnight(mask, i) ? 'T' : 'F'}`).join(',');

export function statementText(s: Statement): string {
  const x = LETTERS[s.x]!;
  switch (s.kind) {
    case 'knight':
      return `${x}+`;
    case 'knave':
      return `${x}-`;
    case 'same':
      return `${x}=${LETTERS[s.y]}`;
    case 'differ':
      return `${x}!${LETTERS[s.y]}`;
    case 'or':
      return `${x}|${LETTERS[s.y]}`;
  }
}

/** Every statement about n people, in a fixed order. */
function allStatements(n: number, kind: StatementKind): Statement[] {
  const out: Statement[] = [];
  if (kind === 'knight' || kind === 'knave') for (let x = 0; x < n; x++) out.push({ kind, x, y: -1 });
  else for (let x = 0; x < n; x++) for (let y = x + 1; y < n; y++) out.push({ kind, x, y });
  return out;
}

/** One statement for `speaker` that is true iff the speaker is a knight under `target`. */
function drawStatement(rng: Rng, n: number, speaker: number, target: number): Statement {
  const want = isKnight(target, speaker);
  const byKind = KINDS.map((k) => allStatements(n, k).filter((s) => truthOf(s, target) === want)).filter((xs) => xs.length > 0);
  // Never empty: `speaker+` is true for a knight and false for a knave.
  return rng.choice(rng.choice(byKind));
}

/** Parse an answer `A=T,B=F,...` for n people into a mask, or null when it is not exactly that shape. */
function parseAssignment(s: string, n: number): number | null {
  if (s.length !== 4 * n - 1) return null;
  let mask = 0;
  for (let i = 0; i < n; i++) {
    const at = 4 * i;
    if (s[at] !== LETTERS[i] || s[at + 1] !== '=') return null;
    const r = s[at + 2];
    if (r === 'F') mask |= 1 << i;
    else if (r !== 'T') return null;
    if (i < n - 1 && s[at + 3] !== ',') return null;
  }
  return mask;
}

const short = (s: string) => JSON.stringify(s.slice(0, 40));

/**
 * One puzzle and the number of statement draws it took. A target assignment is drawn once (uniform
 * over the 2^n), then statements consistent with it are redrawn until the target is the ONLY
 * consistent assignment, so answers are uniform by construction.
 */
export function generateCounted(rng: Rng, n: number): { problem: KnightsProblem; attempts: number } {
  const target = rng.int(1 << n);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const problem = { says: Array.from({ length: n }, (_, i) => drawStatement(rng, n, i, target)) };
    const sols = solutions(problem);
    if (sols.length === 1 && sols[0] === target) return { problem, attempts: attempt };
  }
  throw new Error(`knights-knaves: no unique puzzle for target ${assignmentText(target, n)} in ${MAX_ATTEMPTS} attempts`);
}

export const knightsKnaves: Task<KnightsProblem, KnightsConfig> = {
  name: 'knights-knaves',
  version: 1,
  description: 'Knights (truthful) and knaves (liars): find the unique consistent assignment by checking every case.',
  defaults: { people: 3 },
  curriculum: [{ people: 2 }, { people: 3 }, { people: 4 }],
  knobs: {
    people: { min: 2, max: 4, integer: true, help: 'number of people (A..D), each making one statement' },
  },
  options: {},
  check: (cfg) => (!Number.isInteger(cfg.people) || cfg.people < 2 || cfg.people > 4 ? `people must be an integer in [2, 4], got ${cfg.people}` : null),

  generate(rng, cfg) {
    return generateCounted(rng, cfg.people).problem;
  },

  // The prompt is already canonical: speakers in fixed order, pairs written smaller letter first.
  canonical: (p) => p.says.map((s, i) => `${LETTERS[i]}:${statementText(s)}`).join(','),
  level: (p) => `${p.says.length} people`,
  stepSeparator: CASE_SEP,

  prompt(p) {
    return `${this.canonical(p)}?`;
  },

  gold(p): Gold {
    const n = p.says.length;
    const cases = caseMasks(n).map((m) => {
      const liar = firstLiar(p, m);
      return `${rolesText(m, n)}:${liar < 0 ? 'ok' : LETTERS[liar]}`;
    });
    const sols = solutions(p);
    if (sols.length !== 1) throw new Error(`knights-knaves: puzzle has ${sols.length} solutions, not 1`);
    return { trace: cases.join(CASE_SEP), answer: assignmentText(sols[0]!, n) };
  },

  // n statements of at most 5 chars ("A:B=C"), n-1 commas, the '?'.
  maxPromptLength: (cfg) => 6 * cfg.people,

  // 2^n cases of n+2 chars, one of them `ok` (+1), 2^n-1 ';'; answer 4n-1 chars; 4 tags.
  maxCompletionLength(cfg) {
    const n = cfg.people;
    const m = 1 << n;
    return 4 + m * (n + 2) + 1 + (m - 1) + (4 * n - 1);
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    const n = p.says.length;
    const gold = this.gold(p, cfg);
    const parsed = parseCompletion(completion, true);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;

    if (parsed.think !== null) {
      const steps = exactStepsCheck(gold.trace, parsed.think, CASE_SEP, 'case');
      ({ firstWrong, stepsTotal } = steps);
      checks.push(steps.check);
    }

    const { ans, outcomeOk, check } = exactAnswerCheck(parsed.answer, gold.answer, (a) =>
      parseAssignment(a, n) === null ? `answer ${short(a)} is not an assignment like ${assignmentText(0, n)}` : null,
    );
    checks.push(check);

    return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
  },
};
