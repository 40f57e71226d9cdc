// Addition task: a verifier truth table (one comment per case: why it must pass or fail),
// adversarial completions that must neither crash nor be paid, gold completions for every format,
// generation determinism and ranges, length bounds, and the column trace re-derived independently.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { addition, type AdditionConfig, type AdditionProblem } from '../src/tasks/addition.ts';
import { renderCompletion, tokenLength } from '../src/tasks/format.ts';
import { checkOf as check, expectDeterministic, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGarbageThinkPaid, expectGoldVerdict, expectLengthBounds, expectMissingThink, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';

const FORMATS = ['scratchpad', 'plain', 'reversed'] as const;
const cfgOf = (over: Partial<AdditionConfig> = {}): AdditionConfig => ({ ...addition.defaults, ...over });
const SCRATCH = cfgOf({ digits: 3, format: 'scratchpad' });
const goldText = (p: AdditionProblem, cfg: AdditionConfig) => renderCompletion(addition.gold(p, cfg), cfg.format === 'scratchpad');

// 457 + 385 = 842: trace 7+5+0=12,5+8+1=14,4+3+1=8.
const P: AdditionProblem = { a: '457', b: '385' };
const TRACE = '7+5+0=12,5+8+1=14,4+3+1=8';
const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }, cfg = SCRATCH) => addition.verify(P, completion, cfg, opts);

const problems = (seed: number, n: number, cfg: AdditionConfig) => generateMany(addition, seed, n, cfg);

describe('gold completions pass', () => {
  it('the worked example has the expected trace and answer', () => {
    expect(addition.gold(P, SCRATCH)).toEqual({ trace: TRACE, answer: '842' });
    expect(addition.gold(P, cfgOf({ format: 'reversed' })).answer).toBe('248');
    expect(addition.prompt(P, SCRATCH)).toBe('457+385=');
  });

  for (const format of FORMATS) {
    it(`format ${format}: gold passes every check for many generated problems`, () => {
      for (const digits of [1, 2, 3, 5, 12]) {
        const cfg = cfgOf({ digits, minDigits: 1, format });
        for (const p of problems(1000 + digits, 400, cfg)) {
          const verdict = addition.verify(p, goldText(p, cfg), cfg);
          expectGoldVerdict(verdict, addition.gold(p, cfg).answer, `${format} ${p.a}+${p.b}`);
          expect(verdict.format_ok).toBe(true);
        }
      }
    });
  }

  it('format reversed: sums ending in 0 (reversed answer starts with 0) still pass', () => {
    // 5+5=10 is written "01" in reversed format; the gold completion must be accepted.
    const cfg = cfgOf({ digits: 3, format: 'reversed' });
    for (const p of [{ a: '5', b: '5' }, { a: '50', b: '50' }, { a: '999', b: '1' }]) {
      const verdict = addition.verify(p, goldText(p, cfg), cfg);
      expect(verdict.correct, `${p.a}+${p.b}: ${JSON.stringify(verdict.checks)}`).toBe(true);
    }
    // ...while the unreversed sum is still wrong in reversed format.
    expect(addition.verify({ a: '5', b: '5' }, '<answer>10</answer>', cfg).correct).toBe(false);
  });

  it('format scratchpad: gold for 0+0 and unequal lengths', () => {
    for (const p of [{ a: '0', b: '0' }, { a: '5', b: '123' }, { a: '99999', b: '1' }]) {
      expect(addition.verify(p, goldText(p, cfgOf({ digits: 5 })), cfgOf({ digits: 5 })).correct).toBe(true);
    }
    // Missing digits of the shorter operand are written as 0, in operand order.
    expect(addition.gold({ a: '5', b: '123' }, SCRATCH).trace).toBe('5+3+0=8,0+2+0=2,0+1+0=1');
  });
});

