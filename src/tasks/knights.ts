// Knights and knaves. 2-5 people (A-E); knights always tell the truth, knaves always lie. Each
// person makes one statement; the puzzle has exactly one consistent assignment, and the case
// analysis below reaches it without getting stuck (see knights-logic.ts for both checks).
//
// Encoding (all printable ASCII, no '<' '>'):
//   prompt   `A:b,B:&Ac,C:1ABC?`  one `S:stmt` per speaker in order A.., joined by ',', ended by '?'
//            (format 'table' pads every statement to 4 chars: `A:=b..,B:&Ac.,C:1ABC?`).
//            A claim is a letter: upper case "X is a knight", lower case "X is a knave". A statement
//            is one claim, or an operator and 2-3 claims about distinct people in letter order:
//            `&` all hold, `|` at least one holds, `1` exactly one holds. So `1Ab` says A and B
//            are of the same kind, `1AB` that they differ, `&bc` that B and C are both knaves.
//   trace, format 'table' (default): a truth table over every case with every field in a fixed
//            slot, 5 rows per speaker (claims, statement, speaker consistent?) and a verdict row;
//            see knights-table.ts, which has the worked example.
//   trace, format 'cases': statement-by-statement case analysis, steps joined by ';'.
//            `A` assumes A is a knight; then the statements are taken in speaker order, and again
//            over the ones left open, each as `S:r` where r is what S's statement gives with the
//            roles known so far: the roles it fixes (case letters in person order, e.g. `bC`), `+`
//            (it holds, nothing new), `?` (open: more than one way) or `x` (contradiction, which
//            ends the branch). Then `a` assumes A is a knave, the same way. One branch ends in `x`.
//            `A:b,B:1Ab?` -> `A;A:b;B:+;a;A:B;B:x`.
//   trace, format 'enum' (the version-1 trace): one case per assignment, `TTF:B`, roles of A.. (T
//            knight, F knave, T before F, last person fastest), then `ok` or the FIRST speaker whose
//            statement's truth differs from their role: `TT:A;TF:ok;FT:B;FF:A`.
//   answer   `A=T,B=F`  the unique consistent assignment, every person in order.
// The verifier checks layout, every step (or case) and the exact answer; no partial credit.

import { SPLIT_PERMILLE } from '../data/split.ts';
import { exactAnswerCheck, exactStepsCheck, finishVerdict, formatCheck, parseCompletion } from './format.ts';
import { caseAnalysis, caseMasks, firstLiar, generateCounted, isKnight, LETTERS, MAX_GROUP, rolesText, solutions, statementText, STEP_SEP, TRACE_BUDGET, type KnightsProblem } from './knights-logic.ts';
import { tablePrompt, tablePromptLength, tableRows, tableStepsCheck, tableTraceLength } from './knights-table.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';

export { generateCounted, solutions, statementText, type KnightsProblem, type Statement } from './knights-logic.ts';

export const FORMATS = ['table', 'cases', 'enum'] as const;
export type KnightsFormat = (typeof FORMATS)[number];

export interface KnightsConfig {
  /** Number of people (2-5), named A..E; 2 is refused by `check` (too few puzzles to hold out). */
  people: number;
  /** The trace: 'table' (fixed-slot truth table), 'cases' (case analysis on A) or 'enum' (every assignment). */
  format: KnightsFormat;
}

/**
 * Distinct puzzles the generator produces, by number of people: exact for 2 and 3 (enumerated;
 * test/knights-space.test.ts recomputes them), a floor for 4 and 5 (a sample of random statement
 * tuples puts them near 1e8 and 5e11; the same test draws over 1,000 distinct per split).
 */
export const DISTINCT_PUZZLES: Record<number, number> = { 2: 80, 3: 56_980, 4: 1e7, 5: 1e7 };
/** Fewest distinct puzzles a level's test split must hold for held-out evaluation to mean something. */
export const MIN_TEST_PUZZLES = 1000;

const assignmentText = (mask: number, n: number) => Array.from({ length: n }, (_, i) => `${LETTERS[i]}=${isKnight(mask, i) ? 'T' : 'F'}`).join(',');

