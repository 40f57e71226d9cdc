// Pick and initialise a TensorFlow.js backend, and say which one runs and why the others did not.
// Browser order: webgpu -> webgl -> wasm -> cpu. Node: webgpu when Dawn finds a hardware adapter,
// else wasm (the fastest here on a CPU) -> cpu. tf.setBackend falls back silently, so every
// choice is checked with tf.getBackend().

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
}

export interface BackendHooks {
  /** Node only: make navigator.gpu available (see backend/node-webgpu.ts). */
  provideWebGPU?: () => Promise<{ ok: true; adapter: string } | { ok: false; reason: string }>;
  /** Browser only: where the tfjs wasm binaries are served from. */
  wasmPaths?: string | Record<string, string>;
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|software|fallback/i;

async function prepare(name: BackendName, hooks: BackendHooks): Promise<string | null> {
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
    return adapter;
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (hooks.wasmPaths) wasm.setWasmPaths(hooks.wasmPaths as string);
  }
  if (name === 'webgl' && isNode) throw new Error('WebGL is not available in Node');
  return null;
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
      let adapter = await prepare(name, hooks);
      if (!(await tf.setBackend(name))) throw new Error(`tf.setBackend('${name}') failed`);
      await tf.ready();
      if (tf.getBackend() !== name) throw new Error(`asked for ${name}, tfjs runs ${tf.getBackend()}`);
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
      return { name, adapter, software, skipped };
    } catch (e) {
      const reason = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      if (choice !== 'auto') throw new Error(`backend ${name} is not available: ${reason}`);
      skipped.push({ name, reason });
    }
  }
  throw new Error(`no TensorFlow.js backend works here: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

export function describeBackend(b: BackendInfo): string {
  return b.name + (b.adapter ? ` (${b.adapter}${b.software ? ', software' : ''})` : '');
}
