// Boolean task: the exact parser, hand-worked reductions, a verifier truth table (wrong answer,
// wrong/missing/extra step, broken tags), hostile completions that must neither crash nor be paid,
// gold over many knob settings, determinism, answer balance, length bounds, and the reduction
// re-derived independently by a string rewriter.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { boolean, parseFormula, reductionSteps, renderFormula, tokenize, type BooleanConfig, type BooleanProblem } from '../src/tasks/boolean.ts';
import { renderCompletion, tokenLength } from '../src/tasks/format.ts';
import { checkOf as check, expectAnswersRejected, expectDeterministic, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGarbageThinkPaid, expectGoldVerdict, expectLengthBounds, expectMissingThink, expectPlainAscii, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';

// Most tests below pin the `rewrite` format (task version 1's trace); the circuit format has its own block.
const cfgOf = (over: Partial<BooleanConfig> = {}): BooleanConfig => ({ ...boolean.defaults, format: 'rewrite', ...over });
const CFG = cfgOf();
const goldText = (p: BooleanProblem, cfg: BooleanConfig = CFG) => renderCompletion(boolean.gold(p, cfg), true);

// The brief's example: a=1,b=0,c=1;(a&!b)|(b&c) = 1.
const P: BooleanProblem = { values: '101', formula: '(a&!b)|(b&c)' };
const TRACE = '(1&!0)|(0&1),(1&1)|(0&1),1|(0&1),1|0,1';
const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }) => boolean.verify(P, completion, CFG, opts);

const problems = (seed: number, n: number, cfg: BooleanConfig) => generateMany(boolean, seed, n, cfg);

/** Independent reducer over canonical text: rewrite the leftmost redex `!c` or `(c op c)`. */
function stringReduce(s: string): string | null {
  const isC = (c: string | undefined) => c === '0' || c === '1';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '!' && isC(s[i + 1])) return s.slice(0, i) + (s[i + 1] === '1' ? '0' : '1') + s.slice(i + 2);
    if (isC(s[i]) && (s[i + 1] === '&' || s[i + 1] === '|') && isC(s[i + 2])) {
      const a = s[i] === '1';
      const b = s[i + 2] === '1';
      const val = (s[i + 1] === '&' ? a && b : a || b) ? '1' : '0';
      if (i === 0 && s.length === 3) return val;
      if (s[i - 1] === '(' && s[i + 3] === ')') return s.slice(0, i - 1) + val + s.slice(i + 4);
    }
  }
  return null;
}

describe('tokenizer and parser', () => {
  it('tokenizes every character and rejects anything outside the language', () => {
    expect(tokenize('(a&!1)').map((t) => t.t)).toEqual(['(', 'var', '&', '!', 'const', ')']);
    for (const bad of ['a+b', 'a & b', 'f', 'A', 'a&b=', 'a\u0000', '２']) expect(() => tokenize(bad), bad).toThrow();
  });

  it('precedence ! > & > |, left-associative, canonical rendering parenthesises binary operands', () => {
    expect(renderFormula(parseFormula('a|b&c'))).toBe('a|(b&c)');
    expect(renderFormula(parseFormula('a&b|c'))).toBe('(a&b)|c');
    expect(renderFormula(parseFormula('a&b&c'))).toBe('(a&b)&c');
    expect(renderFormula(parseFormula('a&(b&c)'))).toBe('a&(b&c)');
    expect(renderFormula(parseFormula('!a&b'))).toBe('!a&b');
    expect(renderFormula(parseFormula('!(a&b)'))).toBe('!(a&b)');
    expect(renderFormula(parseFormula('((a))'))).toBe('a');
    expect(renderFormula(parseFormula('!!0'))).toBe('!!0');
  });

  it('rejects malformed formulas', () => {
    for (const bad of ['', '(', ')', 'a&', '&a', 'a!', 'ab', '(a&b', 'a&b)', '()', 'a||b', '!', '0 1', 'a(b)']) {
      expect(() => parseFormula(bad), JSON.stringify(bad)).toThrow();
    }
    expect(() => parseFormula('('.repeat(5000) + 'a' + ')'.repeat(5000))).toThrow();
    expect(() => parseFormula('!'.repeat(1000) + 'a')).toThrow(/nested too deeply/);
  });

  it('generated formulas are canonical (parse then render is the identity)', () => {
    for (const depth of [1, 2, 3, 4]) {
      for (const p of problems(depth, 300, cfgOf({ depth, vars: 5 }))) expect(renderFormula(parseFormula(p.formula))).toBe(p.formula);
    }
  });
});

