// Knights and knaves: hand-solved puzzles, an independent solver that works from the prompt TEXT,
// a verifier truth table (mutated answers, steps and tags), hostile completions that must neither
// crash nor be paid, determinism per seed, uniqueness and uniform answers, and length bounds.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { generateCounted, knightsKnaves as K, solutions, type KnightsConfig, type KnightsProblem } from '../src/tasks/knights.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { checkOf as check, expectAnswersRejected, expectDeterministic, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGoldVerdict, expectLengthBounds, expectMissingThink, expectPlainAscii, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';

const cfgOf = (people: number): KnightsConfig => ({ ...K.defaults, people });
const goldText = (p: KnightsProblem) => renderCompletion(K.gold(p, cfgOf(p.says.length)), true);

const problems = (seed: number, n: number, people: number) => generateMany(K, seed, n, cfgOf(people));

// The classic: A says "B is a knave", B says "A and B are the same kind".
//   TT: A's claim (B knave) is false but A is a knight  -> A
//   TF: A's claim true, A knight; B's claim (A=B) false, B knave  -> ok
//   FT: A's claim false, A knave ok; B's claim false but B knight  -> B
//   FF: A's claim true but A is a knave  -> A
const P: KnightsProblem = {
  says: [
    { kind: 'knave', x: 1, y: -1 },
    { kind: 'same', x: 0, y: 1 },
  ],
};
const TRACE = 'TT:A;TF:ok;FT:B;FF:A';
const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }) => K.verify(P, completion, cfgOf(2), opts);
const GOOD = `<think>${TRACE}</think><answer>A=T,B=F</answer>`;

// A three-person puzzle: A: "B and C differ", B: "C is a knave", C: "A is a knight".
// Only TFT works: B!=C true (A knight), C- false (B knave), A+ true (C knight).
const P3: KnightsProblem = {
  says: [
    { kind: 'differ', x: 1, y: 2 },
    { kind: 'knave', x: 2, y: -1 },
    { kind: 'knight', x: 0, y: -1 },
  ],
};

// Independent solver: parses the prompt text (not the problem object) and brute-forces every
// assignment in trace order with its own evaluator.
function solveFromPrompt(prompt: string): { trace: string; answer: string; nSolutions: number } {
  expect(prompt.endsWith('?')).toBe(true);
  const parts = prompt.slice(0, -1).split(',');
  const n = parts.length;
  const idx = (c: string) => 'ABCD'.indexOf(c);
  const cases: string[] = [];
  const sols: string[] = [];
  for (let k = 0; k < 2 ** n; k++) {
    const roles = Array.from({ length: n }, (_, i) => ((k >> (n - 1 - i)) & 1) === 0); // true = knight
    let liar = '';
    parts.forEach((part, i) => {
      expect(part[0]).toBe('ABCD'[i]);
      expect(part[1]).toBe(':');
      const st = part.slice(2);
      let truth: boolean;
      if (st.length === 2) truth = st[1] === '+' ? roles[idx(st[0]!)]! : (expect(st[1]).toBe('-'), !roles[idx(st[0]!)]!);
      else {
        expect(st.length).toBe(3);
        const a = roles[idx(st[0]!)]!;
        const b = roles[idx(st[2]!)]!;
        expect(idx(st[0]!)).toBeLessThan(idx(st[2]!));
        truth = st[1] === '=' ? a === b : st[1] === '!' ? a !== b : (expect(st[1]).toBe('|'), a || b);
      }
      if (!liar && truth !== roles[i]) liar = 'ABCD'[i]!;
    });
    const r = roles.map((x) => (x ? 'T' : 'F'));
    cases.push(`${r.join('')}:${liar || 'ok'}`);
    if (!liar) sols.push(r.map((x, i) => `${'ABCD'[i]}=${x}`).join(','));
  }
  return { trace: cases.join(';'), answer: sols[0] ?? '', nSolutions: sols.length };
}

