// calc-tool: multi-step arithmetic (`123*456+789=`) where the model may call a calculator by
// writing `<calc>expr</calc>`; the environment appends `<res>value</res>` (or `<res>error: why</res>`)
// and the model ends with `</think><answer>N</answer>`. The gold policy calls the tool once per
// operation in evaluation order, every multiplication included, copying operands from the prompt or
// from an earlier result. Results are zero-padded to the widest value the config can produce, so at
// fixed knobs every call and every result has one place and one width (the fixed-slot lesson).

import { exactAnswerCheck, parseCompletion, tokenLength } from '../tasks/format.ts';
import type { Check, Verdict } from '../tasks/types.ts';
import { evalCalc, padValue } from './calc-parse.ts';
import { countOf, endsWithTag, envVerdict, limitsCheck } from './verdict.ts';
import type { Environment } from './types.ts';

export interface CalcConfig {
  /** Digits in every operand (1-6; 1 allows 0-9). */
  digits: number;
  /** The expression's shape. */
  form: 'a*b' | 'a*b+c' | 'a*b+c*d';
  /** Model turns allowed (each call is a turn, and so is the answer). */
  maxTurns: number;
  /** Taken off a right episode's reward per tool call (0 = free calls). */
  callCost: number;
}

export interface CalcProblem {
  form: CalcConfig['form'];
  /** Operands in the order of the form's letters, as decimal strings. */
  nums: string[];
}

export interface CalcState {
  /** Model turns so far. */
  turns: number;
  calls: number;
  /** Failed calls (malformed, refused), first 8 kept with their model turn (1-based). */
  errors: { turn: number; reason: string }[];
  errorCount: number;
  /** Model turns that wrote <res> or </res> themselves. */
  forged: number;
}

const FORMS = ['a*b', 'a*b+c', 'a*b+c*d'] as const;
/** Error reasons are at most this long (they sit in the context; calc-parse.ts keeps to it). */
const ERROR_CHARS = 24;

/** Widest value the config can produce (all operands 9...9), in digits. */
function resultWidth(cfg: CalcConfig): number {
  const n = BigInt('9'.repeat(cfg.digits));
  const v = cfg.form === 'a*b' ? n * n : cfg.form === 'a*b+c' ? n * n + n : 2n * n * n;
  return String(v).length;
}

const expression = (p: CalcProblem) => (p.form === 'a*b' ? `${p.nums[0]}*${p.nums[1]}` : p.form === 'a*b+c' ? `${p.nums[0]}*${p.nums[1]}+${p.nums[2]}` : `${p.nums[0]}*${p.nums[1]}+${p.nums[2]}*${p.nums[3]}`);

/** The gold calls, in order, with the padded results the next ones copy. */
function plan(p: CalcProblem, width: number): { expr: string; value: bigint }[] {
  const [a, b, c, d] = p.nums.map((x) => BigInt(x));
  const pad = (v: bigint) => padValue(v, width);
  const ab = a! * b!;
  if (p.form === 'a*b') return [{ expr: `${p.nums[0]}*${p.nums[1]}`, value: ab }];
  if (p.form === 'a*b+c') return [{ expr: `${p.nums[0]}*${p.nums[1]}`, value: ab }, { expr: `${pad(ab)}+${p.nums[2]}`, value: ab + c! }];
  const cd = c! * d!;
  return [
    { expr: `${p.nums[0]}*${p.nums[1]}`, value: ab },
    { expr: `${p.nums[2]}*${p.nums[3]}`, value: cd },
    { expr: `${pad(ab)}+${pad(cd)}`, value: ab + cd },
  ];
}

const answerOf = (p: CalcProblem) => String(plan(p, 0).at(-1)!.value);

function isCanonicalInt(s: string): boolean {
  if (s.length === 0 || s.length > 64) return false;
  const body = s.startsWith('-') ? s.slice(1) : s;
  if (body.length === 0) return false;
  for (const ch of body) if (ch < '0' || ch > '9') return false;
  return body === '0' ? s === '0' : body[0] !== '0';
}

const errorObs = (reason: string) => `<res>error: ${reason.slice(0, ERROR_CHARS)}</res>`;