describe('hand-written examples', () => {
  const cases: [string, string, string][] = [
    // [values, formula, trace]
    ['101', '(a&!b)|(b&c)', TRACE],
    ['1', 'a', '1'],
    ['0', '!a', '!0,1'],
    ['10', 'a&b', '1&0,0'],
    ['10', 'a|b', '1|0,1'],
    ['0', '!!a', '!!0,!1,0'],
    ['11', '!(a&b)', '!(1&1),!1,0'],
    ['01', '(a|b)&!(a&b)', '(0|1)&!(0&1),1&!(0&1),1&!0,1&1,1'],
    ['11', '(a|b)&!(a&b)', '(1|1)&!(1&1),1&!(1&1),1&!1,1&0,0'],
    ['110', '((a&b)&c)|!c', '((1&1)&0)|!0,(1&0)|!0,0|!0,0|1,1'],
    ['000', '1&(a|(b|!c))', '1&(0|(0|!0)),1&(0|(0|1)),1&(0|1),1&1,1'],
  ];
  for (const [values, formula, trace] of cases) {
    it(`${values};${formula}`, () => {
      const g = boolean.gold({ values, formula }, CFG);
      expect(g.trace).toBe(trace);
      expect(g.answer).toBe(trace.slice(-1));
      expect(boolean.verify({ values, formula }, goldText({ values, formula }), CFG).correct).toBe(true);
    });
  }

  it('prompt and canonical form', () => {
    expect(boolean.prompt(P, CFG)).toBe('a=1,b=0,c=1;(a&!b)|(b&c)=');
    expect(boolean.canonical(P)).toBe('101;(a&!b)|(b&c)');
    expect(boolean.gold(P, CFG)).toEqual({ trace: TRACE, answer: '1' });
  });

  it('a variable without a value is an error, not a silent 0', () => {
    expect(() => reductionSteps('a&d', '101')).toThrow(/no value/);
  });
});

describe('gold completions pass', () => {
  it('gold passes every check for many generated problems across knob settings', () => {
    for (const depth of [1, 2, 3, 4]) {
      for (const vars of [1, 2, 3, 5]) {
        const cfg = cfgOf({ depth, vars });
        expect(boolean.check!(cfg)).toBeNull();
        for (const p of problems(depth * 10 + vars, 150, cfg)) {
          expectGoldVerdict(boolean.verify(p, goldText(p, cfg), cfg), boolean.gold(p, cfg).answer, `${p.values};${p.formula}`);
        }
      }
    }
  });

  it('prompt, trace and answer are printable ASCII without < > or newlines', () => {
    for (const p of problems(9, 500, cfgOf({ depth: 4, vars: 5 }))) {
      const g = boolean.gold(p, cfgOf({ depth: 4, vars: 5 }));
      for (const s of [boolean.prompt(p, CFG), g.trace, g.answer]) expectPlainAscii(s, s);
      expect(boolean.prompt(p, CFG).endsWith('=')).toBe(true);
      const c = cfgOf({ depth: 4, vars: 5, format: 'circuit' });
      for (const s of [boolean.prompt(p, c), boolean.gold(p, c).trace]) expectPlainAscii(s, s);
      expect(boolean.prompt(p, c).endsWith('?')).toBe(true);
    }
  });
});

