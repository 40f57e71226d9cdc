// What the page keeps across a reload beside the runs themselves (IndexedDB, in the worker): the
// ids of the runs overlaid in the charts, and the demo on screen with the runs it still has to
// start. localStorage, one small JSON value; a broken or missing value reads as nothing kept.

import { DEMOS, type Demo } from './demos.ts';

const KEY = 'reasonlab.ui';

export interface Kept {
  compare: string[];
  /** The demo on screen and the names of its runs still to start. */
  demo: { id: string; queue: string[] } | null;
}

const NOTHING: Kept = { compare: [], demo: null };

export function loadKept(): Kept {
  try {
    const o = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Kept> | null;
    if (!o || typeof o !== 'object') return NOTHING;
    const compare = Array.isArray(o.compare) ? o.compare.filter((x): x is string => typeof x === 'string') : [];
    const d = o.demo;
    const demo = d && typeof d.id === 'string' && Array.isArray(d.queue) ? { id: d.id, queue: d.queue.filter((x): x is string => typeof x === 'string') } : null;
    return { compare, demo };
  } catch {
    return NOTHING;
  }
}

export function saveKept(k: Kept): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(k));
  } catch {
    // Storage refused (private mode, quota): the overlay is simply not kept.
  }
}

/** The kept demo and its queued runs, as the app's demo list has them now (null if it is gone). */
export function keptDemo(k: Kept): { demo: Demo; queue: Demo['runs'] } | null {
  const demo = DEMOS.find((d) => d.id === k.demo?.id);
  if (!demo || !k.demo) return null;
  return { demo, queue: demo.runs.filter((r) => k.demo!.queue.includes(r.name)) };
}