describe('verifier truth table (scratchpad, 457+385)', () => {
  const good = `<think>${TRACE}</think><answer>842</answer>`;

  it('gold: passes', () => {
    const r = v(good);
    expect(r.correct && r.format_ok).toBe(true);
    expect(check(r, 'steps')?.passed).toBe(true);
  });

  it('surrounding whitespace and trailing newline: allowed (completion is trimmed)', () => {
    expect(v(`\n ${good}\n`).correct).toBe(true);
  });

  it('answer padded with spaces/newlines inside the block: allowed (answer is trimmed)', () => {
    expect(v(`<think>${TRACE}</think><answer> 842 </answer>`).correct).toBe(true);
    expect(v(`<think>${TRACE}</think><answer>\n842\n</answer>`).correct).toBe(true);
  });

  it('a wrong digit in the answer: format ok, outcome wrong', () => {
    expectWrongAnswer(v(`<think>${TRACE}</think><answer>843</answer>`), /expected 842, got 843/);
  });

  it('a wrong step: first_wrong_step names step 2 and what was expected', () => {
    const r = v('<think>7+5+0=12,5+8+1=13,4+3+1=8</think><answer>842</answer>');
    expect(r.first_wrong_step?.step).toBe(2);
    expect(r.first_wrong_step?.reason).toMatch(/step 2: expected 5\+8\+1=14, got "5\+8\+1=13"/);
    expect(check(r, 'steps')?.passed).toBe(false);
  });

  it('right answer with a wrong step: correct stays true (outcome + format), but the steps check fails', () => {
    // Documented: `correct` = format_ok && outcome; steps are logged as a separate check.
    const r = v('<think>7+5+0=12,5+8+0=13,4+3+1=8</think><answer>842</answer>');
    expect(r.correct).toBe(true);
    expect(r.reward).toBe(1);
    expect(check(r, 'steps')?.passed).toBe(false);
    expect(r.first_wrong_step?.step).toBe(2);
  });

  it('a missing last step: points at step 3 as missing', () => {
    const r = v('<think>7+5+0=12,5+8+1=14</think><answer>842</answer>');
    expect(r.first_wrong_step).toEqual({ step: 3, reason: 'missing step 3 (expected 4+3+1=8)' });
  });

  it('an extra step: points at step 4 as extra', () => {
    const r = v(`<think>${TRACE},0+0+0=0</think><answer>842</answer>`);
    expect(r.first_wrong_step?.step).toBe(4);
    expect(r.first_wrong_step?.reason).toMatch(/^extra step 4/);
  });

  it('an empty think block: step 1 is missing', () => {
    const r = v('<think></think><answer>842</answer>');
    expect(r.first_wrong_step?.step).toBe(1);
    expect(r.first_wrong_step?.reason).toMatch(/missing step 1/);
  });

  it('steps with extra spaces: exact match only, step 2 is wrong', () => {
    expect(v('<think>7+5+0=12, 5+8+1=14,4+3+1=8</think><answer>842</answer>').first_wrong_step?.step).toBe(2);
  });

  it('missing think block in scratchpad format: format fails, so not correct even with the right answer', () => {
    const r = v('<answer>842</answer>');
    expectMissingThink(r);
    expect(r.answer).toBe('842');
  });

  it('leading zeros "0842": not a plain number', () => {
    const r = v(`<think>${TRACE}</think><answer>0842</answer>`);
    expect(r.correct).toBe(false);
    expect(check(r, 'answer')?.detail).toMatch(/not a plain number/);
  });

  it('"+842", "8 42", "842abc", "842.0", "-842", "8,42", full-width digits: not plain numbers', () => {
    for (const a of ['+842', '8 42', '842abc', '842.0', '-842', '8,42', '842\n843', '８４２']) {
      const r = v(`<think>${TRACE}</think><answer>${a}</answer>`);
      expect(r.correct, a).toBe(false);
      expect(check(r, 'answer')?.passed).toBe(false);
    }
  });

  it('empty answer: not correct', () => {
    const r = v(`<think>${TRACE}</think><answer></answer>`);
    expect(r.correct).toBe(false);
    expect(r.reward).toBe(0);
  });

  it('two answer blocks: format fails and no single answer is parsed', () => {
    const r = v(`<think>${TRACE}</think><answer>842</answer><answer>842</answer>`);
    expect(r.correct).toBe(false);
    expect(r.answer).toBeNull();
    expect(check(r, 'format')?.detail).toMatch(/<answer> appears 2 times/);
  });

  it('stuffed answer "842 843" (hedging): not correct', () => {
    expect(v(`<think>${TRACE}</think><answer>842 843</answer>`).correct).toBe(false);
    expect(v(`<think>${TRACE}</think><answer>843 842</answer>`).correct).toBe(false);
  });

  it('tags inside tags: format fails', () => {
    expectFormatBroken(v, [
      `<think>${TRACE}<answer>842</answer></think><answer>842</answer>`, // answer nested in think (2 answers)
      `<think>${TRACE}</think><answer><think>842</answer>`, // think tag inside the answer
      `<think><think>${TRACE}</think><answer>842</answer>`, // two <think>
      `<think>${TRACE}</think><answer>842</think></answer>`, // stray </think> inside the answer
      `<answer><think>${TRACE}</think>842</answer>`, // think nested in answer
    ]);
  });

  it('text before <think>, between blocks, or after </answer>: format fails', () => {
    for (const c of [`So: <think>${TRACE}</think><answer>842</answer>`, `<think>${TRACE}</think> so <answer>842</answer>`, `${good} and also 843`]) {
      const r = v(c);
      expect(r.format_ok, c).toBe(false);
      expect(r.correct, c).toBe(false);
    }
  });

  it('text after </answer>: answer still parsed (for logging) but not paid', () => {
    const r = v(`${good}junk`);
    expect(r.answer).toBe('842');
    expect(check(r, 'answer')?.passed).toBe(true);
    expect(r.correct).toBe(false);
    expect(check(r, 'format')?.detail).toMatch(/text after <\/answer>/);
  });

  it('unclosed think or answer: format fails, no answer', () => {
    expect(v(`<think>${TRACE}<answer>842</answer>`).answer).toBeNull();
    const r = v(`<think>${TRACE}</think><answer>842`);
    expect(r.answer).toBeNull();
    expect(r.correct).toBe(false);
    expect(check(r, 'format')?.detail).toMatch(/never closed/);
  });

  it('empty completion: nothing parsed, reward 0 under every scheme', () => {
    for (const scheme of ['binary', 'tinyzero']) {
      const r = v('', { scheme });
      expect(r.correct).toBe(false);
      expect(r.answer).toBeNull();
      expect(r.reward).toBe(0);
    }
  });
});

