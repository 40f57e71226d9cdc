// Knights and knaves, the 'cases' and 'enum' formats (knights-table.test.ts has the default 'table'
// format): hand-solved puzzles, an independent solver that works from the prompt TEXT
// (brute force and its own case analysis), a verifier truth table for both trace formats (mutated
// answers, steps and tags), hostile completions that must neither crash nor be paid, determinism
// per seed, uniqueness and uniform answers, and length bounds.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { generateCounted, knightsKnaves as K, solutions, type KnightsConfig, type KnightsProblem, type Statement } from '../src/tasks/knights.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { checkOf as check, expectAnswersRejected, expectDeterministic, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGoldVerdict, expectLengthBounds, expectMissingThink, expectPlainAscii, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';
import { puzzle, st } from './helpers/knights.ts';

const cfgOf = (people: number, format: KnightsConfig['format'] = 'cases'): KnightsConfig => ({ ...K.defaults, people, format });
const goldText = (p: KnightsProblem, format: KnightsConfig['format'] = 'cases') => renderCompletion(K.gold(p, cfgOf(p.says.length, format)), true);
const problems = (seed: number, n: number, people: number) => generateMany(K, seed, n, cfgOf(people));


// The classic (2 people are refused as a run config, too few puzzles to hold out a test split, but
// the task's functions work at any size, and 2 people keep the truth table small).
// A says "B is a knave", B says "A and B are the same kind" (exactly one of: A is a
// knight, B is a knave). Assume A a knight: B is a knave (A:b), whose claim is false (B:+).
// Assume A a knave: B is a knight (A:B), but then A and B differ and B lied (B:x).
const P = puzzle('b', '1Ab');
const TRACE = 'A;A:b;B:+;a;A:B;B:x';
const ENUM = 'TT:A;TF:ok;FT:B;FF:A';
const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }) => K.verify(P, completion, cfgOf(2), opts);
const ve = (completion: string) => K.verify(P, completion, cfgOf(2, 'enum'));
const GOOD = `<think>${TRACE}</think><answer>A=T,B=F</answer>`;

// ---------------------------------------------------------------------------------------------
// The independent solver: reads the prompt text, letters and case only.

type Said = { speaker: string; op: string; claims: { who: string; knight: boolean }[] };

function parsePrompt(prompt: string): Said[] {
  expect(prompt.endsWith('?')).toBe(true);
  return prompt
    .slice(0, -1)
    .split(',')
    .map((part, i) => {
      expect(part.slice(0, 2)).toBe(`${'ABCDE'[i]}:`);
      const body = part.slice(2);
      const op = '&|1'.includes(body[0]!) ? body[0]! : 'is';
      const letters = op === 'is' ? body : body.slice(1);
      expect(letters.length).toBe(op === 'is' ? 1 : letters.length);
      expect(letters.length).toBeLessThanOrEqual(3);
      const claims = [...letters].map((c) => ({ who: c.toUpperCase(), knight: c !== c.toLowerCase() }));
      expect(claims.map((c) => c.who).join('')).toBe([...new Set(claims.map((c) => c.who))].sort().join(''));
      return { speaker: 'ABCDE'[i]!, op, claims };
    });
}

function holds(s: Said, role: (who: string) => boolean): boolean {
  const n = s.claims.filter((c) => role(c.who) === c.knight).length;
  return s.op === '|' ? n > 0 : s.op === '1' ? n === 1 : n === s.claims.length;
}

function bruteForce(prompt: string): { enumTrace: string; answer: string; nSolutions: number } {
  const said = parsePrompt(prompt);
  const n = said.length;
  const cases: string[] = [];
  const sols: string[] = [];
  for (let k = 0; k < 2 ** n; k++) {
    const roles = new Map(said.map((s, i) => [s.speaker, ((k >> (n - 1 - i)) & 1) === 0]));
    const liar = said.find((s) => holds(s, (w) => roles.get(w)!) !== roles.get(s.speaker));
    const r = said.map((s) => (roles.get(s.speaker) ? 'T' : 'F'));
    cases.push(`${r.join('')}:${liar?.speaker ?? 'ok'}`);
    if (!liar) sols.push(r.map((x, i) => `${'ABCDE'[i]}=${x}`).join(','));
  }
  return { enumTrace: cases.join(';'), answer: sols[0] ?? '', nSolutions: sols.length };
}

