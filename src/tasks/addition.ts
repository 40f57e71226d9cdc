// Multi-digit addition. Formats: `scratchpad` (a trace of one column per step, right to left,
// with carries: `7+5+0=12,4+8+1=13`), `plain` (answer only) and `reversed` (answer digits written
// least significant first, as in Lee et al. 2023). The verifier checks layout, every step, and the
// exact answer; no partial credit for substrings.

import type { Rng } from '../rng.ts';
import { exactAnswerCheck, exactStepsCheck, finishVerdict, formatCheck, parseCompletion, renderCompletion, tokenLength } from './format.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';

export interface AdditionConfig {
  /** Most digits in an operand (1-12). */
  digits: number;
  /** Fewest digits in an operand (1-digits). */
  minDigits: number;
  /** Output format. */
  format: 'scratchpad' | 'plain' | 'reversed';
}

export interface AdditionProblem {
  a: string;
  b: string;
}

const FORMATS = ['scratchpad', 'plain', 'reversed'] as const;

function randomNumber(rng: Rng, nDigits: number): string {
  if (nDigits === 1) return String(rng.int(10));
  let s = String(1 + rng.int(9));
  for (let i = 1; i < nDigits; i++) s += String(rng.int(10));
  return s;
}

/** Column steps, least significant first: [digitA, digitB, carryIn, sum]. */
function columns(p: AdditionProblem): [number, number, number, number][] {
  const n = Math.max(p.a.length, p.b.length);
  const out: [number, number, number, number][] = [];
  let carry = 0;
  for (let i = 0; i < n; i++) {
    const da = i < p.a.length ? Number(p.a[p.a.length - 1 - i]) : 0;
    const db = i < p.b.length ? Number(p.b[p.b.length - 1 - i]) : 0;
    const s = da + db + carry;
    out.push([da, db, carry, s]);
    carry = s >= 10 ? 1 : 0;
  }
  return out;
}

function sumString(p: AdditionProblem): string {
  const cols = columns(p);
  let s = '';
  for (const c of cols) s = String(c[3] % 10) + s;
  if (cols.length && cols[cols.length - 1]![3] >= 10) s = '1' + s;
  return s.replace(/^0+(?=\d)/, '');
}

const stepText = (c: [number, number, number, number]) => `${c[0]}+${c[1]}+${c[2]}=${c[3]}`;

/** Digits only, no sign, no leading zeros (except "0"), at most 64 characters. */
function isCanonicalNumber(s: string): boolean {
  if (s.length === 0 || s.length > 64) return false;
  for (const ch of s) if (ch < '0' || ch > '9') return false;
  return s === '0' || s[0] !== '0';
}

export const addition: Task<AdditionProblem, AdditionConfig> = {
  name: 'addition',
  version: 1,
  description: 'Add two multi-digit numbers, column by column with carries.',
  defaults: { digits: 3, minDigits: 1, format: 'scratchpad' },
  curriculum: [{ digits: 1 }, { digits: 2 }, { digits: 3 }, { digits: 4 }, { digits: 6 }],
  knobs: {
    digits: { min: 1, max: 12, integer: true, help: 'most digits in an operand' },
    minDigits: { min: 1, max: 12, integer: true, help: 'fewest digits in an operand (<= digits)' },
  },
  options: { format: FORMATS },
  check: (cfg) => (cfg.minDigits > cfg.digits ? `minDigits (${cfg.minDigits}) must be <= digits (${cfg.digits})` : null),

  generate(rng, cfg) {
    const da = rng.range(cfg.minDigits, cfg.digits);
    const db = rng.range(cfg.minDigits, cfg.digits);
    return { a: randomNumber(rng, da), b: randomNumber(rng, db) };
  },

  // a+b and b+a are different prompts with different traces; keep them distinct.
  canonical: (p) => `${p.a}+${p.b}`,
  level: (p) => {
    const n = Math.max(p.a.length, p.b.length);
    return `${n} digit${n === 1 ? '' : 's'}`;
  },

  prompt: (p) => `${p.a}+${p.b}=`,

  gold(p, cfg): Gold {
    const sum = sumString(p);
    if (cfg.format === 'scratchpad') return { trace: columns(p).map(stepText).join(','), answer: sum };
    if (cfg.format === 'reversed') return { trace: '', answer: [...sum].reverse().join('') };
    return { trace: '', answer: sum };
  },

  maxPromptLength: (cfg) => 2 * cfg.digits + 2,

  maxCompletionLength(cfg) {
    const nines = '9'.repeat(cfg.digits);
    const g = this.gold({ a: nines, b: nines }, cfg);
    return tokenLength(renderCompletion(g, cfg.format === 'scratchpad'));
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    const gold = this.gold(p, cfg);
    const scratch = cfg.format === 'scratchpad';
    const parsed = parseCompletion(completion, scratch);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;
    let stepsTotal: number | undefined;

    if (scratch && parsed.think !== null) {
      const steps = exactStepsCheck(gold.trace, parsed.think);
      ({ firstWrong, stepsTotal } = steps);
      checks.push(steps.check);
    }

    const { ans, outcomeOk, check } = exactAnswerCheck(parsed.answer, gold.answer, (a) =>
      isCanonicalNumber(cfg.format === 'reversed' ? [...a].reverse().join('') : a) ? null : `answer ${JSON.stringify(a.slice(0, 40))} is not a plain number`,
    );
    checks.push(check);

    return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
  },
};
