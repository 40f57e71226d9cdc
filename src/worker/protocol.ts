// What the worker sends the UI, as plain types (no runtime code): run states, the metric batches
// (numeric columns as Float64Array, transferred), stored-run summaries and the backend report.
// The UI imports this file with `import type` only; the worker owns everything that computes it.

import type { BackendName } from '../backend.ts';
import type { RunConfig } from '../run-config.ts';
import type { TrainEvent } from '../train/events.ts';
import type { Verdict } from '../tasks/types.ts';
import type { Turn } from '../envs/types.ts';
import type { TurnTags } from '../envs/transcript.ts';

/**
 * `interrupted` is only ever stored, never live: a run that was starting/running when its tab went
 * away (reload, close, crash). It resumes from its last checkpoint like a paused run.
 */
export type RunState = 'idle' | 'starting' | 'running' | 'paused' | 'interrupted' | 'stopped' | 'done' | 'error';

export interface BackendReport {
  name: BackendName;
  adapter: string | null;
  software: boolean;
  skipped: { name: BackendName; reason: string }[];
  /** wasm: the threads it runs on; null on other backends. */
  threads: number | null;
  /** wasm on 1 thread: why not more. */
  threadsNote: string | null;
}

/** Numeric columns of one event type (step, eval, rl_step, passk, ...); nested fields are dotted. */
export interface Columns {
  n: number;
  cols: Record<string, Float64Array>;
}

/** A sample or rollout shown in the inspector. */
export interface SampleRow {
  kind: 'sample' | 'rollout';
  step: number;
  phase: 'sft' | 'rl';
  prompt: string;
  completion: string;
  verdict: Verdict;
  advantage?: number;
  mode?: string;
  /** Environments: the episode's turns (turns[0] the prompt) and the tags that mark calls and replies. */
  turns?: Turn[];
  tags?: TurnTags;
}

/** One batch of progress for the run `runId`; `reset` replaces what the UI holds for it. */
export interface MetricBatch {
  runId: string;
  reset: boolean;
  series: Record<string, Columns>;
  samples: SampleRow[];
  /** Phase changes (step at which a phase begins), in order. */
  phases: { phase: 'sft' | 'rl'; step: number }[];
  warnings: string[];
}

/** Where the worker's run stands (the session's own part of the status). */
export interface RunStatus {
  runId: string | null;
  state: RunState;
  step: number;
  phase: 'sft' | 'rl';
  /** Total steps the run is heading for (SFT + RL as configured). */
  total: number;
  /** Message for the error banner (user-readable, never a stack). */
  message: string | null;
  /** Step of the newest checkpoint saved in the browser, -1 when none. */
  savedStep: number;
  stepMode: boolean;
  /** 'dpo': a "Train on my ratings" run (steps are DPO steps); absent for SFT / RL runs. */
  stage?: 'dpo';
}

/**
 * The worker's whole status: the run's, plus what the worker holds between runs. The UI keeps no
 * copy of these: a fresh worker (after a restart) answers with its own, so nothing stale stays.
 */
export interface StatusUpdate extends RunStatus {
  /** The uploaded or shipped data the next run trains on; null: the generator. */
  dataset: DatasetInfo | null;
  /** What separates trace steps in the run's task (the default one when no run was started). */
  stepSeparator: string;
}

/** What a session sends; the worker adds its own part to each status before the UI sees it. */
export type SessionUpdate = { kind: 'metrics'; batch: MetricBatch } | { kind: 'status'; status: RunStatus };
export type Update = { kind: 'metrics'; batch: MetricBatch } | { kind: 'status'; status: StatusUpdate };

export interface RunSummary {
  id: string;
  name: string;
  created: number;
  updated: number;
  cfg: RunConfig;
  state: RunState;
  step: number;
  phase: 'sft' | 'rl';
  savedStep: number;
  /** Steps the run is heading for (SFT cut short by Switch to RL ends sooner than its config says); absent in runs stored before it was kept. */
  total?: number;
  backend: string;
  /** Stored held-out greedy accuracy of the last evaluation, when any. */
  lastAcc: number | null;
  datasetName: string | null;
  /** A DPO run trained on a run's ratings (worker/dpo-session.ts); absent for SFT / RL runs. */
  pref?: PrefRunInfo;
}

/** Where a DPO run came from: the run, its checkpoint step, the pairs and the knobs. */
export interface PrefRunInfo {
  stage: 'dpo';
  fromRun: string;
  fromName: string;
  fromStep: number;
  /** Decided pairs used (train + held out) and ties left out. */
  pairs: number;
  ties: number;
  beta: number;
  lr: number;
}

export type EventOf<T extends TrainEvent['type']> = Extract<TrainEvent, { type: T }>;

export interface ResolvedConfig {
  cfg: RunConfig;
  /** The config as URL/CLI parameters that differ from the defaults (applyOverrides keys). */
  params: Record<string, string>;
  /** The keys of `params` that are task knobs (dropped when the task changes). */
  taskKeys: string[];
  /** Positions per sequence and parameter count, for the model summary line. */
  blockSize: number;
  paramCount: number;
}

export interface TaskInfo {
  name: string;
  description: string;
  defaults: Record<string, unknown>;
  knobs: Record<string, { min: number; max: number; integer: boolean; help: string }>;
  options: Record<string, readonly string[]>;
  /** What separates the trace's steps (the inspector splits on it). */
  stepSeparator: string;
}

export interface AppInfo {
  defaults: RunConfig;
  /** The app's own defaults over the CLI's (nano preset, small eval) as parameters. */
  appParams: Record<string, string>;
  tasks: TaskInfo[];
  presets: Record<string, { nLayer: number; nHead: number; nEmbd: number }>;
  schemes: readonly string[];
  algos: readonly string[];
}

export interface DatasetInfo {
  name: string;
  task: string;
  count: number;
}

export interface BrowsedRecord {
  id: string;
  prompt: string;
  completion: string;
  verdict: Verdict | null;
  source: string;
  /** Environments: the gold trajectory's turns and tags (as SampleRow). */
  turns?: Turn[];
  tags?: TurnTags;
}

/** A run's ratings as the Rate panel opens it. */
export interface RateInfo {
  stored: number;
  /** The next pair number of the run's rating stream. */
  next: number;
  task: string;
  /** The checkpoint step pairs are sampled from (-1: none saved yet). */
  savedStep: number;
}
