// Syllogism task, `scan` format (the default): hand-worked prompts and traces (yes, no, no with the
// witness below A, unknown, a problem that needs every pass), the letter naming, fixed widths at
// every knob setting, gold completions verifying with the checker's answer, the facts' fixed point
// within the passes, wrong steps caught with the right first_wrong_step, hostile completions and
// rewards.

import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.ts';
import { renderCompletion, tokenLength } from '../src/tasks/format.ts';
import { syllogism, decide, type Premise, type SyllogismConfig, type SyllogismProblem } from '../src/tasks/syllogism.ts';
import { letterNames, scanGold } from '../src/tasks/syllogism-scan.ts';
import { checkOf, expectEmptyThinkNoStepCredit, expectGoldVerdict, expectPlainAscii, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';

const cfgOf = (over: Partial<SyllogismConfig> = {}): SyllogismConfig => ({ ...syllogism.defaults, ...over });
const CFG = cfgOf();
const all = (x: string, y: string): Premise => ({ kind: 'all', x, y });
const no = (x: string, y: string): Premise => ({ kind: 'no', x, y });
const prob = (premises: Premise[], a: string, c: string): SyllogismProblem => ({ premises, a, c });
const goldText = (p: SyllogismProblem, cfg: SyllogismConfig = CFG) => renderCompletion(syllogism.gold(p, cfg), true);
const withThink = (think: string, answer: string) => `<think>${think}</think><answer>${answer}</answer>`;
/** A config with exactly `n` slots. */
const slots = (n: number) => cfgOf({ chainLength: 1, distractors: n - 1 });

describe('hand-worked examples', () => {
  // [name, problem, slots, prompt, trace, answer]; every step worked by hand from the rules.
  const cases: [string, SyllogismProblem, number, string, string, string][] = [
    // wug ⊆ dax ⊆ fep with a no-distractor: all A are C (p) and some A are C (q) in pass 1, then the
    // same for B in pass 2; kip is disjoint from C, which has i, so some A are not D (s = d).
    ['yes through a chain', prob([all('dax', 'fep'), no('kip', 'dax'), all('wug', 'dax')], 'wug', 'fep'), 3, 'C(B,D#C,A(C;A(B?=', 'C..B..D..C..ACCC..,CBBB..D..C.dACCC..,CBBB..D..C.dACCC..,B+', 'yes'],
    // wug ⊆ dax, dax disjoint from fep: C has i, so some A are not B (q = b).
    ['no: A under P, P disjoint from B', prob([all('wug', 'dax'), no('dax', 'fep')], 'wug', 'fep'), 2, 'A(C,C#B;A(B?=', 'ACCC..C.bB..,ACCC..C.bB..,B-', 'no'],
    // zot ⊆ wug: all C are A (r = C), so some A are C; zot disjoint from fep: some A are not B.
    ['no with the witness below A', prob([all('zot', 'wug'), no('zot', 'fep')], 'wug', 'fep'), 2, 'C(A,C#B;A(B?=', 'C..AC.C.bB..,C.AAC.C.bB..,B-', 'no'],
    // Z ⊆ A, Z ⊆ P, P disjoint from Q, fep ⊆ Q, in the worst order: one new fact per pass, 4 passes.
    [
      'no with the witness below A, needing every pass',
      prob([all('fep', 'kip'), no('dax', 'kip'), all('zot', 'dax'), all('zot', 'wug')], 'wug', 'fep'),
      4,
      'B(C,D#C,E(D,E(A;A(B?=',
      'B..C..D..C..E..D..E..AE.,B..C..D..C..E.DD..E.AAE.,B..C..D.cC..E.DD..E.AAE.,B..C.bD.cC..E.DD..E.AAE.,B-',
      'no',
    ],
    ['unknown: undistributed middle', prob([all('wug', 'dax'), all('fep', 'dax')], 'wug', 'fep'), 2, 'A(C,B(C;A(B?=', 'ACCC..B..C..,ACCC..B..C..,B.', 'unknown'],
    // fep ⊆ dax ⊆ wug: all B are A (r = B), which says nothing about all A being B.
    ['unknown: converse', prob([all('fep', 'dax'), all('dax', 'wug')], 'wug', 'fep'), 2, 'B(C,C(A;A(B?=', 'B..C..C..AC.,B..CB.C.AAC.,B.', 'unknown'],
    // some A are not D, but fep ⊆ kip is missing (kip ⊆ fep points the wrong way): o never reaches B.
    ['unknown: B side points the wrong way', prob([all('wug', 'dax'), no('dax', 'kip'), all('kip', 'fep')], 'wug', 'fep'), 3, 'A(C,C#D,D(B;A(B?=', 'ACCC..C.dD..D..B..,ACCC..C.dD..D..B..,ACCC..C.dD..D..B..,B.', 'unknown'],
    ['unknown: no premises, unused slots', prob([], 'wug', 'fep'), 2, '---,---;A(B?=', '------------,------------,B.', 'unknown'],
  ];
  for (const [name, p, n, prompt, trace, answer] of cases) {
    it(`${name}: ${answer}`, () => {
      const cfg = slots(n);
      expect(decide(p)).toBe(answer);
      expect(syllogism.prompt(p, cfg)).toBe(prompt);
      expect(syllogism.gold(p, cfg)).toEqual({ trace, answer });
      expectGoldVerdict(syllogism.verify(p, withThink(trace, answer), cfg), answer, prompt);
      expect(tokenLength(prompt)).toBe(syllogism.maxPromptLength(cfg));
    });
  }

  it('the worked example in the source header', () => {
    const p = prob([all('wug', 'dax'), no('dax', 'fep')], 'wug', 'fep');
    expect(syllogism.prompt(p, slots(3))).toBe('A(C,C#B,---;A(B?=');
    expect(syllogism.gold(p, slots(3))).toEqual({ trace: 'ACCC..C.bB..------,ACCC..C.bB..------,ACCC..C.bB..------,B-', answer: 'no' });
  });

  it('more premises than slots is refused with a clear message', () => {
    const p = prob([all('a1', 'a2'), all('a2', 'a3'), all('a3', 'a4')], 'a1', 'a4');
    expect(() => syllogism.prompt(p, slots(2))).toThrow(/3 premises do not fit 2 slots/);
    expect(() => syllogism.verify(p, '', slots(2))).toThrow(/do not fit/);
  });
});

describe('letter naming', () => {
  it('A and B are the question, then C, D, ... by first appearance; no word reaches the prompt', () => {
    const p = prob([no('kip', 'dax'), all('fep', 'zot'), all('dax', 'wug')], 'wug', 'fep');
    expect([...letterNames(p)]).toEqual([['wug', 'A'], ['fep', 'B'], ['kip', 'C'], ['dax', 'D'], ['zot', 'E']]);
    expect(syllogism.prompt(p, slots(3))).toBe('C#D,B(E,D(A;A(B?=');
  });

  it('depends on the presented structure only: renaming the words changes neither prompt nor trace', () => {
    const rng = new Rng(4);
    for (const p of generateMany(syllogism, 21, 200, CFG)) {
      const words = [...letterNames(p).keys()];
      const fresh = rng.shuffle(words.map((_, i) => `w${i}`));
      const map = new Map(words.map((w, i) => [w, fresh[i]!]));
      const q = prob(p.premises.map((r) => ({ kind: r.kind, x: map.get(r.x)!, y: map.get(r.y)! })), map.get(p.a)!, map.get(p.c)!);
      expect(syllogism.prompt(q, CFG)).toBe(syllogism.prompt(p, CFG));
      expect(syllogism.gold(q, CFG)).toEqual(syllogism.gold(p, CFG));
    }
  });

  it('the same problem presented in another order keeps its canonical form (and so its split)', () => {
    const p = prob([all('wug', 'dax'), no('dax', 'fep'), all('kip', 'fep')], 'wug', 'fep');
    const q = prob([all('kip', 'fep'), no('fep', 'dax'), all('wug', 'dax')], 'wug', 'fep');
    expect(syllogism.canonical(q)).toBe(syllogism.canonical(p));
    expect(syllogism.prompt(q, CFG)).not.toBe(syllogism.prompt(p, CFG));
    expect(syllogism.gold(q, CFG).answer).toBe(syllogism.gold(p, CFG).answer);
  });
});

describe('gold completions and fixed widths', () => {
  it('verify with the exact checker’s answer at every knob setting; every prompt and trace has its level’s one length', () => {
    for (let chainLength = 1; chainLength <= 4; chainLength++) {
      for (let distractors = 0; distractors <= 4; distractors++) {
        const cfg = cfgOf({ chainLength, distractors });
        const n = chainLength + distractors;
        const atDefaults = chainLength === CFG.chainLength && distractors === CFG.distractors;
        for (const p of generateMany(syllogism, 700 + chainLength * 10 + distractors, atDefaults ? 2000 : 150, cfg)) {
          const prompt = syllogism.prompt(p, cfg);
          const g = syllogism.gold(p, cfg);
          expect(g.answer).toBe(decide(p));
          expectGoldVerdict(syllogism.verify(p, withThink(g.trace, g.answer), cfg), g.answer, prompt);
          expect(tokenLength(prompt)).toBe(syllogism.maxPromptLength(cfg));
          expect(tokenLength(goldText(p, cfg))).toBe(syllogism.maxCompletionLength(cfg) - ('unknown'.length - g.answer.length));
          const parts = g.trace.split(',');
          expect(parts).toHaveLength(n + 1);
          for (const pass of parts.slice(0, n)) expect(pass).toHaveLength(6 * n);
          expect(parts[n]).toMatch(/^B[+\-.]$/);
          for (const s of [prompt, g.trace]) expectPlainAscii(s);
        }
      }
    }
  });

  it('the default context: 25 prompt tokens, 168 completion tokens (5 passes of 5 six-token steps)', () => {
    expect(syllogism.maxPromptLength(CFG)).toBe(25);
    expect(syllogism.maxCompletionLength(CFG)).toBe(168);
  });

  it('every curriculum level verifies; the levels cover yes, no and unknown', () => {
    for (const level of syllogism.curriculum) {
      const cfg = cfgOf(level);
      const answers = new Set<string>();
      for (const p of generateMany(syllogism, 31, 300, cfg)) {
        const g = syllogism.gold(p, cfg);
        answers.add(g.answer);
        expect(syllogism.verify(p, goldText(p, cfg), cfg).fully_correct).toBe(true);
      }
      expect(answers).toEqual(new Set(['yes', 'no', 'unknown']));
    }
  });

  it('the labels reach their fixed point within the passes: one more pass changes nothing', () => {
    let neededLast = 0;
    for (const p of generateMany(syllogism, 41, 3000, CFG)) {
      expect(scanGold(p, 5, 6).labels).toBe(scanGold(p, 5).labels);
      if (scanGold(p, 5, 4).labels !== scanGold(p, 5).labels) neededLast++;
    }
    expect(neededLast).toBeGreaterThan(0); // some problems need all five passes: the bound is not slack
  });
});

describe('wrong steps are caught', () => {
  const p = prob([all('dax', 'fep'), no('kip', 'dax'), all('wug', 'dax')], 'wug', 'fep');
  const cfg = slots(3);
  const gold = 'C..B..D..C..ACCC..,CBBB..D..C.dACCC..,CBBB..D..C.dACCC..,B+';
  const v = (think: string, answer = 'yes') => syllogism.verify(p, withThink(think, answer), cfg);

  it('a wrong label in pass 2 names its step, pass and slot; the right answer is still paid, not fully right', () => {
    expectWrongStepStillPaid(v(gold.replace('D..C.d', 'D..C..')), { step: 5, reason: 'step 5 (pass 2, slot 2): expected D..C.d, got "D..C.."' });
  });

  it('a wrong letter, a missed step, an extra step, a missing pass, a wrong conclusion', () => {
    expect(v(gold.replace('C..B..', 'C..D..')).first_wrong_step).toEqual({ step: 1, reason: 'step 1 (pass 1, slot 1): expected C..B.., got "C..D.."' });
    expect(v(gold.replace('D..C..', '')).first_wrong_step).toEqual({ step: 2, reason: 'step 2 (pass 1, slot 2): expected D..C.., got "ACCC.."' });
    expect(v(gold.replace('ACCC..,', 'ACCC..ACCC..,')).first_wrong_step).toEqual({ step: 4, reason: 'step 4 (pass 2, slot 1): expected CBBB.., got "ACCC.."' });
    expect(v('C..B..D..C..ACCC..,CBBB..D..C.dACCC..,B+').first_wrong_step).toEqual({ step: 7, reason: 'step 7 (pass 3, slot 1): expected CBBB.., got "B+"' });
    expect(v(gold.replace(/B\+$/, 'B.'), 'unknown').first_wrong_step).toEqual({ step: 10, reason: 'step 10 (conclusion): expected B+, got "B."' });
    expect(v(gold + ',B+').first_wrong_step).toEqual({ step: 11, reason: 'extra step 11: "B+"' });
    expect(v(gold.slice(0, -3)).first_wrong_step).toEqual({ step: 10, reason: 'missing step 10 (conclusion): expected B+' });
  });

  it('an empty think, and the old walk trace, fail at step 1', () => {
    expect(v('').first_wrong_step).toEqual({ step: 1, reason: 'missing step 1 (pass 1, slot 1): expected C..B..' });
    expect(v('wug-dax,dax-fep').first_wrong_step?.step).toBe(1);
    expect(checkOf(v(gold), 'steps')).toEqual({ name: 'steps', passed: true, detail: '10 steps ok' });
  });

  it('a wrong answer after a right scan: format ok, outcome wrong, reward 0', () => {
    expectWrongAnswer(v(gold, 'no'), 'expected yes, got no');
    expect(checkOf(v(gold, 'maybe'), 'answer')?.detail).toBe('answer "maybe" is not yes, no or unknown');
  });

  it('the think block is required', () => {
    const r = syllogism.verify(p, '<answer>yes</answer>', cfg);
    expect(r.format_ok).toBe(false);
    expect(r.correct).toBe(false);
  });
});

describe('hostile completions: none crash, none paid as correct', () => {
  const p = prob([all('dax', 'fep'), no('kip', 'dax'), all('wug', 'dax')], 'wug', 'fep');
  const v = (c: string, opts?: { truncated?: boolean; scheme?: string }) => syllogism.verify(p, c, CFG, opts);
  const T = syllogism.gold(p, CFG).trace;
  const junk = junkFrom(new Rng(9));
  const hostile: [string, string][] = [
    ['empty', ''],
    ['several answer blocks', `<think>${T}</think><answer>yes</answer><answer>yes</answer>`],
    ['all options in one answer', `<think>${T}</think><answer>yes no unknown</answer>`],
    ['answer nested in think', `<think>${T}<answer>yes</answer></think><answer>yes</answer>`],
    ['__proto__', `<think>__proto__</think><answer>__proto__</answer>`],
    ['NUL and control characters', `<think>${T}</think><answer>yes\u0000\u001b[31m</answer>`],
    ['100 KB garbage', junk(100_000)],
    ['100 KB garbage in think, wrong answer', `<think>${junk(100_000)}</think><answer>no</answer>`],
    ['100 KB of commas, wrong answer', `<think>${','.repeat(100_000)}</think><answer>unknown</answer>`],
  ];
  hostileSuite(hostile, v);

  it('100 KB of steps in the think block is fast and its reason stays short', () => {
    const t0 = performance.now();
    const r = v(`<think>${'CBBB..'.repeat(17_000)}</think><answer>yes</answer>`);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.fully_correct).toBe(false);
    expect(r.first_wrong_step!.reason.length).toBeLessThan(200);
  });
});

