// What the reward-model and DPO stages share: their settings, the step loop (steps, evaluations
// on schedule, the abort signal) and scoring pairs in chunks. Each stage's trainer (rm.ts, dpo.ts)
// supplies one step and one evaluation; events go to a PrefSink (pref-events.ts).

import { DEFAULT_OPTIM, type OptimConfig } from '../knobs.ts';
import { Clock } from './loop.ts';
import type { PrefEvalEvent, PrefSink, PrefStage, PrefStepEvent } from './pref-events.ts';

export interface PrefConfig {
  /** AdamW steps. */
  steps: number;
  /** Pairs per step (drawn with replacement, a pure function of seed and step). */
  batchSize: number;
  lr: number;
  warmupSteps: number;
  weightDecay: number;
  gradClip: number;
  /** DPO's beta: how far the policy may move from the start policy (larger = less far). */
  beta: number;
  /** Share of pairs held out (by prompt hash, deterministic). */
  heldOut: number;
  /** Evaluate every this many steps (0 = only at the start and the end). */
  evalEvery: number;
  /** DPO: held-out test problems for task accuracy, length and KL (0 = none). */
  evalN: number;
  seed: number;
}

export const DEFAULT_PREF: PrefConfig = { steps: 100, batchSize: 16, lr: 1e-4, warmupSteps: 5, weightDecay: 0, gradClip: 1, beta: 0.1, heldOut: 0.2, evalEvery: 25, evalN: 100, seed: 1 };

/** The stage's AdamW settings: constant learning rate after warmup, as the RL phase's. */
export function prefOptim(c: PrefConfig): OptimConfig {
  return { ...DEFAULT_OPTIM, lr: c.lr, minLr: c.lr, warmupSteps: c.warmupSteps, totalSteps: Math.max(c.steps, 1), weightDecay: c.weightDecay, gradClip: c.gradClip };
}

/** One preference stage's trainer, as the loop drives it. */
export interface PrefTrainer {
  readonly stage: PrefStage;
  readonly cfg: PrefConfig;
  step: number;
  /** One AdamW step on the pairs of step `step`; reports the step row's fields. */
  trainStep(): Promise<Omit<PrefStepEvent, 'type' | 'stage' | 'step' | 'elapsed_s'>>;
  evaluate(): Promise<Omit<PrefEvalEvent, 'type' | 'stage' | 'step' | 'elapsed_s'>>;
}

/** Run `t` to cfg.steps: evaluate first (the start), every evalEvery steps, and at the end. */
export async function runPrefLoop(t: PrefTrainer, sink: PrefSink, o: { signal?: AbortSignal } = {}): Promise<'finished' | 'stopped'> {
  const clock = new Clock();
  const evalNow = async () => sink({ type: 'pref_eval', stage: t.stage, step: t.step, ...(await t.evaluate()), elapsed_s: clock.seconds() });
  await evalNow();
  let reason: 'finished' | 'stopped' = 'finished';
  while (t.step < t.cfg.steps) {
    if (o.signal?.aborted) {
      reason = 'stopped';
      break;
    }
    const row = await t.trainStep();
    t.step++;
    await sink({ type: 'pref_step', stage: t.stage, step: t.step, ...row, elapsed_s: clock.seconds() });
    if (t.cfg.evalEvery > 0 && t.step % t.cfg.evalEvery === 0 && t.step < t.cfg.steps) await evalNow();
  }
  await evalNow();
  await sink({ type: 'pref_done', stage: t.stage, step: t.step, reason, elapsed_s: clock.seconds() });
  return reason;
}

/** Index chunks [0, n) of at most `size` (pairs are scored in chunks to bound memory). */
export function chunks(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += size) out.push(Array.from({ length: Math.min(size, n - i) }, (_, k) => i + k));
  return out;
}
