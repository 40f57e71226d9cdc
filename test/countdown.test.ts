// Countdown task with solution traces (the `solution` format, which the search checker must also
// accept as a search that goes straight to the target): a verifier truth table with step
// mutations, hostile completions that must neither crash nor be paid, gold completions of both
// formats across knobs, length bounds, and the gold trees
// re-checked independently (plain numbers). The search format: countdown-search.test.ts; the
// answer parser: countdown-expr.test.ts.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { countdown, type CountdownProblem } from '../src/tasks/countdown.ts';
import { ANSWER, CFG, cfgOf, goldText, num, op, P, problems, roomy, TRACE } from './helpers/countdown.ts';
import { checkOf as check, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGarbageThinkPaid, expectGoldVerdict, expectLengthBounds, expectMissingThink, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, hostileSuite, junkFrom } from './helpers/task.ts';

const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }) => countdown.verify(P, completion, CFG, opts);
const withAnswer = (a: string, trace = TRACE) => v(`<think>${trace}</think><answer>${a}</answer>`);


describe('gold completions pass', () => {
  it('the worked example has the expected prompt, trace and answer', () => {
    expect(countdown.prompt(P, CFG)).toBe('3,7,25,50:100=');
    expect(countdown.gold(P, CFG)).toEqual({ trace: TRACE, answer: ANSWER });
    const r = v(goldText(P));
    expect(r.correct).toBe(true);
    expect(r.checks.map((c) => [c.name, c.passed])).toEqual([['format', true], ['steps', true], ['answer', true]]);
  });

  it('gold passes every check for many generated problems across knob settings, in both formats', () => {
    for (const format of ['search', 'solution'] as const) {
      for (const count of [3, 4]) {
        for (const maxNumber of [9, 20, 50, 99]) {
          const cfg = roomy(count, maxNumber, format);
          for (const p of problems(count * 1000 + maxNumber, 200, cfg)) {
            const r = countdown.verify(p, goldText(p, cfg), cfg);
            expectGoldVerdict(r, countdown.gold(p, cfg).answer, `${countdown.prompt(p, cfg)} ${goldText(p, cfg)}`);
            expect(check(r, 'steps')?.detail).toMatch(/\(the gold trace\)$/);
          }
        }
      }
    }
  });

  it('both formats draw the same problems; the solution trace passes as a search that goes straight to the target', () => {
    const search = roomy(3, 20);
    const solution = roomy(3, 20, 'solution');
    const ps = problems(21, 300, search);
    expect(problems(21, 300, solution)).toEqual(ps);
    for (const p of ps) {
      const r = countdown.verify(p, goldText(p, solution), search);
      expect(r.correct && check(r, 'steps')!.passed).toBe(true);
      expect(check(r, 'steps')?.detail).toMatch(/^2 operations ok, 0 backtracks, reaching \d+ \((not )?the gold trace\)$/);
    }
  });
});

