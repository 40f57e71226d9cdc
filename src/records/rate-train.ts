// What the app's "let a simulated rater rate" and "Train on my ratings" share, as pure functions:
// a simulated rater's record of a pair the Rate panel would have shown, how many of a run's
// ratings DPO can use (ties carry no preference) and the app's DPO settings. No tfjs, no DOM: the
// worker and the UI both import it.

import type { RatePair } from './human.ts';
import type { PreferenceRecord } from './preference.ts';
import { judge, pairRecord, parseRater, type SimulatedRater } from './raters.ts';

/**
 * Decided pairs (not ties) needed before the app trains DPO. With a fifth held out by prompt hash,
 * 16 leaves about 13 to train on and 3 to check on: fewer teach nothing one can see.
 */
export const MIN_DPO_PAIRS = 16;

/** The app's DPO knobs (the CLI's `--stage dpo` flags of the same names). */
export interface AppDpoSettings {
  steps: number;
  beta: number;
  lr: number;
}

/**
 * Defaults for the app: a short run. lr 1e-5 is the rate that kept addition's accuracy in the CLI
 * (docs/EXPERIMENTS.md 13; 1e-4 broke it); the app offers both, so the break can be seen.
 */
export const APP_DPO: AppDpoSettings = { steps: 30, beta: 0.1, lr: 1e-5 };
export const APP_DPO_LRS = [1e-5, 3e-5, 1e-4] as const;
/** Pairs per step, evaluation cadence and held-out test problems of an app DPO run. */
export const APP_DPO_BATCH = 8;
export const APP_DPO_EVAL_EVERY = 5;
export const APP_DPO_EVAL_N = 50;

export const SIM_RATERS = ['prefers-correct', 'prefers-short-thoughts', 'prefers-style:'] as const;

/** How many of `records` DPO can use; `ready` when at least MIN_DPO_PAIRS are decided. */
export function dpoReadiness(records: readonly Pick<PreferenceRecord, 'tie'>[]): { decided: number; ties: number; needed: number; ready: boolean } {
  const ties = records.filter((r) => r.tie).length;
  const decided = records.length - ties;
  return { decided, ties, needed: Math.max(0, MIN_DPO_PAIRS - decided), ready: decided >= MIN_DPO_PAIRS };
}

/** The error "Train on my ratings" gives below the minimum (what to do, not just what is wrong). */
export function notReadyMessage(r: { decided: number; ties: number }): string {
  return `DPO needs at least ${MIN_DPO_PAIRS} decided pairs (ties carry no preference); this run has ${r.decided} decided and ${r.ties} tie(s): rate ${MIN_DPO_PAIRS - r.decided} more, or let a simulated rater rate some`;
}

/**
 * A simulated rater for the app: `name` as the CLI's `--rater` (prefers-style:X takes X), noise the
 * flip probability, seeded by the run's rating seed so the same pairs get the same judgements.
 */
export function appRater(name: string, noise: number, seed: number): SimulatedRater {
  return parseRater(name, noise, seed);
}

/**
 * The record a simulated rater makes of a pair the Rate panel samples. No time, as in the CLI's
 * simulated pairs: the same pair and rater give the same record.
 */
export function simulatedRecord(p: RatePair, r: SimulatedRater): PreferenceRecord {
  const outcome = judge(r, p.source.a, p.source.b, p.source.n);
  return pairRecord(p.source, outcome, { id: r.id, noise: r.noise, seed: r.seed }, p.provenance);
}
