// An environment seen through the Task interface, so the task-generic parts of a run (config
// validation, the context length, held-out splits, levels, curriculum, checkpoints) take an
// environment by name without a second code path. Only the sampling and the training data differ:
// the trainers ask `envOf(task)` and then run episodes (train/episodes.ts) instead of one-shot
// completions. `verify` re-runs the environment against a flat transcript (replayText).

import { getTask } from '../tasks/registry.ts';
import type { AnyTask, Verdict } from '../tasks/types.ts';
import { replayText, runGold } from './episode.ts';
import { getEnv, isEnvName } from './registry.ts';
import type { AnyEnv } from './types.ts';

/** A Task that is an environment underneath. */
export type EnvTask = AnyTask & { env: AnyEnv };

const cache = new Map<AnyEnv, EnvTask>();

/** A failing verdict for a transcript the environment refuses (a forged or cut-short reply). */
function refused(reason: string, scheme: string | undefined): Verdict {
  return {
    correct: false,
    fully_correct: false,
    format_ok: false,
    truncated: false,
    answer: null,
    checks: [{ name: 'replay', passed: false, detail: reason }],
    first_wrong_step: null,
    reward: 0,
    scheme: scheme ?? 'binary',
  };
}

export function envAsTask(env: AnyEnv): EnvTask {
  let t = cache.get(env);
  if (t) return t;
  t = {
    env,
    name: env.name,
    version: env.version,
    description: env.description,
    defaults: env.defaults,
    curriculum: env.curriculum,
    knobs: env.knobs,
    options: env.options,
    check: env.check ? (cfg: object) => env.check!(cfg) : undefined,
    generate: (rng, cfg) => env.generate(rng, cfg),
    canonical: (p) => env.canonical(p),
    level: (p, cfg) => env.level(p, cfg),
    prompt: (p, cfg) => env.reset(p, cfg).observation,
    // The token budget covers the prompt and every turn: the whole transcript is the "completion".
    maxPromptLength: () => 0,
    maxCompletionLength: (cfg) => env.limits(cfg).maxTokens,
    gold(p, cfg) {
      const g = runGold(env, p, cfg);
      return { trace: '', answer: g.turns.slice(1).map((x) => x.text).join('') };
    },
    verify(p, completion, cfg, opts = {}) {
      const r = replayText(env, p, cfg, completion, { scheme: opts.scheme });
      return r.ok ? r.trajectory.verdict : refused(r.reason, opts.scheme);
    },
  } as EnvTask;
  cache.set(env, t);
  return t;
}

/** The task or environment called `name` (an environment through envAsTask). */
export function taskByName(name: string): AnyTask {
  return isEnvName(name) ? envAsTask(getEnv(name)) : getTask(name);
}

/** The environment under `task`, or null for a plain task. */
export const envOf = (task: AnyTask): AnyEnv | null => ((task as Partial<EnvTask>).env ?? null);
