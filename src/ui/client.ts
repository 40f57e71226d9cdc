// The UI's handle on the training worker: a module Worker wrapped with comlink. Only the worker's
// types are imported here (`import type`); tfjs and the training core never load on this thread.

import { proxy, releaseProxy, wrap, type Remote } from 'comlink';
import type { TrainerApi } from '../worker/worker.ts';
import type { Update } from '../worker/protocol.ts';

export type Api = Remote<TrainerApi>;

export interface Client {
  api: Api;
  close(): void;
}

export function createClient(onUpdate: (u: Update) => void): Client {
  const worker = new Worker(new URL('../worker/worker.ts', import.meta.url), { type: 'module', name: 'reasonlab-trainer' });
  const api = wrap<TrainerApi>(worker);
  void api.subscribe(proxy(onUpdate));
  let closed = false;
  return {
    api,
    close() {
      if (closed) return;
      closed = true;
      api[releaseProxy]();
      worker.terminate();
    },
  };
}

/** A thrown error (from the worker or here) as one readable line: the message, no stack. */
export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : typeof e === 'object' && e && 'message' in e ? String((e as { message: unknown }).message) : String(e);
  return m.split('\n')[0]!.replace(/^(Config|Record|Checkpoint|Storage)Error: /, '');
}
