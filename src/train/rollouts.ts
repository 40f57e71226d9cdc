// Host-side bookkeeping of RL rollouts (no tfjs): the batch of sampled completions with their
// verdicts, swapping groups for resampling, the step's rollout statistics, the update batch
// (tokens, masks, per-token weights) and the records written for every rollout.

import type { Trajectory } from '../envs/episode.ts';
import { verdictRates } from './rates.ts';
import type { RlStepEvent, RolloutRecord } from './events.ts';
import type { Completions } from './generate.ts';

/**
 * One rollout batch: the sampled, verified completions (one row each) with their prompts and
 * rewards; G rows per problem, group-major (group g holds rows [g*G, (g+1)*G)).
 */
export interface Rollouts extends Completions {
  /** Per group: the problem and its prompt text. */
  problems: unknown[];
  prompts: string[];
  /** Per row: <bos> + prompt tokens. */
  promptTokens: number[][];
  rewards: number[];
  /**
   * Environments: per row, 1 where the completion token was the model's, 0 for the environment's
   * replies (fed, never sampled: no log-prob, no loss, no weight). Absent: every token is the model's.
   */
  masks?: Uint8Array[];
  /** Environments: per row, the episode (its turns, calls and verdict) for the records. */
  trajectories?: Trajectory[];
}

/** Tokens the model wrote in row i (the completion's length when there is no mask). */
export const modelTokens = (ro: Rollouts, i: number): number => (ro.masks ? ro.masks[i]!.reduce((a, b) => a + b, 0) : ro.tokens[i]!.length);

const ROW_FIELDS = ['promptTokens', 'tokens', 'texts', 'logprobs', 'truncated', 'verdicts', 'rewards'] as const;

/**
 * Put the groups of `more` (in order) in place of `ro`'s groups `at`, in place; return the
 * replaced groups as a Rollouts of their own.
 */
export function swapGroups(ro: Rollouts, at: number[], more: Rollouts, G: number): Rollouts {
  const old: Rollouts = { problems: [], prompts: [], promptTokens: [], tokens: [], texts: [], logprobs: [], truncated: [], verdicts: [], rewards: [], sampleSeconds: 0 };
  const fields: (keyof Rollouts)[] = [...ROW_FIELDS];
  if (ro.masks) (fields.push('masks'), (old.masks = []));
  if (ro.trajectories) (fields.push('trajectories'), (old.trajectories = []));
  at.forEach((g, k) => {
    old.problems.push(ro.problems[g]);
    old.prompts.push(ro.prompts[g]!);
    ro.problems[g] = more.problems[k];
    ro.prompts[g] = more.prompts[k]!;
    for (const f of fields) {
      const [dst, src, keep] = [ro[f] as unknown[], more[f] as unknown[], old[f] as unknown[]];
      for (let j = 0; j < G; j++) {
        keep.push(dst[g * G + j]);
        dst[g * G + j] = src[k * G + j];
      }
    }
  });
  return old;
}

type RolloutStats = Pick<RlStepEvent, 'reward_mean' | 'reward_std' | 'check_pass' | 'accuracy' | 'answer_acc' | 'wrong_steps_rate' | 'len_mean' | 'len_max' | 'truncated_rate'> & {
  /** Completion tokens sampled. */
  sampled: number;
};

/** Statistics over every rollout in `batches` (rows pooled). */
export function rolloutStats(batches: Rollouts[]): RolloutStats {
  const v = batches.flatMap((b) => b.verdicts);
  const r = batches.flatMap((b) => b.rewards);
  const lens = batches.flatMap((b) => b.tokens.map((_, i) => modelTokens(b, i)));
  const M = Math.max(v.length, 1);
  const pass: Record<string, number> = {};
  const seen: Record<string, number> = {};
  for (const x of v) {
    for (const c of x.checks) {
      seen[c.name] = (seen[c.name] ?? 0) + 1;
      pass[c.name] = (pass[c.name] ?? 0) + (c.passed ? 1 : 0);
    }
  }
  for (const k of Object.keys(pass)) pass[k] = pass[k]! / seen[k]!;
  const mean = r.reduce((a, b) => a + b, 0) / M;
  const sampled = lens.reduce((a, b) => a + b, 0);
  const rates = verdictRates(v);
  return {
    reward_mean: mean,
    reward_std: Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / M),
    check_pass: pass,
    accuracy: rates.accuracy,
    answer_acc: rates.answer_accuracy,
    wrong_steps_rate: rates.wrong_steps_rate,
    len_mean: sampled / M,
    len_max: Math.max(0, ...lens),
    truncated_rate: batches.flatMap((b) => b.truncated).filter(Boolean).length / M,
    sampled,
  };
}

