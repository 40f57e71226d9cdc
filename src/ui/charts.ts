// Which charts the app draws, as data: event type and column of each line. The accuracy chart's
// headline is fully right (greedy_acc); the looser answer-only share sits beside it. The auto
// curriculum adds the accuracy at its current level and a chart of the level over steps.

import type { ChartSpec } from './Chart.tsx';
import { GLOSSARY } from './glossary.ts';

export const ACC_CHART: ChartSpec = {
  id: 'accuracy',
  title: 'Held-out accuracy (fully right: format, every step and the answer)',
  percent: true,
  help: `${GLOSSARY.heldOut} ${GLOSSARY.greedy} ${GLOSSARY.sampled} ${GLOSSARY.passk}`,
  // Fully right is the headline; the answer-only share and the right-answer-wrong-steps rate are
  // drawn beside it (runs stored before they existed simply lack those lines).
  lines: [
    { type: 'eval', key: 'greedy_acc', label: 'greedy (fully right)' },
    { type: 'eval', key: 'sampled_acc', label: 'sampled (fully right)', minor: true },
    { type: 'eval', key: 'greedy_answer_acc', label: 'greedy, answer only' },
    { type: 'eval', key: 'wrong_steps_rate', label: 'greedy, right answer wrong steps', minor: true },
    // Auto curriculum only: fully right on the current level's own held-out problems.
    { type: 'eval', key: 'level_acc', label: 'greedy at the curriculum level (fully right)' },
  ],
  dynamic: [{ type: 'passk', prefix: 'overall.passk.', label: (i, d) => `pass@${d.last('passk', `ks.${i}`) ?? '?'}` }],
};

export const LOSS_CHART: ChartSpec = {
  id: 'loss',
  title: 'Loss',
  help: 'SFT loss: how surprised the model is by the worked solutions (lower is better). RL policy loss: the GRPO objective; it is not a quality measure, watch the reward instead. DPO loss: −log σ(margin), ln 2 ≈ 0.69 at the start.',
  lines: [
    { type: 'step', key: 'loss', label: 'SFT loss' },
    { type: 'rl_step', key: 'loss', label: 'RL policy loss' },
    { type: 'pref_step', key: 'loss', label: 'DPO loss' },
  ],
};

/** Auto curriculum: the level each step trained on (drawn only when a run has the column). */
export const CURRICULUM_CHART: ChartSpec = {
  id: 'curriculum',
  title: 'Curriculum level (0 = easiest, last = the task settings)',
  lines: [{ type: 'step', key: 'level', label: 'curriculum level' }],
};

export const SPEED_CHART: ChartSpec = {
  id: 'speed',
  title: 'Speed: tokens / s (running median of 10 steps)',
  help: 'Training speed. Each step is noisy, so the lines are running medians; the header shows the same median.',
  height: 110,
  smooth: 10,
  lines: [
    { type: 'step', key: 'tokens_per_s', label: 'SFT' },
    { type: 'rl_step', key: 'sample_tokens_per_s', label: 'RL sampling' },
    { type: 'rl_step', key: 'update_tokens_per_s', label: 'RL update' },
  ],
};

export const RL_CHARTS: ChartSpec[] = [
  {
    id: 'reward',
    title: 'Reward (mean, and pass rate per check)',
    help: `${GLOSSARY.reward} The check lines are the share of rollouts passing each check (${GLOSSARY.format} ${GLOSSARY.steps} ${GLOSSARY.answer})`,
    lines: [{ type: 'rl_step', key: 'reward_mean', label: 'reward' }],
    dynamic: [{ type: 'rl_step', prefix: 'check_pass.', label: (k) => k }],
  },
  {
    id: 'length',
    title: 'Completion length (tokens)',
    lines: [
      { type: 'rl_step', key: 'len_mean', label: 'mean' },
      { type: 'rl_step', key: 'len_max', label: 'max' },
    ],
  },
  { id: 'kl', title: 'KL to the start policy', help: 'How far RL has moved the model from where RL began (0 = unchanged).', lines: [{ type: 'rl_step', key: 'kl', label: 'KL (k3)' }] },
  { id: 'entropy', title: 'Entropy (nats/token)', help: 'How unsure the model is when it picks each token; near 0 it always writes the same answer.', lines: [{ type: 'rl_step', key: 'entropy', label: 'entropy' }] },
  {
    id: 'zerovar',
    title: 'Zero-variance groups',
    help: 'Share of problems whose answers all got the same reward (all right or all wrong): their advantages are 0, so they teach nothing.',
    percent: true,
    lines: [{ type: 'rl_step', key: 'zero_var_share', label: 'share' }],
  },
];

/**
 * A DPO run ("Train on my ratings"): what the preference is about (the implicit reward margin and
 * pair accuracy, on the step's batch, the training pairs and the held-out pairs) and what it must
 * not break (fully right on held-out problems, KL to the start policy, lengths). x = DPO step.
 */
export const DPO_CHARTS: ChartSpec[] = [
  {
    id: 'dpo-margin',
    title: 'DPO: implicit reward margin',
    help: "β · (how much more the policy than the start policy likes the chosen completion, minus the same for the rejected one), in nats. 0 at the start; above 0 the policy leans towards the rater's choices.",
    lines: [
      { type: 'pref_step', key: 'margin', label: 'this step’s pairs', minor: true },
      { type: 'pref_eval', key: 'train_margin', label: 'training pairs' },
      { type: 'pref_eval', key: 'heldout_margin', label: 'held-out pairs' },
    ],
  },
  {
    id: 'dpo-pairs',
    title: 'DPO: pair accuracy (margin > 0)',
    help: 'Share of pairs where the policy leans to the chosen completion. 0% at step 0, where every margin is exactly 0. Held-out pairs were never trained on.',
    percent: true,
    lines: [
      { type: 'pref_step', key: 'accuracy', label: 'this step’s pairs', minor: true },
      { type: 'pref_eval', key: 'train_accuracy', label: 'training pairs' },
      { type: 'pref_eval', key: 'heldout_accuracy', label: 'held-out pairs' },
    ],
  },
  {
    id: 'dpo-task',
    title: 'DPO: held-out problems, fully right (greedy)',
    help: 'What the preference must not break: the verifier’s fully-right share on held-out problems of the run’s task.',
    percent: true,
    lines: [{ type: 'pref_eval', key: 'greedy_acc', label: 'greedy (fully right)' }],
  },
  {
    id: 'dpo-kl',
    title: 'DPO: KL to the start policy (nats per completion)',
    help: 'How far DPO has moved the model: log π − log π_start summed over a completion sampled at T = 1, averaged over held-out problems.',
    lines: [{ type: 'pref_eval', key: 'kl_seq', label: 'KL' }],
  },
  {
    id: 'dpo-length',
    title: 'DPO: length of greedy completions (tokens)',
    lines: [
      { type: 'pref_eval', key: 'len_mean', label: 'completion' },
      { type: 'pref_eval', key: 'think_len_mean', label: 'inside <think>' },
    ],
  },
];
