// Typed events the training core emits. The CLI prints and writes them, the worker forwards them
// to the UI; the core itself never touches a console or a DOM.

import type { TrajectoryRecord } from '../records/trajectory.ts';
import type { Verdict } from '../tasks/types.ts';

export type Phase = 'sft' | 'rl';

export interface StepEvent {
  type: 'step';
  phase: Phase;
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  /** Positions processed per second (B*T per step), averaged since the last step event. */
  tokens_per_s: number;
  elapsed_s: number;
  /** Auto curriculum: the level (index, 0 = easiest) this step's batch came from. */
  level?: number;
}

export interface EvalEvent {
  type: 'eval';
  phase: Phase;
  step: number;
  split: 'test' | 'val';
  n: number;
  /** Greedy completions fully right: format, every step and the answer (the headline accuracy). */
  greedy_acc: number;
  /** The same, one sample per problem at `temperature`. */
  sampled_acc: number;
  /** Greedy completions whose format and answer are right, whatever the steps. */
  greedy_answer_acc: number;
  /** Greedy completions with the right answer but a failed step check (answer_acc - acc). */
  wrong_steps_rate: number;
  temperature: number;
  format_rate: number;
  truncated_rate: number;
  /** Environments: mean model turns and tool calls per greedy episode. */
  mean_turns?: number;
  mean_calls?: number;
  elapsed_s: number;
  /** Auto curriculum: the level trained on (index, 0 = easiest), its label (e.g. "digits 2")... */
  level?: number;
  level_label?: string;
  /** ...and greedy fully right on that level's own held-out problems (the move-up criterion)... */
  level_acc?: number;
  /** ...and how many there were (at most 100; fewer where the level's problem space is small). */
  level_n?: number;
}

/** The auto curriculum moved up a level at an evaluation. */
export interface CurriculumEvent {
  type: 'curriculum';
  phase: Phase;
  step: number;
  from: number;
  to: number;
  /** Label of the new level. */
  label: string;
  /** Fully-right held-out accuracy at the old level that reached the threshold. */
  level_acc: number;
  threshold: number;
}

/** One RL step: the rollouts' rewards and the update's statistics. */
export interface RlStepEvent {
  type: 'rl_step';
  phase: 'rl';
  /** Global step (SFT steps of the starting checkpoint + RL steps). */
  step: number;
  /** RL steps done in this phase. */
  rl_step: number;
  reward_mean: number;
  reward_std: number;
  /** Pass rate of each named check over the rollouts (format, outcome, steps, ...). */
  check_pass: Record<string, number>;
  /** Rollouts fully right (format, every step and the answer). */
  accuracy: number;
  /** Rollouts whose format and answer are right, whatever the steps. */
  answer_acc: number;
  /** Correct outcome but a failed step check: the trace does not support the answer. */
  wrong_steps_rate: number;
  /** Share of groups whose completions all got the same reward (no learning signal). */
  zero_var_share: number;
  /** Groups left out of the update (rl.zeroVar = skip). */
  skipped_groups: number;
  /** Groups replaced by fresh prompts (rl.zeroVar = resample), over all rounds. */
  resampled_groups: number;
  /** Share of zero-variance groups in the batch that was trained on (after resampling). */
  zero_var_after: number;
  len_mean: number;
  len_max: number;
  truncated_rate: number;
  /** k3 estimate of KL(policy || start policy), mean over completion tokens (before the update). */
  kl: number;
  /** Mean per-token entropy of the policy over completion tokens (nats). */
  entropy: number;
  /** Share of completion tokens whose ratio was clipped (last inner epoch). */
  clip_frac: number;
  /** Policy loss of the last inner epoch. */
  loss: number;
  grad_norm: number;
  lr: number;
  /** Environments: mean model turns and tool calls per rollout episode. */
  mean_turns?: number;
  mean_calls?: number;
  /** Completion tokens sampled per second. */
  sample_tokens_per_s: number;
  /** Positions (B*T, all inner epochs) processed per second by the update. */
  update_tokens_per_s: number;
  elapsed_s: number;
  /** rl.reward rm:...: mean reward-model score of the rollouts (reward_mean is what was paid)... */
  rm_score_mean?: number;
  /** ...and the verifier's mean reward under rl.scheme, paid or not (accuracy is beside it). */
  verifier_reward_mean?: number;
}

/** pass@k on held-out problems, overall and per difficulty level. */
export interface PassKEvent {
  type: 'passk';
  phase: Phase;
  step: number;
  ks: number[];
  /** Samples per problem the estimator used (n >= max k). */
  n_samples: number;
  temperature: number;
  overall: PassKRow;
  by_level: PassKRow[];
  elapsed_s: number;
}

export interface PassKRow {
  /** Difficulty level ("all" for the overall row). */
  level: string;
  n: number;
  /** Greedy completions fully right (format, every step and the answer). */
  greedy: number;
  /** pass@k for each k in `ks` (unbiased estimator over fully right samples, averaged over problems). */
  passk: number[];
  format_rate: number;
  /** Greedy completions with the right answer but a failed step check. */
  wrong_steps_rate: number;
}

/** One RL rollout as a record (failures included), with its advantage and log-prob. */
export interface RolloutEvent {
  type: 'rollout';
  phase: 'rl';
  step: number;
  record: RolloutRecord;
}

/** One RL episode of an environment as a trajectory record (failed and truncated ones included). */
export interface TrajectoryEvent {
  type: 'trajectory';
  phase: 'rl';
  step: number;
  record: TrajectoryRecord;
}

export interface RolloutRecord {
  id: string;
  task: string;
  task_version: number;
  difficulty: Record<string, unknown>;
  level: string;
  prompt: string;
  completion: string;
  problem: unknown;
  verdict: Verdict;
  /** Index of the prompt's group in the step, and of the sample in the group. */
  group: number;
  sample: number;
  advantage: number;
  /** Sum of the sampled tokens' log-probs under the sampling policy. */
  logprob: number;
  tokens: number;
  /** A zero-variance group replaced by resampling (not trained on). */
  discarded?: boolean;
  provenance: { source: 'model'; run?: string; step: number; seed: number; algo: string; scheme: string };
}

export interface SampleEvent {
  type: 'sample';
  phase: Phase;
  step: number;
  mode: 'greedy' | 'sampled';
  prompt: string;
  completion: string;
  verdict: Verdict;
}

export interface WarningEvent {
  type: 'warning';
  phase: Phase;
  step: number;
  message: string;
}

export interface PhaseEvent {
  type: 'phase';
  phase: Phase;
  step: number;
}

export interface DoneEvent {
  type: 'done';
  phase: Phase;
  step: number;
  reason: 'finished' | 'stopped' | 'diverged';
  elapsed_s: number;
}

export type TrainEvent = StepEvent | EvalEvent | SampleEvent | WarningEvent | PhaseEvent | DoneEvent | RlStepEvent | PassKEvent | RolloutEvent | TrajectoryEvent | CurriculumEvent;
export type EventSink = (e: TrainEvent) => void | Promise<void>;
