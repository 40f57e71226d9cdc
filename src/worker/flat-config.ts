// The run config as flat `key=value` parameters (the keys applyOverrides reads), for the URL and
// the CLI: only what differs from the app's defaults (APP_PARAMS over the task's recipe), so a
// link stays short and reproduces the run.
// Training settings use a bare key where it names one setting only (seed, batchSize); everything
// else is `section.key` (eval.n, rl.lr, train.steps since rl.steps exists too).

import { applyOverrides, type RunConfig } from '../run-config.ts';
import { recipeConfig } from '../recipes.ts';
import { taskByName as getTask } from '../envs/as-task.ts';

/**
 * The browser's defaults over the task's recipe (src/recipes.ts, the same one the CLI trains):
 * only the step log is denser, so the charts move every step.
 */
export const APP_PARAMS: Record<string, string> = {
  logEvery: '1',
};

type Sections = Record<string, Record<string, unknown>>;

const isSection = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function sectionsOf(cfg: RunConfig): string[] {
  return Object.keys(cfg).filter((k) => k !== 'task' && isSection((cfg as unknown as Sections)[k]));
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function configToParams(cfg: RunConfig): { params: Record<string, string>; taskKeys: string[] } {
  const base = resolveParams({ task: cfg.task.name });
  const secs = sectionsOf(cfg);
  const owners = new Map<string, number>();
  for (const s of secs) for (const k of Object.keys((cfg as unknown as Sections)[s]!)) owners.set(k, (owners.get(k) ?? 0) + 1);
  const params: Record<string, string> = {};
  params.task = cfg.task.name;
  for (const [k, v] of Object.entries(cfg as unknown as Record<string, unknown>)) {
    if (k !== 'task' && !isSection(v) && v !== (base as unknown as Record<string, unknown>)[k]) params[k] = show(v);
  }
  const custom = cfg.model.preset === 'custom';
  if (cfg.model.preset !== base.model.preset) params.preset = cfg.model.preset;
  for (const s of secs) {
    const cur = (cfg as unknown as Sections)[s]!;
    const def = (base as unknown as Sections)[s] ?? {};
    for (const [k, v] of Object.entries(cur)) {
      if (s === 'model' && (k === 'preset' || (!custom && k !== 'blockSize'))) continue;
      if (s === 'model' && custom && k !== 'blockSize') {
        params[`model.${k}`] = show(v);
        continue;
      }
      if (v === def[k]) continue;
      params[s === 'train' && owners.get(k) === 1 ? k : `${s}.${k}`] = show(v);
    }
  }
  const task = getTask(cfg.task.name);
  const taskKeys: string[] = [];
  for (const [k, v] of Object.entries(cfg.task.config)) {
    if (v === (task.defaults as Record<string, unknown>)[k]) continue;
    const key = owners.has(k) ? `task.${k}` : k;
    params[key] = show(v);
    taskKeys.push(key);
  }
  return { params, taskKeys };
}

/** Resolve parameters (URL or form) over the task's recipe and the app defaults; throws ConfigError with a clear message. */
export function resolveParams(p: Record<string, string>): RunConfig {
  return applyOverrides(applyOverrides(recipeConfig(p.task ?? p['task.name']), APP_PARAMS), p);
}
