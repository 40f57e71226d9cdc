// Typed events the training core emits. The CLI prints and writes them, the worker forwards them
// to the UI; the core itself never touches a console or a DOM.

import type { Verdict } from '../tasks/types.ts';

export type Phase = 'sft' | 'rl';

export interface StepEvent {
  type: 'step';
  phase: Phase;
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  /** Positions processed per second (B*T per step), averaged since the last step event. */
  tokens_per_s: number;
  elapsed_s: number;
}

export interface EvalEvent {
  type: 'eval';
  phase: Phase;
  step: number;
  split: 'test' | 'val';
  n: number;
  greedy_acc: number;
  sampled_acc: number;
  temperature: number;
  format_rate: number;
  truncated_rate: number;
  elapsed_s: number;
}

export interface SampleEvent {
  type: 'sample';
  phase: Phase;
  step: number;
  mode: 'greedy' | 'sampled';
  prompt: string;
  completion: string;
  verdict: Verdict;
}

export interface WarningEvent {
  type: 'warning';
  phase: Phase;
  step: number;
  message: string;
}

export interface PhaseEvent {
  type: 'phase';
  phase: Phase;
  step: number;
}

export interface DoneEvent {
  type: 'done';
  phase: Phase;
  step: number;
  reason: 'finished' | 'stopped' | 'diverged';
  elapsed_s: number;
}

export type TrainEvent = StepEvent | EvalEvent | SampleEvent | WarningEvent | PhaseEvent | DoneEvent;
export type EventSink = (e: TrainEvent) => void | Promise<void>;
