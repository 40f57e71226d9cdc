// Multi-digit multiplication a*b by partial products (long multiplication).
//
// Prompt: `A*B=` (e.g. `123*45=`).
// Trace (`<think>`), comma-separated steps, no spaces:
//   1. One partial product per digit of B, least significant digit first, written UNSHIFTED:
//      `A*d=P` (d is one digit of B, P = A*d in plain digits).  `123*5=615,123*4=492`
//   2. Then the running sums, one per further digit of B: `S+Q=T`, where S is the sum so far
//      (the first partial product to start with), Q is the i-th partial product (i = 0 for the
//      least significant digit) with its shift written explicitly as i trailing zeros, and T = S+Q.
//      `615+4920=5535`.  A partial product of 0 is shifted to plain `0` (never `00`).
//   One-digit B has no sum steps; the answer is then its single partial product.
//   So B with k digits gives 2k-1 steps: `123*456=` has the trace
//   `123*6=738,123*5=615,123*4=492,738+6150=6888,6888+49200=56088`.
// Answer (`<answer>`): the product in plain digits, no sign, no leading zeros (`0` for zero).
//
// The verifier checks layout, every step against the gold step (exact text, in order), and the
// exact answer; no partial credit for substrings. As in addition, `correct` = format && answer;
// the steps are a separate check with `first_wrong_step`. Sizes stay below 10^7, so plain JS
// numbers are exact.

import type { Rng } from '../rng.ts';
import { exactAnswerCheck, finishVerdict, formatCheck, parseCompletion, renderCompletion, tokenLength } from './format.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';

export interface MultiplicationConfig {
  /** Most digits in the first factor a (1-4). */
  digitsA: number;
  /** Most digits in the second factor b (1-3); b gives one partial product per digit. */
  digitsB: number;
  /** Fewest digits in either factor (1-3, <= digitsA and <= digitsB). */
  minDigits: number;
}

export interface MultiplicationProblem {
  a: string;
  b: string;
}

function randomNumber(rng: Rng, nDigits: number): string {
  if (nDigits === 1) return String(rng.int(10));
  let s = String(1 + rng.int(9));
  for (let i = 1; i < nDigits; i++) s += String(rng.int(10));
  return s;
}

/** A canonical number shifted left by `i` places, written with explicit trailing zeros. */
function shifted(p: string, i: number): string {
  return p === '0' ? '0' : p + '0'.repeat(i);
}

interface Step {
  text: string;
  kind: 'partial product' | 'running sum';
}

/** All steps (partial products, then running sums) and the product, in plain numbers (< 10^7). */
function solve(p: MultiplicationProblem): { steps: Step[]; product: string } {
  const a = Number(p.a);
  const steps: Step[] = [];
  const partials: string[] = [];
  for (let i = 0; i < p.b.length; i++) {
    const d = Number(p.b[p.b.length - 1 - i]);
    const prod = String(a * d);
    partials.push(prod);
    steps.push({ text: `${p.a}*${d}=${prod}`, kind: 'partial product' });
  }
  let sum = partials[0]!;
  for (let i = 1; i < partials.length; i++) {
    const q = shifted(partials[i]!, i);
    const next = String(Number(sum) + Number(q));
    steps.push({ text: `${sum}+${q}=${next}`, kind: 'running sum' });
    sum = next;
  }
  return { steps, product: sum };
}

/** Digits only, no sign, no leading zeros (except "0"), at most 64 characters. */
function isCanonicalNumber(s: string): boolean {
  if (s.length === 0 || s.length > 64) return false;
  for (const ch of s) if (ch < '0' || ch > '9') return false;
  return s === '0' || s[0] !== '0';
}

const quote = (s: string) => JSON.stringify(s.slice(0, 40));

export const multiplication: Task<MultiplicationProblem, MultiplicationConfig> = {
  name: 'multiplication',
  version: 1,
  description: 'Multiply two small numbers by long multiplication: one partial product per digit of b, then running sums.',
  defaults: { digitsA: 3, digitsB: 2, minDigits: 1 },
  curriculum: [{ digitsA: 1, digitsB: 1 }, { digitsA: 2, digitsB: 1 }, { digitsA: 2, digitsB: 2 }, { digitsA: 3, digitsB: 2 }, { digitsA: 4, digitsB: 3 }],
  knobs: {
    digitsA: { min: 1, max: 4, integer: true, help: 'most digits in the first factor a' },
    digitsB: { min: 1, max: 3, integer: true, help: 'most digits in the second factor b (one partial product per digit)' },
    minDigits: { min: 1, max: 3, integer: true, help: 'fewest digits in either factor (<= digitsA and <= digitsB)' },
  },
  options: {},
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

  // a*b and b*a have different traces (partial products follow the digits of b); keep them distinct.
  canonical: (p) => `${p.a}*${p.b}`,
  level: (p) => `${p.a.length}x${p.b.length} digits`,

  prompt: (p) => `${p.a}*${p.b}=`,

  gold(p): Gold {
    const { steps, product } = solve(p);
    return { trace: steps.map((s) => s.text).join(','), answer: product };
  },

  maxPromptLength: (cfg) => cfg.digitsA + cfg.digitsB + 2,

  // Every part of the trace (each partial product, each running sum, the answer) is longest when
  // both factors are all nines at the most digits, so that problem's gold is the bound.
  maxCompletionLength(cfg) {
    const g = this.gold({ a: '9'.repeat(cfg.digitsA), b: '9'.repeat(cfg.digitsB) }, cfg);
    return tokenLength(renderCompletion(g, true));
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    const { steps, product } = solve(p);
    const parsed = parseCompletion(completion, true);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;

    if (parsed.think !== null) {
      const want = steps;
      const got = parsed.think.length ? parsed.think.split(',') : [];
      stepsTotal = Math.max(want.length, got.length);
      for (let i = 0; i < Math.max(want.length, got.length); i++) {
        const w = want[i];
        const g = got[i];
        if (w !== undefined && g === w.text) continue;
        const reason =
          g === undefined
            ? `missing step ${i + 1} (${w!.kind}, expected ${w!.text})`
            : w === undefined
              ? `extra step ${i + 1}: ${quote(g)}`
              : `step ${i + 1} (${w.kind}): expected ${w.text}, got ${quote(g)}`;
        firstWrong = { step: i + 1, reason };
        break;
      }
      checks.push({ name: 'steps', passed: firstWrong === null, detail: firstWrong ? firstWrong.reason : `${want.length} steps ok` });
    }

    const { ans, outcomeOk, check } = exactAnswerCheck(parsed.answer, product, (a) => (isCanonicalNumber(a) ? null : `answer ${quote(a)} is not a plain number`));
    checks.push(check);

    return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
  },
};
