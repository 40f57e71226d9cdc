// Multiplication in the version-1 `partial` format (whole partial products, then running sums):
// hand-worked examples, the step truth table, length bounds at every knob setting, and the trace
// re-derived independently with BigInt. The shared verifier rows live in multiplication.test.ts.

import { describe, it, expect } from 'vitest';
import { multiplication as mul, type MultiplicationConfig, type MultiplicationProblem } from '../src/tasks/multiplication.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { checkOf as check, expectGoldVerdict, expectLengthBounds, expectWrongStepStillPaid, generateMany } from './helpers/task.ts';

const CFG: MultiplicationConfig = { digitsA: 3, digitsB: 2, minDigits: 1, format: 'partial' };

// 123 * 45 = 5535: 123*5=615, 123*4=492, 615+4920=5535.
const P: MultiplicationProblem = { a: '123', b: '45' };
const TRACE = '123*5=615,123*4=492,615+4920=5535';
const v = (completion: string) => mul.verify(P, completion, CFG);

/** Every valid digit-count setting in the partial format. */
function allConfigs(): MultiplicationConfig[] {
  const out: MultiplicationConfig[] = [];
  for (let digitsA = 1; digitsA <= 4; digitsA++)
    for (let digitsB = 1; digitsB <= 3; digitsB++)
      for (let minDigits = 1; minDigits <= Math.min(digitsA, digitsB); minDigits++) out.push({ digitsA, digitsB, minDigits, format: 'partial' });
  return out;
}

describe('partial format: hand-written examples', () => {
  const cases: [string, string, string, string][] = [
    ['123', '45', TRACE, '5535'],
    ['123', '456', '123*6=738,123*5=615,123*4=492,738+6150=6888,6888+49200=56088', '56088'],
    ['7', '8', '7*8=56', '56'],
    ['0', '5', '0*5=0', '0'],
    // A zero digit in b: its partial product is 0 and its shifted form stays "0", never "00".
    ['12', '102', '12*2=24,12*0=0,12*1=12,24+0=24,24+1200=1224', '1224'],
    ['25', '40', '25*0=0,25*4=100,0+1000=1000', '1000'],
    ['9999', '999', '9999*9=89991,9999*9=89991,9999*9=89991,89991+899910=989901,989901+8999100=9989001', '9989001'],
    ['0', '999', '0*9=0,0*9=0,0*9=0,0+0=0,0+0=0', '0'],
  ];
  for (const [a, b, trace, answer] of cases) {
    it(`${a}*${b}=${answer}`, () => {
      const p = { a, b };
      expect(mul.gold(p, CFG)).toEqual({ trace, answer });
      expect(BigInt(answer)).toBe(BigInt(a) * BigInt(b));
      expectGoldVerdict(mul.verify(p, `<think>${trace}</think><answer>${answer}</answer>`, CFG), answer, `${a}*${b}`);
    });
  }

  it('gold passes for 300 problems at every valid knob setting', () => {
    for (const cfg of allConfigs()) {
      for (const p of generateMany(mul, cfg.digitsA * 100 + cfg.digitsB * 10 + cfg.minDigits, 300, cfg)) {
        expectGoldVerdict(mul.verify(p, renderCompletion(mul.gold(p, cfg), true), cfg), mul.gold(p, cfg).answer, `${p.a}*${p.b}`);
      }
    }
  });

  it('the digits trace does not pass in the partial format, nor the reverse', () => {
    const digits = { ...CFG, format: 'digits' as const };
    expect(check(mul.verify(P, renderCompletion(mul.gold(P, digits), true), CFG), 'steps')?.passed).toBe(false);
    expect(check(mul.verify(P, renderCompletion(mul.gold(P, CFG), true), digits), 'steps')?.passed).toBe(false);
  });
});