describe('adversarial completions: none crash, none paid as correct', () => {
  const junk = junkFrom(new Rng(5));
  const adversarial: [string, string][] = [
    ['100 KB printable garbage', junk(100_000)],
    ['100 KB garbage inside think', `<think>${junk(100_000)}</think><answer>843</answer>`],
    ['100 KB of digits as the answer', `<think>${TRACE}</think><answer>${'9'.repeat(100_000)}</answer>`],
    ['100 KB of commas as steps', `<think>${','.repeat(100_000)}</think><answer>843</answer>`],
    ['100 K repeated tags', '<answer>'.repeat(100_000)],
    ['__proto__', `<think>${TRACE}</think><answer>__proto__</answer>`],
    ['constructor', `<think>${TRACE}</think><answer>constructor</answer>`],
    ['toString', `<think>${TRACE}</think><answer>toString</answer>`],
    ['NUL byte', `<think>${TRACE}</think><answer>842\u0000</answer>`],
    ['ANSI escape', `<think>${TRACE}</think><answer>\u001b[31m842</answer>`],
    ['zero-width space', `<think>${TRACE}</think><answer>8\u200b42</answer>`],
    ['lone surrogate', `<think>${TRACE}</think><answer>842\ud800</answer>`],
    ['closing tags only', '</think></answer>842'],
    ['reversed tags', `</answer>842<answer>`],
    ['NaN', `<think>${TRACE}</think><answer>NaN</answer>`],
    ['Infinity', `<think>${TRACE}</think><answer>Infinity</answer>`],
    ['1e3', `<think>${TRACE}</think><answer>8.42e2</answer>`],
    ['hex', `<think>${TRACE}</think><answer>0x34a</answer>`],
  ];
  hostileSuite(adversarial, v);
});

describe('garbage reasoning with the right answer (documented: steps do not gate `correct`)', () => {
  it('100 KB garbage think + right answer: paid, steps check fails with a short reason, fast', () => {
    expectGarbageThinkPaid((think) => v(`<think>${think}</think><answer>842</answer>`), [junkFrom(new Rng(6))(100_000), ','.repeat(100_000)]);
  });
});

