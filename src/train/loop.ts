// The run loop every phase shares (minGPT's Trainer.run): step until the phase's step count, the
// abort signal or too many non-finite steps in a row; evaluate and checkpoint on schedule; report
// through typed events. Also what SFT and RL build alike: the start weights and AdamW.

import type { RunConfig } from '../run-config.ts';
import type { ModelConfig } from '../model/config.ts';
import { initParamArrays, paramSpecs, type Params } from '../model/gpt.ts';
import { hashInts, Rng } from '../rng.ts';
import type { EventSink, Phase } from './events.ts';
import { AdamW, type OptimConfig } from './optim.ts';

export interface RunOptions {
  signal?: AbortSignal;
  /** Called every `checkpointEvery` steps and at the end, with the trainer idle. */
  onCheckpoint?: (step: number) => Promise<void>;
  checkpointEvery?: number;
}

export type RunEnd = 'finished' | 'stopped' | 'diverged';

/** Wall time since the run started, for the events' elapsed_s. */
export class Clock {
  private t0 = performance.now();
  restart(): void {
    this.t0 = performance.now();
  }
  seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }
}

/** What the loop drives: one phase's trainer (the SFT Trainer or the RlTrainer). */
export interface PhaseLoop {
  readonly phase: Phase;
  readonly cfg: RunConfig;
  /** Global step (SFT steps + RL steps): what events and checkpoints carry. */
  readonly step: number;
  /** Steps this phase has taken, and the count it runs to. */
  readonly phaseStep: number;
  readonly phaseSteps: number;
  readonly clock: Clock;
  /**
   * Take one step and report it. Returns, oldest first, whether each step whose outcome became
   * known now was finite: SFT reads its losses back every logEvery steps, so none or several.
   */
  advance(sink: EventSink): Promise<boolean[]>;
  /** Report the steps held back (as advance). */
  flush(sink: EventSink): Promise<boolean[]>;
  /** Evaluate and report; `advance`: a scheduled evaluation (the auto curriculum may move up). */
  evaluateAndReport(sink: EventSink, o: { advance?: boolean }): Promise<unknown>;
}

/**
 * Run `t` to its step count. `evalAtStart` evaluates the starting policy first (RL: the baseline
 * the gains are measured from). A run ends 'diverged' after train.maxBadSteps non-finite steps in
 * a row (each one skipped by the optimizer), without a final evaluation.
 */
export async function runLoop(t: PhaseLoop, sink: EventSink, o: RunOptions & { evalAtStart?: boolean } = {}): Promise<RunEnd> {
  const every = t.cfg.eval.every;
  const end = t.phaseSteps;
  t.clock.restart();
  await sink({ type: 'phase', phase: t.phase, step: t.step });
  if (o.evalAtStart && t.phaseStep === 0 && every > 0) await t.evaluateAndReport(sink, {});
  let reason: RunEnd = 'finished';
  let badRun = 0;
  const count = (finite: boolean[]) => {
    for (const ok of finite) badRun = ok ? 0 : badRun + 1;
  };
  while (t.phaseStep < end) {
    if (o.signal?.aborted) {
      reason = 'stopped';
      break;
    }
    count(await t.advance(sink));
    if (badRun >= t.cfg.train.maxBadSteps) {
      reason = 'diverged';
      break;
    }
    const s = t.phaseStep;
    if (every > 0 && s % every === 0 && s < end) await t.evaluateAndReport(sink, { advance: true });
    if (o.onCheckpoint && o.checkpointEvery && s % o.checkpointEvery === 0 && s < end) {
      count(await t.flush(sink));
      await o.onCheckpoint(t.step);
    }
  }
  count(await t.flush(sink));
  // The final evaluation moves the curriculum only on an evaluation step, as a longer run would.
  if (reason !== 'diverged') await t.evaluateAndReport(sink, { advance: every > 0 && t.phaseStep % every === 0 });
  if (o.onCheckpoint) await o.onCheckpoint(t.step);
  await sink({ type: 'done', phase: t.phase, step: t.step, reason, elapsed_s: t.clock.seconds() });
  return reason;
}

/** The weights a phase starts from: given ones (a checkpoint), else the seeded init. */
export function startWeights(cfg: RunConfig, model: ModelConfig, given?: Map<string, Float32Array>): Map<string, Float32Array> {
  return given ?? initParamArrays(model, new Rng(hashInts(cfg.train.seed, 1)));
}

/** AdamW over `params`, decaying the parameters paramSpecs marks for decay (matrices, not norms or biases). */
export function adamW(model: ModelConfig, params: Params, cfg: OptimConfig): AdamW {
  const decay = new Set(paramSpecs(model).filter((s) => s.decay).map((s) => s.name));
  return new AdamW(cfg, params, (n) => decay.has(n));
}
