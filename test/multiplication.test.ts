// Multiplication task: hand-worked examples, gold completions across knob settings, a verifier
// truth table (wrong answer, wrong/missing/extra step, broken tags), adversarial completions that
// must neither crash nor be paid, determinism, length bounds, and the partial-product trace
// re-derived independently with BigInt.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { multiplication as mul, type MultiplicationConfig, type MultiplicationProblem } from '../src/tasks/multiplication.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { checkOf as check, expectAnswersRejected, expectDeterministic, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGarbageThinkPaid, expectGoldVerdict, expectLengthBounds, expectMissingThink, expectPlainAscii, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';

const cfgOf = (over: Partial<MultiplicationConfig> = {}): MultiplicationConfig => ({ ...mul.defaults, ...over });
const CFG = cfgOf();
const goldText = (p: MultiplicationProblem) => renderCompletion(mul.gold(p, CFG), true);

// 123 * 45 = 5535: 123*5=615, 123*4=492, 615+4920=5535.
const P: MultiplicationProblem = { a: '123', b: '45' };
const TRACE = '123*5=615,123*4=492,615+4920=5535';
const GOOD = `<think>${TRACE}</think><answer>5535</answer>`;
const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }) => mul.verify(P, completion, CFG, opts);

const problems = (seed: number, n: number, cfg: MultiplicationConfig) => generateMany(mul, seed, n, cfg);

/** Every valid knob setting. */
function allConfigs(): MultiplicationConfig[] {
  const out: MultiplicationConfig[] = [];
  for (let digitsA = 1; digitsA <= 4; digitsA++)
    for (let digitsB = 1; digitsB <= 3; digitsB++)
      for (let minDigits = 1; minDigits <= Math.min(digitsA, digitsB); minDigits++) out.push({ digitsA, digitsB, minDigits });
  return out;
}

describe('hand-written examples', () => {
  const cases: [string, string, string, string][] = [
    ['123', '45', TRACE, '5535'],
    ['123', '456', '123*6=738,123*5=615,123*4=492,738+6150=6888,6888+49200=56088', '56088'],
    ['7', '8', '7*8=56', '56'],
    ['0', '5', '0*5=0', '0'],
    ['9', '0', '9*0=0', '0'],
    // A zero digit in b: its partial product is 0 and its shifted form stays "0", never "00".
    ['12', '102', '12*2=24,12*0=0,12*1=12,24+0=24,24+1200=1224', '1224'],
    ['25', '40', '25*0=0,25*4=100,0+1000=1000', '1000'],
    ['9999', '999', '9999*9=89991,9999*9=89991,9999*9=89991,89991+899910=989901,989901+8999100=9989001', '9989001'],
    ['1000', '10', '1000*0=0,1000*1=1000,0+10000=10000', '10000'],
    ['0', '999', '0*9=0,0*9=0,0*9=0,0+0=0,0+0=0', '0'],
  ];
  for (const [a, b, trace, answer] of cases) {
    it(`${a}*${b}=${answer}`, () => {
      const p = { a, b };
      expect(mul.prompt(p, CFG)).toBe(`${a}*${b}=`);
      expect(mul.gold(p, CFG)).toEqual({ trace, answer });
      expect(BigInt(answer)).toBe(BigInt(a) * BigInt(b));
      const r = mul.verify(p, `<think>${trace}</think><answer>${answer}</answer>`, CFG);
      expect(r.correct).toBe(true);
      expect(r.checks.map((c) => c.passed)).toEqual([true, true, true]);
    });
  }

  it('canonical distinguishes a*b from b*a', () => {
    expect(mul.canonical({ a: '12', b: '3' })).not.toBe(mul.canonical({ a: '3', b: '12' }));
    expect(mul.canonical(P)).toBe('123*45');
  });
});

describe('gold completions pass', () => {
  it('for 300 problems at every valid knob setting', () => {
    for (const cfg of allConfigs()) {
      for (const p of problems(cfg.digitsA * 100 + cfg.digitsB * 10 + cfg.minDigits, 300, cfg)) {
        const r = mul.verify(p, renderCompletion(mul.gold(p, cfg), true), cfg);
        expectGoldVerdict(r, mul.gold(p, cfg).answer, `${p.a}*${p.b}`);
        expect(r.format_ok).toBe(true);
        expect(r.checks.map((c) => c.name)).toEqual(['format', 'steps', 'answer']);
        expect(r.truncated).toBe(false);
      }
    }
  });
});

