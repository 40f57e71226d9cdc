// The countdown search trace: hand-worked gold searches (the heuristic order, the last-pair rules,
// repeated pairs, backtracking), the trace bound, completeness against brute force, the gold
// trace re-derived by an independent implementation of the documented rules, and the search
// checker's truth table (each kind of wrong step has its own reason; any valid order passes).

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { checkAnswer, checkSearch, countdown, goldSearch, renderExpr, type CountdownConfig, type CountdownProblem } from '../src/tasks/countdown.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { checkOf as check, expectWrongAnswer, expectWrongStepStillPaid, generateMany, hostileSuite } from './helpers/task.ts';

const CFG: CountdownConfig = countdown.defaults;
const search = (numbers: number[], target: number) => goldSearch(numbers, target);

describe('gold search: hand-worked examples', () => {
  // [numbers, target, trace, answer, backtracks]; each trace was worked out by hand from the rules.
  const cases: [number[], number, string, string, number][] = [
    // 29 > 3+7+8, so '*' comes first; 29 > 21 at the last pair: try '+', and it hits.
    [[3, 7, 8], 29, '7*3=21,21+8=29', '7*3+8', 0],
    // 4 < 22: '+ - * /'; the last pair (14, 8) has 4 < 14: try '-' (miss), 8 does not divide 14: back.
    [[9, 5, 8], 4, '9+5=14,14-8=6,^,9-5=4,8-4=4', '8-(9-5)', 1],
    // 17 > 13: '* + - /'; at each last pair 17 is above a, so '+', then '*' while 17 > a+b.
    [[2, 5, 6], 17, '5*2=10,10+6=16,10*6=60,^,5+2=7,7+6=13,7*6=42,^,5-2=3,6+3=9,6*3=18,^,6*2=12,12+5=17', '6*2+5', 3],
    // The target equals the larger number of the last pair: only a*1 can hit it.
    [[6, 5, 5], 5, '6+5=11,11-5=6,^,6-5=1,5*1=5', '5*(6-5)', 1],
    [[1, 1, 9], 9, '1+1=2,^,1*1=1,9*1=9', '9*1*1', 1],
    // After a miss with '-', '/' is tried when b > 1 divides a.
    [[3, 9, 3], 3, '9+3=12,12-3=9,12/3=4,^,9-3=6,6-3=3', '9-3-3', 1],
    // The pair (2,5) at positions 1 and 3 repeats (5,2): skipped, so (5,5) comes next.
    [[2, 5, 5], 27, '5*2=10,10+5=15,10*5=50,^,5+2=7,7+5=12,7*5=35,^,5-2=3,5+3=8,5*3=15,^,5*5=25,25+2=27', '5*5+2', 3],
    // Four numbers: the result joins the end of the state [3,4,2].
    [[1, 2, 3, 4], 24, '2*1=2,4*3=12,12+2=14,12*2=24', '4*3*2*1', 0],
  ];
  for (const [numbers, target, trace, answer, backtracks] of cases) {
    it(`${numbers.join(',')}:${target}`, () => {
      const s = search(numbers, target);
      expect(s?.steps.join(',')).toBe(trace);
      expect(renderExpr(s!.expr)).toBe(answer);
      expect(s!.backtracks).toBe(backtracks);
      expect(checkAnswer({ numbers, target }, answer)).toBeNull();
      const p: CountdownProblem = { numbers, target, expr: s!.expr };
      expect(countdown.gold(p, CFG)).toEqual({ trace, answer });
      expect(countdown.level!(p, CFG)).toBe(`${backtracks} backtrack${backtracks === 1 ? '' : 's'}`);
      expect(check(countdown.verify(p, renderCompletion({ trace, answer }, true), CFG), 'steps')?.detail).toMatch(/\(the gold trace\)$/);
    });
  }

  it('the budget counts trace characters: a search of exactly maxTrace fits, one more does not', () => {
    const trace = search([2, 5, 6], 17)!.steps.join(',');
    expect(goldSearch([2, 5, 6], 17, trace.length)?.steps.join(',')).toBe(trace);
    expect(goldSearch([2, 5, 6], 17, trace.length - 1)).toBeNull();
    expect(goldSearch([3, 7, 8], 29, 14)).not.toBeNull();
    expect(goldSearch([3, 7, 8], 29, 13)).toBeNull();
  });

  it('a hand-made problem that needs fractions has no gold search: gold says so, verify still works', () => {
    const p: CountdownProblem = { numbers: [3, 3, 8, 8], target: 24, expr: { kind: 'num', value: 24 } };
    expect(goldSearch(p.numbers, p.target)).toBeNull();
    expect(() => countdown.gold(p, CFG)).toThrow(/no solution for 3,3,8,8:24 \(it needs fractions, or has none\)/);
    expect(countdown.level!(p, CFG)).toBe('no gold search');
    const r = countdown.verify(p, '<think>8/3=(8/3),3-(8/3)=(1/3),8/(1/3)=24</think><answer>8/(3-8/3)</answer>', CFG);
    expect(r.correct).toBe(true);
    expect(check(r, 'steps')?.detail).toBe('3 operations ok, 0 backtracks, reaching 24 (not the gold trace)');
  });
});