describe('rewards and flags', () => {
  const good = `<think>${TRACE}</think><answer>842</answer>`;

  it('binary: 1 when correct, 0 otherwise', () => {
    expect(v(good, { scheme: 'binary' }).reward).toBe(1);
    expect(v(`<think>${TRACE}</think><answer>843</answer>`, { scheme: 'binary' }).reward).toBe(0);
    expect(v(good).scheme).toBe('binary'); // the default
  });

  it('tinyzero: 1 correct, 0.1 answered but wrong, 0 unanswered, 0.1 right answer in broken layout', () => {
    expect(v(good, { scheme: 'tinyzero' }).reward).toBe(1);
    expect(v(`<think>${TRACE}</think><answer>843</answer>`, { scheme: 'tinyzero' }).reward).toBe(0.1);
    expect(v(`<think>${TRACE}</think>`, { scheme: 'tinyzero' }).reward).toBe(0);
    expect(v(`${good}!`, { scheme: 'tinyzero' }).reward).toBe(0.1);
    expect(v(good, { scheme: 'tinyzero' }).scheme).toBe('tinyzero');
  });

  it("'full' pays only fully right completions: a right answer through a wrong step earns 0", () => {
    expect(v(good, { scheme: 'full' }).reward).toBe(1);
    const gold = addition.gold(P, SCRATCH);
    const steps = gold.trace.split(',');
    steps[0] = steps[0]!.replace(/=(\d+)$/, (_m, d: string) => `=${(Number(d) + 1) % 100}`);
    const wrongStep = v(`<think>${steps.join(',')}</think><answer>${gold.answer}</answer>`, { scheme: 'full' });
    expect(wrongStep.correct).toBe(true);
    expect(wrongStep.reward).toBe(0);
  });

  it('unknown scheme throws naming the known ones', () => {
    expect(() => v(good, { scheme: 'partial' })).toThrow(/unknown reward scheme "partial" \(known: binary, tinyzero, logicrl, process, full\)/);
  });

  it('truncated flag passes through unchanged', () => {
    expectTruncatedPassesThrough(v, good, `<think>${TRACE}</think><answer>84`);
    expect(v(good, { truncated: false }).truncated).toBe(false);
  });

  it('plain format: answer only passes; think is optional', () => {
    const cfg = cfgOf({ format: 'plain' });
    expect(addition.verify(P, '<answer>842</answer>', cfg).correct).toBe(true);
    expect(addition.verify(P, '<answer>248</answer>', cfg).correct).toBe(false);
    expect(check(addition.verify(P, '<answer>842</answer>', cfg), 'steps')).toBeUndefined();
  });
});

describe('generation', () => {
  it('is deterministic per rng seed and differs across seeds', () => {
    const cfg = cfgOf({ digits: 6 });
    expectDeterministic((seed) => problems(seed, 200, cfg), 3, 4);
  });

  it('digit counts stay within [minDigits, digits], both ends are hit, no leading zeros', () => {
    for (const [minDigits, digits] of [[1, 1], [1, 3], [2, 2], [3, 7], [1, 12], [12, 12]] as const) {
      const cfg = cfgOf({ minDigits, digits });
      const lens = new Set<number>();
      for (const p of problems(minDigits * 100 + digits, 1000, cfg)) {
        for (const x of [p.a, p.b]) {
          expect(x.length >= minDigits && x.length <= digits, `${x} for [${minDigits}, ${digits}]`).toBe(true);
          expect(/^(0|[1-9][0-9]*)$/.test(x), x).toBe(true);
          lens.add(x.length);
        }
      }
      expect(lens.has(minDigits) && lens.has(digits)).toBe(true);
    }
  });

  it('1-digit problems cover the whole 10x10 space (including 0)', () => {
    const seen = new Set(problems(1, 3000, cfgOf({ digits: 1 })).map(addition.canonical));
    expect(seen.size).toBe(100);
  });

  it('canonical distinguishes a+b from b+a', () => {
    expect(addition.canonical({ a: '1', b: '2' })).not.toBe(addition.canonical({ a: '2', b: '1' }));
  });
});

describe('length bounds', () => {
  for (const format of FORMATS) {
    it(`format ${format}: maxCompletionLength / maxPromptLength bound 2000 samples and are attained by 9..9+9..9`, () => {
      for (const digits of [1, 2, 3, 4, 8, 12]) {
        const cfg = cfgOf({ digits, minDigits: 1, format });
        const { maxC, maxP } = expectLengthBounds(addition, cfg, problems(digits * 7, 2000, cfg), (p) => goldText(p, cfg));
        const nines = '9'.repeat(digits);
        const worst = { a: nines, b: nines };
        expect(tokenLength(goldText(worst, cfg))).toBe(maxC);
        expect(tokenLength(addition.prompt(worst, cfg))).toBe(maxP);
        // Independent formulas: d steps of "9+9+c=1x" (8 chars) + d-1 commas + 2 tags; answer d+1 digits + 2 tags.
        const want = format === 'scratchpad' ? 2 + 9 * digits - 1 + 2 + digits + 1 : 2 + digits + 1;
        expect(maxC).toBe(want);
        expect(maxP).toBe(2 * digits + 2);
      }
    });
  }

  it('tokenLength counts each tag as one token', () => {
    expect(tokenLength('<think>1+2+0=3</think><answer>3</answer>')).toBe(4 + 7 + 1);
    expect(tokenLength('<think')).toBe(6);
  });
});

