// The curriculum of an SFT run, as pure functions: the levels (the task's curriculum entries no
// harder than the run's task config, then that config itself), the auto schedule's move-up rule,
// and the mixed schedule's per-example level draw. No tfjs: the Trainer and the CLI share it.

import { hashInts, Rng } from '../rng.ts';
import { validateTaskConfig } from '../tasks/registry.ts';
import type { AnyTask } from '../tasks/types.ts';


export interface CurriculumLevel {
  /** The full task config of the level (the target's knobs with the entry's overrides). */
  config: Record<string, unknown>;
  /** Short label from the knobs the task's curriculum varies, e.g. "digits 2" or "vars 2, depth 1". */
  label: string;
}

/** Positions one training sequence of `cfg` needs (<bos> + prompt + completion + <eos>, shifted). */
export function sequenceLengthOf(task: AnyTask, cfg: object): number {
  return 1 + task.maxPromptLength(cfg) + task.maxCompletionLength(cfg);
}

/** Whether every knob the entry sets is no harder than the target's: numbers <=, anything else equal. */
function noHarder(entry: Record<string, unknown>, target: Record<string, unknown>): boolean {
  return Object.entries(entry).every(([k, v]) => (typeof v === 'number' && typeof target[k] === 'number' ? v <= (target[k] as number) : v === target[k]));
}

/**
 * The levels of a run, easiest first, ending with the run's own task config (the target). An
 * entry of `task.curriculum` is a level when each knob it sets is no harder than the target's
 * (knobs grow with difficulty), the merged config is valid (task.check), it differs from the
 * target and the levels before it, and its sequences fit in `blockSize` positions (the model's
 * context stays the one derived from the target, so every level must fit in it). Entries that do
 * not qualify are skipped, so a target easier than every entry gets one level: itself.
 */
export function curriculumLevels(task: AnyTask, target: Record<string, unknown>, blockSize = sequenceLengthOf(task, target)): CurriculumLevel[] {
  const keys = [...new Set(task.curriculum.flatMap((e) => Object.keys(e as object)))];
  const label = (c: Record<string, unknown>) => (keys.length ? keys.map((k) => `${k} ${String(c[k])}`).join(', ') : 'target');
  const seen = new Set<string>([JSON.stringify(validateTaskConfig(task, target))]);
  const out: CurriculumLevel[] = [];
  for (const entry of task.curriculum as Record<string, unknown>[]) {
    if (!noHarder(entry, target)) continue;
    let config: Record<string, unknown>;
    try {
      config = validateTaskConfig(task, { ...target, ...entry });
    } catch {
      continue; // e.g. addition {digits: 1} under a target with minDigits 3
    }
    const key = JSON.stringify(config);
    if (seen.has(key) || sequenceLengthOf(task, config) > blockSize) continue;
    seen.add(key);
    out.push({ config, label: label(config) });
  }
  out.push({ config: target, label: label(target) });
  return out;
}

/**
 * The auto schedule's rule, applied at each scheduled evaluation: move up one level when the
 * held-out fully-right accuracy at the current level reaches the threshold (never past the last).
 */
export function nextLevel(level: number, levels: number, accuracy: number, threshold: number): number {
  return level < levels - 1 && accuracy >= threshold ? level + 1 : level;
}

/** The mixed schedule: example `b` of step `step` trains on a level drawn uniformly, pure in (seed, step, b). */
export function mixedLevel(seed: number, step: number, b: number, levels: number): number {
  return levels <= 1 ? 0 : new Rng(hashInts(seed, 11, step, b)).int(levels);
}
