// Held-out evaluation through the task's verifier: greedy and sampled accuracy at a temperature,
// on problems whose split is 'test' (never trained on). Accuracy means fully right (format, every
// step and the answer); the answer-only share and "right answer, wrong steps" are kept beside it.

import type { ModelConfig } from '../model/config.ts';
import type { Params } from '../model/gpt.ts';
import { Rng } from '../rng.ts';
import type { AnyTask, Verdict } from '../tasks/types.ts';
import type { Tokenizer } from '../tokenizer.ts';
import { encodePrompt } from '../data/batch.ts';
import { levelOf } from '../tasks/registry.ts';
import { passAtK } from './advantages.ts';
import { verdictRates, wrongSteps, type VerdictRates } from './rates.ts';
import { envOf } from '../envs/as-task.ts';
import { evaluateEpisodes } from './env-data.ts';
import { sampleAndVerify } from './generate.ts';
import type { PassKRow } from './events.ts';

export interface EvalItem {
  prompt: string;
  completion: string;
  verdict: Verdict;
}

export interface EvalResult extends VerdictRates {
  n: number;
  items: EvalItem[];
  /** Environments: mean model turns and tool calls per episode. */
  episodes?: { turns: number; calls: number };
}

export interface EvalOptions {
  temperature: number;
  topK: number;
  seed: number;
  /** Prompts per sampling batch. */
  batchSize: number;
}

/** Generate one completion per problem and verify it. */
export async function evaluate(
  params: Params,
  mc: ModelConfig,
  tok: Tokenizer,
  task: AnyTask,
  taskCfg: object,
  problems: readonly unknown[],
  o: EvalOptions,
): Promise<EvalResult> {
  const env = envOf(task);
  if (env) {
    // An environment: one episode per problem, judged by its terminal check.
    const r = await evaluateEpisodes({ params, model: mc, tok }, env, taskCfg, problems, o);
    return { n: r.items.length, ...verdictRates(r.items.map((x) => x.verdict)), items: r.items, episodes: { turns: r.turns, calls: r.calls } };
  }
  const rng = new Rng(o.seed);
  const items: EvalItem[] = [];
  for (let i = 0; i < problems.length; i += o.batchSize) {
    const chunk = problems.slice(i, i + o.batchSize);
    const prompts = chunk.map((p) => task.prompt(p, taskCfg) as string);
    const c = await sampleAndVerify({ params, model: mc, tok }, task, taskCfg, chunk, prompts.map((p) => encodePrompt(tok, p)), { temperature: o.temperature, topK: o.topK, rng });
    chunk.forEach((_, j) => items.push({ prompt: prompts[j]!, completion: c.texts[j]!, verdict: c.verdicts[j]! }));
  }
  return { n: items.length, ...verdictRates(items.map((x) => x.verdict)), items };
}

export interface PassKOptions {
  /** Samples per problem (n >= max k). */
  n: number;
  temperature: number;
  topK: number;
  seed: number;
  /** Rows (prompt copies) per sampling batch. */
  batchSize: number;
}

/** Sample `n` completions per problem and count the fully right ones (per problem, in order). */
export async function sampleCorrectCounts(
  params: Params,
  mc: ModelConfig,
  tok: Tokenizer,
  task: AnyTask,
  taskCfg: object,
  problems: readonly unknown[],
  o: PassKOptions,
): Promise<Int32Array> {
  const rng = new Rng(o.seed);
  const counts = new Int32Array(problems.length);
  const rows: number[] = [];
  for (let i = 0; i < problems.length; i++) for (let j = 0; j < o.n; j++) rows.push(i);
  const env = envOf(task);
  if (env) {
    const r = await evaluateEpisodes({ params, model: mc, tok }, env, taskCfg, rows.map((i) => problems[i]), { ...o, seed: o.seed });
    rows.forEach((i, j) => {
      if (r.items[j]!.verdict.fully_correct) counts[i]!++;
    });
    return counts;
  }
  const encoded = problems.map((p) => encodePrompt(tok, task.prompt(p, taskCfg) as string));
  for (let s = 0; s < rows.length; s += o.batchSize) {
    const chunk = rows.slice(s, s + o.batchSize);
    const c = await sampleAndVerify({ params, model: mc, tok }, task, taskCfg, chunk.map((i) => problems[i]), chunk.map((i) => encoded[i]!), { temperature: o.temperature, topK: o.topK, rng });
    chunk.forEach((i, j) => {
      if (c.verdicts[j]!.fully_correct) counts[i]!++;
    });
  }
  return counts;
}

/** pass@k rows (overall and per difficulty level) from greedy items and sampled fully-right counts. */
export function passKTable(
  task: AnyTask,
  taskCfg: object,
  problems: readonly unknown[],
  greedy: readonly EvalItem[],
  counts: Int32Array | null,
  n: number,
  ks: readonly number[],
): { overall: PassKRow; by_level: PassKRow[] } {
  const levels = problems.map((p) => levelOf(task, p, taskCfg));
  const row = (level: string, idx: number[]): PassKRow => {
    const m = Math.max(idx.length, 1);
    const mean = (f: (i: number) => number) => idx.reduce((a, i) => a + f(i), 0) / m;
    return {
      level,
      n: idx.length,
      greedy: mean((i) => (greedy[i]!.verdict.fully_correct ? 1 : 0)),
      passk: counts ? ks.map((k) => mean((i) => passAtK(n, counts[i]!, k))) : [],
      format_rate: mean((i) => (greedy[i]!.verdict.format_ok ? 1 : 0)),
      wrong_steps_rate: mean((i) => (wrongSteps(greedy[i]!.verdict) ? 1 : 0)),
    };
  };
  const all = problems.map((_, i) => i);
  const names = [...new Set(levels)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return { overall: row('all', all), by_level: names.map((l) => row(l, all.filter((i) => levels[i] === l))) };
}
