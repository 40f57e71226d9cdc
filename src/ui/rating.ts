// The Rate panel's own state as a pure reducer: the queue of sampled pairs (the first one is on
// screen, the rest are prefetched), the ratings of this sitting (a stack, so the last one can be
// undone: its pair comes back on screen), and the counters. The panel owns this state: nothing
// else on the page reads it, so it stays out of the app reducer (state.ts). Pure: no React.

import type { PreferenceRecord } from '../records/preference.ts';
import type { RatePair } from '../records/human.ts';

export interface RateState {
  /** queue[0] is on screen; the rest are ready for the next keypresses. */
  queue: readonly RatePair[];
  /** Ratings of this sitting, newest last: what undo takes back. */
  done: readonly { pair: RatePair; id: string }[];
  /** Ratings stored for the run (this sitting, earlier ones and imports). */
  stored: number;
  skipped: number;
  /** The next pair number to ask the worker for. */
  next: number;
  /** Pairs asked for and not yet arrived. */
  pending: number;
}

export type RateAction =
  | { type: 'reset'; stored: number; next: number }
  | { type: 'asked'; count: number }
  | { type: 'arrived'; pairs: readonly RatePair[]; asked: number }
  | { type: 'rated'; record: PreferenceRecord | null }
  | { type: 'undone' }
  | { type: 'stored'; stored: number };

/** Keep this many pairs ready behind the one on screen. */
export const PREFETCH = 3;
/** Pairs per request: one sampling batch of 2 x BATCH rows. */
export const BATCH = 4;

export const initialRate = (stored = 0, next = 0): RateState => ({ queue: [], done: [], stored, skipped: 0, next, pending: 0 });

export function rateReducer(s: RateState, a: RateAction): RateState {
  switch (a.type) {
    case 'reset':
      return initialRate(a.stored, a.next);
    case 'asked':
      return { ...s, pending: s.pending + a.count, next: s.next + a.count };
    case 'arrived':
      return { ...s, queue: [...s.queue, ...a.pairs], pending: Math.max(0, s.pending - a.asked) };
    case 'rated': {
      const [pair, ...rest] = s.queue;
      if (!pair) return s;
      if (!a.record) return { ...s, queue: rest, skipped: s.skipped + 1 };
      return { ...s, queue: rest, done: [...s.done, { pair, id: a.record.id }], stored: s.stored + 1 };
    }
    case 'undone': {
      const last = s.done[s.done.length - 1];
      if (!last) return s;
      return { ...s, queue: [last.pair, ...s.queue], done: s.done.slice(0, -1), stored: Math.max(0, s.stored - 1) };
    }
    case 'stored':
      return { ...s, stored: a.stored };
  }
}

/** How many pairs to ask for now (0: enough are ready or on the way). */
export function toRequest(s: RateState): number {
  const ready = Math.max(0, s.queue.length - 1) + s.pending;
  return ready < PREFETCH && s.pending === 0 ? BATCH : 0;
}