describe('verifier truth table (a=1,b=0,c=1;(a&!b)|(b&c))', () => {
  const good = `<think>${TRACE}</think><answer>1</answer>`;

  it('gold: passes', () => {
    const r = v(good);
    expect(r.correct).toBe(true);
    expect(check(r, 'steps')?.detail).toBe('5 steps ok');
  });

  it('whitespace around the completion or inside the answer: allowed', () => {
    expect(v(`\n ${good}\n`).correct).toBe(true);
    expect(v(`<think>${TRACE}</think><answer> 1 </answer>`).correct).toBe(true);
  });

  it('wrong answer: format ok, outcome wrong, reward 0', () => {
    expectWrongAnswer(v(`<think>${TRACE}</think><answer>0</answer>`), 'expected 1, got 0');
  });

  it('wrong step (two operators at once): first_wrong_step names step 2 with expected and received', () => {
    // Documented: steps do not gate `correct`.
    expectWrongStepStillPaid(v('<think>(1&!0)|(0&1),1|(0&1),1|0,1</think><answer>1</answer>'), { step: 2, reason: 'step 2: expected (1&1)|(0&1), got "1|(0&1)"' });
  });

  it('wrong order (rightmost first): step 3 is wrong', () => {
    const r = v('<think>(1&!0)|(0&1),(1&1)|(0&1),(1&1)|0,1|0,1</think><answer>1</answer>');
    expect(r.first_wrong_step?.step).toBe(3);
    expect(r.first_wrong_step?.reason).toBe('step 3: expected 1|(0&1), got "(1&1)|0"');
  });

  it('wrong substitution: step 1 is wrong', () => {
    const r = v('<think>(1&!1)|(1&1),(1&0)|(1&1),0|(1&1),0|1,1</think><answer>1</answer>');
    expect(r.first_wrong_step?.step).toBe(1);
  });

  it('redundant parentheses kept around a constant: wrong step', () => {
    const r = v('<think>(1&!0)|(0&1),(1&1)|(0&1),(1)|(0&1),1|0,1</think><answer>1</answer>');
    expect(r.first_wrong_step?.step).toBe(3);
  });

  it('missing step: points at the gap; missing last step too', () => {
    expect(v('<think>(1&!0)|(0&1),1|(0&1),1|0,1</think><answer>1</answer>').first_wrong_step?.step).toBe(2);
    expect(v('<think>(1&!0)|(0&1),(1&1)|(0&1),1|(0&1),1|0</think><answer>1</answer>').first_wrong_step).toEqual({ step: 5, reason: 'missing step 5 (expected 1)' });
  });

  it('extra step and empty think', () => {
    expect(v(`<think>${TRACE},1</think><answer>1</answer>`).first_wrong_step?.reason).toMatch(/^extra step 6/);
    expect(v('<think></think><answer>1</answer>').first_wrong_step).toEqual({ step: 1, reason: 'missing step 1 (expected (1&!0)|(0&1))' });
  });

  it('spaces inside steps: exact match only', () => {
    expect(v('<think>(1&!0)|(0&1), (1&1)|(0&1),1|(0&1),1|0,1</think><answer>1</answer>').first_wrong_step?.step).toBe(2);
  });

  it('missing think block: format fails, not correct', () => {
    expectMissingThink(v('<answer>1</answer>'));
  });

  it('broken tags: format fails, not paid', () => {
    expectFormatBroken(v, [`<think>${TRACE}</think><answer>1</answr>`, `<think>${TRACE}</think><answer>1`, `<think>${TRACE}<answer>1</answer>`, `<thnk>${TRACE}</think><answer>1</answer>`, `${good}x`]);
  });

  it('answers other than a bare 0 or 1: rejected as not 0 or 1', () => {
    const answers = ['01', '1 0', '0 1', '0|1', 'true', 'True', '1.0', '+1', '-1', '!0', '(1)', 'yes', '', '１'];
    expectAnswersRejected((a) => v(`<think>${TRACE}</think><answer>${a}</answer>`), answers, /not 0 or 1/);
  });
});

