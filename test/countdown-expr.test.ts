// Countdown answers: the exact expression parser on hand-written examples (fractions,
// precedence, each number exactly once, unary minus, malformed input, size caps) and the answer
// check against the given numbers, and the minimal-parentheses rendering of solution trees. Never
// evaluates model text as code.

import { describe, it, expect } from 'vitest';
import { checkAnswer, evaluateExpression, renderExpr, showRat, type CountdownExpr } from '../src/tasks/countdown.ts';

const num = (value: number): CountdownExpr => ({ kind: 'num', value });
const op = (o: '+' | '-' | '*' | '/', l: CountdownExpr, r: CountdownExpr): CountdownExpr => ({ kind: 'op', op: o, l, r });

/** The parser's exact value as text (`8`, `(3/4)`), or the error, for readable expectations. */
function value(expr: string): string {
  const r = evaluateExpression(expr);
  return r.ok ? showRat(r.value) : `error: ${r.error}`;
}

describe('expression parser: hand-written examples', () => {
  it('division gives exact fractions', () => {
    expect(value('6/(3/4)')).toBe('8'); // 3/4 then 6 / (3/4) = 24/3 = 8
    expect(value('3/4')).toBe('(3/4)');
    expect(value('6/8')).toBe('(3/4)'); // reduced
    expect(value('(1+2)/4')).toBe('(3/4)');
    expect(value('1/3+2/3')).toBe('1'); // no float rounding: 0.333..+0.666.. is exactly 1
    expect(value('6/(1-5/7)')).toBe('21'); // 1-5/7 = 2/7, 6/(2/7) = 21
    expect(value('8/(3-8/3)')).toBe('24'); // 3-8/3 = 1/3, 8*3 = 24
    expect(value('100/7*7')).toBe('100');
    expect(value('1/3-1/2')).toBe('(-1/6)'); // negative intermediate values are fine (binary minus)
    expect(value('1/3/3')).toBe('(1/9)'); // left associative
  });

  it('precedence and associativity', () => {
    expect(value('2+3*4')).toBe('14');
    expect(value('(2+3)*4')).toBe('20');
    expect(value('2*3+4*5')).toBe('26');
    expect(value('8-3-2')).toBe('3'); // (8-3)-2, not 8-(3-2)
    expect(value('8-(3-2)')).toBe('7');
    expect(value('8/4/2')).toBe('1'); // (8/4)/2
    expect(value('8/(4/2)')).toBe('4');
    expect(value('2+12/4*3-1')).toBe('10'); // 2 + ((12/4)*3) - 1
    expect(value('((((7))))')).toBe('7');
    expect(value(' ( 50 - 25 ) * ( 7 - 3 ) ')).toBe('100'); // spaces between tokens are skipped
  });

  it('unary minus and unary plus are rejected with a clear message', () => {
    expect(value('-3+7')).toMatch(/^error: unary minus is not allowed at column 1/);
    expect(value('7*-3')).toMatch(/unary minus is not allowed at column 3/);
    expect(value('7-(-3)')).toMatch(/unary minus/);
    expect(value('7--3')).toMatch(/unary minus/);
    expect(value('+7')).toMatch(/unary plus is not allowed/);
  });

  it('malformed input is rejected, never evaluated', () => {
    expect(value('')).toMatch(/empty expression/);
    expect(value('   ')).toMatch(/empty expression/);
    expect(value('3+')).toMatch(/expression ends early/);
    expect(value('(3+4')).toMatch(/expected "\)"/);
    expect(value('3+4)')).toMatch(/unmatched "\)"/);
    expect(value('()')).toMatch(/unexpected "\)"/);
    expect(value('3 4')).toMatch(/unexpected "4"/);
    expect(value('3(4)')).toMatch(/unexpected "\("/);
    expect(value('07+1')).toMatch(/leading zero/);
    expect(value('3.5')).toMatch(/unexpected "\."/);
    expect(value('2^3')).toMatch(/unexpected "\^"/);
    expect(value('3x4')).toMatch(/unexpected "x"/);
    expect(value('1e3')).toMatch(/unexpected "e"/);
    expect(value('3/(7-7)')).toMatch(/division by zero/);
    expect(value('3/0')).toMatch(/division by zero/);
    expect(value('0/3')).toBe('0'); // dividing zero is fine
  });

  it('caps: 200 characters and nesting depth 20', () => {
    const deep = (k: number) => '('.repeat(k) + '1' + ')'.repeat(k);
    expect(value(deep(20))).toBe('1');
    expect(value(deep(21))).toMatch(/nested deeper than 20/);
    const long = '1+'.repeat(99) + '1'; // 199 characters
    expect(long.length).toBe(199);
    expect(value(long)).toBe('100');
    expect(value(long + '+1')).toMatch(/longer than 200 characters/);
    // Huge literals within the cap are exact (BigInt), not Infinity.
    expect(value('9'.repeat(99) + '-' + '9'.repeat(99))).toBe('0');
    expect(value('9'.repeat(99) + '/' + '3'.repeat(99))).toBe('3');
  });

  it('each given number exactly once: reuse, omission, extra numbers are rejected', () => {
    const q = { numbers: [3, 4, 6], target: 8 };
    expect(checkAnswer(q, '6/(3/4)')).toBeNull();
    expect(checkAnswer(q, '6/3*4')).toBeNull(); // another correct expression: (6/3)*4
    expect(checkAnswer(q, '4*6/3')).toBeNull();
    expect(checkAnswer(q, '4+4')).toMatch(/uses 4 beyond the given numbers and does not use 3,6/);
    expect(checkAnswer(q, '6+6-4')).toMatch(/uses 6 beyond .* does not use 3/); // reuses 6, drops 3
    expect(checkAnswer(q, '6+3-4+3')).toMatch(/uses 3 beyond/); // all used, 3 twice
    expect(checkAnswer(q, '2*4')).toMatch(/uses 2 beyond .* does not use 3,6/);
    expect(checkAnswer(q, '6/(3/4)*1')).toMatch(/uses 1 beyond/);
    expect(checkAnswer(q, '6+3-4')).toMatch(/is 5, not 8/);
    expect(checkAnswer(q, '6/3/4')).toMatch(/is \(1\/2\), not 8/);
    // Repeated given numbers must be used as often as given.
    const r = { numbers: [3, 3, 8, 8], target: 24 };
    expect(checkAnswer(r, '8/(3-8/3)')).toBeNull();
    expect(checkAnswer(r, '8*3')).toMatch(/does not use 3,8|does not use 8,3/);
    expect(checkAnswer(r, '8*3*3/3')).toMatch(/uses 3 beyond .* does not use 8/);
    // Division by zero is invalid even when the numbers match.
    expect(checkAnswer({ numbers: [3, 7, 7], target: 1 }, '3/(7-7)')).toMatch(/division by zero/);
  });
});

describe('rendering solution trees', () => {
  it('rendering uses minimal parentheses and keeps the ones that matter', () => {
    expect(renderExpr(op('-', num(9), op('+', num(2), num(3))))).toBe('9-(2+3)');
    expect(renderExpr(op('-', num(9), op('-', num(2), num(3))))).toBe('9-(2-3)');
    expect(renderExpr(op('+', num(9), op('-', num(2), num(3))))).toBe('9+2-3');
    expect(renderExpr(op('/', num(8), op('*', num(2), num(2))))).toBe('8/(2*2)');
    expect(renderExpr(op('*', num(8), op('/', num(4), num(2))))).toBe('8*4/2');
    expect(renderExpr(op('*', op('+', num(1), num(2)), num(3)))).toBe('(1+2)*3');
    expect(renderExpr(op('+', op('*', num(1), num(2)), num(3)))).toBe('1*2+3');
  });
});
