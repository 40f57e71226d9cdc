// Test helpers for TensorFlow.js backends: switch to a named backend (checked, never a silent
// fallback) and find out once per process whether WebGPU (Dawn + lavapipe in Node) can start.
// A webgpu test calls `requireWebGPU(ctx)`: under CI (process.env.CI set) an unavailable WebGPU
// fails the test, elsewhere it skips with the reason.

import * as tf from '@tensorflow/tfjs';
import type { TestContext } from 'vitest';
import { initBackend, type BackendInfo } from '../../src/backend.ts';
import { installNodeWebGPU, releaseNodeWebGPU } from '../../src/backend/node-webgpu.ts';

export type TestBackend = 'cpu' | 'wasm' | 'webgpu';

/** Initialise and switch to `name`; throws (with the reason) if tfjs would run anything else. */
export async function useBackend(name: TestBackend): Promise<BackendInfo> {
  const info = await initBackend(name, name === 'webgpu' ? { provideWebGPU: installNodeWebGPU } : {});
  if (tf.getBackend() !== name) throw new Error(`useBackend(${name}): tfjs runs ${tf.getBackend()}`);
  return info;
}

export type WebGPUStatus = { ok: true; info: BackendInfo } | { ok: false; reason: string };

let probe: Promise<WebGPUStatus> | undefined;

/**
 * Whether the webgpu backend starts and computes here (probed once per process). Leaves the
 * previously active backend active again.
 */
export function webgpuAvailable(): Promise<WebGPUStatus> {
  probe ??= (async (): Promise<WebGPUStatus> => {
    const prev = tf.engine().backendName as string | null;
    try {
      const info = await useBackend('webgpu');
      const x = tf.tensor1d([1, 2, 3]);
      const y = tf.add(x, x);
      const v = await y.data();
      tf.dispose([x, y]);
      if (v[0] !== 2 || v[1] !== 4 || v[2] !== 6) return { ok: false, reason: `webgpu computed [${Array.from(v)}] for [1,2,3]*2` };
      return { ok: true, info };
    } catch (e) {
      return { ok: false, reason: e instanceof Error ? e.message.split('\n')[0]! : String(e) };
    } finally {
      if (prev && prev !== tf.getBackend()) await tf.setBackend(prev);
    }
  })();
  return probe;
}

/**
 * Switch to webgpu for this test. Fails the test under CI when WebGPU cannot start (CI is where
 * it must be exercised); skips it elsewhere, naming the reason.
 */
export async function requireWebGPU(ctx: TestContext): Promise<BackendInfo> {
  const s = await webgpuAvailable();
  if (!s.ok) {
    if (process.env.CI) throw new Error(`WebGPU must run under CI but cannot start: ${s.reason}`);
    ctx.skip(`WebGPU unavailable (${s.reason}); run .ci/setup-webgpu.sh to enable it`);
  }
  return useBackend('webgpu');
}

/** Drop the Dawn instance so the test process can exit (call in afterAll of webgpu files). */
export function releaseWebGPU(): void {
  releaseNodeWebGPU();
}