/** The case analysis, rewritten over letters: null when a pass decides nothing. */
function caseTrace(prompt: string): string | null {
  const said = parsePrompt(prompt);
  const out: string[] = [];
  for (const aKnight of [true, false]) {
    const roles = new Map<string, boolean>([['A', aKnight]]);
    out.push(aKnight ? 'A' : 'a');
    let open = said;
    let dead = false;
    while (open.length && !dead) {
      const left: Said[] = [];
      for (const s of open) {
        const unknown = [...new Set([s.speaker, ...s.claims.map((c) => c.who)])].filter((w) => !roles.has(w)).sort();
        const ways: Map<string, boolean>[] = [];
        for (let k = 0; k < 2 ** unknown.length; k++) {
          const guess = new Map(roles);
          unknown.forEach((w, j) => guess.set(w, ((k >> j) & 1) === 0));
          if (holds(s, (w) => guess.get(w)!) === guess.get(s.speaker)) ways.push(guess);
        }
        let r: string;
        if (ways.length === 0) r = 'x';
        else if (ways.length > 1) (r = '?'), left.push(s);
        else {
          r = unknown.map((w) => (ways[0]!.get(w) ? w : w.toLowerCase())).join('') || '+';
          for (const w of unknown) roles.set(w, ways[0]!.get(w)!);
        }
        out.push(`${s.speaker}:${r}`);
        if (r === 'x') {
          dead = true;
          break;
        }
      }
      if (!dead && left.length === open.length) return null;
      open = left;
    }
  }
  return out.join(';');
}

describe('hand-written examples', () => {
  it('the classic two-person puzzle: prompt, both traces and the answer', () => {
    expect(K.prompt(P, cfgOf(2))).toBe('A:b,B:1Ab?');
    expect(K.gold(P, cfgOf(2))).toEqual({ trace: TRACE, answer: 'A=T,B=F' });
    expect(K.gold(P, cfgOf(2, 'enum'))).toEqual({ trace: ENUM, answer: 'A=T,B=F' });
    expect(v(GOOD).correct).toBe(true);
    expect(ve(`<think>${ENUM}</think><answer>A=T,B=F</answer>`).correct).toBe(true);
  });

  it('three people, two passes: A says "B and C differ", B "C is a knave", C "A is a knight"', () => {
    // A knight: A's and B's statements leave two ways open (?), C's fixes C a knight; the second
    // pass makes B a knave (A:b) and B's claim "C is a knave" false, as a knave's must be (B:+).
    // A knave: C's claim is false, so C is a knave; then B = C (A:b), and B's claim is true: x.
    const p = puzzle('1BC', 'c', 'A');
    expect(K.prompt(p, cfgOf(3))).toBe('A:1BC,B:c,C:A?');
    expect(K.gold(p, cfgOf(3))).toEqual({ trace: 'A;A:?;B:?;C:C;A:b;B:+;a;A:?;B:?;C:c;A:b;B:x', answer: 'A=T,B=F,C=T' });
    expect(K.gold(p, cfgOf(3, 'enum')).trace).toBe('TTT:A;TTF:C;TFT:ok;TFF:A;FTT:B;FTF:A;FFT:A;FFF:B');
  });

  it('four people: "or", "and" over three claims, one step fixing two people', () => {
    // A: "A is a knave or B a knight", B: "A a knight, C a knave, D a knight", C: "B a knave or C a
    // knight", D: "A or C is a knave". A knight makes B a knight (A:B), B's "and" fixes C and D
    // (B:cD), C's and D's statements then hold as their roles say. A knave would make A's "or" true.
    const p = puzzle('|aB', '&AcD', '|bC', '|ac');
    expect(K.prompt(p, cfgOf(4))).toBe('A:|aB,B:&AcD,C:|bC,D:|ac?');
    expect(K.gold(p, cfgOf(4))).toEqual({ trace: 'A;A:B;B:cD;C:+;D:+;a;A:x', answer: 'A=T,B=T,C=F,D=T' });
  });

  it('five people: "exactly one of" and a statement left open twice', () => {
    // A knight: A's "A, B or E is a knight" holds whatever B and E are (?); B's "exactly one of C, E"
    // is open too; C's "A knight, C knave, D knave" can only be false, so C is a knave and D a knight
    // (C:cD); D's "A is a knave and B a knight" is then false but D is a knight: x. A knave: A's
    // claim is false (A:be), B's must be false, so C = E (B:c); C's is false whatever D is (?); D's
    // is false, so D is a knave; E's "exactly one of: B knight, D knave, E knave" is false (two hold).
    const p = puzzle('|ABE', '1CE', '&Acd', '&aB', '1Bde');
    expect(K.gold(p, cfgOf(5))).toEqual({ trace: 'A;A:?;B:?;C:cD;D:x;a;A:be;B:c;C:?;D:d;E:+;C:+', answer: 'A=F,B=F,C=F,D=F,E=F' });
  });

  it('gold throws on a puzzle without a unique solution, and on one whose case analysis gets stuck (neither is generated)', () => {
    const twoSols = puzzle('A', 'B');
    expect(solutions(twoSols).length).toBe(4);
    expect(() => K.gold(twoSols, cfgOf(2))).toThrow(/4 solutions/);
    // A: "A is a knight", B: "C is a knight", C: "A is a knight and B a knave". Unique (all knaves),
    // but with A assumed a knight, B's and C's statements each leave two ways open: stuck.
    const stuck = puzzle(...STUCK);
    expect(solutions(stuck).length).toBe(1);
    expect(caseTrace(K.prompt(stuck, cfgOf(3)))).toBeNull();
    expect(() => K.gold(stuck, cfgOf(3))).toThrow(/gets stuck/);
    expect(K.gold(stuck, cfgOf(3, 'enum')).answer).toBe(bruteForce(K.prompt(stuck, cfgOf(3))).answer);
  });
});