/** Every value a positive-integer construction (the generator's moves) reaches with all `ns`. */
function reachable(ns: number[]): Set<number> {
  if (ns.length === 1) return new Set(ns);
  const out = new Set<number>();
  for (let i = 0; i < ns.length; i++) {
    for (let j = 0; j < ns.length; j++) {
      if (i === j) continue;
      const [x, y] = [ns[i]!, ns[j]!];
      const rest = ns.filter((_, k) => k !== i && k !== j);
      for (const z of [x + y, x - y, x * y, x % y === 0 ? x / y : 0]) {
        if (z < 1 || (rest.length > 0 && z > 9999)) continue;
        for (const v of reachable([...rest, z])) out.add(v);
      }
    }
  }
  return out;
}

describe('gold search: complete and independently re-derived', () => {
  it('finds a right solution for every reachable target of every 3 numbers in 1..9, and none for unreachable ones', () => {
    for (let a = 1; a <= 9; a++) {
      for (let b = a; b <= 9; b++) {
        for (let c = b; c <= 9; c++) {
          const ns = [c, a, b];
          const reach = reachable(ns);
          for (let t = 1; t <= 999; t++) {
            if (!reach.has(t) && t > 120) continue;
            const s = search(ns, t);
            expect(s !== null, `${ns}:${t}`).toBe(reach.has(t));
            if (s) expect(checkAnswer({ numbers: ns, target: t }, renderExpr(s.expr)), `${ns}:${t}`).toBeNull();
          }
        }
      }
    }
  });

  it('the gold trace equals an independent implementation of the documented rules (3 and 4 numbers)', () => {
    /** Tries of a state, in order: [text, next state or null for a last-pair try, value]. */
    function tries(state: number[], t: number): [string, number[] | null, number][] {
      const out: [string, number[] | null, number][] = [];
      if (state.length === 2) {
        const [a, b] = [Math.max(...state), Math.min(...state)];
        const cands: [string, number, boolean][] =
          t > a ? [['+', a + b, true], ['*', a * b, b > 1 && t > a + b]] : t < a ? [['-', a - b, a > b], ['/', a / b, b > 1 && a % b === 0]] : [['*', a, b === 1]];
        for (const [op, v, ok] of cands) if (ok) out.push([`${a}${op}${b}=${v}`, null, v]);
        return out;
      }
      const ops = t > state.reduce((s, x) => s + x, 0) ? '*+-/' : '+-*/';
      const done: string[] = [];
      for (let i = 0; i < state.length; i++) {
        for (let j = i + 1; j < state.length; j++) {
          const a = Math.max(state[i]!, state[j]!);
          const b = Math.min(state[i]!, state[j]!);
          if (done.includes(`${a}/${b}`)) continue;
          done.push(`${a}/${b}`);
          for (const op of ops) {
            const v = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : b > 1 && a % b === 0 ? a / b : 0;
            if (v < 1 || v > 9999) continue;
            out.push([`${a}${op}${b}=${v}`, [...state.filter((_, k) => k !== i && k !== j), v], v]);
          }
        }
      }
      return out;
    }
    function dfs(state: number[], t: number, trace: string[]): boolean {
      for (const [text, next, v] of tries(state, t)) {
        trace.push(text);
        if (next === null ? v === t : dfs(next, t, trace)) return true;
        if (next !== null) trace.push('^');
      }
      return false;
    }
    for (const cfg of [CFG, { ...CFG, count: 4, maxTrace: 200 }, { ...CFG, maxNumber: 30, maxTrace: 100 }]) {
      for (const p of generateMany(countdown, 31, 1500, cfg)) {
        const trace: string[] = [];
        expect(dfs(p.numbers, p.target, trace)).toBe(true);
        expect(countdown.gold(p, cfg).trace, countdown.prompt(p, cfg)).toBe(trace.join(','));
        expect(trace.join(',').length).toBeLessThanOrEqual(cfg.maxTrace);
      }
    }
  });

  it('default problems span several levels of backtracking; generation is deterministic', () => {
    const ps = generateMany(countdown, 4, 1000, CFG);
    const levels = new Set(ps.map((p) => countdown.level!(p, CFG)));
    expect(levels.has('0 backtracks') && levels.has('1 backtrack') && levels.has('2 backtracks')).toBe(true);
    expect(generateMany(countdown, 4, 1000, CFG)).toEqual(ps);
    expect(countdown.level!(ps[0]!, { ...CFG, format: 'solution' })).toBe('3 numbers');
  });

  it('a config whose searches never fit fails with a clear error', () => {
    // Every number drawn as 99: four 99s need three operations, and no search of them fits 24 characters.
    class AllMax extends Rng {
      override range(_lo: number, hi: number): number {
        return hi;
      }
    }
    expect(() => countdown.generate(new AllMax(1), { ...CFG, count: 4, maxNumber: 99, maxTrace: 24 })).toThrow(
      /no problem with count 4, maxNumber 99 has a search within maxTrace 24 in 20000 draws; raise maxTrace/,
    );
  });
});

