// Multiplication in the default `digits` format: hand-worked traces, gold completions across knob
// settings, a verifier truth table (each kind of wrong step names the operand or result and where
// it comes from), hostile completions that must neither crash nor be paid, determinism, exact
// length bounds, and the digit trace re-derived independently with BigInt. The `partial` format
// (version 1) is tested in multiplication-partial.test.ts.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { multiplication as mul, type MultiplicationConfig, type MultiplicationProblem } from '../src/tasks/multiplication.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { validateTaskConfig } from '../src/tasks/registry.ts';
import { checkOf as check, expectAnswersRejected, expectDeterministic, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGarbageThinkPaid, expectGoldVerdict, expectLengthBounds, expectMissingThink, expectPlainAscii, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';

const cfgOf = (over: Partial<MultiplicationConfig> = {}): MultiplicationConfig => ({ ...mul.defaults, ...over });
const CFG = cfgOf();

// 47 * 38 = 1786. Row 1 (digit 8): 7*8+0=56, 4*8+5=37, so row 1 is 376; row 2 (digit 3): 7*3+0=21,
// 4*3+2=14, row 2 is 141 shifted once. Column 0 is 6; columns 1-3: 7+1, 3+4, 0+1.
const P: MultiplicationProblem = { a: '47', b: '38' };
const TRACE = '7*8+0=56,4*8+5=37,7*3+0=21,4*3+2=14,7+1+0=08,3+4+0=07,0+1+0=01';
const GOOD = `<think>${TRACE}</think><answer>1786</answer>`;
const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }) => mul.verify(P, completion, CFG, opts);
/** The gold trace of 47*38 with step `i` (1-based) replaced. */
const withStep = (i: number, step: string) => TRACE.split(',').map((s, k) => (k === i - 1 ? step : s)).join(',');
const firstWrong = (trace: string) => v(`<think>${trace}</think><answer>1786</answer>`).first_wrong_step;

const problems = (seed: number, n: number, cfg: MultiplicationConfig) => generateMany(mul, seed, n, cfg);

/** Every valid digit-count setting in the digits format. */
function allConfigs(): MultiplicationConfig[] {
  const out: MultiplicationConfig[] = [];
  for (let digitsA = 1; digitsA <= 4; digitsA++)
    for (let digitsB = 1; digitsB <= 3; digitsB++)
      for (let minDigits = 1; minDigits <= Math.min(digitsA, digitsB); minDigits++) out.push({ digitsA, digitsB, minDigits, format: 'digits' });
  return out;
}

describe('hand-written examples', () => {
  const cases: [string, string, string, string][] = [
    ['47', '38', TRACE, '1786'],
    ['99', '99', '9*9+0=81,9*9+8=89,9*9+0=81,9*9+8=89,9+1+0=10,8+9+1=18,0+8+1=09', '9801'],
    // One-digit a: each row is one step and its carry; the columns still run 1..2.
    ['7', '38', '7*8+0=56,7*3+0=21,5+1+0=06,0+2+0=02', '266'],
    // One-digit b: a single row, no column sums; the answer is the row read from its end.
    ['5', '7', '5*7+0=35', '35'],
    ['0', '5', '0*5+0=00', '0'],
    ['9', '0', '9*0+0=00', '0'],
    ['123', '4', '3*4+0=12,2*4+1=09,1*4+0=04', '492'],
    // Leading zeros of the top column are dropped from the answer only.
    ['10', '10', '0*0+0=00,1*0+0=00,0*1+0=00,1*1+0=01,0+0+0=00,0+1+0=01,0+0+0=00', '100'],
    // Three rows: each column adds three digits and the carry.
    ['12', '102', '2*2+0=04,1*2+0=02,2*0+0=00,1*0+0=00,2*1+0=02,1*1+0=01,2+0+0+0=02,0+0+2+0=02,0+0+1+0=01,0+0+0+0=00', '1224'],
  ];
  for (const [a, b, trace, answer] of cases) {
    it(`${a}*${b}=${answer}`, () => {
      const p = { a, b };
      expect(mul.prompt(p, CFG)).toBe(`${a}*${b}=`);
      expect(mul.gold(p, CFG)).toEqual({ trace, answer });
      expect(BigInt(answer)).toBe(BigInt(a) * BigInt(b));
      const r = mul.verify(p, `<think>${trace}</think><answer>${answer}</answer>`, CFG);
      expectGoldVerdict(r, answer, `${a}*${b}`);
      expect(r.checks.map((c) => c.name)).toEqual(['format', 'steps', 'answer']);
    });
  }

  it('canonical distinguishes a*b from b*a', () => {
    expect(mul.canonical({ a: '12', b: '3' })).not.toBe(mul.canonical({ a: '3', b: '12' }));
    expect(mul.canonical(P)).toBe('47*38');
  });
});

