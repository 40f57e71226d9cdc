// Knights and knaves, format 'table' (the default): a hand-worked example, fixed widths (one prompt
// length, every statement and row in its slot, one completion length per size), the gold checked
// row by row against an independent table computed from the prompt TEXT at 3, 4 and 5 people, and
// wrong rows caught with reasons that name the row and the case.

import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.ts';
import { renderCompletion, tokenLength } from '../src/tasks/format.ts';
import { knightsKnaves as K, type KnightsConfig, type KnightsProblem, type Statement } from '../src/tasks/knights.ts';
import { checkOf, expectGoldVerdict, expectWrongAnswer, expectWrongStepStillPaid, generateMany } from './helpers/task.ts';
import { puzzle, st } from './helpers/knights.ts';

const cfgOf = (people: number): KnightsConfig => ({ people, format: 'table' });
const problems = (seed: number, n: number, people: number) => generateMany(K, seed, n, cfgOf(people));
const completion = (trace: string, answer: string) => `<think>${trace}</think><answer>${answer}</answer>`;


// A: "exactly one of B, C is a knight", B: "C is a knave", C: "A is a knight". Columns are the cases
// TTT TTF TFT TFF FTT FTF FFT FFF. B's claim row is B's role per case, C's is C's; exactly one of
// them holds in TTF, TFT, FTF, FFT. A is a knight in the first four cases, so A's row is `+` where
// the statement holds there and fails in the last four. Only TFT has `+` in all three speaker rows.
const P3 = puzzle('1BC', 'c', 'A');
const ROWS3 = [
  'BTTFFTTFF', 'CTFTFTFTF', '.........', '1FTTFFTTF', 'Ax++x+xx+',
  'cFTFTFTFT', '.........', '.........', '=FTFTFTFT', 'Bx++xx++x',
  'ATTTTFFFF', '.........', '.........', '=TTTTFFFF', 'C+x+xx+x+',
  '*xx+xxxxx',
];
const TRACE3 = ROWS3.join(';');
const v3 = (c: string) => K.verify(P3, c, cfgOf(3));

// ---------------------------------------------------------------------------------------------
// The independent table: parsed from the padded prompt text, cases counted in binary.

function independentTable(prompt: string): { rows: string[]; answer: string } {
  expect(prompt.endsWith('?')).toBe(true);
  const parts = prompt.slice(0, -1).split(',');
  const n = parts.length;
  const cases = Array.from({ length: 2 ** n }, (_, k) => Array.from({ length: n }, (_, i) => ((k >> (n - 1 - i)) & 1) === 0)); // true = knight
  const who = (c: string) => 'ABCDE'.indexOf(c.toUpperCase());
  const rows: string[] = [];
  const okBy: boolean[][] = [];
  parts.forEach((part, i) => {
    expect(part).toMatch(new RegExp(`^${'ABCDE'[i]}:[=&|1][A-Ea-e.]{3}$`));
    const op = part[2]!;
    const claims = [...part.slice(3)].filter((c) => c !== '.');
    expect(part.slice(3)).toBe(claims.join('').padEnd(3, '.'));
    const holds = (c: string, roles: boolean[]) => roles[who(c)] === (c === c.toUpperCase());
    for (let k = 0; k < 3; k++) rows.push(claims[k] ? claims[k] + cases.map((r) => (holds(claims[k]!, r) ? 'T' : 'F')).join('') : '.'.repeat(1 + cases.length));
    const truth = cases.map((r) => {
      const t = claims.filter((c) => holds(c, r)).length;
      return op === '|' ? t > 0 : op === '1' ? t === 1 : t === claims.length;
    });
    rows.push(op + truth.map((t) => (t ? 'T' : 'F')).join(''));
    okBy.push(cases.map((r, j) => truth[j] === r[i]));
    rows.push('ABCDE'[i] + okBy[i]!.map((ok) => (ok ? '+' : 'x')).join(''));
  });
  const verdict = cases.map((_, j) => okBy.every((ok) => ok[j]));
  rows.push('*' + verdict.map((ok) => (ok ? '+' : 'x')).join(''));
  expect(verdict.filter(Boolean)).toHaveLength(1);
  const roles = cases[verdict.indexOf(true)]!;
  return { rows, answer: roles.map((k, i) => `${'ABCDE'[i]}=${k ? 'T' : 'F'}`).join(',') };
}