export const calcTool: Environment<CalcProblem, CalcConfig, CalcState> = {
  name: 'calc-tool',
  version: 1,
  description: 'Multi-step arithmetic with a calculator the model calls as <calc>expr</calc>; the environment answers <res>value</res>.',
  defaults: { digits: 3, form: 'a*b+c', maxTurns: 5, callCost: 0 },
  curriculum: [{ digits: 1 }, { digits: 2 }, { digits: 3 }, { digits: 4 }],
  knobs: {
    digits: { min: 1, max: 6, integer: true, help: 'digits in every operand' },
    maxTurns: { min: 2, max: 12, integer: true, help: 'model turns allowed (calls and the answer)' },
    callCost: { min: 0, max: 0.2, integer: false, help: 'taken off a right answer per tool call' },
  },
  options: { form: FORMS },
  check(cfg) {
    if (cfg.callCost * cfg.maxTurns >= 0.9) return `callCost x maxTurns (${cfg.callCost} x ${cfg.maxTurns}) must stay below 0.9, so a right answer always pays more than a wrong one`;
    if (cfg.maxTurns < plan({ form: cfg.form, nums: ['1', '1', '1', '1'] }, 1).length + 1) return `maxTurns ${cfg.maxTurns} is too few for the gold calls of ${cfg.form} plus the answer`;
    return null;
  },

  generate(rng, cfg) {
    const n = cfg.form === 'a*b' ? 2 : cfg.form === 'a*b+c' ? 3 : 4;
    const num = () => (cfg.digits === 1 ? String(rng.int(10)) : String(1 + rng.int(9)) + Array.from({ length: cfg.digits - 1 }, () => String(rng.int(10))).join(''));
    return { form: cfg.form, nums: Array.from({ length: n }, num) };
  },
  canonical: (p) => expression(p),
  level: (p) => `${p.nums[0]!.length} digit${p.nums[0]!.length === 1 ? '' : 's'}`,

  actionEnds: ['</calc>', '</answer>'],
  envTags: ['<res>', '</res>'],
  limits(cfg) {
    const nines: CalcProblem = { form: cfg.form, nums: Array.from({ length: 4 }, () => '9'.repeat(cfg.digits)) };
    const first = this.reset(nines, cfg);
    let s = first.state;
    let gold = '';
    for (let k = 0; k < 4; k++) {
      const a = this.gold(nines, s, cfg);
      const r = this.step(nines, s, a, cfg);
      gold += a + r.observation;
      s = r.state;
      if (r.done) break;
    }
    // Room for the gold episode twice over plus two error replies: mistakes and retries fit,
    // runaway text does not. A sampler lowers it to its context.
    return { maxTurns: cfg.maxTurns, maxTokens: tokenLength(first.observation) + 2 * tokenLength(gold) + 2 * this.maxObservationLength(cfg) };
  },
  maxObservationLength: (cfg) => Math.max(tokenLength(errorObs('x'.repeat(ERROR_CHARS))), 11 + resultWidth(cfg) + 1),

  reset: (p) => ({ state: { turns: 0, calls: 0, errors: [], errorCount: 0, forged: 0 }, observation: `${expression(p)}=` }),

  step(_p, s0, action, cfg) {
    const s: CalcState = { ...s0, turns: s0.turns + 1, errors: [...s0.errors] };
    const fail = (reason: string) => {
      s.errorCount++;
      if (s.errors.length < 8) s.errors.push({ turn: s.turns, reason });
    };
    if (countOf(action, '<res>') + countOf(action, '</res>') > 0) s.forged++;
    const end = endsWithTag(action, this.actionEnds);
    if (end !== '</calc>') return { state: s, observation: '', done: true };
    s.calls++;
    const body = action.slice(0, -'</calc>'.length);
    const opens = countOf(body, '<calc>');
    const expr = opens === 1 ? body.slice(body.indexOf('<calc>') + '<calc>'.length) : '';
    const input = (opens === 1 ? expr : body).slice(-200);
    let reason: string | null = null;
    if (s.forged > s0.forged) reason = 'only the tool writes res';
    else if (opens === 0) reason = 'no calc tag opened';
    else if (opens > 1) reason = 'nested calc tags';
    if (reason === null) {
      const r = evalCalc(expr);
      if (r.ok) return { state: s, observation: `<res>${padValue(r.value, resultWidth(cfg))}</res>`, done: false, call: { input, ok: true } };
      reason = r.error;
    }
    fail(reason);
    return { state: s, observation: errorObs(reason), done: false, call: { input, ok: false } };
  },

  judge(p, s, completion, cfg, opts): Verdict {
    const parsed = parseCompletion(completion, false);
    const problems = [...parsed.problems];
    if (s.forged > 0) problems.push(`the model wrote res tags in ${s.forged} turn(s) (only the tool does)`);
    if (countOf(completion, '<calc>') !== countOf(completion, '</calc>')) problems.push('a <calc> is never closed');
    const checks: Check[] = [{ name: 'format', passed: problems.length === 0, detail: problems.length ? problems.join('; ') : 'layout ok' }];
    const firstErr = s.errors[0];
    checks.push({
      name: 'calls',
      passed: s.errorCount === 0,
      detail: s.errorCount === 0 ? `${s.calls} call(s), every one answered` : `${s.errorCount} of ${s.calls} call(s) failed; first in turn ${firstErr!.turn}: ${firstErr!.reason}`,
    });
    const ans = exactAnswerCheck(parsed.answer, answerOf(p), (a) => (isCanonicalInt(a) ? null : `answer ${JSON.stringify(a.slice(0, 40))} is not a plain integer`));
    checks.push(ans.check);
    checks.push(limitsCheck(opts.truncation, s.turns, cfg.maxTurns));
    const firstWrong = firstErr ? { step: firstErr.turn, reason: firstErr.reason } : null;
    return envVerdict(checks, ans.ans, ans.outcomeOk, firstWrong, opts, cfg.callCost * s.calls);
  },

  gold(p, s, cfg) {
    const steps = plan(p, resultWidth(cfg));
    const k = s.calls - s.errorCount;
    if (k < steps.length) return `${k === 0 ? '<think>' : ''}<calc>${steps[k]!.expr}</calc>`;
    return `</think><answer>${answerOf(p)}</answer>`;
  },
};