describe('gold completions pass', () => {
  it('for 300 problems at every valid knob setting', () => {
    for (const cfg of allConfigs()) {
      for (const p of problems(cfg.digitsA * 100 + cfg.digitsB * 10 + cfg.minDigits, 300, cfg)) {
        const r = mul.verify(p, renderCompletion(mul.gold(p, cfg), true), cfg);
        expectGoldVerdict(r, mul.gold(p, cfg).answer, `${p.a}*${p.b}`);
        expect(r.truncated).toBe(false);
      }
    }
  });
});

describe('verifier truth table (47*38)', () => {
  it('gold passes; surrounding whitespace and a padded answer are trimmed', () => {
    expect(v(GOOD).correct).toBe(true);
    expect(check(v(GOOD), 'steps')?.detail).toBe('7 steps ok');
    expect(check(v(GOOD), 'answer')?.detail).toBe('1786 is right');
    expect(v(`\n ${GOOD}\n`).correct).toBe(true);
    expect(v(`<think>${TRACE}</think><answer> 1786 </answer>`).correct).toBe(true);
  });

  it('wrong answer: format ok, outcome wrong, reward 0', () => {
    expectWrongAnswer(v(`<think>${TRACE}</think><answer>1787</answer>`), 'expected 1786, got 1787');
    // The product digits read in trace order (least significant first) are not the answer.
    expect(v(`<think>${TRACE}</think><answer>6871</answer>`).correct).toBe(false);
  });

  it('a wrong digit product names the right result; steps do not gate `correct` (documented)', () => {
    expectWrongStepStillPaid(v(`<think>${withStep(2, '4*8+5=38')}</think><answer>1786</answer>`), {
      step: 2,
      reason: 'step 2 (row 1: 2nd digit of 47 times 1st digit of 38): expected 4*8+5=37, got "4*8+5=38": 4*8+5 is 37, not 38',
    });
  });

  it('a wrong carry names where the carry comes from', () => {
    expect(firstWrong(withStep(2, '4*8+6=38'))?.reason).toBe(
      'step 2 (row 1: 2nd digit of 47 times 1st digit of 38): expected 4*8+5=37, got "4*8+6=38": the carry is 5 (the 1st digit of step 1), not 6',
    );
    // A row starts without a carry, even after a row that ended with one.
    expect(firstWrong(withStep(3, '7*3+3=24'))?.reason).toMatch(/^step 3 \(row 2: 1st digit of 47 times 2nd digit of 38\): .*: the carry is 0 \(no carry at the start of a row\), not 3$/);
    expect(firstWrong(withStep(6, '3+4+1=08'))?.reason).toBe('step 6 (column 2 sum): expected 3+4+0=07, got "3+4+1=08": the carry is 0 (the 1st digit of step 5), not 1');
    expect(firstWrong(withStep(5, '7+1+1=09'))?.reason).toMatch(/the carry is 0 \(no carry into column 1\), not 1$/);
  });

  it('a wrong digit of a or b names the digit', () => {
    expect(firstWrong(withStep(2, '7*8+5=61'))?.reason).toMatch(/: the 1st operand is 4 \(the 2nd digit of 47 from the right\), not 7$/);
    expect(firstWrong(withStep(3, '7*8+0=56'))?.reason).toMatch(/^step 3 .*: the 2nd operand is 3 \(the 2nd digit of 38 from the right\), not 8$/);
  });

  it('a wrong row digit in a column sum names the step it comes from', () => {
    expect(firstWrong(withStep(6, '3+1+0=04'))?.reason).toBe(
      "step 6 (column 2 sum): expected 3+4+0=07, got \"3+1+0=04\": the 2nd operand is 4 (row 2's digit in column 2, the 2nd digit of step 4), not 1",
    );
    // Row 1's last digit is the first digit (the carry) of its last step.
    expect(firstWrong(withStep(6, '7+4+0=11'))?.reason).toMatch(/the 1st operand is 3 \(row 1's digit in column 2, the 1st digit of step 2\), not 7$/);
    expect(firstWrong(withStep(7, '3+1+0=04'))?.reason).toMatch(/the 1st operand is 0 \(row 1 has no digit in column 3\), not 3$/);
  });

  it('results take exactly two digits: "8" or "008" for "08" is a wrong step', () => {
    expect(firstWrong(withStep(5, '7+1+0=8'))).toEqual({ step: 5, reason: 'step 5 (column 1 sum): expected 7+1+0=08, got "7+1+0=8"' });
    expect(firstWrong(withStep(5, '7+1+0=008'))?.step).toBe(5);
  });

  it('the v1 layout, rows in the wrong order, or the digits of a from the left: step 1 is wrong', () => {
    expect(firstWrong('47*8=376,47*3=141,376+1410=1786')?.step).toBe(1);
    expect(firstWrong('7*3+0=21,4*3+2=14,7*8+0=56,4*8+5=37,7+1+0=08,3+4+0=07,0+1+0=01')?.step).toBe(1);
    expect(firstWrong('4*8+0=32,7*8+3=59')?.reason).toMatch(/^step 1 .*the 1st operand is 7/);
  });

  it('missing, extra, empty and spaced steps', () => {
    expect(firstWrong(TRACE.split(',').slice(0, 6).join(','))).toEqual({ step: 7, reason: 'missing step 7 (column 3 sum, expected 0+1+0=01)' });
    // A dropped column step: the next one is compared in its place.
    expect(firstWrong(TRACE.split(',').filter((_, k) => k !== 4).join(','))?.step).toBe(5);
    expect(firstWrong(`${TRACE},0+0+0=00`)).toEqual({ step: 8, reason: 'extra step 8: "0+0+0=00"' });
    expect(firstWrong(`${TRACE},`)?.step).toBe(8);
    expect(firstWrong('')?.reason).toBe('missing step 1 (row 1: 1st digit of 47 times 1st digit of 38, expected 7*8+0=56)');
    expect(firstWrong(withStep(1, '7 * 8+0=56'))?.step).toBe(1);
    expect(firstWrong(TRACE.replace(',4*8', ', 4*8'))?.step).toBe(2);
  });

  it('missing think block: format fails, not correct even with the right answer', () => {
    const r = v('<answer>1786</answer>');
    expectMissingThink(r);
    expect(check(r, 'steps')).toBeUndefined();
  });

  it('broken tags: format fails, not paid', () => {
    expectFormatBroken(v, [
      `<think>${TRACE}</think><answer>1786</answr>`,
      `<think>${TRACE}</think><answer>1786`,
      `<think>${TRACE}<answer>1786</answer>`,
      `<thinK>${TRACE}</think><answer>1786</answer>`,
      `${TRACE}</think><answer>1786</answer>`,
      `<think>${TRACE}</think>answer>1786</answer>`,
    ]);
  });

  it('non-canonical answers: leading zeros, signs, separators, decimals, exponents', () => {
    const answers = ['01786', '+1786', '-1786', '1,786', '1 786', '1786.0', '1.786e3', '0x6fa', '１７８６', '1786\n1786'];
    expectAnswersRejected((a) => v(`<think>${TRACE}</think><answer>${a}</answer>`), answers, /not a plain number/);
  });

  it('zero product: "0" is right, "00" and "" are not', () => {
    const p = { a: '0', b: '7' };
    const t = '<think>0*7+0=00</think>';
    expect(mul.verify(p, `${t}<answer>0</answer>`, CFG).correct).toBe(true);
    expect(mul.verify(p, `${t}<answer>00</answer>`, CFG).correct).toBe(false);
    expect(mul.verify(p, `${t}<answer></answer>`, CFG).correct).toBe(false);
  });
});

describe('hostile completions: none crash, none paid as correct', () => {
  const junk = junkFrom(new Rng(5));
  const T = `<think>${TRACE}</think>`;
  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace only', '  \n\t '],
    ['several answer blocks', `${T}<answer>1786</answer><answer>1786</answer>`],
    ['several answer blocks, different', `${T}<answer>1785</answer><answer>1786</answer>`],
    ['answer stuffed with candidates', `${T}<answer>1784 1785 1786 1787</answer>`],
    ['answer stuffed with commas', `${T}<answer>1785,1786,1787</answer>`],
    ['answer nested in think', `<think>${TRACE}<answer>1786</answer></think><answer>1786</answer>`],
    ['think nested in answer', `<answer><think>${TRACE}</think>1786</answer>`],
    ['two think blocks', `${T}${T}<answer>1786</answer>`],
    ['reversed tags', '</answer>1786<answer>'],
    ['huge number', `${T}<answer>${'9'.repeat(10_000)}</answer>`],
    ['huge number with the answer as prefix', `${T}<answer>1786${'0'.repeat(1000)}</answer>`],
    ['huge number 2^53+1', `${T}<answer>9007199254740993</answer>`],
    ['__proto__', `${T}<answer>__proto__</answer>`],
    ['__proto__ as steps', `<think>__proto__,constructor,toString</think><answer>1787</answer>`],
    ['code', `${T}<answer>47*38</answer>`],
    ['code 2', `${T}<answer>eval("47*38")</answer>`],
    ['NUL byte', `${T}<answer>1786\u0000</answer>`],
    ['control characters', `${T}<answer>\u0001\u0002\u001b[31m1786\u007f</answer>`],
    ['zero-width space', `${T}<answer>17\u200b86</answer>`],
    ['lone surrogate', `${T}<answer>1786\ud800</answer>`],
    ['NaN', `${T}<answer>NaN</answer>`],
    ['100 KB printable garbage', junk(100_000)],
    ['100 KB garbage inside think, wrong answer', `<think>${junk(100_000)}</think><answer>1787</answer>`],
    ['100 KB of digits as the answer', `${T}<answer>${'5'.repeat(100_000)}</answer>`],
    ['100 KB of commas as steps, wrong answer', `<think>${','.repeat(100_000)}</think><answer>1787</answer>`],
    ['100 KB of steps shaped like digit steps, wrong answer', `<think>${'9*9+9=99,'.repeat(11_000)}</think><answer>1787</answer>`],
    ['100 K repeated answer tags', '<answer>'.repeat(100_000)],
  ];
  hostileSuite(hostile, v);

  it('100 KB garbage think with the right answer: paid (steps do not gate), steps fail at 1, fast', () => {
    expectGarbageThinkPaid((think) => v(`<think>${think}</think><answer>1786</answer>`), [junk(100_000), ','.repeat(100_000)]);
  });
});

describe('rewards and flags', () => {
  it('binary by default; tinyzero pays 0.1 for a wrong answer, 0 for none; unknown schemes throw', () => {
    expectRewardSchemes(v, { good: GOOD, wrong: `<think>${TRACE}</think><answer>1787</answer>`, unanswered: `<think>${TRACE}</think>` });
  });

  it('truncated passes through', () => {
    expectTruncatedPassesThrough(v, GOOD, `<think>${TRACE}</think><answer>17`);
  });
});

describe('config and generation', () => {
  it('check rejects minDigits above either digit count; format must be digits or partial', () => {
    expect(mul.check!(cfgOf())).toBeNull();
    expect(mul.check!(cfgOf({ digitsA: 1, minDigits: 2 }))).toMatch(/minDigits \(2\) must be <= digitsA \(1\)/);
    expect(mul.check!(cfgOf({ digitsA: 4, digitsB: 2, minDigits: 3 }))).toMatch(/minDigits \(3\) must be <= digitsB \(2\)/);
    for (const cfg of allConfigs()) expect(mul.check!(cfg)).toBeNull();
    expect(validateTaskConfig(mul, { format: 'partial' }).format).toBe('partial');
    expect(() => validateTaskConfig(mul, { format: 'scratchpad' })).toThrow(/format must be one of digits, partial, got "scratchpad"/);
  });

  it('defaults: the digits format at 2x2 digits, within the knob ranges', () => {
    expect(mul.defaults).toEqual({ digitsA: 2, digitsB: 2, minDigits: 1, format: 'digits' });
    for (const [k, knob] of Object.entries(mul.knobs)) {
      const x = mul.defaults[k as keyof MultiplicationConfig] as number;
      expect(x >= knob.min && x <= knob.max, k).toBe(true);
    }
  });

  it('is deterministic per seed and differs across seeds', () => {
    const cfg = cfgOf({ digitsA: 4, digitsB: 3 });
    expectDeterministic((seed) => problems(seed, 300, cfg), 3, 4);
    expect(problems(3, 50, cfg).map((p) => mul.gold(p, cfg))).toEqual(problems(3, 50, cfg).map((p) => mul.gold(p, cfg)));
  });

  it('digit counts stay within range, both ends are hit, no leading zeros', () => {
    for (const cfg of allConfigs()) {
      const lensA = new Set<number>();
      const lensB = new Set<number>();
      for (const p of problems(cfg.digitsA * 31 + cfg.digitsB * 7 + cfg.minDigits, 1000, cfg)) {
        expect(/^(0|[1-9][0-9]*)$/.test(p.a) && /^(0|[1-9][0-9]*)$/.test(p.b), `${p.a}*${p.b}`).toBe(true);
        expect(p.a.length >= cfg.minDigits && p.a.length <= cfg.digitsA).toBe(true);
        expect(p.b.length >= cfg.minDigits && p.b.length <= cfg.digitsB).toBe(true);
        lensA.add(p.a.length);
        lensB.add(p.b.length);
      }
      expect(lensA.has(cfg.minDigits) && lensA.has(cfg.digitsA)).toBe(true);
      expect(lensB.has(cfg.minDigits) && lensB.has(cfg.digitsB)).toBe(true);
    }
  });

  it('1x1-digit problems cover the whole 10x10 table', () => {
    const seen = new Set(problems(1, 3000, cfgOf({ digitsA: 1, digitsB: 1 })).map(mul.canonical));
    expect(seen.size).toBe(100);
  });

  it('prompt, trace and answer use only printable ASCII without < or >, the prompt ends with "="', () => {
    const cfg = cfgOf({ digitsA: 4, digitsB: 3 });
    for (const p of problems(11, 500, cfg)) {
      const g = mul.gold(p, cfg);
      expect(mul.prompt(p, cfg).endsWith('=')).toBe(true);
      for (const s of [mul.prompt(p, cfg), g.trace, g.answer]) expectPlainAscii(s);
    }
  });
});

describe('length bounds', () => {
  it('maxPromptLength / maxCompletionLength bound 2000 samples at every knob setting and are attained', () => {
    for (const cfg of allConfigs()) {
      const ps = problems(cfg.digitsA * 7 + cfg.digitsB * 3 + cfg.minDigits, 2000, cfg);
      const { maxC, maxP, seenC } = expectLengthBounds(mul, cfg, ps, (p) => renderCompletion(mul.gold(p, cfg), true));
      // Independent formula (A = digitsA, B = digitsB): A*B product steps of 8 characters; with
      // B >= 2, A+B-1 column steps of B+1 digits, B plus signs, "=" and 2 digits; commas between
      // steps; an answer of at most A+B digits; 4 tags.
      const A = cfg.digitsA;
      const B = cfg.digitsB;
      const cols = B >= 2 ? A + B - 1 : 0;
      const trace = 8 * A * B + cols * (2 * B + 4) + (A * B + cols - 1);
      expect(maxC).toBe(4 + trace + A + B);
      expect(maxP).toBe(A + B + 2);
      // Attained: the trace length depends only on the digit counts, and 2000 draws include a
      // full-length pair whose product has A+B digits often enough at these sizes.
      expect(maxC - seenC).toBeLessThanOrEqual(1);
    }
  });

  it('default knobs fit a context of 80 (76 tokens); the largest knobs stay under 200', () => {
    expect(mul.maxPromptLength(CFG) + mul.maxCompletionLength(CFG)).toBe(76);
    const big = cfgOf({ digitsA: 4, digitsB: 3 });
    expect(mul.maxPromptLength(big) + mul.maxCompletionLength(big)).toBeLessThan(200);
  });

  it('every step of a phase has the same width, so the carry always sits at the same offset', () => {
    const cfg = cfgOf({ digitsA: 4, digitsB: 3 });
    for (const p of problems(5, 300, cfg)) {
      const widths = mul.gold(p, cfg).trace.split(',').map((s) => s.length);
      const nProducts = p.a.length * p.b.length;
      expect(new Set(widths.slice(0, nProducts))).toEqual(new Set([8]));
      if (p.b.length > 1) expect(new Set(widths.slice(nProducts))).toEqual(new Set([2 * p.b.length + 4]));
    }
  });
});

describe('digit trace arithmetic, recomputed independently', () => {
  it('every step is a true single-digit equation of long multiplication; the answer is a*b (BigInt)', () => {
    for (const cfg of [cfgOf({ digitsA: 4, digitsB: 3 }), CFG]) {
      for (const p of problems(2718, 2000, cfg)) {
        const g = mul.gold(p, cfg);
        const steps = g.trace.split(',');
        const A = p.a.length;
        const B = p.b.length;
        // Rows: a * (digit j of b), rebuilt from the digit steps and checked against BigInt.
        const rowDigits: string[] = [];
        for (let j = 0; j < B; j++) {
          let carry = 0;
          let row = '';
          for (let i = 0; i < A; i++) {
            const m = /^(\d)\*(\d)\+(\d)=(\d\d)$/.exec(steps[j * A + i]!);
            expect(m, `${p.a}*${p.b} step ${j * A + i + 1}: ${steps[j * A + i]}`).not.toBeNull();
            expect(m![1]).toBe(p.a[A - 1 - i]);
            expect(m![2]).toBe(p.b[B - 1 - j]);
            expect(Number(m![3])).toBe(carry);
            const val = Number(m![1]) * Number(m![2]) + carry;
            expect(Number(m![4])).toBe(val);
            row = String(val % 10) + row;
            carry = Math.floor(val / 10);
          }
          row = String(carry) + row;
          expect(BigInt(row)).toBe(BigInt(p.a) * BigInt(p.b[B - 1 - j]!));
          rowDigits.push([...row].reverse().join('')); // least significant first, A+1 digits
        }
        // Columns 1..A+B-1: the rows' digits (row j shifted by j) and the carry.
        let product = rowDigits[0]![0]!;
        if (B > 1) {
          let carry = 0;
          for (let k = 1; k < A + B; k++) {
            const col = rowDigits.map((r, j) => (k - j >= 0 && k - j <= A ? Number(r[k - j]) : 0));
            const sum = col.reduce((s, d) => s + d, 0) + carry;
            expect(steps[A * B + k - 1]).toBe(`${[...col, carry].join('+')}=${String(sum).padStart(2, '0')}`);
            product = String(sum % 10) + product;
            carry = Math.floor(sum / 10);
          }
          expect(steps.length).toBe(A * B + A + B - 1);
        } else {
          product = [...rowDigits[0]!].reverse().join('');
          expect(steps.length).toBe(A);
        }
        const truth = (BigInt(p.a) * BigInt(p.b)).toString();
        expect(BigInt(product).toString()).toBe(truth);
        expect(g.answer).toBe(truth);
      }
    }
  });
});

describe('no reward pays a wrong answer in full', () => {
  const ps = problems(12, 40, CFG);
  const wrong = (_p: MultiplicationProblem, g: { answer: string }) => (BigInt(g.answer) + 1n).toString();
  it('the gold steps with a wrong answer earn strictly less than the right answer, under every scheme', () => {
    expectWrongAnswerPaidLess(mul, CFG, ps, wrong);
  });
  it('an empty think earns no step credit', () => {
    expectEmptyThinkNoStepCredit(mul, CFG, ps, wrong);
  });
  it('process: the step share counts the missing steps (1 of 7 steps written: 1/7 of the step half)', () => {
    expect(v('<think>7*8+0=56</think><answer>1786</answer>', { scheme: 'process' }).reward).toBeCloseTo(0.5 + 0.5 / 7, 12);
    expect(v('<think>7*8+0=56</think><answer>1787</answer>', { scheme: 'process' }).reward).toBeCloseTo(0.5 / 7, 12);
  });
});