describe('hostile completions: none crash, none paid as correct', () => {
  const junk = junkFrom(new Rng(5));
  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace only', '  \n\t '],
    ['several answer blocks', `<think>${TRACE}</think><answer>1</answer><answer>1</answer>`],
    ['both answers, two blocks', `<think>${TRACE}</think><answer>0</answer><answer>1</answer>`],
    ['all options stuffed', `<think>${TRACE}</think><answer>0 1</answer>`],
    ['all options stuffed 2', `<think>${TRACE}</think><answer>0,1</answer>`],
    ['all options stuffed 3', `<think>${TRACE}</think><answer>0|1</answer>`],
    ['answer nested in think', `<think>${TRACE}<answer>1</answer></think><answer>1</answer>`],
    ['think nested in answer', `<answer><think>${TRACE}</think>1</answer>`],
    ['tag inside answer', `<think>${TRACE}</think><answer><think>1</answer>`],
    ['huge number', `<think>${TRACE}</think><answer>${'1'.repeat(5000)}</answer>`],
    ['1e999', `<think>${TRACE}</think><answer>1e999</answer>`],
    ['__proto__', `<think>__proto__</think><answer>__proto__</answer>`],
    ['constructor', `<think>constructor</think><answer>constructor</answer>`],
    ['toString', `<think>${TRACE}</think><answer>toString</answer>`],
    ['code', `<think>${TRACE}</think><answer>(()=>1)()</answer>`],
    ['code in think', `<think>process.exit(1);eval("1")</think><answer>0</answer>`],
    ['NUL byte', `<think>${TRACE}</think><answer>1\u0000</answer>`],
    ['ANSI escape', `<think>${TRACE}</think><answer>\u001b[31m1</answer>`],
    ['zero-width space', `<think>${TRACE}</think><answer>\u200b1</answer>`],
    ['lone surrogate', `<think>${TRACE}</think><answer>1\ud800</answer>`],
    ['reversed tags', '</answer>1<answer>'],
    ['100 KB printable garbage', junk(100_000)],
    ['100 KB garbage in think, wrong answer', `<think>${junk(100_000)}</think><answer>0</answer>`],
    ['100 KB of commas, wrong answer', `<think>${','.repeat(100_000)}</think><answer>0</answer>`],
    ['100 KB answer', `<think>${TRACE}</think><answer>${'1'.repeat(100_000)}</answer>`],
    ['100 K repeated tags', '<answer>'.repeat(100_000)],
  ];
  hostileSuite(hostile, v);

  it('100 KB garbage think + right answer: paid (steps do not gate correct), steps fail at 1, fast', () => {
    expectGarbageThinkPaid((think) => v(`<think>${think}</think><answer>1</answer>`), [junk(100_000)]);
  });
});

describe('rewards and flags', () => {
  const good = `<think>${TRACE}</think><answer>1</answer>`;
  it('binary and tinyzero', () => {
    expectRewardSchemes(v, { good, wrong: `<think>${TRACE}</think><answer>0</answer>`, unanswered: `<think>${TRACE}</think>` });
  });
  it('truncated passes through', () => {
    expectTruncatedPassesThrough(v, good, `<think>${TRACE}</think><answer>`);
  });
});

describe('generation', () => {
  it('is deterministic per rng seed and differs across seeds', () => {
    const cfg = cfgOf({ depth: 3, vars: 4 });
    expectDeterministic((seed) => problems(seed, 200, cfg), 3, 4);
  });

  it('answers are balanced about 50/50 over 1,000 problems at every knob setting', () => {
    for (const depth of [1, 2, 3, 4]) {
      for (const vars of [1, 3, 5]) {
        const cfg = cfgOf({ depth, vars });
        const ones = problems(100 + depth * 10 + vars, 1000, cfg).filter((p) => boolean.gold(p, cfg).answer === '1').length;
        expect(ones, `depth ${depth} vars ${vars}`).toBeGreaterThan(440);
        expect(ones, `depth ${depth} vars ${vars}`).toBeLessThan(560);
      }
    }
  });

  it('depth is exact, variables stay in range, all vars values listed', () => {
    const height = (s: string): number => {
      const e = parseFormula(s);
      const h = (x: ReturnType<typeof parseFormula>): number => (x.k === 'bin' ? 1 + Math.max(h(x.l), h(x.r)) : x.k === 'not' ? h(x.x) : 0);
      return h(e);
    };
    for (const depth of [1, 2, 3, 4]) {
      for (const vars of [1, 2, 5]) {
        const allowed = 'abcde'.slice(0, vars) + '01!&|()';
        for (const p of problems(depth * 7 + vars, 300, cfgOf({ depth, vars }))) {
          expect(height(p.formula)).toBe(depth);
          expect(p.values.length).toBe(vars);
          for (const ch of p.formula) expect(allowed.includes(ch), `${ch} in ${p.formula}`).toBe(true);
          for (const ch of p.values) expect(ch === '0' || ch === '1').toBe(true);
        }
      }
    }
  });

  it('knob ranges and check', () => {
    expect(boolean.knobs.vars).toMatchObject({ min: 1, max: 5, integer: true });
    expect(boolean.knobs.depth).toMatchObject({ min: 1, max: 4, integer: true });
    expect(boolean.defaults).toEqual({ vars: 3, depth: 2, format: 'circuit' });
    expect(boolean.check!(cfgOf({ vars: 6 }))).toMatch(/vars/);
    expect(boolean.check!(cfgOf({ depth: 0 }))).toMatch(/depth/);
    expect(boolean.check!(cfgOf({ depth: 2.5 }))).toMatch(/depth/);
  });
});

