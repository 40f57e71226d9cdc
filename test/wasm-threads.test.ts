// Threaded wasm in Node (src/backend/node-wasm-threads.ts): tfjs-wasm starts its pthread workers
// from files instead of blob: URLs, runs on the thread count asked for (also above tfjs's own
// cap of logical cores / 2), computes what one thread computes, and REASONLAB_THREADS is checked.

import * as tf from '@tensorflow/tfjs';
import { cpus } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeBackend, initBackend } from '../src/backend.ts';
import { nodeWasmThreads, wasmThreadsFromEnv } from '../src/backend/node-wasm-threads.ts';
import { Rng } from '../src/rng.ts';

describe('threaded wasm in Node', () => {
  it('runs on 2 threads and a matmul matches a plain loop', async () => {
    const coresBefore = cpus().length;
    const info = await initBackend('wasm', { wasmThreads: 2, nodeWasmThreads: nodeWasmThreads() });
    expect(info.threads).toBe(2);
    expect(info.threadsNote).toBeNull();
    expect(describeBackend(info)).toBe('wasm (2 threads)');
    // The core count reported to tfjs during its start is put back.
    expect(cpus().length).toBe(coresBefore);
    const rng = new Rng(3);
    const [M, K, N] = [67, 300, 129];
    const a = Float32Array.from({ length: M * K }, () => rng.normal());
    const b = Float32Array.from({ length: K * N }, () => rng.normal());
    const c = tf.tidy(() => tf.matMul(tf.tensor2d(a, [M, K]), tf.tensor2d(b, [K, N])));
    const got = await c.data();
    c.dispose();
    let worst = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[i * K + k]! * b[k * N + j]!;
        worst = Math.max(worst, Math.abs(s - got[i * N + j]!));
      }
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('REASONLAB_THREADS: unset or empty is the default, a bad value is refused with its name', () => {
    expect(wasmThreadsFromEnv({})).toBeUndefined();
    expect(wasmThreadsFromEnv({ REASONLAB_THREADS: ' ' })).toBeUndefined();
    expect(wasmThreadsFromEnv({ REASONLAB_THREADS: '1' })).toBe(1);
    expect(wasmThreadsFromEnv({ REASONLAB_THREADS: '0' })).toBe(0);
    expect(() => wasmThreadsFromEnv({ REASONLAB_THREADS: 'two' })).toThrow(/REASONLAB_THREADS must be a whole number >= 0.*"two"/);
    expect(() => wasmThreadsFromEnv({ REASONLAB_THREADS: '-1' })).toThrow(/REASONLAB_THREADS/);
  });
});