describe('rewards and flags', () => {
  const p = prob([all('dax', 'fep'), no('kip', 'dax'), all('wug', 'dax')], 'wug', 'fep');
  const v = (c: string, opts?: { truncated?: boolean; scheme?: string }) => syllogism.verify(p, c, CFG, opts);
  const good = goldText(p);
  it('binary and tinyzero; truncated passes through', () => {
    expectRewardSchemes(v, { good, wrong: good.replace('>yes<', '>no<'), unanswered: good.slice(0, good.indexOf('<answer>')) });
    expectTruncatedPassesThrough(v, good, good.slice(0, -10));
  });

  const ps = generateMany(syllogism, 12, 60, CFG);
  const next = { yes: 'no', no: 'unknown', unknown: 'yes' } as Record<string, string>;
  it('the gold scan with a wrong answer earns strictly less, under every scheme; an empty think earns no step credit', () => {
    expect(new Set(ps.map((q) => syllogism.gold(q, CFG).answer))).toEqual(new Set(['yes', 'no', 'unknown']));
    expectWrongAnswerPaidLess(syllogism, CFG, ps, (_q, g) => next[g.answer]!);
    expectEmptyThinkNoStepCredit(syllogism, CFG, ps, (_q, g) => next[g.answer]!);
  });
});
