// guess-number: the prompt gives the range (`00-99?`), the model proposes `<g>42</g>`, and the
// environment answers `<o>+43-99</o>` (the number is higher; it lies in 43-99), `<o>-00-41</o>`
// (lower), `<o>=</o>` (correct, the episode ends) or `<o>?00-99</o>` (not a guess: malformed or
// forged; the range unchanged). Every reply restates the range still possible, as the prompt states
// the first one (version 2; version 1 answered only `+`/`-`, which left both bounds to be recovered
// from the whole history, a lookup of a lookup: docs/EXPERIMENTS.md 12). Zero-padded guesses and bounds
// keep every turn one width, so the bounds sit at a fixed offset before each guess. The terminal
// check is "solved within K turns" (K = the binary-search bound plus `extraTurns`); a right
// episode pays less per turn used. The gold policy is binary search: the floor of the midpoint.

import { tokenLength } from '../tasks/format.ts';
import type { Check, Verdict } from '../tasks/types.ts';
import { countOf, endsWithTag, envVerdict, limitsCheck } from './verdict.ts';
import type { Environment } from './types.ts';

export interface GuessConfig {
  /** The number has this many digits: 0 to 10^digits - 1. */
  digits: number;
  /** Turns allowed beyond the binary-search bound. */
  extraTurns: number;
  /** Taken off a solved episode's reward per turn after the first. */
  turnCost: number;
}

export interface GuessProblem {
  target: number;
}

export interface GuessState {
  turns: number;
  /** The range still possible given the answers so far. */
  lo: number;
  hi: number;
  /** The last well-formed guess, padded. */
  last: string | null;
  solvedAt: number | null;
  /** Malformed turns (first 8 kept, 1-based model turn). */
  errors: { turn: number; reason: string }[];
  errorCount: number;
  forged: number;
  /** The first guess outside the range the answers already ruled out. */
  inconsistent: { step: number; reason: string } | null;
}

const size = (cfg: GuessConfig) => 10 ** cfg.digits;
/** Guesses binary search needs at worst over `n` numbers. */
const bound = (n: number) => Math.ceil(Math.log2(n + 1));
const maxTurnsOf = (cfg: GuessConfig) => bound(size(cfg)) + cfg.extraTurns;
const pad = (n: number, cfg: GuessConfig) => String(n).padStart(cfg.digits, '0');
/** The range still possible, as the prompt and every reply write it: `lo-hi`, both padded. */
const range = (lo: number, hi: number, cfg: GuessConfig) => `${pad(lo, cfg)}-${pad(hi, cfg)}`;

