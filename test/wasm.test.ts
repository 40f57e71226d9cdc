// wasm-specific regressions: XNNPACK kernels used by the fast paths in src/model/ops.ts must not
// corrupt memory or give wrong sums at the widths that large batches produce.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.ts';
import { initParams, disposeParams } from '../src/model/gpt.ts';
import { colSum, COLSUM_POOL_MAX, oneHotF32 } from '../src/model/ops.ts';
import { sample } from '../src/model/sample.ts';
import { Rng } from '../src/rng.ts';

describe('wasm fast paths', () => {
  it('oneHotF32 gives exact 0/1 floats (tf.oneHot in float32 read integer bits as float on wasm)', async () => {
    await initBackend('wasm');
    const ids = [0, 3, 102, 7, 3];
    const t = tf.tidy(() => oneHotF32(tf.tensor1d(ids, 'int32'), 103));
    expect(t.dtype).toBe('float32');
    const d = await t.data();
    t.dispose();
    const want = new Float32Array(ids.length * 103);
    ids.forEach((id, r) => (want[r * 103 + id] = 1));
    expect(Array.from(d)).toEqual(Array.from(want));
  });

  it('colSum equals sum(axis 0) below, at and far above the pooling limit', async () => {
    await initBackend('wasm');
    const rng = new Rng(5);
    for (const [N, K] of [[7, 33], [48, COLSUM_POOL_MAX], [5, COLSUM_POOL_MAX + 1], [40, 20000]] as const) {
      const data = Float32Array.from({ length: N * K }, () => rng.normal());
      const [a, b] = tf.tidy(() => {
        const x = tf.tensor2d(data, [N, K]);
        return [colSum(x), tf.sum(x, 0)];
      });
      const [da, db] = [await a.data(), await b.data()];
      tf.dispose([a, b]);
      let worst = 0;
      for (let i = 0; i < K; i++) worst = Math.max(worst, Math.abs(da[i]! - db[i]!));
      expect(worst, `N=${N} K=${K}`).toBeLessThan(1e-4);
    }
  });

  it('greedy sampling of 400 prompts at once (wide decode tensors) completes twice without corrupting memory', async () => {
    await initBackend('wasm');
    const c = { nLayer: 2, nHead: 3, nEmbd: 48, blockSize: 32, vocabSize: 103 };
    const p = initParams(c, new Rng(1));
    const prompts = Array.from({ length: 400 }, (_, i) => [1, 10 + (i % 10), 20 + (i % 3)]);
    const o = { maxNewTokens: 12, temperature: 0, topK: 0, eosId: 2, rng: new Rng(1) };
    const r1 = await sample(p, c, prompts, o);
    const r2 = await sample(p, c, prompts, o);
    expect(r1.tokens).toHaveLength(400);
    expect(r2.tokens.map((t) => Array.from(t))).toEqual(r1.tokens.map((t) => Array.from(t)));
    disposeParams(p);
  });
});