describe('verifier truth table (3,7,25,50 -> 100)', () => {
  it('other correct expressions are accepted, not only the gold one', () => {
    // By brute force these are all the solutions in the 5 bracketings; negative intermediates
    // (3-7 = -4) are fine because the minus is binary.
    for (const a of ['(7-3)*(50-25)', '(50-25)*(7-3)', '(3-7)*(25-50)', '(25-50)*(3-7)', '((50-25))*(7-3)']) {
      expect(withAnswer(a).correct, a).toBe(true);
    }
    expect(withAnswer('50*(7-3)/2').correct).toBe(false); // 2 is not given, 25 unused
    expect(withAnswer('25*(7-3)+50-50').correct).toBe(false); // 50 twice
    expect(withAnswer('25*(7-3)*50/50').correct).toBe(false); // 50 twice
    expect(withAnswer('50+25+7*3').correct).toBe(false); // 96
    expect(withAnswer('50-25*7-3').correct).toBe(false); // precedence: -128, not (50-25)*(7-3)
  });

  it('a wrong answer: format ok, outcome wrong with the value in the detail', () => {
    expectWrongAnswer(withAnswer('(50+25)*(7-3)'), /is 300, not 100/);
  });

  it('a bare target number as the answer: rejected (numbers not used)', () => {
    const r = withAnswer('100');
    expect(r.correct).toBe(false);
    expect(check(r, 'answer')?.detail).toMatch(/uses 100 beyond the given numbers and does not use/);
  });

  it('the answer with "=100" appended: not a single expression', () => {
    expect(check(withAnswer('(50-25)*(7-3)=100'), 'answer')?.detail).toMatch(/unexpected "="/);
  });

  it('a wrong step: arithmetic error at step 2', () => {
    // Documented: `correct` = format && answer; the steps are a separate check.
    expectWrongStepStillPaid(withAnswer(ANSWER, '50-25=25,7-3=5,25*5=125'), { step: 2, reason: 'step 2: 7-3 is 4, not 5' });
  });

  it('a step that uses a number not available (never given, or already used)', () => {
    expect(withAnswer(ANSWER, '50-25=25,8-4=4,25*4=100').first_wrong_step).toEqual({ step: 2, reason: 'step 2: 8 is not available (the state is 3,7,25)' });
    const r = withAnswer(ANSWER, '50-25=25,25-3=22,22*4=88');
    expect(r.first_wrong_step?.step).toBe(3); // 25 (the result) may be used; 4 was never made
    expect(r.first_wrong_step?.reason).toMatch(/step 3: 4 is not available \(the state is 7,22\)/);
    // 50 used twice.
    expect(withAnswer(ANSWER, '50-25=25,50-7=43,25*4=100').first_wrong_step?.reason).toMatch(/step 2: 50 is not available \(the state is 3,7,25\)/);
    // x op x needs the value twice in the pool.
    expect(withAnswer(ANSWER, '7-7=0').first_wrong_step?.reason).toBe('step 1: 7 is not available (the state is 3,7,25,50)');
  });

  it('steps out of order: using a result before it is made', () => {
    const r = withAnswer(ANSWER, '25*4=100,50-25=25,7-3=4');
    expect(r.first_wrong_step).toEqual({ step: 1, reason: 'step 1: 4 is not available (the state is 3,7,25,50)' });
  });

  it('a missing step: reported as step 3 with the state the search stopped at', () => {
    const r = withAnswer(ANSWER, '50-25=25,7-3=4');
    expect(r.first_wrong_step).toEqual({ step: 3, reason: 'missing step 3: the search stops at the state 25,4 without reaching 100' });
  });

  it('an empty think block: step 1 is missing', () => {
    const r = withAnswer(ANSWER, '');
    expect(r.first_wrong_step?.step).toBe(1);
    expect(r.first_wrong_step?.reason).toBe('missing step 1: the search stops at the state 3,7,25,50 without reaching 100');
  });

  it('an extra step: the search ends where it reaches the target', () => {
    const r = withAnswer(ANSWER, `${TRACE},100-100=0`);
    expect(r.first_wrong_step).toEqual({ step: 4, reason: 'step 4: the search reached the target 100 at step 3; nothing may follow' });
  });

  it('right steps that end on the wrong number: a dead end, so the end of the search is missing', () => {
    const r = withAnswer(ANSWER, '50+25=75,7-3=4,75*4=300');
    expect(r.first_wrong_step).toEqual({ step: 4, reason: 'missing step 4: the search stops at a dead end (300 is not the target 100)' });
  });

  it('any correct trace is accepted, with fractions and negatives written as documented', () => {
    // A different valid route to 100.
    expect(check(withAnswer(ANSWER, '7-3=4,50-25=25,4*25=100'), 'steps')?.passed).toBe(true);
    const q: CountdownProblem = { numbers: [1, 5, 6, 7], target: 21, expr: op('+', op('*', num(7), num(1)), op('+', num(5), num(6))) }; // any gold
    const ok = (trace: string) => countdown.verify(q, `<think>${trace}</think><answer>6/(1-5/7)</answer>`, CFG);
    expect(ok('5/7=(5/7),1-(5/7)=(2/7),6/(2/7)=21').first_wrong_step).toBeNull();
    expect(ok('5/7=(5/7),1-(5/7)=(2/7),6/(2/7)=21').correct).toBe(true);
    expect(ok('5/7=(10/14),1-(5/7)=(2/7),6/(2/7)=21').first_wrong_step).toBeNull(); // matched by value
    expect(ok('5/7=(5/7),(5/7)-1=(-2/7),6/(-2/7)=-21').first_wrong_step?.reason).toMatch(/dead end \(-21 is not the target 21\)/);
    expect(ok('1-7=-6,5+6=11,-6+11=5').first_wrong_step?.reason).toMatch(/dead end \(5 is not/); // negatives parse
    expect(ok('5/7=0,1-0=1,6/1=6').first_wrong_step).toEqual({ step: 1, reason: 'step 1: 5/7 is (5/7), not 0' });
    expect(ok('5-5=0,6/0=0').first_wrong_step?.reason).toMatch(/step 1: 5 is not available/);
    const z = countdown.verify({ numbers: [3, 3, 8], target: 1, expr: op('/', op('-', num(8), num(3)), num(3)) }, '<think>3-3=0,8/0=0</think><answer>8</answer>', CFG);
    expect(z.first_wrong_step).toEqual({ step: 2, reason: 'step 2: division by zero' });
  });

  it('malformed steps: spaces, unparenthesised fractions, junk', () => {
    expect(withAnswer(ANSWER, '50 - 25=25,7-3=4,25*4=100').first_wrong_step?.reason).toMatch(/step 1 "50 - 25=25": expected an operator/);
    expect(withAnswer(ANSWER, '50-25=25,,7-3=4,25*4=100').first_wrong_step).toEqual({ step: 2, reason: 'step 2 "": empty step' });
    expect(withAnswer(ANSWER, '50-25=25,7-3=4,25*4=100,').first_wrong_step?.reason).toMatch(/^step 4: the search reached the target 100 at step 3/);
    expect(withAnswer(ANSWER, '50-25=25,7-3=4=4,25*4=100').first_wrong_step?.reason).toMatch(/step 2 .*unexpected "=4"/);
    expect(withAnswer(ANSWER, '50-25=025,7-3=4,25*4=100').first_wrong_step?.reason).toMatch(/leading zero/);
    expect(withAnswer(ANSWER, '50/25=2/1,7-3=4,2*4=8').first_wrong_step?.reason).toMatch(/step 1 .*unexpected "\/1"/);
    expect(withAnswer(ANSWER, '(50/0)+25=25').first_wrong_step?.reason).toMatch(/denominator 0/);
  });

  it('missing think block: format fails, so not correct even with the right answer', () => {
    const r = v(`<answer>${ANSWER}</answer>`);
    expectMissingThink(r);
    expect(check(r, 'steps')).toBeUndefined();
    expect(r.answer).toBe(ANSWER);
  });

  it('broken tags: format fails, not paid', () => {
    expectFormatBroken(v, [
      `<think>${TRACE}</think><answer>${ANSWER}</answr>`,
      `<think>${TRACE}</think><answer>${ANSWER}`,
      `<think>${TRACE}<answer>${ANSWER}</answer>`,
      `<think>${TRACE}</think>answer>${ANSWER}</answer>`,
      `think>${TRACE}</think><answer>${ANSWER}</answer>`,
    ]);
  });

  it('surrounding whitespace and padded answer: allowed (trimmed)', () => {
    expect(v(`\n ${goldText(P)}\n`).correct).toBe(true);
    expect(v(`<think>${TRACE}</think><answer> ${ANSWER} </answer>`).correct).toBe(true);
  });
});

describe('hostile completions: none crash, none paid as correct', () => {
  const junk = junkFrom(new Rng(5));
  const T = `<think>${TRACE}</think>`;
  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace only', '  \n\t '],
    ['several answer blocks', `${T}<answer>${ANSWER}</answer><answer>${ANSWER}</answer>`],
    ['several answers, one wrong', `${T}<answer>1</answer><answer>${ANSWER}</answer>`],
    ['answer stuffed with options', `${T}<answer>${ANSWER} 4*25 (7-3)*25 100</answer>`],
    ['answer stuffed with comma options', `${T}<answer>${ANSWER},4*25</answer>`],
    ['answer stuffed with "or"', `${T}<answer>${ANSWER} or 100</answer>`],
    ['answer plus "=100"', `${T}<answer>${ANSWER}=100</answer>`],
    ['answer nested in think', `<think>${TRACE}<answer>${ANSWER}</answer></think><answer>${ANSWER}</answer>`],
    ['think inside answer', `${T}<answer><think>${ANSWER}</answer>`],
    ['think nested in answer', `<answer><think>${TRACE}</think>${ANSWER}</answer>`],
    ['huge number', `${T}<answer>${'9'.repeat(10_000)}</answer>`],
    ['huge number under the cap', `${T}<answer>${'9'.repeat(199)}</answer>`],
    ['huge product under the cap', `${T}<answer>${Array.from({ length: 66 }, () => '99').join('*')}</answer>`],
    ['huge step numbers', `<think>${'9'.repeat(90)}*${'9'.repeat(5)}=1</think><answer>${ANSWER}1</answer>`],
    ['deep parentheses', `${T}<answer>${'('.repeat(5000)}100${')'.repeat(5000)}</answer>`],
    ['deep parentheses under the length cap', `${T}<answer>${'('.repeat(99)}1${')'.repeat(99)}</answer>`],
    ['__proto__', `${T}<answer>__proto__</answer>`],
    ['constructor', `${T}<answer>constructor</answer>`],
    ['__proto__ steps', `<think>__proto__,constructor,toString</think><answer>__proto__</answer>`],
    ['code', `${T}<answer>(()=>100)()</answer>`],
    ['eval', `${T}<answer>eval("100")</answer>`],
    ['process.exit', `${T}<answer>process.exit(0)</answer>`],
    ['NaN', `${T}<answer>NaN</answer>`],
    ['Infinity', `${T}<answer>Infinity</answer>`],
    ['1e2', `${T}<answer>1e2</answer>`],
    ['hex', `${T}<answer>0x64</answer>`],
    ['decimal', `${T}<answer>100.0</answer>`],
    ['unary minus trick', `${T}<answer>(50-25)*(7-3)--0</answer>`],
    ['NUL byte', `${T}<answer>${ANSWER}\u0000</answer>`],
    ['ANSI escape', `${T}<answer>\u001b[31m${ANSWER}</answer>`],
    ['tab and newline inside', `${T}<answer>(50-25)\t*\n(7-3)</answer>`],
    ['zero-width space', `${T}<answer>(50-25)\u200b*(7-3)</answer>`],
    ['lone surrogate', `${T}<answer>${ANSWER}\ud800</answer>`],
    ['full-width digits', `${T}<answer>(５0-25)*(7-3)</answer>`],
    ['unicode minus and times', `${T}<answer>(50\u221225)\u00d7(7-3)</answer>`],
    ['closing tags only', '</think></answer>100'],
    ['reversed tags', `</answer>${ANSWER}<answer>`],
    ['100 KB printable garbage', junk(100_000)],
    ['100 KB garbage inside think', `<think>${junk(100_000)}</think><answer>1</answer>`],
    ['100 KB of commas as steps', `<think>${','.repeat(100_000)}</think><answer>1</answer>`],
    ['100 KB of digits as the answer', `${T}<answer>${'9'.repeat(100_000)}</answer>`],
    ['100 KB expression', `${T}<answer>${'1+'.repeat(50_000)}1</answer>`],
    ['100 K repeated tags', '<answer>'.repeat(100_000)],
  ];
  hostileSuite(hostile, v);

  it('100 KB garbage think + right answer: paid (steps do not gate correct), steps fail fast and short', () => {
    expectGarbageThinkPaid((think) => v(`<think>${think}</think><answer>${ANSWER}</answer>`), [junk(100_000), ','.repeat(100_000)]);
  });
});