describe('hand-written examples', () => {
  it('the classic two-person puzzle: prompt, trace and answer', () => {
    expect(K.prompt(P, cfgOf(2))).toBe('A:B-,B:A=B?');
    expect(K.gold(P, cfgOf(2))).toEqual({ trace: TRACE, answer: 'A=T,B=F' });
    expect(v(GOOD).correct).toBe(true);
  });

  it('a three-person puzzle solved by hand', () => {
    expect(K.prompt(P3, cfgOf(3))).toBe('A:B!C,B:C-,C:A+?');
    const g = K.gold(P3, cfgOf(3));
    expect(g.answer).toBe('A=T,B=F,C=T');
    expect(g.trace).toBe('TTT:A;TTF:C;TFT:ok;TFF:A;FTT:B;FTF:A;FFT:A;FFF:B');
  });

  it('"or" statements and the case order for four people', () => {
    // A: "A or B is a knight", B: "C is a knave", C: "C and D are the same", D: "A is a knave".
    const p: KnightsProblem = {
      says: [
        { kind: 'or', x: 0, y: 1 },
        { kind: 'knave', x: 2, y: -1 },
        { kind: 'same', x: 2, y: 3 },
        { kind: 'knave', x: 0, y: -1 },
      ],
    };
    expect(K.prompt(p, cfgOf(4))).toBe('A:A|B,B:C-,C:C=D,D:A-?');
    const sols = solutions(p);
    // A knave would make "A or B" false, so B is a knave too; then C is a knight, and C=D makes D a
    // knight, but D's "A is a knave" is true: consistent. A knight: D's claim is false so D knave;
    // then C=D means C true iff C knave: impossible. So exactly FFTT.
    expect(sols.length).toBe(1);
    const g = K.gold(p, cfgOf(4));
    expect(g.answer).toBe('A=F,B=F,C=T,D=T');
    expect(g.trace.split(';').map((c) => c.slice(0, 4))).toEqual(
      ['TTTT', 'TTTF', 'TTFT', 'TTFF', 'TFTT', 'TFTF', 'TFFT', 'TFFF', 'FTTT', 'FTTF', 'FTFT', 'FTFF', 'FFTT', 'FFTF', 'FFFT', 'FFFF'],
    );
    expect(g.trace.split(';')[12]).toBe('FFTT:ok');
  });

  it('gold throws on a puzzle without a unique solution (never generated)', () => {
    const twoSols: KnightsProblem = { says: [{ kind: 'knight', x: 0, y: -1 }, { kind: 'knight', x: 1, y: -1 }] };
    expect(solutions(twoSols).length).toBe(4);
    expect(() => K.gold(twoSols, cfgOf(2))).toThrow(/4 solutions/);
  });
});

describe('gold completions pass, checked by an independent solver', () => {
  for (const people of [2, 3, 4]) {
    it(`${people} people: unique solution, gold = independent solve, gold passes every check`, () => {
      for (const p of problems(100 + people, 500, people)) {
        const prompt = K.prompt(p, cfgOf(people));
        const ind = solveFromPrompt(prompt);
        expect(ind.nSolutions, prompt).toBe(1);
        expect(K.gold(p, cfgOf(people))).toEqual({ trace: ind.trace, answer: ind.answer });
        expectGoldVerdict(K.verify(p, goldText(p), cfgOf(people)), ind.answer, prompt);
        expect(p.says.length).toBe(people);
      }
    });
  }

  it('answer-only completion: format fails (the think block is required)', () => {
    expectMissingThink(v('<answer>A=T,B=F</answer>'));
  });
});

