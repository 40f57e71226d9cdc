// Pick and initialise a TensorFlow.js backend, and say which one runs and why the others did not.
// Browser order: webgpu -> webgl -> wasm -> cpu. Node: webgpu when Dawn finds a hardware adapter,
// else wasm (the fastest here on a CPU) -> cpu. tf.setBackend falls back silently, so every
// choice is checked with tf.getBackend(). wasm runs its threaded build on one thread per core
// where it can (browser: a cross-origin isolated page; Node: the nodeWasmThreads hook).

import * as tf from '@tensorflow/tfjs';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = BackendName | 'auto';

export interface BackendInfo {
  name: BackendName;
  /** Adapter/device description when known (WebGPU), e.g. "mesa / software / llvmpipe". */
  adapter: string | null;
  /** Software (fallback) adapter: WebGPU runs on the CPU. */
  software: boolean;
  /** Backends tried before this one, with the reason each was not used. */
  skipped: { name: BackendName; reason: string }[];
  /** wasm: the threads XNNPACK runs on (1 = the single-threaded SIMD build); null on other backends. */
  threads: number | null;
  /** wasm with 1 thread: why not more (e.g. the page is not cross-origin isolated). */
  threadsNote: string | null;
}

/** Node's part of wasm threads (backend/node-wasm-threads.ts; the browser needs no hook). */
export interface NodeWasmThreads {
  /** Logical CPU cores. */
  cores: number;
  /** Called just before tfjs starts the threaded module; returns what undoes its temporary patches. */
  setup(threads: number): () => void;
}

export interface BackendHooks {
  /** Node only: make navigator.gpu available (see backend/node-webgpu.ts). */
  provideWebGPU?: () => Promise<{ ok: true; adapter: string } | { ok: false; reason: string }>;
  /** Browser only: where the tfjs wasm binaries are served from. */
  wasmPaths?: string | Record<string, string>;
  /** wasm threads: 1 runs the single-threaded SIMD build; 0 or absent: one per logical core, at most 8. */
  wasmThreads?: number;
  /** Node only: without it Node runs wasm on one thread (tfjs's default there). */
  nodeWasmThreads?: NodeWasmThreads;
}

/** tfjs pre-creates 8 pthread workers and never uses more. */
export const MAX_WASM_THREADS = 8;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|fallback/i;

interface Prepared {
  adapter: string | null;
  /** Runs once tfjs has initialised the backend (or failed to). */
  done?: () => void;
  /** wasm: why it runs single-threaded when it does. */
  threadsNote?: string | null;
}

/**
 * Make tfjs-wasm load its threaded SIMD build with `hooks.wasmThreads` threads where it can.
 * tfjs sizes the pool as min(requested, logical cores / 2), read from navigator.hardwareConcurrency
 * (os.cpus() in Node) while the module starts: on a 2-core machine that is 1 thread whatever is
 * asked. So the core count is reported as 2 x threads for that moment, then restored.
 */
function prepareWasmThreads(hooks: BackendHooks, setThreadsCount: (n: number) => void): Omit<Prepared, 'adapter'> {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const cores = hooks.nodeWasmThreads?.cores ?? nav?.hardwareConcurrency ?? 1;
  const asked = hooks.wasmThreads ?? 0;
  if (!Number.isInteger(asked) || asked < 0) throw new Error(`wasm threads must be a whole number >= 0 (0 = one per core), got ${asked}`);
  const threads = Math.min(asked || cores, MAX_WASM_THREADS);
  if (threads <= 1) {
    // One thread: the plain SIMD build, without the shared memory and atomics of the threaded one.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return { threadsNote: asked === 1 ? 'one thread asked for' : 'one logical core' };
  }
  setThreadsCount(threads);
  if (isNode) {
    if (!hooks.nodeWasmThreads) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      return { threadsNote: 'threads are not set up here (pass nodeWasmThreads)' };
    }
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    return { done: hooks.nodeWasmThreads.setup(threads), threadsNote: null };
  }
  if (!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
    // Without isolation there is no SharedArrayBuffer; tfjs detects that and loads the SIMD build.
    return { threadsNote: 'the page is not cross-origin isolated (no SharedArrayBuffer); see docs/DEPLOY.md' };
  }
  if (!nav) return { threadsNote: null };
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => 2 * threads });
  return { done: () => void delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency, threadsNote: null };
}