export const guessNumber: Environment<GuessProblem, GuessConfig, GuessState> = {
  name: 'guess-number',
  version: 2,
  description: 'Find a hidden number: guess <g>N</g>, the environment answers higher (+) or lower (-) with the range still possible, or correct (=).',
  defaults: { digits: 2, extraTurns: 0, turnCost: 0.04 },
  curriculum: [{ digits: 2 }, { digits: 3 }],
  knobs: {
    // One digit (10 numbers) is too small to hold out a test split, so it is not offered.
    digits: { min: 2, max: 3, integer: true, help: 'the number has this many digits' },
    extraTurns: { min: 0, max: 10, integer: true, help: 'turns allowed beyond the binary-search bound' },
    turnCost: { min: 0, max: 0.1, integer: false, help: 'taken off a solved episode per turn after the first' },
  },
  options: {},
  check: (cfg) =>
    cfg.turnCost * (maxTurnsOf(cfg) - 1) >= 0.9 ? `turnCost x (turns - 1) (${cfg.turnCost} x ${maxTurnsOf(cfg) - 1}) must stay below 0.9, so a solve always pays more than a miss` : null,

  generate: (rng, cfg) => ({ target: rng.int(size(cfg)) }),
  canonical: (p) => String(p.target),
  level(p, cfg) {
    // The number of guesses the gold policy needs: the episode length binary search gives.
    let lo = 0;
    let hi = size(cfg) - 1;
    for (let n = 1; ; n++) {
      const mid = Math.floor((lo + hi) / 2);
      if (mid === p.target) return `${n} guess${n === 1 ? '' : 'es'}`;
      if (p.target > mid) lo = mid + 1;
      else hi = mid - 1;
    }
  },

  actionEnds: ['</g>'],
  envTags: ['<o>', '</o>'],
  limits(cfg) {
    const turn = tokenLength(`<g>${pad(0, cfg)}</g>`) * 2 + this.maxObservationLength(cfg);
    return { maxTurns: maxTurnsOf(cfg), maxTokens: tokenLength(this.reset({ target: 0 }, cfg).observation) + maxTurnsOf(cfg) * turn };
  },
  maxObservationLength: (cfg) => tokenLength(`<o>?${range(0, 0, cfg)}</o>`),

  reset: (_p, cfg) => ({
    state: { turns: 0, lo: 0, hi: size(cfg) - 1, last: null, solvedAt: null, errors: [], errorCount: 0, forged: 0, inconsistent: null },
    observation: `${range(0, size(cfg) - 1, cfg)}?`,
  }),

  step(p, s0, action, cfg) {
    const s: GuessState = { ...s0, turns: s0.turns + 1, errors: [...s0.errors] };
    const bad = (reason: string) => {
      s.errorCount++;
      if (s.errors.length < 8) s.errors.push({ turn: s.turns, reason });
      return { state: s, observation: `<o>?${range(s.lo, s.hi, cfg)}</o>`, done: false, call: { input: action.slice(-200), ok: false } };
    };
    if (countOf(action, '<o>') + countOf(action, '</o>') > 0) {
      s.forged++;
      return bad('the model wrote o tags (only the environment does)');
    }
    if (endsWithTag(action, this.actionEnds) === null) return { state: s, observation: '', done: true };
    const body = action.slice(0, -'</g>'.length);
    const opens = countOf(body, '<g>');
    if (opens !== 1) return bad(opens === 0 ? 'no <g> before </g>' : 'nested or repeated <g>');
    const digits = body.slice(body.indexOf('<g>') + 3);
    if (digits.length === 0 || digits.length > cfg.digits || ![...digits].every((c) => c >= '0' && c <= '9')) {
      return bad(`a guess is 1 to ${cfg.digits} digits`);
    }
    const n = Number(digits);
    s.last = pad(n, cfg);
    if (s.inconsistent === null && (n < s.lo || n > s.hi)) {
      s.inconsistent = { step: s.turns, reason: `turn ${s.turns}: guessed ${s.last}, but the answers so far leave ${pad(s.lo, cfg)}-${pad(s.hi, cfg)}` };
    }
    const call = { input: digits, ok: true };
    if (n === p.target) {
      s.solvedAt = s.turns;
      return { state: s, observation: '<o>=</o>', done: true, call };
    }
    if (p.target > n) s.lo = Math.max(s.lo, n + 1);
    else s.hi = Math.min(s.hi, n - 1);
    return { state: s, observation: `<o>${p.target > n ? '+' : '-'}${range(s.lo, s.hi, cfg)}</o>`, done: false, call };
  },

  judge(_p, s, _completion, cfg, opts): Verdict {
    const problems: string[] = [];
    if (s.forged > 0) problems.push(`the model wrote o tags in ${s.forged} turn(s) (only the environment does)`);
    if (s.errorCount > 0) problems.push(`${s.errorCount} malformed guess(es); first in turn ${s.errors[0]!.turn}: ${s.errors[0]!.reason}`);
    const K = maxTurnsOf(cfg);
    const checks: Check[] = [
      { name: 'format', passed: problems.length === 0, detail: problems.length ? problems.join('; ') : 'every guess well formed' },
      { name: 'consistent', passed: s.inconsistent === null, detail: s.inconsistent ? s.inconsistent.reason : 'every guess inside the range still possible' },
      {
        name: 'solved',
        passed: s.solvedAt !== null && s.solvedAt <= K,
        detail: s.solvedAt !== null ? `solved in ${s.solvedAt} of ${K} turns` : `not solved within ${K} turns (${s.turns} used)`,
      },
      limitsCheck(opts.truncation, s.turns, K),
    ];
    const solved = checks[2]!.passed;
    const cost = solved ? cfg.turnCost * (s.solvedAt! - 1) : 0;
    return envVerdict(checks, s.last, solved, s.inconsistent, opts, cost);
  },

  gold: (_p, s, cfg) => `<g>${pad(Math.floor((s.lo + s.hi) / 2), cfg)}</g>`,
};