describe('verifier truth table (A:B-,B:A=B?)', () => {
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
    const answers = ['A=T, B=F', 'B=F,A=T', 'a=t,b=f', 'A=T,B=F,', 'A=T', 'A=T,B=F,C=T', 'TF', 'A=T;B=F', 'A=1,B=0', 'A:T,B:F', 'A=T,B=F\nA=F,B=T'];
    expectAnswersRejected((a) => v(`<think>${TRACE}</think><answer>${a}</answer>`), answers, /not an assignment like A=T,B=T/);
  });

  it('a wrong step: first_wrong_step names case 3 and what was expected', () => {
    // Documented (as in addition): steps are a separate check; `correct` is format && outcome.
    expectWrongStepStillPaid(v('<think>TT:A;TF:ok;FT:A;FF:A</think><answer>A=T,B=F</answer>'), { step: 3, reason: 'case 3: expected FT:B, got "FT:A"' });
  });

  it('a wrong verdict "ok" on an inconsistent case: step 1', () => {
    const r = v('<think>TT:ok;TF:ok;FT:B;FF:A</think><answer>A=T,B=F</answer>');
    expect(r.first_wrong_step?.step).toBe(1);
  });

  it('cases out of order: the first swapped case is wrong', () => {
    const r = v('<think>TT:A;FT:B;TF:ok;FF:A</think><answer>A=T,B=F</answer>');
    expect(r.first_wrong_step?.step).toBe(2);
  });

  it('a missing step: the missing case is named', () => {
    const r = v('<think>TT:A;TF:ok;FT:B</think><answer>A=T,B=F</answer>');
    expect(r.first_wrong_step).toEqual({ step: 4, reason: 'missing case 4 (expected FF:A)' });
    const r2 = v('<think>TT:A;FT:B;FF:A</think><answer>A=T,B=F</answer>');
    expect(r2.first_wrong_step).toEqual({ step: 2, reason: 'case 2: expected TF:ok, got "FT:B"' });
  });

  it('an extra step, and an empty think block', () => {
    expect(v(`<think>${TRACE};FF:A</think><answer>A=T,B=F</answer>`).first_wrong_step?.reason).toMatch(/^extra case 5/);
    expect(v('<think></think><answer>A=T,B=F</answer>').first_wrong_step).toEqual({ step: 1, reason: 'missing case 1 (expected TT:A)' });
    expect(v(`<think>${TRACE};</think><answer>A=T,B=F</answer>`).first_wrong_step?.step).toBe(5);
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
    for (const people of [2, 3, 4]) {
      expectDeterministic((seed) => problems(seed, 200, people), 7, 8, K.canonical);
    }
  });

  it('knobs and check', () => {
    expect(K.defaults).toEqual({ people: 3 });
    expect(K.knobs.people).toMatchObject({ min: 2, max: 4, integer: true });
    expect(K.check!(cfgOf(3))).toBeNull();
    expect(K.check!(cfgOf(5))).toMatch(/people/);
    expect(K.check!(cfgOf(1))).toMatch(/people/);
    expect(K.check!(cfgOf(2.5))).toMatch(/people/);
  });

  it('every assignment occurs as an answer, roughly uniformly; all statement kinds occur', () => {
    for (const people of [2, 3, 4]) {
      const counts = new Map<string, number>();
      const kinds = new Set<string>();
      const ps = problems(50 + people, 2000, people);
      for (const p of ps) {
        const a = K.gold(p, cfgOf(people)).answer;
        counts.set(a, (counts.get(a) ?? 0) + 1);
        for (const s of p.says) kinds.add(s.kind);
      }
      expect(counts.size).toBe(2 ** people);
      const expected = 2000 / 2 ** people;
      for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(expected * 0.35);
      expect([...kinds].sort()).toEqual(['differ', 'knave', 'knight', 'or', 'same']);
    }
  });

  it('prompts are printable ASCII without < > or newlines, and canonical = prompt minus "?"', () => {
    for (const people of [2, 3, 4]) {
      for (const p of problems(9, 300, people)) {
        const text = K.prompt(p, cfgOf(people)) + goldText(p).replace(/<\/?(think|answer)>/g, '');
        expectPlainAscii(text);
        expect(K.prompt(p, cfgOf(people))).toBe(`${K.canonical(p)}?`);
      }
    }
  });

  it('first-draw uniqueness share and attempts stay bounded', () => {
    for (const people of [2, 3, 4]) {
      const rng = new Rng(77);
      let first = 0;
      let worst = 0;
      for (let i = 0; i < 1000; i++) {
        const { attempts } = generateCounted(rng, people);
        if (attempts === 1) first++;
        worst = Math.max(worst, attempts);
      }
      // Measured: about 34% (2 people), 27% (3), 21% (4) unique on the first draw.
      expect(first).toBeGreaterThan(150);
      expect(worst).toBeLessThan(200);
    }
  });
});

describe('length bounds', () => {
  it('maxPromptLength / maxCompletionLength bound 2000 problems per setting; completions hit the bound', () => {
    for (const people of [2, 3, 4]) {
      const cfg = cfgOf(people);
      const { maxP, maxC, seenC } = expectLengthBounds(K, cfg, problems(people * 11, 2000, people), goldText);
      // Every gold completion has the same length: 2^n cases of n+2 chars, one "ok" (+1), separators, answer, tags.
      expect(seenC).toBe(maxC);
      expect(maxC).toBe({ 2: 31, 3: 63, 4: 131 }[people]);
      expect(maxP).toBe(6 * people);
    }
    // Default knobs stay under ~120 tokens in total.
    expect(K.maxPromptLength(K.defaults) + K.maxCompletionLength(K.defaults)).toBeLessThanOrEqual(120);
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