describe("format 'table': worked examples", () => {
  it('three people: the prompt, all 16 rows and the answer, by hand', () => {
    expect(K.prompt(P3, cfgOf(3))).toBe('A:1BC.,B:=c..,C:=A..?');
    expect(K.gold(P3, cfgOf(3))).toEqual({ trace: TRACE3, answer: 'A=T,B=F,C=T' });
    expect(independentTable(K.prompt(P3, cfgOf(3))).rows).toEqual(ROWS3);
    expectGoldVerdict(v3(completion(TRACE3, 'A=T,B=F,C=T')), 'A=T,B=F,C=T', 'P3');
    expect(checkOf(v3(completion(TRACE3, 'A=T,B=F,C=T')), 'steps')?.detail).toBe('16 rows ok');
  });

  it('two people (the classic): 4 cases per row', () => {
    // A: "B is a knave", B: "A and B are the same kind". Only TF is consistent.
    const p = puzzle('b', '1Ab');
    expect(K.prompt(p, cfgOf(2))).toBe('A:=b..,B:1Ab.?');
    expect(K.gold(p, cfgOf(2)).trace).toBe('bFTFT;.....;.....;=FTFT;Ax++x;ATTFF;bFTFT;.....;1TFFT;B++xx;*x+xx');
    expect(K.gold(p, cfgOf(2)).answer).toBe('A=T,B=F');
  });

  it('the default format is the table; the other formats keep their own prompts, and the canonical form is shared', () => {
    expect(K.defaults).toEqual({ people: 3, format: 'table' });
    expect(K.version).toBe(3);
    for (const p of problems(3, 50, 3)) {
      expect(K.prompt(p, { people: 3, format: 'cases' })).toBe(`${K.canonical(p)}?`);
      // Dropping the padding and the `=` of single claims gives the canonical prompt back.
      expect(K.prompt(p, cfgOf(3)).replace(/\./g, '').replace(/:=/g, ':')).toBe(`${K.canonical(p)}?`);
    }
  });
});

describe("format 'table': fixed slots", () => {
  for (const people of [3, 4, 5]) {
    it(`${people} people: one prompt length, statements in fixed slots, 5n+1 rows of 2^n+1 chars, one completion length`, () => {
      const cfg = cfgOf(people);
      const width = 1 + 2 ** people;
      for (const p of problems(30 + people, 300, people)) {
        const prompt = K.prompt(p, cfg);
        expect(prompt.length).toBe(K.maxPromptLength(cfg));
        for (let i = 0; i < people; i++) expect(prompt.slice(7 * i, 7 * i + 2)).toBe(`${'ABCDE'[i]}:`);
        const rows = K.gold(p, cfg).trace.split(';');
        expect(rows).toHaveLength(5 * people + 1);
        for (const r of rows) expect(r).toHaveLength(width);
        // Row keys: claims copied from the slot, the operator, the speaker, '*'.
        for (let i = 0; i < people; i++) {
          for (let k = 0; k < 3; k++) expect(rows[5 * i + k]![0]).toBe(prompt[7 * i + 3 + k]);
          expect(rows[5 * i + 3]![0]).toBe(prompt[7 * i + 2]);
          expect(rows[5 * i + 4]![0]).toBe('ABCDE'[i]);
        }
        expect(rows[5 * people]![0]).toBe('*');
        expect(tokenLength(renderCompletion(K.gold(p, cfg), true))).toBe(K.maxCompletionLength(cfg));
      }
    });
  }

  it('lengths: exact per size, and the 3-person sequence fits a context of 200', () => {
    expect([3, 4, 5].map((n) => K.maxPromptLength(cfgOf(n)))).toEqual([21, 28, 35]);
    // 4 tags + (5n+1) rows of (2^n+1) chars + 5n separators + the answer (4n-1).
    expect([3, 4, 5].map((n) => K.maxCompletionLength(cfgOf(n)))).toEqual([174, 396, 906]);
    expect(1 + K.maxPromptLength(K.defaults) + K.maxCompletionLength(K.defaults)).toBeLessThanOrEqual(200);
  });
});

describe("format 'table': gold = the independent table, and passes", () => {
  for (const [people, count] of [[3, 400], [4, 200], [5, 60]] as const) {
    it(`${people} people, ${count} puzzles`, () => {
      for (const p of problems(200 + people, count, people)) {
        const prompt = K.prompt(p, cfgOf(people));
        const ind = independentTable(prompt);
        const gold = K.gold(p, cfgOf(people));
        expect(gold.trace.split(';'), prompt).toEqual(ind.rows);
        expect(gold.answer).toBe(ind.answer);
        // The answer is the same as the other formats'.
        expect(K.gold(p, { people, format: 'enum' }).answer).toBe(ind.answer);
        expectGoldVerdict(K.verify(p, renderCompletion(gold, true), cfgOf(people)), ind.answer, prompt);
      }
    });
  }
});

