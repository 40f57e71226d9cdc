// All environments by name, with config validation shared with the tasks (the same knob and
// option rules, the same ConfigError messages). Task and environment names never collide, so
// `--task NAME` can pick either.

import { ConfigError, TASKS, validateTaskConfig } from '../tasks/registry.ts';
import { calcTool } from './calc.ts';
import { guessNumber } from './guess.ts';
import type { AnyEnv } from './types.ts';

export const ENVS: Record<string, AnyEnv> = { 'calc-tool': calcTool, 'guess-number': guessNumber };

for (const name of Object.keys(ENVS)) {
  if (Object.prototype.hasOwnProperty.call(TASKS, name)) throw new Error(`environment ${name} has the name of a task`);
}

export const isEnvName = (name: string) => Object.prototype.hasOwnProperty.call(ENVS, name);

export function getEnv(name: string): AnyEnv {
  if (!isEnvName(name)) throw new ConfigError(`unknown environment "${name}" (known: ${Object.keys(ENVS).join(', ')})`);
  return ENVS[name]!;
}

/** Merge `overrides` into the environment's defaults; unknown keys and bad values are refused. */
export function validateEnvConfig(env: AnyEnv, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return validateTaskConfig(env, overrides);
}