/** Host arrays of one policy-gradient update, [B, T] row-major. */
export interface UpdateBatch {
  B: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 on positions whose target is a completion token. */
  mask: Float32Array;
  /** The sampling policy's log-prob of that token (PPO's pi_old). */
  old: Float32Array;
  /** w_i on completion tokens (the estimator's per-sequence loss weight). */
  wm: Float32Array;
  /** A_i * w_i on completion tokens. */
  aw: Float32Array;
}

/**
 * The update batch of rows `rows` of `ro`: input = <bos> prompt completion (minus the last
 * token), targets shifted by one, completion positions weighted; T rounded up to 8, <= blockSize.
 */
export function updateBatch(ro: Rollouts, rows: number[], advantages: ArrayLike<number>, weights: ArrayLike<number>, blockSize: number, pad: number): UpdateBatch {
  const B = rows.length;
  const L = Math.max(...rows.map((i) => ro.promptTokens[i]!.length + ro.tokens[i]!.length - 1));
  const T = Math.min(blockSize, Math.ceil(L / 8) * 8);
  const u: UpdateBatch = {
    B,
    T,
    inputs: new Int32Array(B * T).fill(pad),
    targets: new Int32Array(B * T).fill(pad),
    mask: new Float32Array(B * T),
    old: new Float32Array(B * T),
    wm: new Float32Array(B * T),
    aw: new Float32Array(B * T),
  };
  rows.forEach((i, b) => {
    const seq = [...ro.promptTokens[i]!, ...ro.tokens[i]!];
    const pl = ro.promptTokens[i]!.length;
    for (let j = 0; j < seq.length - 1; j++) {
      u.inputs[b * T + j] = seq[j]!;
      u.targets[b * T + j] = seq[j + 1]!;
    }
    for (let k = 0; k < ro.tokens[i]!.length; k++) {
      if (ro.masks && ro.masks[i]![k] === 0) continue; // an environment reply: given, not learned
      const at = b * T + pl - 1 + k; // the position whose target is completion token k
      u.mask[at] = 1;
      u.old[at] = ro.logprobs[i]![k]!;
      u.wm[at] = weights[b]!;
      u.aw[at] = weights[b]! * advantages[i]!;
    }
  });
  return u;
}

/** What a rollout record says beyond the rollout itself. */
export interface RecordContext {
  G: number;
  run?: string;
  step: number;
  seed: number;
  algo: string;
  scheme: string;
  task: { name: string; version: number };
  difficulty: Record<string, unknown>;
  level: (problem: unknown) => string;
  /** Advantage of row i (group g). */
  advantage: (i: number, g: number) => number;
  /** Set for groups replaced by resampling: the id tag and the `discarded` flag. */
  discardedTag?: string;
}

export function rolloutRecords(x: Rollouts, c: RecordContext): RolloutRecord[] {
  const G = c.G;
  return x.tokens.map((toks, i) => {
    const g = Math.floor(i / G);
    return {
      id: `${c.run ?? 'run'}-rl${c.step}${c.discardedTag ?? ''}-g${g}-s${i % G}`,
      task: c.task.name,
      task_version: c.task.version,
      difficulty: c.difficulty,
      level: c.level(x.problems[g]),
      prompt: x.prompts[g]!,
      completion: x.texts[i]!,
      problem: x.problems[g],
      verdict: x.verdicts[i]!,
      group: g,
      sample: i % G,
      advantage: c.advantage(i, g),
      logprob: x.logprobs[i]!.reduce((a, b) => a + b, 0),
      tokens: toks.length,
      ...(c.discardedTag ? { discarded: true } : {}),
      provenance: { source: 'model', ...(c.run ? { run: c.run } : {}), step: c.step, seed: c.seed, algo: c.algo, scheme: c.scheme },
    };
  });
}