describe('verifier truth table (123*45)', () => {
  it('gold: passes, steps detail counts 3 steps', () => {
    const r = v(GOOD);
    expect(r.correct).toBe(true);
    expect(check(r, 'steps')?.detail).toBe('3 steps ok');
    expect(check(r, 'answer')?.detail).toBe('5535 is right');
  });

  it('surrounding whitespace and padded answer: allowed (trimmed)', () => {
    expect(v(`\n ${GOOD}\n`).correct).toBe(true);
    expect(v(`<think>${TRACE}</think><answer> 5535 </answer>`).correct).toBe(true);
  });

  it('wrong answer: format ok, outcome wrong, reward 0', () => {
    const r = v(`<think>${TRACE}</think><answer>5536</answer>`);
    expectWrongAnswer(r, 'expected 5535, got 5536');
    expect(r.answer).toBe('5536');
  });

  it('answer that forgets the shift (615+492=1107): wrong', () => {
    const r = v('<think>123*5=615,123*4=492,615+492=1107</think><answer>1107</answer>');
    expect(r.correct).toBe(false);
    expect(r.first_wrong_step).toEqual({ step: 3, reason: 'step 3 (running sum): expected 615+4920=5535, got "615+492=1107"' });
  });

  it('wrong partial product: first_wrong_step is 1 and names it a partial product', () => {
    // Documented (as in addition): steps do not gate `correct`.
    const r = v('<think>123*5=616,123*4=492,615+4920=5535</think><answer>5535</answer>');
    expectWrongStepStillPaid(r, { step: 1, reason: 'step 1 (partial product): expected 123*5=615, got "123*5=616"' });
  });

  it('wrong second partial product: step 2; the first wrong step wins over later ones', () => {
    expect(v('<think>123*5=615,123*4=482,615+4920=5535</think><answer>5535</answer>').first_wrong_step?.step).toBe(2);
    expect(v('<think>123*5=615,123*4=482,615+4820=5435</think><answer>5435</answer>').first_wrong_step?.step).toBe(2);
  });

  it('partial products in the wrong order (most significant digit first): step 1 wrong', () => {
    const r = v('<think>123*4=492,123*5=615,615+4920=5535</think><answer>5535</answer>');
    expect(r.first_wrong_step?.step).toBe(1);
  });

  it('shifted value written without trailing zeros, or shifted partial product written in step 2: wrong', () => {
    expect(v('<think>123*5=615,123*40=4920,615+4920=5535</think><answer>5535</answer>').first_wrong_step?.step).toBe(2);
  });

  it('missing last step: step 3 is missing', () => {
    const r = v('<think>123*5=615,123*4=492</think><answer>5535</answer>');
    expect(r.first_wrong_step).toEqual({ step: 3, reason: 'missing step 3 (running sum, expected 615+4920=5535)' });
  });

  it('missing middle step: step 2 is wrong (steps shift up)', () => {
    const r = v('<think>123*5=615,615+4920=5535</think><answer>5535</answer>');
    expect(r.first_wrong_step?.step).toBe(2);
    expect(r.first_wrong_step?.reason).toMatch(/^step 2 \(partial product\): expected 123\*4=492/);
  });

  it('extra step: step 4 is extra', () => {
    const r = v(`<think>${TRACE},5535+0=5535</think><answer>5535</answer>`);
    expect(r.first_wrong_step).toEqual({ step: 4, reason: 'extra step 4: "5535+0=5535"' });
  });

  it('empty think: step 1 missing; trailing comma: extra empty step 4', () => {
    expect(v('<think></think><answer>5535</answer>').first_wrong_step?.reason).toBe('missing step 1 (partial product, expected 123*5=615)');
    expect(v(`<think>${TRACE},</think><answer>5535</answer>`).first_wrong_step?.step).toBe(4);
  });

  it('spaces inside steps: exact text only', () => {
    expect(v('<think>123*5=615, 123*4=492,615+4920=5535</think><answer>5535</answer>').first_wrong_step?.step).toBe(2);
    expect(v('<think>123 * 5 = 615,123*4=492,615+4920=5535</think><answer>5535</answer>').first_wrong_step?.step).toBe(1);
  });

  it('missing think block: format fails, not correct even with the right answer', () => {
    const r = v('<answer>5535</answer>');
    expectMissingThink(r);
    expect(check(r, 'steps')).toBeUndefined();
  });

  it('broken tags: format fails, not paid', () => {
    expectFormatBroken(v, [
      `<think>${TRACE}</think><answer>5535</answr>`,
      `<think>${TRACE}</think><answer>5535`,
      `<think>${TRACE}<answer>5535</answer>`,
      `<thinK>${TRACE}</think><answer>5535</answer>`,
      `${TRACE}</think><answer>5535</answer>`,
      `<think>${TRACE}</think>answer>5535</answer>`,
    ]);
  });

  it('non-canonical answers: leading zeros, signs, separators, decimals, exponents', () => {
    const answers = ['05535', '+5535', '-5535', '5,535', '5 535', '5535.0', '5.535e3', '0x159f', '５５３５', '5535\n5535'];
    expectAnswersRejected((a) => v(`<think>${TRACE}</think><answer>${a}</answer>`), answers, /not a plain number/);
  });

  it('zero product: "0" is right, "00" and "" are not', () => {
    const p = { a: '0', b: '7' };
    expect(mul.verify(p, '<think>0*7=0</think><answer>0</answer>', CFG).correct).toBe(true);
    expect(mul.verify(p, '<think>0*7=0</think><answer>00</answer>', CFG).correct).toBe(false);
    expect(mul.verify(p, '<think>0*7=0</think><answer></answer>', CFG).correct).toBe(false);
  });
});

