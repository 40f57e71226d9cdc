// The UI's handle on the training worker: a module Worker wrapped with comlink. Only the worker's
// types are imported here (`import type`); tfjs and the training core never load on this thread.
//
// One worker per page, created on first use and kept at module level, so React StrictMode's
// mount -> unmount -> mount (and any remount) reuses it instead of racing a second worker. The
// worker gets one proxied callback for its whole life; it forwards to whichever handler the
// mounted app registered. Proxies are never released while the worker lives: `restartWorker()`
// (after a lost GPU device) terminates the worker, which frees both ends. Updates reach the
// handler through a feed that paces them (feed.ts).

import { proxy, wrap, type Remote } from 'comlink';
import type { TrainerApi } from '../worker/worker.ts';
import type { Update } from '../worker/protocol.ts';
import { UpdateFeed } from './feed.ts';

export type Api = Remote<TrainerApi>;

export interface Client {
  api: Api;
  /** Increases with every new worker (a restart), so views can tell a fresh worker from the old one. */
  generation: number;
}

let handler: ((us: Update[]) => void) | null = null;
let client: Client | null = null;
let worker: Worker | null = null;
let generation = 0;
const feed = new UpdateFeed((us) => handler?.(us));

function dispatch(u: Update): void {
  feed.push(u);
}

/** Pass an update the app got as a call's answer (a status) down the same ordered feed. */
export function feedUpdate(u: Update): void {
  feed.push(u);
}

/** The page's worker, created on first use. */
export function getClient(): Client {
  if (client) return client;
  worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'reasonlab-trainer' });
  const api = wrap<TrainerApi>(worker);
  void api.subscribe(proxy(dispatch)).catch(() => undefined);
  client = { api, generation: ++generation };
  // Test hook (test/e2e/device-loss.e2e.ts): destroy the WebGPU device, as a driver reset would.
  (globalThis as { __reasonlabLoseDevice?: () => Promise<boolean> }).__reasonlabLoseDevice = () => getClient().api.loseDevice();
  return client;
}

/** Route the worker's updates to `h` (the mounted app); returns an unsubscribe that is safe to call late. */
export function setUpdateHandler(h: (us: Update[]) => void): () => void {
  handler = h;
  return () => {
    if (handler === h) handler = null;
  };
}

/** End the worker and start a fresh one (its backend is unusable after a lost GPU device). */
export function restartWorker(): Client {
  worker?.terminate();
  feed.clear();
  worker = null;
  client = null;
  return getClient();
}

/** A thrown error (from the worker or here) as one readable line: the message, no stack. */
export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  return pageText(m.split('\n')[0]!.replace(/^(Config|Record|Checkpoint|Storage)Error: /, ''));
}

/**
 * The worker's config errors are written for the CLI ("--lr: expected a number", "see `reasonlab
 * train --help`"): in the page they name the setting as the form and the link do.
 */
export function pageText(m: string): string {
  return m.replace(/\s*\(see `reasonlab[^)]*\)/g, '').replace(/(setting )?--([A-Za-z][\w.]*)/g, (_all, _s, k: string) => `setting "${k}"`);
}
