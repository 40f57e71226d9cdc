// Shares of a set of verdicts: fully right (the headline accuracy), answer right, right answer
// through wrong steps, format and truncation. Pure: evaluation rows and RL rollout statistics both
// count with it.

import type { Verdict } from '../tasks/types.ts';

/** Shares of a set of verdicts; `accuracy` is fully right, the headline number. */
export interface VerdictRates {
  /** Every check passed: format, every step and the answer. */
  accuracy: number;
  /** Format and answer right, whatever the steps (the old, looser accuracy). */
  answer_accuracy: number;
  /** Right answer, wrong steps: answer_accuracy - accuracy. */
  wrong_steps_rate: number;
  format_rate: number;
  truncated_rate: number;
}

/** The shares of `verdicts` (0 for none). */
export function verdictRates(verdicts: readonly Verdict[]): VerdictRates {
  const n = verdicts.length;
  const frac = (f: (v: Verdict) => boolean) => (n ? verdicts.filter(f).length / n : 0);
  return {
    accuracy: frac((v) => v.fully_correct),
    answer_accuracy: frac((v) => v.correct),
    wrong_steps_rate: frac(wrongSteps),
    format_rate: frac((v) => v.format_ok),
    truncated_rate: frac((v) => v.truncated),
  };
}

/** Right answer, wrong steps: the outcome is correct but a check beyond it (a step) failed. */
export function wrongSteps(v: Verdict): boolean {
  return v.correct && !v.fully_correct;
}
