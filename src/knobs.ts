// The names and plain settings that the run config (run-config.ts) and the training core (train/) both
// use, kept below both so neither imports the other's layer: the optimizer settings and learning-
// rate schedule (warmup + cosine), the RL advantage estimators, the zero-variance group policies and
// the curriculum modes. Plain data and math, no tfjs.

/** RL advantage estimators (train/advantages.ts). */
export const ALGOS = ['grpo', 'drgrpo', 'rloo', 'reinforce'] as const;
export type Algo = (typeof ALGOS)[number];
/** What RL does with groups whose completions all got the same reward. */
export const ZERO_VAR = ['keep', 'skip', 'resample'] as const;
export type ZeroVar = (typeof ZERO_VAR)[number];
/** SFT curriculum modes (train/curriculum.ts). */
export const CURRICULA = ['off', 'auto', 'mixed'] as const;
export type Curriculum = (typeof CURRICULA)[number];

export interface OptimConfig {
  /** Peak learning rate. */
  lr: number;
  /** Learning rate at the end of the cosine decay (absolute). */
  minLr: number;
  /** Linear warmup steps from 0 to lr. */
  warmupSteps: number;
  /** Total steps; the cosine decays from warmupSteps to here. */
  totalSteps: number;
  /** Decoupled weight decay (AdamW), applied to matrices only. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Clip the global gradient norm to this (0 = off). */
  gradClip: number;
}

export const DEFAULT_OPTIM: OptimConfig = {
  lr: 3e-3,
  minLr: 3e-4,
  warmupSteps: 50,
  totalSteps: 1000,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  gradClip: 1.0,
};

/** Learning rate at step (0-based). */
export function lrAt(o: OptimConfig, step: number): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  if (step >= o.totalSteps) return o.minLr;
  const p = (step - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps);
  return o.minLr + 0.5 * (o.lr - o.minLr) * (1 + Math.cos(Math.PI * p));
}
