// Reward schemes: a verdict's checks turned into one number. Correctness is paid only when the
// format is right (docs/FACTS.md, "Reward hacks on loose checkers").
//   binary    1 if format and answer are right, else 0.
//   tinyzero  1 right; 0.1 an answer was parsed but is wrong (or the layout is broken); 0 no answer.
//   logicrl   format +1 / -1, plus answer +2 right, -1.5 parsed but wrong, -2 unparsable or
//             format broken (Logic-RL's scheme; range [-3, 3]).
//   process   0.5 * step share + 0.5 * outcome, paid only with a right format: the step share is
//             the valid prefix (steps up to the first wrong one) over the steps needed; tasks
//             without steps pay 1 for a right answer. The outcome half means a wrong answer never
//             earns full reward, however good its steps (a share alone paid 1.0 for gold steps
//             followed by a wrong answer), and a right answer with wrong steps earns less than 1.
//   full      1 if the completion is fully right (format, every step and the answer), else 0: the
//             headline accuracy as a reward. On tasks with two or three possible answers an
//             outcome reward pays lucky guesses through wrong steps; this one never does.
// Under every scheme a wrong answer earns strictly less than the right answer with the same steps
// (test/helpers/task.ts checks it for every task). An empty think earns no step credit: the tasks
// count it as a wrong first step.

export const SCHEMES = ['binary', 'tinyzero', 'logicrl', 'process', 'full'] as const;
export type Scheme = (typeof SCHEMES)[number];

export interface RewardInput {
  format_ok: boolean;
  /** An answer was parsed (even if wrong). */
  answered: boolean;
  outcome_ok: boolean;
  /** Share of valid steps in [0, 1]; undefined when the task (or format) has no steps. */
  step_fraction?: number;
  /** Every check passed (format, steps, answer): the verdict's fully_correct. */
  all_checks_ok?: boolean;
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
      if (r.step_fraction === undefined) return r.outcome_ok ? 1 : 0;
      return 0.5 * r.step_fraction + 0.5 * (r.outcome_ok ? 1 : 0);
    case 'full':
      return correct && (r.all_checks_ok ?? (r.step_fraction === undefined || r.step_fraction === 1)) ? 1 : 0;
    default:
      throw new Error(`unknown reward scheme "${scheme}" (known: ${SCHEMES.join(', ')})`);
  }
}