const STUCK = ['A', 'C', '&Ab'];

describe('gold completions pass, checked by an independent solver', () => {
  for (const people of [3, 4, 5]) {
    it(`${people} people: unique solution, both golds = independent solve, gold passes every check`, () => {
      for (const p of problems(100 + people, 400, people)) {
        const prompt = K.prompt(p, cfgOf(people));
        const ind = bruteForce(prompt);
        expect(ind.nSolutions, prompt).toBe(1);
        expect(K.gold(p, cfgOf(people))).toEqual({ trace: caseTrace(prompt), answer: ind.answer });
        expect(K.gold(p, cfgOf(people, 'enum'))).toEqual({ trace: ind.enumTrace, answer: ind.answer });
        for (const format of ['cases', 'enum'] as const) {
          expectGoldVerdict(K.verify(p, goldText(p, format), cfgOf(people, format)), ind.answer, `${format} ${prompt}`);
        }
        expect(p.says.length).toBe(people);
      }
    });
  }

  it('answer-only completion: format fails (the think block is required)', () => {
    expectMissingThink(v('<answer>A=T,B=F</answer>'));
  });
});

describe('verifier truth table (A:b,B:1Ab?)', () => {
  it('surrounding whitespace and padded answer: allowed', () => {
    expect(v(`\n ${GOOD}\n`).correct).toBe(true);
    expect(v(`<think>${TRACE}</think><answer> A=T,B=F </answer>`).correct).toBe(true);
  });

  it('a wrong answer (well-formed but inconsistent): format ok, outcome wrong', () => {
    for (const a of ['A=F,B=T', 'A=T,B=T', 'A=F,B=F']) {
      expectWrongAnswer(v(`<think>${TRACE}</think><answer>${a}</answer>`), `expected A=T,B=F, got ${a}`, a);
    }
  });

  it('malformed answers: not an assignment', () => {
    const answers = ['A=T, B=F', 'B=F,A=T', 'a=t,b=f', 'A=T,B=F,', 'A=T', 'A=T,B=F,C=T', 'TF', 'Ab', 'A=T;B=F', 'A=1,B=0', 'A:T,B:F', 'A=T,B=F\nA=F,B=T'];
    expectAnswersRejected((a) => v(`<think>${TRACE}</think><answer>${a}</answer>`), answers, /not an assignment like A=T,B=T/);
  });

  it('a wrong step: first_wrong_step names step 5 and what was expected', () => {
    // Documented (as in addition): steps are a separate check; `correct` is format && outcome.
    expectWrongStepStillPaid(v('<think>A;A:b;B:+;a;A:b;B:x</think><answer>A=T,B=F</answer>'), { step: 5, reason: 'step 5: expected A:B, got "A:b"' });
  });

  it('a contradiction missed, a wrong assumption, a step out of order', () => {
    expect(v('<think>A;A:b;B:+;a;A:B;B:+</think><answer>A=T,B=F</answer>').first_wrong_step?.step).toBe(6);
    expect(v('<think>a;A:b;B:+;A;A:B;B:x</think><answer>A=T,B=F</answer>').first_wrong_step?.step).toBe(1);
    expect(v('<think>A;B:+;A:b;a;A:B;B:x</think><answer>A=T,B=F</answer>').first_wrong_step?.step).toBe(2);
  });

  it('a missing step, an extra step, an empty think block', () => {
    expect(v('<think>A;A:b;B:+;a;A:B</think><answer>A=T,B=F</answer>').first_wrong_step).toEqual({ step: 6, reason: 'missing step 6 (expected B:x)' });
    expect(v(`<think>${TRACE};B:x</think><answer>A=T,B=F</answer>`).first_wrong_step?.reason).toMatch(/^extra step 7/);
    expect(v('<think></think><answer>A=T,B=F</answer>').first_wrong_step).toEqual({ step: 1, reason: 'missing step 1 (expected A)' });
    expect(v(`<think>${TRACE};</think><answer>A=T,B=F</answer>`).first_wrong_step?.step).toBe(7);
  });

  it("format 'enum': every case is a step named 'case'", () => {
    expectWrongStepStillPaid(ve('<think>TT:A;TF:ok;FT:A;FF:A</think><answer>A=T,B=F</answer>'), { step: 3, reason: 'case 3: expected FT:B, got "FT:A"' });
    expect(ve('<think>TT:ok;TF:ok;FT:B;FF:A</think><answer>A=T,B=F</answer>').first_wrong_step?.step).toBe(1);
    expect(ve('<think>TT:A;TF:ok;FT:B</think><answer>A=T,B=F</answer>').first_wrong_step).toEqual({ step: 4, reason: 'missing case 4 (expected FF:A)' });
    // The other format's trace is wrong from its first step.
    expect(ve(GOOD).first_wrong_step?.step).toBe(1);
    expect(v(`<think>${ENUM}</think><answer>A=T,B=F</answer>`).first_wrong_step?.step).toBe(1);
  });

  it('broken tags: format fails, not paid, even with the right answer', () => {
    const broken = expectFormatBroken(v, [
      `<think>${TRACE}</think><answer>A=T,B=F</answr>`,
      `<think>${TRACE}</think><answer>A=T,B=F`,
      `<think>${TRACE}<answer>A=T,B=F</answer>`,
      `<think>${TRACE}</think>answer>A=T,B=F</answer>`,
      `think>${TRACE}</think><answer>A=T,B=F</answer>`,
      `<think>${TRACE}</think> so <answer>A=T,B=F</answer>`,
      `${GOOD}x`,
    ]);
    for (const r of broken) expect(check(r, 'format')?.detail.length).toBeGreaterThan(0);
  });
});

