// Reward schemes: a verdict's checks turned into one number. Correctness is paid only when the
// format is right (see FACTS.md: reward hacks on format-free schemes).

export const SCHEMES = ['binary', 'tinyzero'] as const;
export type Scheme = (typeof SCHEMES)[number];

export interface RewardInput {
  format_ok: boolean;
  /** An answer was parsed (even if wrong). */
  answered: boolean;
  outcome_ok: boolean;
}

export function reward(scheme: string, r: RewardInput): number {
  const correct = r.format_ok && r.outcome_ok;
  switch (scheme) {
    case 'binary':
      return correct ? 1 : 0;
    case 'tinyzero':
      return correct ? 1 : r.answered ? 0.1 : 0;
    default:
      throw new Error(`unknown reward scheme "${scheme}" (known: ${SCHEMES.join(', ')})`);
  }
}
