// Shared fixtures of the countdown tests: the worked example (3,7,25,50 -> 100 via
// (50-25)*(7-3)) and config builders.

import { countdown, type CountdownConfig, type CountdownExpr, type CountdownProblem } from '../../src/tasks/countdown.ts';
import { renderCompletion } from '../../src/tasks/format.ts';
import { generateMany } from './task.ts';

export const cfgOf = (over: Partial<CountdownConfig> = {}): CountdownConfig => ({ ...countdown.defaults, ...over });
// The worked example has 4 numbers up to 50; its solution trace is the gold trace of this config.
export const CFG = cfgOf({ count: 4, maxNumber: 50, maxTrace: 200, format: 'solution' });
export const goldText = (p: CountdownProblem, cfg: CountdownConfig = CFG) => renderCompletion(countdown.gold(p, cfg), true);
export const num = (value: number): CountdownExpr => ({ kind: 'num', value });
export const op = (o: '+' | '-' | '*' | '/', l: CountdownExpr, r: CountdownExpr): CountdownExpr => ({ kind: 'op', op: o, l, r });

export const P: CountdownProblem = { numbers: [3, 7, 25, 50], target: 100, expr: op('*', op('-', num(50), num(25)), op('-', num(7), num(3))) };
export const TRACE = '50-25=25,7-3=4,25*4=100';
export const ANSWER = '(50-25)*(7-3)';
export const problems = (seed: number, n: number, cfg: CountdownConfig) => generateMany(countdown, seed, n, cfg);
/** A config whose search bound leaves room for 4 numbers. */
export const roomy = (count: number, maxNumber: number, format: CountdownConfig['format'] = 'search') => cfgOf({ count, maxNumber, maxTrace: count === 3 ? 64 : 160, format });
