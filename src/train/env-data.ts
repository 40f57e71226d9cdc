// What the trainers need from an environment beyond a task: SFT batches of gold trajectories
// (the gold policy run on train-split problems, loss mask 1 only on the model's turns) and
// held-out evaluation by episodes, whose verdicts come from the environment's terminal check.

import type { Batch } from '../data/batch.ts';
import { distinctProblems, problemAt } from '../data/split.ts';
import { runGold } from '../envs/episode.ts';
import { makeTrajectoryBatch, trajectoryTokens } from '../envs/tokens.ts';
import type { AnyEnv } from '../envs/types.ts';
import { hashInts, Rng } from '../rng.ts';
import type { Verdict } from '../tasks/types.ts';
import type { Tokenizer } from '../tokenizer.ts';
import { episodeMeans, sampleEpisodes, type EpisodeBatch } from './episodes.ts';
import type { GenerateOptions, Policy } from './generate.ts';
import type { Rollouts } from './rollouts.ts';

export interface GoldBatchOptions {
  seed: number;
  step: number;
  batchSize: number;
  /** Distinct training problems (0 = a fresh problem for every example). */
  trainSize: number;
  blockSize: number;
  /** The token budget episodes run under (the model's context: blockSize - 1). */
  maxTokens: number;
}

const pools = new WeakMap<AnyEnv, Map<string, unknown[]>>();

/** The problems of SFT step `step`: a pure function of the seed and the step, as for tasks. */
export function goldProblems(env: AnyEnv, cfg: object, o: GoldBatchOptions): unknown[] {
  if (o.trainSize <= 0) return Array.from({ length: o.batchSize }, (_, b) => problemAt(env, cfg, o.seed, 'train', o.step * o.batchSize + b));
  let byCfg = pools.get(env);
  if (!byCfg) pools.set(env, (byCfg = new Map()));
  const key = JSON.stringify([cfg, o.seed, o.trainSize]);
  let pool = byCfg.get(key);
  // distinctProblems reads only name, generate and canonical: an environment has them.
  if (!pool) byCfg.set(key, (pool = distinctProblems(env as never, cfg, o.seed, 'train', o.trainSize)));
  const rng = new Rng(hashInts(o.seed, 2, o.step));
  return Array.from({ length: o.batchSize }, () => pool[rng.int(pool.length)]);
}

/** One SFT batch: the gold trajectories of step `step`'s problems, model turns as the only targets. */
export function goldTrajectoryBatch(env: AnyEnv, cfg: object, tok: Tokenizer, o: GoldBatchOptions): Batch {
  const seqs = goldProblems(env, cfg, o).map((p) => {
    const t = runGold(env, p, cfg, { maxTokens: o.maxTokens });
    return trajectoryTokens(tok, t.turns, t.truncation);
  });
  // Positions up to the longest trajectory (rounded up to 8), not the whole context: gold episodes
  // are far shorter than the token budget, which leaves room for mistakes and retries.
  const T = Math.min(o.blockSize, Math.ceil(Math.max(...seqs.map((s) => s.ids.length - 1)) / 8) * 8);
  return makeTrajectoryBatch(seqs, T, tok.pad);
}

export interface EpisodeEvalItem {
  prompt: string;
  completion: string;
  verdict: Verdict;
}

/** One episode per problem in batches of `batchSize`; items in problem order, with mean turns and calls. */
export async function evaluateEpisodes(
  policy: Policy,
  env: AnyEnv,
  cfg: object,
  problems: readonly unknown[],
  o: Omit<GenerateOptions, 'rng'> & { seed: number; batchSize: number },
): Promise<{ items: EpisodeEvalItem[]; turns: number; calls: number }> {
  const rng = new Rng(o.seed);
  const items: EpisodeEvalItem[] = [];
  const ts = [];
  for (let i = 0; i < problems.length; i += o.batchSize) {
    const b = await sampleEpisodes(policy, env, cfg, problems.slice(i, i + o.batchSize), { ...o, rng });
    for (const r of b.rows) {
      const t = r.trajectory;
      ts.push(t);
      items.push({ prompt: t.turns[0]!.text, completion: t.turns.slice(1).map((x) => x.text).join(''), verdict: t.verdict });
    }
  }
  return { items, ...episodeMeans(ts) };
}

/**
 * A batch of episodes as RL rollouts: per row the prompt (<bos> + the first observation), then
 * everything after it as the "completion" with its mask (model tokens 1, replies 0) and the
 * sampling log-probs; the verdict is the environment's terminal check.
 */
export function episodeRollouts(b: EpisodeBatch, problems: unknown[], tok: Tokenizer): Rollouts {
  const rows = b.rows;
  const G = rows.length / Math.max(problems.length, 1);
  return {
    problems,
    prompts: problems.map((_, g) => rows[g * G]!.trajectory.turns[0]!.text),
    promptTokens: rows.map((r) => r.ids.slice(0, r.promptLength)),
    tokens: rows.map((r) => Int32Array.from(r.ids.slice(r.promptLength))),
    logprobs: rows.map((r) => Float32Array.from(r.logprobs.slice(r.promptLength))),
    masks: rows.map((r) => Uint8Array.from(r.mask.slice(r.promptLength))),
    truncated: rows.map((r) => r.trajectory.truncation !== null),
    texts: rows.map((r) => tok.decode(r.ids.slice(r.promptLength))),
    verdicts: rows.map((r) => r.trajectory.verdict),
    rewards: rows.map((r) => r.trajectory.verdict.reward),
    trajectories: rows.map((r) => r.trajectory),
    sampleSeconds: b.sampleSeconds,
  };
}
