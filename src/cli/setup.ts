// Shared CLI plumbing: backend selection in Node (WebGPU through Dawn when a GPU is there; wasm on
// one thread per core, or REASONLAB_THREADS of them).

import { BACKENDS, describeBackend, initBackend, type BackendChoice, type BackendInfo } from '../backend.ts';
import { installNodeWebGPU } from '../backend/node-webgpu.ts';
import { nodeWasmHooks } from '../backend/node-wasm-threads.ts';
import { UserError } from './args.ts';

export async function setupBackend(choice: string | undefined): Promise<BackendInfo> {
  const c = (choice ?? 'auto') as BackendChoice;
  if (c !== 'auto' && !(BACKENDS as readonly string[]).includes(c)) {
    throw new UserError(`--backend must be one of auto, ${BACKENDS.join(', ')}; got "${choice}"`);
  }
  try {
    const info = await initBackend(c, { provideWebGPU: () => installNodeWebGPU(), ...nodeWasmHooks() });
    return info;
  } catch (e) {
    throw new UserError((e as Error).message);
  }
}

export function backendLine(b: BackendInfo): string {
  const skipped = b.skipped.length ? ` (skipped: ${b.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
  return `backend: ${describeBackend(b)}${skipped}`;
}

export function fmtDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