describe('length bounds', () => {
  it('maxPromptLength / maxCompletionLength bound 2,000 samples per setting; default total stays under 120', () => {
    for (const depth of [1, 2, 3, 4]) {
      for (const vars of [1, 3, 5]) {
        const cfg = cfgOf({ depth, vars });
        expectLengthBounds(boolean, cfg, problems(depth * 31 + vars, 2000, cfg), (p) => goldText(p, cfg));
      }
    }
    // Independent: depth 2 worst is "(!a&!b)|(!c&!d)" (15 chars), 8 steps of 15,14,13,9,8,7,3,1.
    expect(boolean.maxCompletionLength(CFG)).toBe(4 + 70 + 7 + 1);
    expect(boolean.maxPromptLength(CFG)).toBe(11 + 1 + 15 + 1);
    expect(boolean.maxPromptLength(CFG) + boolean.maxCompletionLength(CFG)).toBeLessThan(120);
  });

  it('the bound is attained by a full tree with every leaf negated', () => {
    const p = { values: '100', formula: '(!a&!b)|(!c&!a)' };
    expect(tokenLength(goldText(p))).toBe(boolean.maxCompletionLength(CFG));
    expect(tokenLength(boolean.prompt(p, CFG))).toBe(boolean.maxPromptLength(CFG));
  });
});

describe('reduction re-derived independently', () => {
  it('every step is the previous one with the leftmost redex rewritten; last step = answer', () => {
    for (const depth of [1, 2, 3, 4]) {
      const cfg = cfgOf({ depth, vars: 5 });
      for (const p of problems(2718 + depth, 500, cfg)) {
        const g = boolean.gold(p, cfg);
        const steps = g.trace.split(',');
        // Step 1: every variable replaced by its value, nothing else changed.
        let sub = '';
        for (const ch of p.formula) sub += 'abcde'.includes(ch) ? p.values['abcde'.indexOf(ch)]! : ch;
        expect(steps[0]).toBe(sub);
        for (let i = 1; i < steps.length; i++) expect(steps[i], `${p.formula} step ${i + 1}`).toBe(stringReduce(steps[i - 1]!));
        expect(stringReduce(steps[steps.length - 1]!)).toBeNull();
        expect(g.answer).toBe(steps[steps.length - 1]);
        // One step per operator, plus the substitution.
        let ops = 0;
        for (const ch of p.formula) if (ch === '!' || ch === '&' || ch === '|') ops++;
        expect(steps.length).toBe(ops + 1);
      }
    }
  });
});

describe('no reward pays a wrong answer in full', () => {
  const ps = problems(12, 40, CFG);
  const wrong = (_p: BooleanProblem, g: { answer: string }) => (g.answer === '1' ? '0' : '1');
  it('the gold steps with a wrong answer earn strictly less than the right answer, under every scheme', () => {
    expectWrongAnswerPaidLess(boolean, CFG, ps, wrong);
  });
  it('an empty think earns no step credit', () => {
    expectEmptyThinkNoStepCredit(boolean, CFG, ps, wrong);
  });
});