describe('hostile completions: none crash, none paid as correct', () => {
  const junk = junkFrom(new Rng(5));
  const T = `<think>${TRACE}</think>`;
  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace only', '  \n\t '],
    ['several answer blocks', `${T}<answer>5535</answer><answer>5535</answer>`],
    ['several answer blocks, different', `${T}<answer>5534</answer><answer>5535</answer>`],
    ['answer stuffed with candidates', `${T}<answer>5533 5534 5535 5536 5537</answer>`],
    ['answer stuffed with commas', `${T}<answer>5534,5535,5536</answer>`],
    ['answer nested in think', `<think>${TRACE}<answer>5535</answer></think><answer>5535</answer>`],
    ['think nested in answer', `<answer><think>${TRACE}</think>5535</answer>`],
    ['think tag inside the answer', `${T}<answer><think>5535</answer>`],
    ['two think blocks', `${T}${T}<answer>5535</answer>`],
    ['reversed tags', '</answer>5535<answer>'],
    ['closing tags only', '</think></answer>5535'],
    ['huge number', `${T}<answer>${'9'.repeat(10_000)}</answer>`],
    ['huge number with the answer as prefix', `${T}<answer>5535${'0'.repeat(1000)}</answer>`],
    ['huge number 2^53+1', `${T}<answer>9007199254740993</answer>`],
    ['__proto__', `${T}<answer>__proto__</answer>`],
    ['constructor', `${T}<answer>constructor</answer>`],
    ['__proto__ as steps', `<think>__proto__,constructor,toString</think><answer>5536</answer>`],
    ['code', `${T}<answer>123*45</answer>`],
    ['code 2', `${T}<answer>eval("123*45")</answer>`],
    ['code 3', `${T}<answer>(()=>5535)()</answer>`],
    ['NUL byte', `${T}<answer>5535\u0000</answer>`],
    ['control characters', `${T}<answer>\u0001\u0002\u001b[31m5535\u007f</answer>`],
    ['zero-width space', `${T}<answer>55\u200b35</answer>`],
    ['lone surrogate', `${T}<answer>5535\ud800</answer>`],
    ['NaN', `${T}<answer>NaN</answer>`],
    ['Infinity', `${T}<answer>Infinity</answer>`],
    ['100 KB printable garbage', junk(100_000)],
    ['100 KB garbage inside think, wrong answer', `<think>${junk(100_000)}</think><answer>5536</answer>`],
    ['100 KB of digits as the answer', `${T}<answer>${'5'.repeat(100_000)}</answer>`],
    ['100 KB of commas as steps, wrong answer', `<think>${','.repeat(100_000)}</think><answer>5536</answer>`],
    ['100 K repeated answer tags', '<answer>'.repeat(100_000)],
    ['100 KB control characters', '\u0000\u0001\u0007'.repeat(34_000)],
  ];
  hostileSuite(hostile, v);

  it('100 KB garbage think with the right answer: paid (steps do not gate), steps fail at 1, fast', () => {
    expectGarbageThinkPaid((think) => v(`<think>${think}</think><answer>5535</answer>`), [junk(100_000), ','.repeat(100_000)]);
  });
});

describe('rewards and flags', () => {
  it('binary by default; tinyzero pays 0.1 for a wrong answer, 0 for none', () => {
    expectRewardSchemes(v, { good: GOOD, wrong: `<think>${TRACE}</think><answer>5536</answer>`, unanswered: `<think>${TRACE}</think>` });
  });

  it('unknown scheme throws', () => {
    expect(() => v(GOOD, { scheme: 'partial' })).toThrow(/unknown reward scheme "partial"/);
  });

  it('truncated passes through', () => {
    expectTruncatedPassesThrough(v, GOOD, `<think>${TRACE}</think><answer>55`);
  });
});

