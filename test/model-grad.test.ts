// Gradients of the fast path on the cpu backend, checked independently of referenceForward:
// maskedLoss against central finite differences for every parameter tensor, and crossEntropyRows
// (its hand-written backward) against tfjs autodiff of the same math.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeParams, makeParams, maskedLoss, paramSpecs } from '../src/model/gpt.ts';
import { crossEntropyRows, oneHotF32 } from '../src/model/ops.ts';
import { Rng } from '../src/rng.ts';
import { useBackend } from './helpers/backend.ts';
import { cfg, maxAbsDiff, randomArrays, randTokens, V } from './helpers/model.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('gradients', () => {
  it('maskedLoss gradients of every parameter tensor match central finite differences', async () => {
    const params = makeParams(cfg, randomArrays(cfg, 6));
    const B = 2;
    const T = cfg.blockSize; // every wpe row takes part
    const rng = new Rng(7);
    const inputs = randTokens(rng, B * T);
    const targets = randTokens(rng, B * T);
    const mask = Float32Array.from({ length: B * T }, (_, i) => (i % 5 === 0 ? 0 : 1));
    const batch = () => [tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), tf.tensor2d(mask, [B, T])] as const;
    const lossAt = async (): Promise<number> => {
      const l = tf.tidy(() => maskedLoss(params, cfg, ...batch()));
      const v = (await l.data())[0]!;
      l.dispose();
      return v;
    };
    const names = paramSpecs(cfg).map((s) => s.name);
    const grads = tf.tidy(() => {
      const { value, grads: g } = tf.variableGrads(() => maskedLoss(params, cfg, ...batch()), names.map((n) => params[n]!));
      value.dispose();
      return names.map((n) => g[params[n]!.name]!);
    });
    const eps = 1e-2;
    const pick = new Rng(8);
    let checked = 0;
    for (let k = 0; k < names.length; k++) {
      const v = params[names[k]!]!;
      const g = (await grads[k]!.data()) as Float32Array;
      const orig = (await v.data()) as Float32Array;
      // The largest-gradient coordinate plus three random ones.
      let big = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[big]!)) big = i;
      expect(Math.abs(g[big]!), `${names[k]} has a gradient`).toBeGreaterThan(1e-3);
      for (const i of [big, pick.int(g.length), pick.int(g.length), pick.int(g.length)]) {
        const a = orig.slice();
        const at = async (x: number) => {
          a[i] = x;
          tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
          return lossAt();
        };
        const fd = ((await at(orig[i]! + eps)) - (await at(orig[i]! - eps))) / (2 * eps);
        await at(orig[i]!);
        const err = Math.abs(g[i]! - fd);
        expect(err, `${names[k]}[${i}]: autodiff ${g[i]} vs finite difference ${fd}`).toBeLessThanOrEqual(1e-2 * Math.max(Math.abs(g[i]!), Math.abs(fd)) + 3e-5);
        checked++;
      }
    }
    expect(checked).toBe(4 * names.length);
    tf.dispose(grads);
    disposeParams(params);
  });

  /** Values and gradients of sum(f(...xs) * w) for the custom op and a built-in reference. */
  async function compareOps(
    custom: (...xs: tf.Tensor[]) => tf.Tensor,
    reference: (...xs: tf.Tensor[]) => tf.Tensor,
    inputs: tf.Tensor[],
    wrt: number[],
    tol = 1e-5,
  ): Promise<void> {
    const run = (f: (...xs: tf.Tensor[]) => tf.Tensor) =>
      tf.tidy(() => {
        const y = f(...inputs);
        const w = tf.randomNormal(y.shape, 0, 1, 'float32', 99); // a fixed upstream gradient
        const gs = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
        return [y, ...wrt.map((i) => gs[i]!)];
      });
    const a = run(custom);
    const b = run(reference);
    for (let i = 0; i < a.length; i++) {
      expect(a[i]!.shape).toEqual(b[i]!.shape);
      const x = await a[i]!.data();
      const y = await b[i]!.data();
      const scale = Math.max(1, ...Array.from(y, Math.abs));
      expect(maxAbsDiff(x, y) / scale, i === 0 ? 'value' : `gradient of input ${wrt[i - 1]}`).toBeLessThanOrEqual(tol);
    }
    tf.dispose([...a, ...b, ...inputs]);
  }

  it('crossEntropyRows matches tfjs autodiff of the same math', async () => {
    const r = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);
    const targets = oneHotF32(tf.tensor1d([1, 0, 10, 4, 4, 9], 'int32'), V);
    await compareOps(
      (l) => crossEntropyRows(l, targets),
      (l) => tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(l)), -1)),
      [tf.mul(r([6, V], 9), 3)],
      [0],
    );
    targets.dispose();
  });
});
