// The page's words for a newcomer: one plain sentence per term, shown as tooltips where the term
// appears (chart titles, the inspector's checks, the header's phase) and together in the intro's
// glossary. One place, so a tooltip and the glossary never disagree.

export const GLOSSARY = {
  SFT: 'Supervised fine-tuning: the model copies worked solutions (the step-by-step trace and the answer), one token at a time.',
  RL: 'Reinforcement learning (GRPO): the model writes several answers per problem, a verifier scores them, and answers that beat their group are made more likely.',
  greedy: 'Greedy (pass@1): the model answers each held-out problem once, always taking its most likely next token. This is the headline accuracy.',
  sampled: 'Sampled: the same problems answered with random sampling (temperature), as RL sees them; usually a bit lower than greedy.',
  passk: 'pass@k: the share of problems where at least one of k sampled answers is fully right: what RL can find by trying.',
  fully: 'Fully right: the format, every intermediate step and the final answer all pass the verifier.',
  format: 'format check: the answer has the expected layout (<think> steps </think> then the answer).',
  steps: 'steps check: every intermediate step is recomputed exactly; the first wrong one is shown in red.',
  answer: 'answer check: the final answer equals the true one.',
  reward: 'Reward: the number RL gets for one answer, computed from the checks by the run\'s reward scheme.',
  advantage: 'Advantage: this answer\'s reward minus its group\'s mean (scaled): positive answers are reinforced, negative ones discouraged.',
  heldOut: 'Held-out: problems never used for training, so accuracy measures what the model learned, not what it memorised.',
} as const;

export type Term = keyof typeof GLOSSARY;

/** The tooltip of a verifier check by its name (format, steps, answer, ...), if it has one. */
export function checkHelp(name: string): string | undefined {
  return (GLOSSARY as Record<string, string>)[name];
}