describe('rewards and flags', () => {
  const good = goldText(P);
  it('binary and tinyzero schemes; unknown scheme throws', () => {
    expectRewardSchemes(v, { good, wrong: `<think>${TRACE}</think><answer>1</answer>`, unanswered: `<think>${TRACE}</think>` });
    expect(withAnswer('4*25*1').reward).toBe(0);
    expect(() => v(good, { scheme: 'partial' })).toThrow(/unknown reward scheme "partial"/);
  });

  it('truncated passes through', () => {
    expectTruncatedPassesThrough(v, good, `<think>${TRACE}</think><answer>(50-25)*(7`);
  });
});

describe('length bounds', () => {
  it('maxPromptLength / maxCompletionLength bound 2000 generated problems per config, in both formats', () => {
    for (const format of ['search', 'solution'] as const) {
      for (const count of [3, 4]) {
        for (const maxNumber of [9, 10, 20, 50, 99]) {
          const cfg = roomy(count, maxNumber, format);
          const label = `${format} ${count}/${maxNumber}`;
          const { maxC, seenC } = expectLengthBounds(countdown, cfg, problems(count * 100 + maxNumber, 2000, cfg), (p) => goldText(p, cfg), label);
          // Not absurdly loose either.
          expect(maxC - seenC, `completion slack ${label}`).toBeLessThan(20);
        }
      }
    }
  });

  it('search format: the bound is 4 tags + maxTrace + the longest answer, and maxTrace is reached', () => {
    const cfg = cfgOf();
    // 3 one-digit numbers + 2 commas + ':' + 3-digit target + '='.
    expect(countdown.maxPromptLength(cfg)).toBe(3 + 2 + 1 + 3 + 1);
    // Answer: 3 digits, 2 operators, 1 pair of parentheses.
    expect(countdown.maxCompletionLength(cfg)).toBe(4 + 40 + (3 + 2 + 2));
    // Default knobs fit a context of 64.
    expect(countdown.maxPromptLength(cfg) + countdown.maxCompletionLength(cfg)).toBeLessThanOrEqual(64);
    const traces = problems(8, 2000, cfg).map((p) => countdown.gold(p, cfg).trace.length);
    expect(Math.max(...traces)).toBeLessThanOrEqual(40);
    expect(Math.max(...traces)).toBeGreaterThanOrEqual(38);
  });

  it('solution format: independent formulas at 4 numbers up to 50', () => {
    // 4 two-digit numbers + 3 commas + ':' + 3-digit target + '='.
    expect(countdown.maxPromptLength(CFG)).toBe(8 + 3 + 1 + 3 + 1);
    // 4 tags; steps "dddd*dddd=dddd" x2 + "dddd*dddd=ddd" + 2 commas; answer 8 digits + 3 ops + 2 paren pairs.
    expect(countdown.maxCompletionLength(CFG)).toBe(4 + (14 * 2 + 13 + 2) + (8 + 3 + 4));
  });
});

