// Multi-digit multiplication a*b, with a trace a tiny model can follow token by token.
//
// Prompt: `A*B=` (e.g. `47*38=`). Answer (`<answer>`): the product in plain digits, no sign, no
// leading zeros (`0` for zero). Trace (`<think>`), comma-separated steps, no spaces, by `format`:
// - `digits` (default): long multiplication one digit at a time, every operand written out
//   (multiplication-trace.ts has the exact rules). One step per digit of a per digit of b,
//   `x*y+c=RR` (a's digit, b's digit, the carry, the result as two digits: carry then digit),
//   rows from b's last digit, each row from a's last digit; then, when b has two or more digits,
//   one step per column k >= 1 adding the rows' digits in that column and the carry, `r0+r1+c=SS`.
//   `47*38=`: `7*8+0=56,4*8+5=37,7*3+0=21,4*3+2=14,7+1+0=08,3+4+0=07,0+1+0=01`, answer 1786.
//   Why this shape: a token is either copied from a fixed place (a digit of the prompt, the first
//   digit of the step before) or is one table lookup on the three digits just written; no step
//   multiplies a multi-digit number, which a 100k-parameter model does not learn (the v1 trace
//   wrote `47*8=376` in one step). Digits are produced least significant first, as Lee et al.
//   2023 found easier for small transformers (docs/FACTS.md); only the answer is in normal order.
//   Results always take two digits, so every step of a phase has the same width and the carry
//   always sits at the same offset. Column 0 is row 1's first digit alone and gets no step.
// - `partial`: the version-1 trace, whole partial products then running sums:
//   `47*8=376,47*3=141,376+1410=1786`.
// The verifier checks layout, every step against the gold step (exact text, in order; a wrong
// step's reason names the operand or result that differs and where it comes from), and the exact
// answer; no partial credit for substrings. As in addition, `correct` = format && answer.
// Default 2x2 digits (v1: 3x2): the size the digit trace is meant to be learnt at in minutes on
// 2 cores; prompt + completion take at most 76 tokens (a context of 80), where 3x2 takes 105.

import type { Rng } from '../rng.ts';
import { exactAnswerCheck, finishVerdict, formatCheck, parseCompletion, renderCompletion, tokenLength } from './format.ts';
import { digitSteps, firstWrongStep, partialSteps, quote, type MulStep } from './multiplication-trace.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';

export interface MultiplicationConfig {
  /** Most digits in the first factor a (1-4). */
  digitsA: number;
  /** Most digits in the second factor b (1-3); b gives one row of digit products per digit. */
  digitsB: number;
  /** Fewest digits in either factor (1-3, <= digitsA and <= digitsB). */
  minDigits: number;
  /** Trace format: `digits` (one digit operation per step) or `partial` (v1: whole partial products). */
  format: 'digits' | 'partial';
}

export interface MultiplicationProblem {
  a: string;
  b: string;
}

const FORMATS = ['digits', 'partial'] as const;

function randomNumber(rng: Rng, nDigits: number): string {
  if (nDigits === 1) return String(rng.int(10));
  let s = String(1 + rng.int(9));
  for (let i = 1; i < nDigits; i++) s += String(rng.int(10));
  return s;
}

/** The gold steps and the product in the config's format. */
function solve(p: MultiplicationProblem, cfg: MultiplicationConfig): { steps: MulStep[]; product: string } {
  if (cfg.format === 'partial') return partialSteps(p);
  const { steps, digits } = digitSteps(p);
  const product = digits.reverse().join('').replace(/^0+(?=\d)/, '');
  return { steps, product };
}

/** Digits only, no sign, no leading zeros (except "0"), at most 64 characters. */
function isCanonicalNumber(s: string): boolean {
  if (s.length === 0 || s.length > 64) return false;
  for (const ch of s) if (ch < '0' || ch > '9') return false;
  return s === '0' || s[0] !== '0';
}

export const multiplication: Task<MultiplicationProblem, MultiplicationConfig> = {
  name: 'multiplication',
  version: 2,
  description: 'Multiply two small numbers by long multiplication, one digit product and one column sum per step.',
  defaults: { digitsA: 2, digitsB: 2, minDigits: 1, format: 'digits' },
  curriculum: [{ digitsA: 1, digitsB: 1 }, { digitsA: 2, digitsB: 1 }, { digitsA: 2, digitsB: 2 }, { digitsA: 3, digitsB: 2 }, { digitsA: 4, digitsB: 3 }],
  knobs: {
    digitsA: { min: 1, max: 4, integer: true, help: 'most digits in the first factor a' },
    digitsB: { min: 1, max: 3, integer: true, help: 'most digits in the second factor b (one row of digit products per digit)' },
    minDigits: { min: 1, max: 3, integer: true, help: 'fewest digits in either factor (<= digitsA and <= digitsB)' },
  },
  options: { format: FORMATS },
  check(cfg) {
    if (cfg.minDigits > cfg.digitsA) return `minDigits (${cfg.minDigits}) must be <= digitsA (${cfg.digitsA})`;
    if (cfg.minDigits > cfg.digitsB) return `minDigits (${cfg.minDigits}) must be <= digitsB (${cfg.digitsB})`;
    return null;
  },

  generate(rng, cfg) {
    const da = rng.range(cfg.minDigits, cfg.digitsA);
    const db = rng.range(cfg.minDigits, cfg.digitsB);
    return { a: randomNumber(rng, da), b: randomNumber(rng, db) };
  },

  // a*b and b*a have different traces (the rows follow the digits of b); keep them distinct.
  canonical: (p) => `${p.a}*${p.b}`,
  level: (p) => `${p.a.length}x${p.b.length} digits`,

  prompt: (p) => `${p.a}*${p.b}=`,

  gold(p, cfg): Gold {
    const { steps, product } = solve(p, cfg);
    return { trace: steps.map((s) => s.text).join(','), answer: product };
  },

  maxPromptLength: (cfg) => cfg.digitsA + cfg.digitsB + 2,

  // Both traces are longest when both factors have the most digits (digits: the step count and
  // widths depend only on the digit counts; partial: every number is longest for all nines), and
  // the answer is longest for all nines, so that problem's gold is the bound and is attained.
  maxCompletionLength(cfg) {
    const g = this.gold({ a: '9'.repeat(cfg.digitsA), b: '9'.repeat(cfg.digitsB) }, cfg);
    return tokenLength(renderCompletion(g, true));
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    const { steps, product } = solve(p, cfg);
    const parsed = parseCompletion(completion, true);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;

    if (parsed.think !== null) {
      const got = parsed.think.length ? parsed.think.split(',') : [];
      firstWrong = firstWrongStep(steps, got);
      stepsTotal = Math.max(steps.length, got.length);
      checks.push({ name: 'steps', passed: firstWrong === null, detail: firstWrong ? firstWrong.reason : `${steps.length} steps ok` });
    }

    const { ans, outcomeOk, check } = exactAnswerCheck(parsed.answer, product, (a) => (isCanonicalNumber(a) ? null : `answer ${quote(a)} is not a plain number`));
    checks.push(check);

    return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
  },
};
