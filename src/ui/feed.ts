// Paces the worker's updates into the UI: they are collected and handed over together at most
// every ~100 ms (in an animation frame), so a run sending a status every step re-renders the page
// ~10 times a second, not per step. A change of run state is handed over at once (buttons follow it).

import type { Update } from '../worker/protocol.ts';

export type Schedule = (flush: () => void) => void;

/** In the browser: after ~100 ms, then in the next animation frame. */
export const frameSchedule: Schedule = (flush) => void setTimeout(() => requestAnimationFrame(flush), 100);

export class UpdateFeed {
  private pending: Update[] = [];
  private scheduled = false;
  private lastState: string | null = null;
  /** Bumped by `clear()`: a flush scheduled before it hands over nothing. */
  private epoch = 0;

  constructor(
    private deliver: (updates: Update[]) => void,
    private schedule: Schedule = frameSchedule,
  ) {}

  push(u: Update): void {
    this.pending.push(u);
    if (u.kind === 'status' && u.status.state !== this.lastState) {
      this.lastState = u.status.state;
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      const epoch = this.epoch;
      this.schedule(() => {
        if (epoch !== this.epoch) return;
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Hand over everything collected now. */
  flush(): void {
    if (!this.pending.length) return;
    const us = this.pending;
    this.pending = [];
    this.deliver(us);
  }

  /** Drop what is collected (the worker that sent it is gone). */
  clear(): void {
    this.pending = [];
    this.scheduled = false;
    this.lastState = null;
    this.epoch++;
  }
}