/** The version-1 trace: every assignment with `ok` or its first lying speaker. */
function enumTrace(p: KnightsProblem): string {
  const n = p.says.length;
  return caseMasks(n)
    .map((m) => {
      const liar = firstLiar(p, m);
      return `${rolesText(m, n)}:${liar < 0 ? 'ok' : LETTERS[liar]}`;
    })
    .join(STEP_SEP);
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

/** Why a config cannot run (bad knob, or a level whose test split is too small), or null. */
function checkConfig(cfg: KnightsConfig): string | null {
  const n = cfg.people;
  if (!Number.isInteger(n) || n < 2 || n > 5) return `people must be an integer in [2, 5], got ${n}`;
  if (!(FORMATS as readonly string[]).includes(cfg.format)) return `format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(cfg.format)}`;
  const inTest = Math.round((DISTINCT_PUZZLES[n]! * SPLIT_PERMILLE.test) / 1000);
  if (inTest < MIN_TEST_PUZZLES) {
    return (
      `people=${n} has only ${DISTINCT_PUZZLES[n]} distinct puzzles, about ${inTest} of them in the test split ` +
      `(${SPLIT_PERMILLE.test / 10}%), and held-out evaluation needs at least ${MIN_TEST_PUZZLES}: use 3 to 5 people`
    );
  }
  return null;
}

export const knightsKnaves: Task<KnightsProblem, KnightsConfig> = {
  name: 'knights-knaves',
  version: 3,
  description: 'Knights (truthful) and knaves (liars): tabulate every claim, statement and speaker over every case, and answer with the one consistent case.',
  defaults: { people: 3, format: 'table' },
  curriculum: [{ people: 3 }, { people: 4 }, { people: 5 }],
  knobs: {
    people: { min: 2, max: 5, integer: true, help: 'number of people (A..E), each making one statement; 2 is refused (too few puzzles for a test split)' },
  },
  options: { format: FORMATS },
  check: checkConfig,

  generate(rng, cfg) {
    return generateCounted(rng, cfg.people).problem;
  },

  // The prompt is already canonical: speakers in fixed order, claims in letter order, one spelling per meaning.
  canonical: (p) => p.says.map((s, i) => `${LETTERS[i]}:${statementText(s)}`).join(','),
  level: (p) => `${p.says.length} people`,
  stepSeparator: STEP_SEP,

  prompt(p, cfg) {
    return cfg.format === 'table' ? tablePrompt(p) : `${this.canonical(p)}?`;
  },

  gold(p, cfg): Gold {
    const n = p.says.length;
    const sols = solutions(p);
    if (sols.length !== 1) throw new Error(`knights-knaves: puzzle has ${sols.length} solutions, not 1`);
    const answer = assignmentText(sols[0]!, n);
    if (cfg.format === 'table') return { trace: tableRows(p).join(STEP_SEP), answer };
    if (cfg.format === 'enum') return { trace: enumTrace(p), answer };
    const ca = caseAnalysis(p);
    if (ca === null) throw new Error(`knights-knaves: the case analysis of ${this.canonical(p)} gets stuck (never generated)`);
    return { trace: ca.trace, answer };
  },

  // n statements of at most 3 + MAX_GROUP chars ("A:1BCD"), n-1 commas, the '?'; 'table': one length.
  maxPromptLength: (cfg) => (cfg.format === 'table' ? tablePromptLength(cfg.people) : cfg.people * (3 + Math.min(MAX_GROUP, cfg.people)) + cfg.people),

  // 'table': one length (5n+1 rows of 2^n+1 chars); 'cases': the trace budget (longer puzzles are
  // never generated); 'enum': 2^n cases of n+2 chars, one of them `ok` (+1), 2^n-1 ';'.
  // Answer 4n-1 chars; 4 tags.
  maxCompletionLength(cfg) {
    const n = cfg.people;
    const m = 1 << n;
    const trace = cfg.format === 'table' ? tableTraceLength(n) : cfg.format === 'enum' ? m * (n + 2) + 1 + (m - 1) : TRACE_BUDGET[n]!;
    return 4 + trace + (4 * n - 1);
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    const n = p.says.length;
    const gold = this.gold(p, cfg);
    const parsed = parseCompletion(completion, true);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;

    if (parsed.think !== null) {
      const steps = cfg.format === 'table' ? tableStepsCheck(p, parsed.think, STEP_SEP) : exactStepsCheck(gold.trace, parsed.think, STEP_SEP, cfg.format === 'enum' ? 'case' : 'step');
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
