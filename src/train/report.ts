// Held-out evaluation shared by the SFT and RL trainers: greedy and sampled accuracy, fully right,
// with the answer-only share and "right answer, wrong steps" beside it (an 'eval' event), pass@k
// per difficulty level (a 'passk' event, when eval.passk is set) and a few greedy samples.

import { parsePassK, type RunConfig } from '../run-config.ts';
import { distinctProblems } from '../data/split.ts';
import type { ModelConfig } from '../model/config.ts';
import type { Params } from '../model/gpt.ts';
import { hashInts } from '../rng.ts';
import type { AnyTask } from '../tasks/types.ts';
import type { Tokenizer } from '../tokenizer.ts';
import { evaluate, passKTable, sampleCorrectCounts } from './eval.ts';
import type { EventSink, PassKRow, Phase } from './events.ts';

/** Test problems are drawn with this fixed seed, so every run of a task config sees the same ones. */
export const EVAL_SEED = 20261121;

const heldOut = new WeakMap<AnyTask, Map<string, unknown[]>>();

/**
 * The held-out test problems of a run config (fixed seed): the same for every run, phase and
 * evaluation of the task config, so they are drawn once per task object and config.
 */
export function heldOutProblems(task: AnyTask, cfg: RunConfig): unknown[] {
  let byCfg = heldOut.get(task);
  if (!byCfg) heldOut.set(task, (byCfg = new Map()));
  const key = JSON.stringify([cfg.task.config, cfg.eval.n]);
  let ps = byCfg.get(key);
  if (!ps) byCfg.set(key, (ps = distinctProblems(task, cfg.task.config, EVAL_SEED, 'test', cfg.eval.n)));
  return ps;
}

export interface EvalContext {
  params: Params;
  model: ModelConfig;
  tok: Tokenizer;
  task: AnyTask;
  cfg: RunConfig;
}

export interface EvalSummary {
  /** Greedy accuracy, fully right. */
  greedy: number;
  sampled: number;
  /** Greedy, format and answer right whatever the steps. */
  greedy_answer: number;
  /** Greedy, right answer but wrong steps. */
  wrong_steps: number;
  passk: { ks: number[]; n: number; overall: PassKRow; by_level: PassKRow[] } | null;
}

export async function evaluateAndReport(
  c: EvalContext,
  problems: readonly unknown[],
  sink: EventSink,
  at: { phase: Phase; step: number; elapsed: () => number },
): Promise<EvalSummary> {
  const e = c.cfg.eval;
  const tc = c.cfg.task.config;
  if (!problems.length) return { greedy: 0, sampled: 0, greedy_answer: 0, wrong_steps: 0, passk: null };
  const common = { topK: e.topK, batchSize: 128 };
  const greedy = await evaluate(c.params, c.model, c.tok, c.task, tc, problems, { ...common, temperature: 0, seed: 0 });
  const sampled = await evaluate(c.params, c.model, c.tok, c.task, tc, problems, {
    ...common,
    temperature: e.temperature,
    seed: hashInts(c.cfg.train.seed, 3, at.step),
  });
  await sink({
    type: 'eval',
    phase: at.phase,
    step: at.step,
    split: 'test',
    n: greedy.n,
    greedy_acc: greedy.accuracy,
    sampled_acc: sampled.accuracy,
    greedy_answer_acc: greedy.answer_accuracy,
    wrong_steps_rate: greedy.wrong_steps_rate,
    temperature: e.temperature,
    format_rate: greedy.format_rate,
    truncated_rate: greedy.truncated_rate,
    ...(greedy.episodes ? { mean_turns: greedy.episodes.turns, mean_calls: greedy.episodes.calls } : {}),
    elapsed_s: at.elapsed(),
  });
  // A different window of the held-out problems at each evaluation (always the first few would
  // show a reader the same problems all run long); deterministic in the step.
  const items = greedy.items;
  const shown = Math.min(e.samples, items.length);
  const start = shown ? (Math.round(at.step / Math.max(1, e.every)) * shown) % items.length : 0;
  for (let i = 0; i < shown; i++) {
    await sink({ type: 'sample', phase: at.phase, step: at.step, mode: 'greedy', ...items[(start + i) % items.length]! });
  }
  const ks = parsePassK(e.passk);
  let passk: EvalSummary['passk'] = null;
  if (ks.length) {
    const n = e.passkN || Math.max(...ks);
    // The same sampling seed at every evaluation: pass@k curves differ by the model, not the noise.
    const counts = await sampleCorrectCounts(c.params, c.model, c.tok, c.task, tc, problems, {
      n,
      temperature: e.temperature,
      topK: e.topK,
      seed: hashInts(c.cfg.train.seed, 4),
      batchSize: 256,
    });
    const table = passKTable(c.task, tc, problems, greedy.items, counts, n, ks);
    passk = { ks, n, ...table };
    await sink({ type: 'passk', phase: at.phase, step: at.step, ks, n_samples: n, temperature: e.temperature, ...table, elapsed_s: at.elapsed() });
  }
  return { greedy: greedy.accuracy, sampled: sampled.accuracy, greedy_answer: greedy.answer_accuracy, wrong_steps: greedy.wrong_steps_rate, passk };
}