describe('hostile completions: none crash, none paid as correct', () => {
  const junk = junkFrom(new Rng(5));
  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace only', '  \n\t '],
    ['several answer blocks', `<think>${TRACE}</think><answer>A=T,B=F</answer><answer>A=T,B=F</answer>`],
    ['two different answers', `<think>${TRACE}</think><answer>A=F,B=T</answer><answer>A=T,B=F</answer>`],
    ['answer stuffed with all options', `<think>${TRACE}</think><answer>A=T,B=T A=T,B=F A=F,B=T A=F,B=F</answer>`],
    ['all options comma-joined', `<think>${TRACE}</think><answer>A=T,B=F,A=F,B=T</answer>`],
    ['both roles per person', `<think>${TRACE}</think><answer>A=TF,B=TF</answer>`],
    ['tags inside tags (answer in think)', `<think>${TRACE}<answer>A=T,B=F</answer></think><answer>A=T,B=F</answer>`],
    ['tags inside tags (think in answer)', `<answer><think>${TRACE}</think>A=T,B=F</answer>`],
    ['stray close tag in answer', `<think>${TRACE}</think><answer>A=T,B=F</think></answer>`],
    ['huge number', `<think>${TRACE}</think><answer>${'9'.repeat(5000)}</answer>`],
    ['__proto__', `<think>__proto__</think><answer>__proto__</answer>`],
    ['constructor', `<think>constructor;toString</think><answer>constructor</answer>`],
    ['code', `<think>${TRACE}</think><answer>(() => { while (true) {} })()</answer>`],
    ['JSON', `<think>${TRACE}</think><answer>{"A":"T","B":"F"}</answer>`],
    ['control characters', `<think>${TRACE}</think><answer>A=T,\u0000B=F\u001b[31m</answer>`],
    ['zero-width space', `<think>${TRACE}</think><answer>A=T,\u200bB=F</answer>`],
    ['lone surrogate', `<think>${TRACE}</think><answer>A=T,B=F\ud800</answer>`],
    ['100 KB of text', junk(100_000)],
    ['100 KB inside think, wrong answer', `<think>${junk(100_000)}</think><answer>A=F,B=F</answer>`],
    ['100 KB answer', `<think>${TRACE}</think><answer>${'A=T,'.repeat(25_000)}B=F</answer>`],
    ['100 KB of separators', `<think>${';'.repeat(100_000)}</think><answer>A=F,B=T</answer>`],
    ['100 K repeated tags', '<answer>'.repeat(100_000)],
    ['closing tags only', '</think></answer>A=T,B=F'],
  ];
  hostileSuite(hostile, v);
});

