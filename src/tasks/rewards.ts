// Reward schemes: a verdict's checks turned into one number. Correctness is paid only when the
// format is right (see FACTS.md: reward hacks on format-free schemes).
//   binary    1 if format and answer are right, else 0.
//   tinyzero  1 right; 0.1 an answer was parsed but is wrong (or the layout is broken); 0 no answer.
//   logicrl   format +1 / -1, plus answer +2 right, -1.5 parsed but wrong, -2 unparsable or
//             format broken (Logic-RL's scheme; range [-3, 3]).
//   process   the share of valid reasoning steps (prefix up to the first wrong step), paid only
//             with a right format; tasks without steps pay 1 for a right answer.

export const SCHEMES = ['binary', 'tinyzero', 'logicrl', 'process'] as const;
export type Scheme = (typeof SCHEMES)[number];

export interface RewardInput {
  format_ok: boolean;
  /** An answer was parsed (even if wrong). */
  answered: boolean;
  outcome_ok: boolean;
  /** Share of valid steps in [0, 1]; undefined when the task (or format) has no steps. */
  step_fraction?: number;
}

export function reward(scheme: string, r: RewardInput): number {
  const correct = r.format_ok && r.outcome_ok;
  switch (scheme) {
    case 'binary':
      return correct ? 1 : 0;
    case 'tinyzero':
      return correct ? 1 : r.answered ? 0.1 : 0;
    case 'logicrl':
      if (!r.format_ok) return -1 - 2;
      return 1 + (r.outcome_ok ? 2 : r.answered ? -1.5 : -2);
    case 'process':
      if (!r.format_ok) return 0;
      return r.step_fraction ?? (r.outcome_ok ? 1 : 0);
    default:
      throw new Error(`unknown reward scheme "${scheme}" (known: ${SCHEMES.join(', ')})`);
  }
}
