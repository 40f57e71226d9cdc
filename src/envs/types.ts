// The environment interface: a multi-turn sibling of `Task`. The model acts (calls a tool, makes a
// guess), the environment answers, and a terminal check decides. Its own folder, not src/tasks/,
// because an episode carries state across turns and a runner (turn limit, token budget, records)
// that single-turn tasks never need; it reuses the task vocabulary (Verdict, Check, Knob, configs
// validated by the task registry, problems drawn by `problemAt`). Pure: no tfjs, no Node, no eval.

import type { ProblemSource, Verdict } from '../tasks/types.ts';

/** Who wrote a turn of the transcript. Environment turns are never trained on (loss mask 0). */
export type Role = 'model' | 'env';

export interface Turn {
  role: Role;
  text: string;
}

/** Why an episode was cut: the turn limit, the token budget, or not at all. */
export type Truncation = 'turns' | 'tokens' | null;

/** One tool call as the records and the inspector show it. */
export interface ToolCall {
  /** Index of the model turn in `turns` that made the call. */
  turn: number;
  /** What the model asked (e.g. the expression inside <calc>), at most 200 characters. */
  input: string;
  /** The environment's whole reply, e.g. `<res>056088</res>` or `<res>error: ...</res>`. */
  output: string;
  ok: boolean;
}

export interface StepResult<S> {
  state: S;
  /** Appended verbatim after the action ('' for none); plain ASCII the char tokenizer encodes. */
  observation: string;
  /** The episode is over (an answer, a solve); the runner also ends it at its limits. */
  done: boolean;
  /** The tool call this action made, if it made one (malformed calls included). */
  call?: { input: string; ok: boolean };
}

export interface EnvLimits {
  /** Model turns allowed; the episode ends after this many whatever the model does. */
  maxTurns: number;
  /** Tokens the whole transcript may hold (prompt and every turn; <bos>/<eos> excluded). */
  maxTokens: number;
}

export interface JudgeOptions {
  truncation: Truncation;
  scheme?: string;
}

/**
 * An environment over problems `P`, configs `C` and episode states `S`. Every method is a pure
 * function: the state is plain JSON data passed in and returned, so an episode can be replayed,
 * checkpointed or run as G copies in a batch. Randomness only in `generate` (through `rng`), so
 * episodes are deterministic per (seed, index) like task problems.
 */
export interface Environment<P = unknown, C extends object = Record<string, unknown>, S = unknown> extends ProblemSource<P, C> {
  /** Difficulty level for per-level metrics (e.g. "5 guesses"). */
  level(p: P, cfg: C): string;
  /**
   * Tags that end an action: the sampler stops right after the first one it writes, calls `step`,
   * appends the observation and continues. An action that ends without one (the model wrote
   * <eos>) ends the episode without a step.
   */
  actionEnds: readonly string[];
  /** Tags only the environment writes: a model turn containing one is a forgery. */
  envTags: readonly string[];
  limits(cfg: C): EnvLimits;
  /** Longest observation `step` can return, in tokens (the runner keeps room for it). */
  maxObservationLength(cfg: C): number;
  /** Start an episode: the state and the first observation (the prompt). */
  reset(p: P, cfg: C): { state: S; observation: string };
  /** The environment's answer to one action (which ends with one of `actionEnds`). Never throws on model text. */
  step(p: P, state: S, action: string, cfg: C): StepResult<S>;
  /**
   * The terminal verdict: named checks with reasons, the reward under `opts.scheme`. `completion`
   * is everything after the prompt (model and environment turns joined).
   */
  judge(p: P, state: S, completion: string, cfg: C, opts: JudgeOptions): Verdict;
  /** The gold policy's next action in `state` (gold trajectories are this policy run to the end). */
  gold(p: P, state: S, cfg: C): string;
}

/** Any environment, types erased (the registry's view). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEnv = Environment<any, any, any>;