describe('column trace arithmetic, recomputed independently', () => {
  it('every step is digitA+digitB+carryIn=sum with the right digits and carries; answer = a+b', () => {
    const cfg = cfgOf({ digits: 12, minDigits: 1, format: 'scratchpad' });
    for (const p of problems(2718, 2000, cfg)) {
      const g = addition.gold(p, cfg);
      const steps = g.trace.split(',');
      expect(steps.length).toBe(Math.max(p.a.length, p.b.length));
      let carry = 0;
      let digits = '';
      steps.forEach((s, i) => {
        const m = /^(\d)\+(\d)\+([01])=(\d{1,2})$/.exec(s);
        expect(m, `step ${i + 1} "${s}" of ${p.a}+${p.b}`).not.toBeNull();
        const [x, y, c, sum] = [Number(m![1]), Number(m![2]), Number(m![3]), Number(m![4])];
        expect(x).toBe(Number(p.a[p.a.length - 1 - i] ?? '0'));
        expect(y).toBe(Number(p.b[p.b.length - 1 - i] ?? '0'));
        expect(c).toBe(carry);
        expect(sum).toBe(x + y + c);
        carry = sum >= 10 ? 1 : 0;
        digits = String(sum % 10) + digits;
      });
      const fromTrace = (carry ? '1' : '') + digits;
      const truth = (BigInt(p.a) + BigInt(p.b)).toString();
      expect(BigInt(fromTrace).toString()).toBe(truth);
      expect(g.answer).toBe(truth);
      expect(addition.gold(p, cfgOf({ digits: 12, format: 'plain' })).answer).toBe(truth);
      expect(addition.gold(p, cfgOf({ digits: 12, format: 'reversed' })).answer).toBe([...truth].reverse().join(''));
    }
  });
});

describe('reward schemes logicrl and process', () => {
  const cfg = { digits: 3, minDigits: 1, format: 'scratchpad' as const };
  const p = { a: '47', b: '85' }; // gold: <think>7+5+0=12,4+8+1=13</think><answer>132</answer>
  const v = (c: string, scheme: string) => addition.verify(p, c, cfg, { scheme }).reward;
  it('logicrl: format +/-1 plus answer +2 / -1.5 / -2', () => {
    expect(v('<think>7+5+0=12,4+8+1=13</think><answer>132</answer>', 'logicrl')).toBe(3);
    expect(v('<think>7+5+0=12,4+8+1=13</think><answer>131</answer>', 'logicrl')).toBe(-0.5);
    expect(v('<think>7+5+0=12,4+8+1=13</think><answer>abc</answer>', 'logicrl')).toBe(-0.5); // parsed, not a number: wrong
    expect(v('<answer>132</answer>', 'logicrl')).toBe(-3); // format broken (no think): correctness not paid
  });
  it('process: 0.5 * share of valid steps + 0.5 * right answer, only with a right format', () => {
    expect(v('<think>7+5+0=12,4+8+1=13</think><answer>132</answer>', 'process')).toBe(1);
    expect(v('<think>7+5+0=12,4+8+0=12</think><answer>132</answer>', 'process')).toBe(0.75); // step 2 of 2 wrong
    expect(v('<think>7+5+0=13,4+8+1=13</think><answer>132</answer>', 'process')).toBe(0.5); // step 1 wrong
    expect(v('<think>7+5+0=12,4+8+1=13,0+0+1=1</think><answer>132</answer>', 'process')).toBeCloseTo(0.5 + 1 / 3); // extra step
    expect(v('<think>7+5+0=12,4+8+1=13</think><answer>131</answer>', 'process')).toBe(0.5); // gold steps, wrong answer: half, never 1
    expect(v('<think>7+5+0=12,4+8+0=12</think><answer>131</answer>', 'process')).toBe(0.25);
    expect(v('<think></think><answer>131</answer>', 'process')).toBe(0); // empty think: no step credit
    expect(v('<answer>132</answer>', 'process')).toBe(0);
    expect(addition.verify(p, '<answer>132</answer>', { ...cfg, format: 'plain' }, { scheme: 'process' }).reward).toBe(1); // no steps: the outcome
    expect(addition.verify(p, '<answer>131</answer>', { ...cfg, format: 'plain' }, { scheme: 'process' }).reward).toBe(0);
  });
});

describe('no reward pays a wrong answer in full (scratchpad)', () => {
  const ps = problems(12, 40, SCRATCH);
  const wrong = (_p: AdditionProblem, g: { answer: string }) => (BigInt(g.answer) + 1n).toString();
  it('the gold steps with a wrong answer earn strictly less than the right answer, under every scheme', () => {
    expectWrongAnswerPaidLess(addition, SCRATCH, ps, wrong);
  });
  it('an empty think earns no step credit', () => {
    expectEmptyThinkNoStepCredit(addition, SCRATCH, ps, wrong);
  });
});
