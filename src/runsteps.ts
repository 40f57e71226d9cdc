// Steps a run is heading for, shared by the worker (its status) and the UI (stored runs), which
// cannot import config.ts at runtime. Type-only imports: no tfjs, no DOM.

import type { RunConfig } from './run-config.ts';

/** SFT steps plus RL steps, as the run's stage configures them. */
export function runTotal(cfg: Pick<RunConfig, 'stage' | 'train' | 'rl'>): number {
  return (cfg.stage === 'rl' ? 0 : cfg.train.steps) + (cfg.stage && cfg.stage !== 'sft' ? (cfg.rl?.steps ?? 0) : 0);
}

/** A stored run's total: the one it recorded (Switch to RL shortens SFT), else its config's. */
export function storedTotal(r: { total?: number; cfg: Pick<RunConfig, 'stage' | 'train' | 'rl'> }): number {
  return r.total ?? runTotal(r.cfg);
}
