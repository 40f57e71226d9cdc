// All tasks by name, and config validation shared by the CLI, the worker and the tests.

import { addition } from './addition.ts';
import { multiplication } from './multiplication.ts';
import { knightsKnaves } from './knights.ts';
import { boolean } from './boolean.ts';
import { syllogism } from './syllogism.ts';
import { countdown } from './countdown.ts';
import type { AnyTask } from './types.ts';

export const TASKS: Record<string, AnyTask> = { addition, multiplication, 'knights-knaves': knightsKnaves, boolean, syllogism, countdown };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function getTask(name: string): AnyTask {
  const t = Object.prototype.hasOwnProperty.call(TASKS, name) ? TASKS[name] : undefined;
  if (!t) throw new ConfigError(`unknown task "${name}" (known: ${Object.keys(TASKS).join(', ')})`);
  return t;
}

/** What config validation reads: tasks and environments (src/envs/) both have it. */
export type Configurable = Pick<AnyTask, 'name' | 'defaults' | 'knobs' | 'options' | 'check'>;

/** Merge `overrides` into the task defaults; reject unknown keys, wrong types and out-of-range values. */
export function validateTaskConfig(task: Configurable, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const cfg: Record<string, unknown> = { ...task.defaults };
  for (const [k, v] of Object.entries(overrides)) {
    if (!Object.prototype.hasOwnProperty.call(task.defaults, k)) {
      throw new ConfigError(`task ${task.name}: unknown setting "${k}" (known: ${Object.keys(task.defaults).join(', ')})`);
    }
    const knob = task.knobs[k];
    const opts = task.options[k];
    if (knob) {
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n) || (knob.integer && !Number.isInteger(n)) || n < knob.min || n > knob.max) {
        throw new ConfigError(`task ${task.name}: ${k} must be ${knob.integer ? 'an integer' : 'a number'} in [${knob.min}, ${knob.max}] (${knob.help}), got ${JSON.stringify(v)}`);
      }
      cfg[k] = n;
    } else if (opts) {
      if (typeof v !== 'string' || !opts.includes(v)) {
        throw new ConfigError(`task ${task.name}: ${k} must be one of ${opts.join(', ')}, got ${JSON.stringify(v)}`);
      }
      cfg[k] = v;
    } else {
      cfg[k] = v;
    }
  }
  const problem = task.check?.(cfg);
  if (problem) throw new ConfigError(`task ${task.name}: ${problem}`);
  return cfg;
}

/** A problem's difficulty level: the task's own `level`, else the number of steps in its gold trace. */
export function levelOf(task: AnyTask, p: unknown, cfg: object): string {
  if (task.level) return task.level(p, cfg);
  const trace = task.gold(p, cfg).trace;
  const n = trace === '' ? 0 : trace.split(task.stepSeparator ?? ',').length;
  return `${n} step${n === 1 ? '' : 's'}`;
}
