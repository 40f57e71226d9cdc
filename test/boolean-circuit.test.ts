// The boolean task's default `circuit` format (src/tasks/boolean-circuit.ts): named gates in fixed
// slots, one gate per step, each operand written with its value (`A=+a1&!b0=1`): the brief example,
// generation, verifier checks and length bounds. The `rewrite` format's tests are in boolean.test.ts.

import { describe, it, expect } from 'vitest';
import { boolean, type BooleanConfig, type BooleanProblem } from '../src/tasks/boolean.ts';
import { renderCompletion, tokenLength } from '../src/tasks/format.ts';
import { expectEmptyThinkNoStepCredit, expectGoldVerdict, expectLengthBounds, expectWrongAnswer, expectWrongAnswerPaidLess, generateMany } from './helpers/task.ts';

const cfgOf = (over: Partial<BooleanConfig> = {}): BooleanConfig => ({ ...boolean.defaults, format: 'rewrite', ...over });
const CFG = cfgOf();
const goldText = (p: BooleanProblem, cfg: BooleanConfig = CFG) => renderCompletion(boolean.gold(p, cfg), true);
/** The brief example: a=1, b=0, c=1 and (a&!b)|(b&c). */
const P: BooleanProblem = { values: '101', formula: '(a&!b)|(b&c)' };
const problems = (seed: number, n: number, cfg: BooleanConfig) => generateMany(boolean, seed, n, cfg);

describe('circuit format (the default): named gates, one gate per step', () => {
  const C = cfgOf({ format: 'circuit' });
  const CTRACE = 'A=+a1&!b0=1,B=+b0&+c1=0,C=+A1|+B0=1';
  const cv = (completion: string) => boolean.verify(P, completion, C);

  it('prompt, trace and answer of the brief example', () => {
    expect(boolean.prompt(P, C)).toBe('a=1,b=0,c=1;A=+a&!b;B=+b&+c;C=+A|+B?');
    expect(boolean.gold(P, C)).toEqual({ trace: CTRACE, answer: '1' });
    expect(cv(`<think>${CTRACE}</think><answer>1</answer>`).fully_correct).toBe(true);
  });

  it('hand-written shapes: constants, negated gates, a lone gate, nested left and right', () => {
    const cases: [string, string, string, string, string][] = [
      // [values, formula, gates in the prompt, trace, answer]
      ['10', 'a&b', 'A=+a&+b', 'A=+a1&+b0=0', '0'],
      ['11', '!(a&b)', 'A=+a&+b', 'A=+a1&+b1=1', '0'], // the formula is the negated gate: one more '!'
      ['110', '((a&b)&c)|!c', 'A=+a&+b;B=+A&+c;C=+B|!c', 'A=+a1&+b1=1,B=+A1&+c0=0,C=+B0|!c0=1', '1'],
      ['000', '1&(a|(b|!c))', 'A=+b|!c;B=+a|+A;C=+1&+B', 'A=+b0|!c0=1,B=+a0|+A1=1,C=+11&+B1=1', '1'],
      ['01', '(a|b)&!(a&b)', 'A=+a|+b;B=+a&+b;C=+A&!B', 'A=+a0|+b1=1,B=+a0&+b1=0,C=+A1&!B0=1', '1'],
    ];
    for (const [values, formula, gates, trace, answer] of cases) {
      const p = { values, formula };
      const assign = [...values].map((x, i) => `${'abc'[i]}=${x}`).join(',');
      expect(boolean.prompt(p, C)).toBe(`${assign};${gates}?`);
      expect(boolean.gold(p, C)).toEqual({ trace, answer });
    }
  });

  it('fixed slots: at fixed knobs every prompt has one length and every step one width', () => {
    for (const depth of [1, 2, 3, 4]) {
      const cfg = cfgOf({ depth, vars: 3, format: 'circuit' });
      const ps = problems(77 + depth, 300, cfg);
      expect(new Set(ps.map((p) => boolean.prompt(p, cfg).length)).size, `depth ${depth}`).toBe(1);
      const widths = new Set(ps.flatMap((p) => boolean.gold(p, cfg).trace.split(',').map((st) => st.length)));
      expect([...widths], `depth ${depth}`).toEqual([11]);
      for (const p of ps) expect(boolean.gold(p, cfg).trace.split(',')).toHaveLength(2 ** depth - 1);
    }
  });

  it('every gate value agrees with evaluating the formula independently (2,000 problems per depth)', () => {
    for (const depth of [1, 2, 3, 4]) {
      const cfg = cfgOf({ depth, vars: 5, format: 'circuit' });
      for (const p of problems(31 + depth, 2000, cfg)) {
        // The rewrite reduction (checked against a string rewriter above) gives the same answer.
        expect(boolean.gold(p, cfg).answer).toBe(boolean.gold(p, cfgOf({ depth, vars: 5 })).answer);
        // One step per binary operator.
        let ops = 0;
        for (const ch of p.formula) if (ch === '&' || ch === '|') ops++;
        expect(boolean.gold(p, cfg).trace.split(',').length).toBe(ops);
        expectGoldVerdict(boolean.verify(p, goldText(p, cfg), cfg), boolean.gold(p, cfg).answer, p.formula);
      }
    }
  });

  it('wrong steps are caught with the expected and received step', () => {
    expect(cv('<think>A=+a1|!b0=1,B=+b0&+c1=0,C=+A1|+B0=1</think><answer>1</answer>').first_wrong_step).toEqual({ step: 1, reason: 'step 1: expected A=+a1&!b0=1, got "A=+a1|!b0=1"' });
    expect(cv('<think>A=+a1&!b0=1,B=+b1&+c1=1,C=+A1|+B1=1</think><answer>1</answer>').first_wrong_step?.step).toBe(2); // wrong value of b
    expect(cv('<think>A=+a1&!b0=1,B=+b0&+c1=1,C=+A1|+B1=1</think><answer>1</answer>').first_wrong_step?.step).toBe(2); // wrong gate value
    expect(cv('<think>A=+a1&!b0=1,B=+b0&+c1=0</think><answer>1</answer>').first_wrong_step).toEqual({ step: 3, reason: 'missing step 3 (expected C=+A1|+B0=1)' });
    expectWrongAnswer(cv(`<think>${CTRACE}</think><answer>0</answer>`), 'expected 1, got 0');
  });

  it('length bounds hold and are attained; the default context is shorter than rewrite', () => {
    for (const depth of [1, 2, 3, 4]) {
      for (const vars of [1, 3, 5]) {
        const cfg = cfgOf({ depth, vars, format: 'circuit' });
        expectLengthBounds(boolean, cfg, problems(depth * 37 + vars, 2000, cfg), (p) => goldText(p, cfg));
      }
    }
    const p = { values: '100', formula: '(!a&!b)|(!c&!a)' };
    expect(tokenLength(goldText(p, C))).toBe(boolean.maxCompletionLength(C)); // every circuit at depth 2 has this length
    expect(tokenLength(boolean.prompt(p, C))).toBe(boolean.maxPromptLength(C));
    expect(boolean.maxPromptLength(C) + boolean.maxCompletionLength(C)).toBeLessThan(boolean.maxPromptLength(CFG) + boolean.maxCompletionLength(CFG));
  });

  it('no reward pays a wrong answer in full, in the circuit format too', () => {
    const ps = problems(13, 40, C);
    const wrong = (_p: BooleanProblem, g: { answer: string }) => (g.answer === '1' ? '0' : '1');
    expectWrongAnswerPaidLess(boolean, C, ps, wrong);
    expectEmptyThinkNoStepCredit(boolean, C, ps, wrong);
  });
});