describe('rewards and flags', () => {
  it('binary and tinyzero schemes; unknown scheme throws', () => {
    expectRewardSchemes(v, { good: GOOD, wrong: `<think>${TRACE}</think><answer>A=F,B=T</answer>`, unanswered: `<think>${TRACE}</think>` });
  });

  it('truncated passes through', () => {
    expectTruncatedPassesThrough(v, GOOD, `<think>${TRACE}</think><answer>A=T,B`);
  });
});

describe('generation', () => {
  it('is deterministic per seed and differs across seeds', () => {
    for (const people of [3, 4, 5]) {
      expectDeterministic((seed) => problems(seed, 200, people), 7, 8, K.canonical);
    }
  });

  it('knobs, options and check', () => {
    expect(K.defaults).toEqual({ people: 3, format: 'table' });
    expect(K.options.format).toEqual(['table', 'cases', 'enum']);
    expect(K.knobs.people).toMatchObject({ min: 2, max: 5, integer: true });
    for (const people of [3, 4, 5]) for (const format of K.options.format as readonly KnightsConfig['format'][]) expect(K.check!(cfgOf(people, format))).toBeNull();
    expect(K.check!(cfgOf(6))).toMatch(/people must be an integer in \[2, 5\]/);
    expect(K.check!(cfgOf(1))).toMatch(/people/);
    expect(K.check!(cfgOf(2.5))).toMatch(/people/);
    expect(K.check!({ people: 3, format: 'grid' as never })).toMatch(/format must be one of table, cases, enum/);
    expect(K.check!(cfgOf(2))).toMatch(/people=2 has only 80 distinct puzzles.*test split.*use 3 to 5 people/);
  });

  it('every assignment occurs as an answer, roughly uniformly; every operator and group size occurs', () => {
    for (const people of [3, 4, 5]) {
      const counts = new Map<string, number>();
      const kinds = new Set<string>();
      const ps = problems(50 + people, 2000, people);
      for (const p of ps) {
        const a = K.gold(p, cfgOf(people)).answer;
        counts.set(a, (counts.get(a) ?? 0) + 1);
        for (const s of p.says) kinds.add(`${s.op}${s.lits.length}`);
      }
      expect(counts.size).toBe(2 ** people);
      const expected = 2000 / 2 ** people;
      for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(expected * (people === 5 ? 0.6 : 0.35));
      expect([...kinds].sort()).toEqual(['and2', 'and3', 'is1', 'one2', 'one3', 'or2', 'or3']);
    }
  });

  it('prompts are printable ASCII without < > or newlines, and canonical = prompt minus "?"', () => {
    for (const people of [3, 4, 5]) {
      for (const p of problems(9, 300, people)) {
        const text = K.prompt(p, cfgOf(people)) + goldText(p).replace(/<\/?(think|answer)>/g, '');
        expectPlainAscii(text);
        expect(K.prompt(p, cfgOf(people))).toBe(`${K.canonical(p)}?`);
      }
    }
  });

  it('draws per accepted puzzle stay bounded', () => {
    for (const people of [3, 4, 5]) {
      const rng = new Rng(77);
      let draws = 0;
      let worst = 0;
      for (let i = 0; i < 500; i++) {
        const { attempts } = generateCounted(rng, people);
        draws += attempts;
        worst = Math.max(worst, attempts);
      }
      // Measured: about 3.8 (3 people), 6.6 (4) and 10.8 (5) draws per accepted puzzle.
      expect(draws / 500).toBeLessThan(2 * { 3: 3.8, 4: 6.6, 5: 10.8 }[people]!);
      expect(worst).toBeLessThan(300);
    }
  });
});