async function prepare(name: BackendName, hooks: BackendHooks): Promise<Prepared> {
  if (name === 'webgpu') {
    let adapter: string | null = null;
    if (hooks.provideWebGPU) {
      const r = await hooks.provideWebGPU();
      if (!r.ok) throw new Error(r.reason);
      adapter = r.adapter;
    }
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (!nav?.gpu) throw new Error('navigator.gpu is not available (this browser or worker has no WebGPU)');
    await import('@tensorflow/tfjs-backend-webgpu');
    return { adapter };
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (hooks.wasmPaths) wasm.setWasmPaths(hooks.wasmPaths as string);
    // tfjs initialises wasm once per process; later calls only switch to it.
    if (wasmStarted) return { adapter: null, threadsNote: wasmStarted.threadsNote };
    const p = prepareWasmThreads(hooks, wasm.setThreadsCount);
    wasmStarted = { threadsNote: p.threadsNote ?? null };
    return { adapter: null, ...p };
  }
  if (name === 'webgl' && isNode) throw new Error('WebGL is not available in Node');
  return { adapter: null };
}

let wasmStarted: { threadsNote: string | null } | null = null;

/** The threads tfjs-wasm runs on, once it is initialised. */
async function wasmThreadCount(): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  return wasm.getThreadsCount();
}

async function adapterInfo(): Promise<{ description: string | null; software: boolean }> {
  try {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    const adapter = await gpu?.requestAdapter();
    if (!adapter) return { description: null, software: false };
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    const description = [info.vendor, info.architecture, info.description || info.device].filter(Boolean).join(' / ') || 'unknown adapter';
    const software = !!info.isFallbackAdapter || !!(adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter || SOFTWARE_ADAPTER.test(description);
    return { description, software };
  } catch {
    return { description: null, software: false };
  }
}

/** The WebGL renderer string of the active webgl backend (e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader ...))"). */
function webglRenderer(): string | null {
  try {
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const r = gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) as unknown;
    return typeof r === 'string' && r ? r : null;
  } catch {
    return null;
  }
}

/**
 * Initialise the first backend of `choice` (or of the default order) that works.
 * An explicit choice that fails throws, with the reason: it never silently runs elsewhere.
 */
export async function initBackend(choice: BackendChoice, hooks: BackendHooks = {}): Promise<BackendInfo> {
  const order: BackendName[] = choice !== 'auto' ? [choice] : isNode ? ['webgpu', 'wasm', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu'];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    try {
      const prep = await prepare(name, hooks);
      let adapter = prep.adapter;
      try {
        if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
        await tf.ready();
      } finally {
        prep.done?.();
      }
      if (tf.getBackend() !== name) throw new Error(`asked for ${name}, tfjs runs ${tf.getBackend()}`);
      const threads = name === 'wasm' ? await wasmThreadCount() : null;
      const threadsNote = threads === 1 ? (prep.threadsNote ?? null) : null;
      let software = false;
      if (name === 'webgpu') {
        const a = await adapterInfo();
        adapter = a.description ?? adapter;
        software = a.software;
      }
      if (name === 'webgl') {
        adapter = webglRenderer();
        software = adapter !== null && SOFTWARE_ADAPTER.test(adapter);
      }
      // A software GPU (SwiftShader, llvmpipe, lavapipe) runs on the CPU far slower than wasm does
      // (measured: WebGPU on SwiftShader ~90 tokens/s, WebGL ~1.2k, wasm ~11k; docs/BROWSER-BENCH.json):
      // auto passes it over and says so. An explicit choice still gets it.
      if (choice === 'auto' && software && order.includes('wasm')) {
        skipped.push({ name, reason: `software adapter (${adapter}); wasm is faster on a CPU` });
        continue;
      }
      return { name, adapter, software, skipped, threads, threadsNote };
    } catch (e) {
      const reason = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      if (choice !== 'auto') throw new Error(`backend ${name} is not available: ${reason}`);
      skipped.push({ name, reason });
    }
  }
  throw new Error(`no TensorFlow.js backend works here: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

export function describeBackend(b: BackendInfo): string {
  const threads = b.threads === null ? '' : ` (${threadsText(b.threads)}${b.threadsNote ? `: ${b.threadsNote}` : ''})`;
  return b.name + (b.adapter ? ` (${b.adapter}${b.software ? ', software' : ''})` : '') + threads;
}

export const threadsText = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;
