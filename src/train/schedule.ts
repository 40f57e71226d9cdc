// Optimizer settings and the learning-rate schedule (warmup + cosine), as plain data and math with
// no tfjs, so configs and UIs can use them without loading the training core.

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