describe('config and generation', () => {
  it('check rejects minDigits above either digit count', () => {
    expect(mul.check!(cfgOf())).toBeNull();
    expect(mul.check!(cfgOf({ digitsA: 1, minDigits: 2 }))).toMatch(/minDigits \(2\) must be <= digitsA \(1\)/);
    expect(mul.check!(cfgOf({ digitsA: 4, digitsB: 2, minDigits: 3 }))).toMatch(/minDigits \(3\) must be <= digitsB \(2\)/);
    for (const cfg of allConfigs()) expect(mul.check!(cfg)).toBeNull();
  });

  it('defaults lie within the knob ranges', () => {
    for (const [k, knob] of Object.entries(mul.knobs)) {
      const x = mul.defaults[k as keyof MultiplicationConfig];
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
      const prompt = mul.prompt(p, cfg);
      expect(prompt.endsWith('=')).toBe(true);
      for (const s of [prompt, g.trace, g.answer]) expectPlainAscii(s);
    }
  });
});

describe('length bounds', () => {
  it('maxPromptLength / maxCompletionLength bound 2000 samples at every knob setting and are attained by all nines', () => {
    for (const cfg of allConfigs()) {
      const ps = problems(cfg.digitsA * 7 + cfg.digitsB * 3 + cfg.minDigits, 2000, cfg);
      const { maxC, maxP } = expectLengthBounds(mul, cfg, ps, (p) => renderCompletion(mul.gold(p, cfg), true));
      // Independent formula for a = 10^A - 1, b = 10^B - 1 (A = digitsA, B = digitsB):
      // B partial products "a*9=P" of A+3+(A+1) chars; sum i (1..B-1) "S+Q=T" with S of A+i digits,
      // Q of A+1+i digits, T of A+i+1 digits; commas; answer A+B digits; 4 tags.
      const A = cfg.digitsA;
      const B = cfg.digitsB;
      let trace = B * (2 * A + 4);
      for (let i = 1; i < B; i++) trace += 2 + (A + i) + 2 * (A + i + 1);
      trace += 2 * B - 2; // commas between 2B-1 steps
      expect(maxC).toBe(4 + trace + A + B);
      expect(maxP).toBe(A + B + 2);
    }
  });

  it('default knobs stay well under 120 tokens in all, and so do the largest knobs', () => {
    expect(mul.maxPromptLength(CFG) + mul.maxCompletionLength(CFG)).toBeLessThanOrEqual(60);
    const big = cfgOf({ digitsA: 4, digitsB: 3 });
    expect(mul.maxPromptLength(big) + mul.maxCompletionLength(big)).toBeLessThanOrEqual(120);
  });
});

describe('partial-product trace arithmetic, recomputed independently', () => {
  it('each step is a true equation of the long-multiplication scheme; the answer is a*b (BigInt)', () => {
    const cfg = cfgOf({ digitsA: 4, digitsB: 3 });
    for (const p of problems(2718, 2000, cfg)) {
      const g = mul.gold(p, cfg);
      const steps = g.trace.split(',');
      const B = p.b.length;
      expect(steps.length).toBe(2 * B - 1);
      const partials: bigint[] = [];
      for (let i = 0; i < B; i++) {
        const m = /^(\d+)\*(\d)=(0|[1-9]\d*)$/.exec(steps[i]!);
        expect(m, `step ${i + 1} "${steps[i]}" of ${p.a}*${p.b}`).not.toBeNull();
        expect(m![1]).toBe(p.a);
        expect(m![2]).toBe(p.b[B - 1 - i]);
        expect(BigInt(m![3]!)).toBe(BigInt(p.a) * BigInt(m![2]!));
        partials.push(BigInt(m![3]!));
      }
      let sum = partials[0]!;
      for (let i = 1; i < B; i++) {
        const m = /^(0|[1-9]\d*)\+(0|[1-9]\d*)=(0|[1-9]\d*)$/.exec(steps[B - 1 + i]!);
        expect(m, `step ${B + i} "${steps[B - 1 + i]}" of ${p.a}*${p.b}`).not.toBeNull();
        expect(BigInt(m![1]!)).toBe(sum);
        expect(BigInt(m![2]!)).toBe(partials[i]! * 10n ** BigInt(i));
        // The shift is written as explicit trailing zeros on the partial product.
        if (partials[i]! !== 0n) expect(m![2]).toBe(partials[i]!.toString() + '0'.repeat(i));
        sum += BigInt(m![2]!);
        expect(BigInt(m![3]!)).toBe(sum);
      }
      const truth = (BigInt(p.a) * BigInt(p.b)).toString();
      expect(sum.toString()).toBe(truth);
      expect(g.answer).toBe(truth);
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
  it('process: the step share counts the missing steps (1 of 3 steps written: 1/3 of the step half)', () => {
    expect(v('<think>123*5=615</think><answer>5535</answer>', { scheme: 'process' }).reward).toBeCloseTo(0.5 + 0.5 / 3, 12);
    expect(v('<think>123*5=615</think><answer>5536</answer>', { scheme: 'process' }).reward).toBeCloseTo(0.5 / 3, 12);
  });
});