describe('no reward pays a wrong answer in full', () => {
  const ps = problems(12, 40, CFG);
  // Every number used once, joined by one operator; + * - give three different values, so one misses.
  const wrong = (p: CountdownProblem) => {
    const [first, ...rest] = p.numbers;
    const values: [string, number][] = [
      ['+', p.numbers.reduce((a, b) => a + b, 0)],
      ['*', p.numbers.reduce((a, b) => a * b, 1)],
      ['-', rest.reduce((a, b) => a - b, first!)],
    ];
    return p.numbers.join(values.find(([, x]) => x !== p.target)![0]);
  };
  it('the gold steps with a wrong answer earn strictly less than the right answer, under every scheme', () => {
    expectWrongAnswerPaidLess(countdown, CFG, ps, wrong);
  });
  it('an empty think earns no step credit', () => {
    expectEmptyThinkNoStepCredit(countdown, CFG, ps, wrong);
  });
  it('process: the step share counts the steps still needed (1 of 3 written: 1/3 of the step half)', () => {
    expect(withAnswer(ANSWER, '50-25=25').first_wrong_step?.step).toBe(2);
    expect(v(`<think>50-25=25</think><answer>${ANSWER}</answer>`, { scheme: 'process' }).reward).toBeCloseTo(0.5 + 0.5 / 3, 12);
  });
});