describe('partial format: verifier truth table (123*45)', () => {
  it('gold: passes, steps detail counts 3 steps', () => {
    const r = v(`<think>${TRACE}</think><answer>5535</answer>`);
    expect(r.correct).toBe(true);
    expect(check(r, 'steps')?.detail).toBe('3 steps ok');
  });

  it('answer that forgets the shift (615+492=1107): wrong, the running sum is named', () => {
    const r = v('<think>123*5=615,123*4=492,615+492=1107</think><answer>1107</answer>');
    expect(r.correct).toBe(false);
    expect(r.first_wrong_step).toEqual({ step: 3, reason: 'step 3 (running sum): expected 615+4920=5535, got "615+492=1107"' });
  });

  it('wrong partial product: step 1, named a partial product; the first wrong step wins', () => {
    expectWrongStepStillPaid(v('<think>123*5=616,123*4=492,615+4920=5535</think><answer>5535</answer>'), {
      step: 1,
      reason: 'step 1 (partial product): expected 123*5=615, got "123*5=616"',
    });
    expect(v('<think>123*5=615,123*4=482,615+4820=5435</think><answer>5435</answer>').first_wrong_step?.step).toBe(2);
  });

  it('wrong order, shift written in the product, spaces: each is a wrong step', () => {
    expect(v('<think>123*4=492,123*5=615,615+4920=5535</think><answer>5535</answer>').first_wrong_step?.step).toBe(1);
    expect(v('<think>123*5=615,123*40=4920,615+4920=5535</think><answer>5535</answer>').first_wrong_step?.step).toBe(2);
    expect(v('<think>123*5=615, 123*4=492,615+4920=5535</think><answer>5535</answer>').first_wrong_step?.step).toBe(2);
  });

  it('missing and extra steps', () => {
    expect(v('<think>123*5=615,123*4=492</think><answer>5535</answer>').first_wrong_step).toEqual({ step: 3, reason: 'missing step 3 (running sum, expected 615+4920=5535)' });
    expect(v(`<think>${TRACE},5535+0=5535</think><answer>5535</answer>`).first_wrong_step).toEqual({ step: 4, reason: 'extra step 4: "5535+0=5535"' });
    expect(v('<think></think><answer>5535</answer>').first_wrong_step?.reason).toBe('missing step 1 (partial product, expected 123*5=615)');
  });
});

describe('partial format: lengths and arithmetic', () => {
  it('maxCompletionLength is attained by all nines and bounds 2000 samples at every knob setting', () => {
    for (const cfg of allConfigs()) {
      const ps = generateMany(mul, cfg.digitsA * 7 + cfg.digitsB * 3 + cfg.minDigits, 2000, cfg);
      const { maxC, maxP } = expectLengthBounds(mul, cfg, ps, (p) => renderCompletion(mul.gold(p, cfg), true));
      // Independent formula for a = 10^A - 1, b = 10^B - 1: B partial products "a*9=P" of
      // A+3+(A+1) chars; running sums i = 1..B-1 "S+Q=T" with S of A+i digits, Q of A+1+i, T of
      // A+i+1; commas between 2B-1 steps; the answer has A+B digits; 4 tags.
      const A = cfg.digitsA;
      const B = cfg.digitsB;
      let trace = B * (2 * A + 4) + 2 * B - 2;
      for (let i = 1; i < B; i++) trace += 2 + (A + i) + 2 * (A + i + 1);
      expect(maxC).toBe(4 + trace + A + B);
      expect(maxP).toBe(A + B + 2);
    }
  });

  it('each step is a true equation of the scheme and the answer is a*b (BigInt)', () => {
    const cfg = { ...CFG, digitsA: 4, digitsB: 3 };
    for (const p of generateMany(mul, 2718, 2000, cfg)) {
      const steps = mul.gold(p, cfg).trace.split(',');
      const B = p.b.length;
      expect(steps.length).toBe(2 * B - 1);
      const partials: bigint[] = [];
      for (let i = 0; i < B; i++) {
        const m = /^(\d+)\*(\d)=(0|[1-9]\d*)$/.exec(steps[i]!);
        expect(m, steps[i]).not.toBeNull();
        expect(m![1]).toBe(p.a);
        expect(m![2]).toBe(p.b[B - 1 - i]);
        expect(BigInt(m![3]!)).toBe(BigInt(p.a) * BigInt(m![2]!));
        partials.push(BigInt(m![3]!));
      }
      let sum = partials[0]!;
      for (let i = 1; i < B; i++) {
        const m = /^(0|[1-9]\d*)\+(0|[1-9]\d*)=(0|[1-9]\d*)$/.exec(steps[B - 1 + i]!);
        expect(m, steps[B - 1 + i]).not.toBeNull();
        expect(BigInt(m![1]!)).toBe(sum);
        expect(BigInt(m![2]!)).toBe(partials[i]! * 10n ** BigInt(i));
        sum += BigInt(m![2]!);
        expect(BigInt(m![3]!)).toBe(sum);
      }
      expect(mul.gold(p, cfg).answer).toBe((BigInt(p.a) * BigInt(p.b)).toString());
    }
  });
});
