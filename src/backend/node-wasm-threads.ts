// Node-only: lets tfjs-wasm run its threaded SIMD build. tfjs turns threads off in Node, and its
// emscripten glue would start each pthread worker from a `blob:` URL, which Node's worker_threads
// cannot load. Here the worker starts from the glue's own worker source (eval), and loads the
// threaded module from its file in node_modules instead of the Blob tfjs builds for browsers.

import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import type { NodeWasmThreads } from '../backend.ts';

const require = createRequire(import.meta.url);

interface WorkerLike {
  postMessage(msg: unknown, transfer?: unknown): void;
  ref(): void;
  unref(): void;
}

interface WorkerModule {
  Worker: new (file: string | URL, opts?: Record<string, unknown>) => WorkerLike;
}

let patched = false;
/** The pthread workers started so far. */
const started: WorkerLike[] = [];
/**
 * Set once the backend is up. emscripten refs a worker while its pthread runs, and XNNPACK's pool
 * threads run (parked) for the life of the module, so they would keep Node from ever exiting; all
 * the work they do is waited for synchronously by the main thread, so unref'd they lose nothing.
 */
let detached = false;

/** Replace worker_threads.Worker (as the glue's `require` sees it) by one that handles blob: URLs. */
function patchWorkerThreads(): void {
  if (patched) return;
  const wt = require('node:worker_threads') as WorkerModule;
  // The worker source tfjs would put in a Blob. Its string literals hold "\n" that the template
  // string made real newlines; tfjs escapes them again before making the Blob, so do the same.
  const source = (require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as { wasmWorkerContents: string }).wasmWorkerContents.replace(/\n/g, '\\n');
  // The same module the main thread runs (same package version), as a file the worker can read.
  const mainScript = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const Base = wt.Worker;
  class FileWorker extends Base {
    constructor(file: string | URL, opts?: Record<string, unknown>) {
      if (String(file).startsWith('blob:')) super(source, { ...opts, eval: true });
      else super(file, opts);
      started.push(this);
      if (detached) this.unref();
    }
    override ref(): void {
      if (!detached) super.ref();
    }
    override postMessage(msg: unknown, transfer?: unknown): void {
      // The glue sends the module to load as `urlOrBlob`: a Blob from tfjs, which the worker would
      // read with fs; give it the file instead.
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      if (m?.cmd === 'load' && typeof m.urlOrBlob !== 'string') msg = { ...m, urlOrBlob: mainScript };
      super.postMessage(msg, transfer);
    }
  }
  wt.Worker = FileWorker;
  patched = true;
}

/**
 * The hooks initBackend needs for threads in Node. `setup(threads)` runs just before tfjs
 * initialises wasm; the undo it returns runs right after.
 */
export function nodeWasmThreads(): NodeWasmThreads {
  return {
    cores: cpus().length,
    setup(threads: number): () => void {
      patchWorkerThreads();
      // tfjs sizes its pool as min(requested, logical cores / 2) (it assumes two hyperthreads per
      // core), read once while the module starts: report 2 x threads so the requested count holds.
      const os = require('node:os') as { cpus: () => unknown[] };
      const real = os.cpus;
      os.cpus = () => Array.from({ length: 2 * threads }, () => real()[0]);
      return () => {
        os.cpus = real;
        detached = true;
        for (const w of started) w.unref();
      };
    },
  };
}

/** The thread count asked for in REASONLAB_THREADS (0 or unset: one per core; 1: single-threaded SIMD build). */
export function wasmThreadsFromEnv(env: Record<string, string | undefined> = process.env): number | undefined {
  const v = env.REASONLAB_THREADS?.trim();
  if (!v) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`REASONLAB_THREADS must be a whole number >= 0 (0 = one per core, 1 = single-threaded), got "${v}"`);
  return n;
}

/** initBackend hooks for wasm in Node: threads per REASONLAB_THREADS, pthreads started from files. */
export function nodeWasmHooks(): { wasmThreads?: number; nodeWasmThreads: NodeWasmThreads } {
  const wasmThreads = wasmThreadsFromEnv();
  return { ...(wasmThreads !== undefined ? { wasmThreads } : {}), nodeWasmThreads: nodeWasmThreads() };
}