describe('length bounds', () => {
  it('maxPromptLength / maxCompletionLength bound 2000 problems per setting and are reached (or nearly)', () => {
    for (const people of [3, 4, 5]) {
      const ps = problems(people * 11, 2000, people);
      for (const format of ['cases', 'enum'] as const) {
        const cfg = cfgOf(people, format);
        const { maxP, maxC, seenP, seenC } = expectLengthBounds(K, cfg, ps, (p) => goldText(p, format), `${people} ${format}`);
        expect(seenP).toBe(maxP);
        // 'enum': every gold completion has the same length. 'cases': the trace budget; longer
        // puzzles are redrawn, and the longest drawn come within a few characters of it.
        if (format === 'enum') expect(seenC).toBe(maxC);
        else expect(seenC).toBeGreaterThan(maxC - 5);
      }
    }
    // 3 people, 'cases': the whole sequence (<bos>, prompt, completion) fits a context of 80.
    expect(1 + K.maxPromptLength(cfgOf(3)) + K.maxCompletionLength(cfgOf(3))).toBeLessThanOrEqual(80);
    expect(K.maxCompletionLength(cfgOf(3))).toBeLessThan(K.maxCompletionLength(cfgOf(3, 'enum')));
    expect(K.maxCompletionLength(cfgOf(5))).toBeLessThan(K.maxCompletionLength(cfgOf(5, 'enum')) / 2);
  });
});

describe('no reward pays a wrong answer in full', () => {
  // The first person's role flipped: a well-formed assignment that is not the unique solution.
  const wrong = (_p: KnightsProblem, g: { answer: string }) => `A=${g.answer[2] === 'T' ? 'F' : 'T'}${g.answer.slice(3)}`;
  for (const people of [2, 3]) {
    const ps = problems(12, 20, people);
    it(`${people} people: the gold steps with a wrong answer earn strictly less than the right answer, under every scheme`, () => {
      expectWrongAnswerPaidLess(K, cfgOf(people), ps, wrong);
    });
    it(`${people} people: an empty think earns no step credit`, () => {
      expectEmptyThinkNoStepCredit(K, cfgOf(people), ps, wrong);
    });
  }
});
