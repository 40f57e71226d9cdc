// The task interface: every toy reasoning task is pure and deterministic per (seed, index),
// produces a prompt and a gold completion (reasoning trace + final answer), and verifies a
// completion exactly. Tasks never import tfjs; the verifier is the reward of the RL stage.

import type { Rng } from '../rng.ts';

/** One named check inside a verdict (format, outcome, a reasoning step, ...). */
export interface Check {
  name: string;
  passed: boolean;
  /** Human-readable reason, e.g. "expected 132, got 131". */
  detail: string;
}

export interface Verdict {
  /**
   * Format right and answer right, whatever the steps: what the outcome rewards pay. Never granted
   * when the format is broken. Not the headline accuracy: see `fully_correct`.
   */
  correct: boolean;
  /**
   * Every check passed: format, every reasoning step and the answer. This is what "accuracy"
   * means in eval rows and summaries; `correct && !fully_correct` is "right answer, wrong steps".
   */
  fully_correct: boolean;
  format_ok: boolean;
  /** The completion hit the length limit before finishing its answer. */
  truncated: boolean;
  /** The single parsed final answer, or null when there is none (or more than one). */
  answer: string | null;
  checks: Check[];
  /** First wrong reasoning step (1-based) when the task has steps and one is wrong. */
  first_wrong_step: { step: number; reason: string } | null;
  /** Reward under `scheme`, computed from the checks. */
  reward: number;
  scheme: string;
}

/** The gold reasoning for a problem. */
export interface Gold {
  trace: string;
  answer: string;
}

/** Description of a numeric config knob, for validation messages and UIs. */
export interface Knob {
  min: number;
  max: number;
  integer: boolean;
  help: string;
}

/**
 * What tasks and environments (src/envs/types.ts) share: a name and version, configs with knobs,
 * a curriculum, and seeded problems with a canonical form for the held-out split.
 */
export interface ProblemSource<P = unknown, C extends object = Record<string, unknown>> {
  name: string;
  /** Bump when generation, the layout or the checking changes meaning; stored in records and checkpoints. */
  version: number;
  description: string;
  defaults: C;
  /** Difficulty curriculum: knob overrides from easiest to hardest (how the knobs grow). */
  curriculum: Partial<C>[];
  /** Numeric knobs with ranges; enum-like string options live in `options`. */
  knobs: Record<string, Knob>;
  options: Record<string, readonly string[]>;
  /** Cross-field rules the per-knob ranges cannot say; returns a message or null. */
  check?(cfg: C): string | null;
  /** One random problem. Must use only `rng`. */
  generate(rng: Rng, cfg: C): P;
  /** Canonical form: equal problems (however presented) give the same string. Used for splits. */
  canonical(p: P): string;
}

export interface Task<P = unknown, C extends object = Record<string, unknown>> extends ProblemSource<P, C> {
  prompt(p: P, cfg: C): string;
  gold(p: P, cfg: C): Gold;
  /** Longest prompt (in tokens, <bos> excluded) the config can produce. */
  maxPromptLength(cfg: C): number;
  /** Longest gold completion (in characters/tokens) the config can produce, tags included. */
  maxCompletionLength(cfg: C): number;
  /** Check a completion; `truncated` comes from the sampler. */
  verify(p: P, completion: string, cfg: C, opts?: { truncated?: boolean; scheme?: string }): Verdict;
  /**
   * The difficulty level of one problem, for per-level metrics (e.g. "3 digits"). Optional: the
   * default is the number of steps in the gold trace, split on `stepSeparator` (see `levelOf`).
   */
  level?(p: P, cfg: C): string;
  /** What separates the steps of a trace (default ','); knights-knaves uses ';' between steps. */
  stepSeparator?: string;
}

/** Any task, with its problem and config types erased (the registry's view). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTask = Task<any, any>;
