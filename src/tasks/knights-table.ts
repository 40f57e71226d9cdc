// Knights and knaves, format 'table' (the default): a truth table over every case, row by row,
// with every field in a fixed slot. Why (docs/EXPERIMENTS.md, the boolean circuit lessons): a tiny
// model learns a trace fast when every token is one lookup from a constant offset or one small
// operation on tokens at constant offsets. Here nothing moves: at n people every prompt has one
// length and every row one width and place, and the number of rows is fixed.
//   prompt  `A:1BC.,B:=c..,C:=A..?`  each statement padded to 4 chars: the operator (`=` for a single
//           claim, else `&` `|` `1`) and 3 claim slots, `.` where there is no claim.
//   cases   the 2^n assignments in the 'enum' order (T before F, the last person fastest): at 3
//           people column j of every row is the case TTT, TTF, TFT, TFF, FTT, FTF, FFT, FFF.
//   rows    per speaker, 5 rows of 1 + 2^n chars, each a key and then one char per case:
//           3 claim rows: the claim (copied from its slot) and whether it holds in each case (T/F),
//             a function of the claim letter and the column only; `.` and 2^n `.` for an empty slot;
//           the statement row: the operator and the statement's truth per case, one operation on
//             the 3 claim chars of the same column (`.` counts as no claim);
//           the speaker row: the speaker's letter and per case `+` when the statement's truth equals
//             the speaker's role in that case (a knight's holds, a knave's fails), else `x`.
//           Then one verdict row: `*` and per case `+` when every speaker row has `+`, else `x`.
//   answer  the roles of the one case whose verdict is `+`.
// Measured (docs/EXPERIMENTS.md, section 10): nano learns this to 92.5% fully right at step 1000
// and 97.5% at 1200, where the 'cases' and 'enum' traces stay at chance. The verdict (an AND of
// cells 110, 60 and 10 tokens back) is learned last; two variants meant to shorten that lookup
// learned slower: a chain of "still alive" rows, and the check rows moved next to the verdict
// with the verdict writing the case's label (the answer then had to decode the label).
// `A:1BC.,B:=c..,C:=A..?` (A: "exactly one of B, C is a knight", B: "C is a knave", C: "A is a
// knight") gives, rows joined by ';':
//   BTTFFTTFF;CTFTFTFTF;.........;1FTTFFTTF;Ax++x+xx+;      A's claims, statement, speaker row
//   cFTFTFTFT;.........;.........;=FTFTFTFT;Bx++xx++x;      B's
//   ATTTTFFFF;.........;.........;=TTTTFFFF;C+x+xx+x+;      C's
//   *xx+xxxxx                                               case 3 (TFT): A=T,B=F,C=T

import { firstStepDiff } from './format.ts';
import { caseMasks, firstLiar, isKnight, LETTERS, litText, MAX_GROUP, rolesText, truthOf, type KnightsProblem, type Statement } from './knights-logic.ts';
import type { Check, Verdict } from './types.ts';

/** Chars of one statement slot in the prompt: the operator and MAX_GROUP claim slots. */
export const SLOT = 1 + MAX_GROUP;
/** Rows per speaker: MAX_GROUP claim rows, the statement row, the speaker row. */
export const ROWS_PER_SPEAKER = MAX_GROUP + 2;
/** Fills an empty claim slot in the prompt and an empty claim row in the trace. */
export const EMPTY = '.';

const OP_KEY: Record<Statement['op'], string> = { is: '=', and: '&', or: '|', one: '1' };

/** A statement in its fixed-width slot: `=b..`, `&Ac.`, `1ABC`. */
export const slotText = (s: Statement): string => (OP_KEY[s.op] + s.lits.map((l) => litText(l.who, l.knight)).join('')).padEnd(SLOT, EMPTY);

/** `A:1BC.,B:=c..,C:=A..?` */
export const tablePrompt = (p: KnightsProblem): string => p.says.map((s, i) => `${LETTERS[i]}:${slotText(s)}`).join(',') + '?';

/** Prompt length at n people: n slots of `S:` + SLOT chars, n-1 commas, the '?'. */
export const tablePromptLength = (n: number): number => n * (2 + SLOT) + n;

/** The rows of the trace (joined by the task's step separator). */
export function tableRows(p: KnightsProblem): string[] {
  const n = p.says.length;
  const cases = caseMasks(n);
  const row = (key: string, cell: (mask: number) => string) => key + cases.map(cell).join('');
  const rows: string[] = [];
  p.says.forEach((s, i) => {
    for (let k = 0; k < MAX_GROUP; k++) {
      const l = s.lits[k];
      rows.push(l ? row(litText(l.who, l.knight), (m) => (isKnight(m, l.who) === l.knight ? 'T' : 'F')) : EMPTY.repeat(1 + cases.length));
    }
    rows.push(row(OP_KEY[s.op], (m) => (truthOf(s, m) ? 'T' : 'F')));
    rows.push(row(LETTERS[i]!, (m) => (truthOf(s, m) === isKnight(m, i) ? '+' : 'x')));
  });
  rows.push(row('*', (m) => (firstLiar(p, m) < 0 ? '+' : 'x')));
  return rows;
}

/** Rows at n people, and the trace length: every row is 1 + 2^n chars, joined by one separator. */
export const tableRowCount = (n: number): number => n * ROWS_PER_SPEAKER + 1;
export const tableTraceLength = (n: number): number => tableRowCount(n) * (2 + (1 << n)) - 1;

/** What a row is, for a verifier message: "row 9 (B's statement)". */
export function rowName(n: number, row: number): string {
  if (row >= tableRowCount(n)) return 'beyond the table';
  if (row === tableRowCount(n) - 1) return 'the verdict';
  const speaker = LETTERS[Math.floor(row / ROWS_PER_SPEAKER)]!;
  const k = row % ROWS_PER_SPEAKER;
  return k < MAX_GROUP ? `${speaker}'s claim ${k + 1}` : k === MAX_GROUP ? `${speaker}'s statement` : `${speaker}'s speaker row`;
}

/**
 * The steps check of the table: the think block split on `sep`, row by row against the gold rows.
 * The reason names the row (`row 9 (B's statement)`) and, when the row has the right width, the
 * first case that differs (`case 3 (TFT)`), so an error points at the lookup that failed.
 */
export function tableStepsCheck(p: KnightsProblem, think: string, sep: string): { check: Check; firstWrong: Verdict['first_wrong_step']; stepsTotal: number } {
  const n = p.says.length;
  const want = tableRows(p);
  const got = think.length ? think.split(sep) : [];
  const diff = firstStepDiff(want, got, 'row');
  let firstWrong = diff;
  if (diff) {
    const w = want[diff.step - 1];
    const g = got[diff.step - 1];
    let where = ` (${rowName(n, diff.step - 1)})`;
    if (w !== undefined && g !== undefined && g.length === w.length && g[0] === w[0]) {
      let col = 1;
      while (g[col] === w[col]) col++;
      where += `, case ${col} (${rolesText(caseMasks(n)[col - 1]!, n)})`;
    }
    firstWrong = { step: diff.step, reason: diff.reason.replace(/^(missing |extra )?row \d+/, (m) => m + where) };
  }
  return {
    check: { name: 'steps', passed: firstWrong === null, detail: firstWrong ? firstWrong.reason : `${want.length} rows ok` },
    firstWrong,
    stepsTotal: Math.max(want.length, got.length),
  };
}
