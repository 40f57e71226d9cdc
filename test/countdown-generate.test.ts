// Countdown generation: determinism per seed, the ranges of numbers and targets per knob, and
// every gold answer re-evaluated by an independent evaluator (plain floats, shunting-yard).

import { describe, it, expect } from 'vitest';
import { countdown, type CountdownExpr } from '../src/tasks/countdown.ts';
import { expectDeterministic, expectPlainAscii } from './helpers/task.ts';
import { CFG, cfgOf, P, problems, roomy } from './helpers/countdown.ts';

describe('generation', () => {
  it('is deterministic per rng seed and differs across seeds', () => {
    for (const cfg of [cfgOf(), roomy(4, 20), cfgOf({ count: 3, maxNumber: 99 })]) {
      expectDeterministic((seed) => problems(seed, 300, cfg), 3, 4);
    }
  });

  it('numbers in 1..maxNumber, count of them, integer targets in 1..999, both ends of the number range hit', () => {
    for (const count of [3, 4]) {
      for (const maxNumber of [9, 20, 99]) {
        const cfg = roomy(count, maxNumber);
        const seen = new Set<number>();
        for (const p of problems(count + maxNumber, 1000, cfg)) {
          expect(p.numbers.length).toBe(count);
          for (const n of p.numbers) {
            expect(Number.isInteger(n) && n >= 1 && n <= maxNumber, `${n}`).toBe(true);
            seen.add(n);
          }
          expect(Number.isInteger(p.target) && p.target >= 1 && p.target <= 999, `${p.target}`).toBe(true);
        }
        expect(seen.has(1) && seen.has(maxNumber)).toBe(true);
      }
    }
  });

  it('gold trees are re-checked independently: leaves = numbers, positive integer steps, value = target', () => {
    const walk = (e: CountdownExpr, leaves: number[], steps: string[]): number => {
      if (e.kind === 'num') {
        leaves.push(e.value);
        return e.value;
      }
      const x = walk(e.l, leaves, steps);
      const y = walk(e.r, leaves, steps);
      const z = e.op === '+' ? x + y : e.op === '-' ? x - y : e.op === '*' ? x * y : x / y;
      expect(Number.isInteger(z) && z >= 1 && z <= 9999, `${x}${e.op}${y}=${z}`).toBe(true);
      steps.push(`${x}${e.op}${y}=${z}`);
      return z;
    };
    for (const count of [3, 4]) {
      const cfg = roomy(count, 99, 'solution');
      for (const p of problems(77 + count, 1000, cfg)) {
        const leaves: number[] = [];
        const steps: string[] = [];
        expect(walk(p.expr, leaves, steps)).toBe(p.target);
        expect([...leaves].sort((a, b) => a - b)).toEqual([...p.numbers].sort((a, b) => a - b));
        const g = countdown.gold(p, cfg);
        expect(g.trace).toBe(steps.join(','));
        expect(steps.length).toBe(count - 1);
        // The rendered answer evaluates (with JS numbers via a tiny independent shunting) to the target.
        expect(Math.abs(jsEval(g.answer) - p.target)).toBeLessThan(1e-9);
        expectPlainAscii(countdown.prompt(p, cfg) + g.trace + g.answer);
      }
    }
  });

  it('canonical ignores number order; prompt order is kept', () => {
    const a = { ...P, numbers: [50, 25, 7, 3] };
    expect(countdown.canonical(a)).toBe(countdown.canonical(P));
    expect(countdown.canonical(P)).toBe('3,7,25,50:100');
    expect(countdown.canonical({ ...P, target: 99 })).not.toBe(countdown.canonical(P));
  });

  it('all four operators appear in gold solutions', () => {
    const ops = new Set<string>();
    for (const p of problems(9, 500, CFG)) for (const ch of countdown.gold(p, CFG).trace) if ('+-*/'.includes(ch)) ops.add(ch);
    expect([...ops].sort()).toEqual(['*', '+', '-', '/']);
  });
});

/** Independent float evaluator for + - * / and parentheses (two-stack shunting-yard). */
function jsEval(s: string): number {
  const nums: number[] = [];
  const ops: string[] = [];
  const prec = (o: string) => (o === '+' || o === '-' ? 1 : o === '*' || o === '/' ? 2 : 0);
  const reduce = () => {
    const o = ops.pop()!;
    const b = nums.pop()!;
    const a = nums.pop()!;
    nums.push(o === '+' ? a + b : o === '-' ? a - b : o === '*' ? a * b : a / b);
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c >= '0' && c <= '9') {
      let j = i;
      while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
      nums.push(Number(s.slice(i, j)));
      i = j - 1;
    } else if (c === '(') ops.push(c);
    else if (c === ')') {
      while (ops[ops.length - 1] !== '(') reduce();
      ops.pop();
    } else {
      while (ops.length && prec(ops[ops.length - 1]!) >= prec(c)) reduce();
      ops.push(c);
    }
  }
  while (ops.length) reduce();
  return nums[0]!;
}