describe('search checker truth table (2,5,6 -> 17)', () => {
  const P: CountdownProblem = { numbers: [2, 5, 6], target: 17, expr: search([2, 5, 6], 17)!.expr };
  const GOLD = search([2, 5, 6], 17)!.steps.join(',');
  const v = (trace: string, answer = '6*2+5') => countdown.verify(P, `<think>${trace}</think><answer>${answer}</answer>`, CFG);
  const wrong = (trace: string) => checkSearch(P.numbers, P.target, trace);

  it('the gold search passes; so does any other valid order, e.g. straight to the target', () => {
    expect(check(v(GOLD), 'steps')?.detail).toBe('11 operations ok, 3 backtracks, reaching 17 (the gold trace)');
    expect(check(v('6*2=12,12+5=17'), 'steps')?.detail).toBe('2 operations ok, 0 backtracks, reaching 17 (not the gold trace)');
    expect(check(v('5+2=7,7+6=13,^,6*2=12,5+12=17'), 'steps')?.passed).toBe(true); // operands in any order
    expect(check(v('2-5=-3,^,6*2=12,12+5=17'), 'steps')?.passed).toBe(true); // negatives are valid tries
  });

  it('a wrong result: the step and the true value', () => {
    expectWrongStepStillPaid(v('5*2=10,10+6=17,10*6=60'), { step: 2, reason: 'step 2: 10+6 is 16, not 17' });
  });

  it('a number that is not in the current state: never given, used up, or left behind by a missing "^"', () => {
    expect(wrong('5*2=10,10+5=15')).toEqual({ step: 2, reason: 'step 2: 5 is not available (the state is 6,10)' });
    expect(wrong('5*2=10,10+6=16,10*6=60,5+2=7')).toEqual({ step: 4, reason: 'step 4: 5 is not available (the state is 6,10)' });
    expect(wrong('7+6=13')).toEqual({ step: 1, reason: 'step 1: 7 is not available (the state is 2,5,6)' });
    expect(wrong('5*2=10,^,10+6=16')?.reason).toBe('step 3: 10 is not available (the state is 2,5,6)');
  });

  it('"^" with no earlier state: at the start, or one too many', () => {
    expect(wrong('^,6*2=12,12+5=17')).toEqual({ step: 1, reason: 'step 1: "^" at the given numbers, there is no earlier state to go back to' });
    expect(wrong('5*2=10,10+6=16,^,^')?.step).toBe(4);
  });

  it('anything after the target is reached is wrong', () => {
    expect(wrong('6*2=12,12+5=17,^')).toEqual({ step: 3, reason: 'step 3: the search reached the target 17 at step 2; nothing may follow' });
  });

  it('a search that stops early: at a dead end, in a state, or back at the given numbers', () => {
    expect(wrong('5*2=10,10+6=16')).toEqual({ step: 3, reason: 'missing step 3: the search stops at a dead end (16 is not the target 17)' });
    expect(wrong('5*2=10')).toEqual({ step: 2, reason: 'missing step 2: the search stops at the state 6,10 without reaching 17' });
    expect(wrong('5*2=10,10+6=16,^')).toEqual({ step: 4, reason: 'missing step 4: the search stops at the state 2,5,6 without reaching 17' });
    // The search must end at the target, whatever the answer says.
    expect(v('5*2=10,10+6=16', '6*2+5').first_wrong_step?.step).toBe(3);
  });

  it('malformed backtracks and steps', () => {
    expect(wrong('5*2=10,^^')?.reason).toBe('step 2 "^^": expected a number at column 1');
    expect(wrong('5*2=10, ^')?.reason).toMatch(/^step 2 " \^": expected a number/);
    expect(wrong('5*2=10,10+6=16,10*6=60,^,')?.reason).toBe('step 5 "": empty step');
  });

  it('the answer is checked on its own: a valid search with a wrong answer is not correct', () => {
    expectWrongAnswer(v(GOLD, '6*2+6'), /uses 6 beyond the given numbers and does not use 5/);
  });

  const hostile: [string, string][] = [
    ['50 K backtracks', `<think>${'^,'.repeat(50_000)}^</think><answer>6*2+5+1</answer>`],
    ['a valid search that loops for 100 KB', `<think>${'5*2=10,^,'.repeat(11_000)}6*2=12</think><answer>6*2</answer>`],
    ['100 KB of dead ends at one state', `<think>5*2=10,${'10+6=16,'.repeat(12_000)}10*6=60</think><answer>17</answer>`],
  ];
  hostileSuite(hostile, (c, opts) => countdown.verify(P, c, CFG, opts));
});