describe("format 'table': wrong rows are caught", () => {
  it('one wrong cell: the row, what it is and the case are named', () => {
    const rows = [...ROWS3];
    rows[8] = '=FTFTFTTT'; // B's statement, case 7 (FFT) wrong
    expectWrongStepStillPaid(v3(completion(rows.join(';'), 'A=T,B=F,C=T')), {
      step: 9,
      reason: `row 9 (B's statement), case 7 (FFT): expected =FTFTFTFT, got "=FTFTFTTT"`,
    });
    const r2 = [...ROWS3];
    r2[0] = 'BTTFFTFFF';
    expect(v3(completion(r2.join(';'), 'A=T,B=F,C=T')).first_wrong_step?.reason).toBe(`row 1 (A's claim 1), case 6 (FTF): expected BTTFFTTFF, got "BTTFFTFFF"`);
    const r3 = [...ROWS3];
    r3[15] = '*xxx+xxxx';
    expect(v3(completion(r3.join(';'), 'A=T,B=F,C=T')).first_wrong_step?.reason).toMatch(/^row 16 \(the verdict\), case 3 \(TFT\)/);
    const r4 = [...ROWS3];
    r4[4] = 'Ax++x+xxx';
    expect(v3(completion(r4.join(';'), 'A=T,B=F,C=T')).first_wrong_step?.reason).toMatch(/^row 5 \(A's speaker row\), case 8 \(FFF\)/);
  });

  it('a wrong key, a wrong width, a missing row, an extra row, an empty think', () => {
    const key = [...ROWS3];
    key[5] = 'CFTFTFTFT';
    expect(v3(completion(key.join(';'), 'A=T,B=F,C=T')).first_wrong_step).toEqual({ step: 6, reason: `row 6 (B's claim 1): expected cFTFTFTFT, got "CFTFTFTFT"` });
    const wide = [...ROWS3];
    wide[2] = '..........';
    expect(v3(completion(wide.join(';'), 'A=T,B=F,C=T')).first_wrong_step?.reason).toBe(`row 3 (A's claim 3): expected ........., got ".........."`);
    expect(v3(completion(ROWS3.slice(0, 15).join(';'), 'A=T,B=F,C=T')).first_wrong_step).toEqual({ step: 16, reason: 'missing row 16 (the verdict) (expected *xx+xxxxx)' });
    expect(v3(completion(`${TRACE3};*xx+xxxxx`, 'A=T,B=F,C=T')).first_wrong_step).toEqual({ step: 17, reason: 'extra row 17 (beyond the table): "*xx+xxxxx"' });
    expect(v3(completion('', 'A=T,B=F,C=T')).first_wrong_step?.step).toBe(1);
    // Two rows swapped: the first of them is named.
    const swapped = [...ROWS3];
    [swapped[5], swapped[10]] = [swapped[10]!, swapped[5]!];
    expect(v3(completion(swapped.join(';'), 'A=T,B=F,C=T')).first_wrong_step?.step).toBe(6);
    // The 'cases' trace is wrong from its first row.
    expect(v3(completion(K.gold(P3, { people: 3, format: 'cases' }).trace, 'A=T,B=F,C=T')).first_wrong_step?.step).toBe(1);
  });

  it('a right table with a wrong answer, and every single-cell flip of many gold tables, are never fully right', () => {
    expectWrongAnswer(v3(completion(TRACE3, 'A=T,B=T,C=T')), 'expected A=T,B=F,C=T, got A=T,B=T,C=T', 'wrong answer');
    const flip: Record<string, string> = { T: 'F', F: 'T', '+': 'x', x: '+', '.': 'T' };
    const rng = new Rng(11);
    for (const p of problems(77, 100, 3)) {
      const gold = K.gold(p, cfgOf(3));
      const rows = gold.trace.split(';');
      const r = rng.int(rows.length);
      const c = 1 + rng.int(8);
      rows[r] = rows[r]!.slice(0, c) + flip[rows[r]![c]!] + rows[r]!.slice(c + 1);
      const got = K.verify(p, completion(rows.join(';'), gold.answer), cfgOf(3));
      expect(got.fully_correct).toBe(false);
      expect(got.first_wrong_step?.step).toBe(r + 1);
      expect(got.first_wrong_step?.reason).toContain(`case ${c} (`);
    }
  });
});
