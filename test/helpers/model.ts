// Shared fixtures of the model tests (model-*.test.ts): a tiny config (2 layers, width 16,
// context 16), weights with a large spread, random tokens, and host-side comparisons.

import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import type { ModelConfig } from '../../src/model/config.ts';
import { forward, initParamArrays, paramSpecs, type Params } from '../../src/model/gpt.ts';
import { Rng } from '../../src/rng.ts';

export const cfg: ModelConfig = { nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 16, vocabSize: 11 };
export const V = cfg.vocabSize;

/**
 * Random weights with a large spread (std 0.3, and LayerNorm/bias terms off their 1/0 init) so
 * that logits are far from uniform: argmax ties cannot flip between two computation orders, and
 * every gradient is well above float32 noise.
 */
export function randomArrays(c: ModelConfig, seed: number, std = 0.3): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = initParamArrays(c, rng);
  for (const s of paramSpecs(c)) {
    const a = out.get(s.name)!;
    for (let i = 0; i < a.length; i++) {
      a[i] = s.init === 'normal' || s.init === 'residual' ? rng.normal() * std : (s.init === 'ones' ? 1 : 0) + 0.1 * rng.normal();
    }
  }
  return out;
}

export function randTokens(rng: Rng, n: number, vocab = V): Int32Array {
  return Int32Array.from({ length: n }, () => rng.int(vocab));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Logits [B*T, V] of `forward` on host tokens, read back to the host. */
export async function logitsOf(params: Params, c: ModelConfig, tokens: Int32Array, B: number, T: number): Promise<Float32Array> {
  const l = tf.tidy(() => forward(params, c, tf.tensor2d(tokens, [B, T], 'int32')));
  const out = (await l.data()) as Float32Array;
  l.dispose();
  return out;
}

/** Log-softmax of one row of V logits (float64 on the host). */
export function logSoftmaxRow(row: ArrayLike<number>): number[] {
  let m = -Infinity;
  for (let i = 0; i < row.length; i++) m = Math.max(m, row[i]!);
  let s = 0;
  for (let i = 0; i < row.length; i++) s += Math.exp(row[i]! - m);
  const lse = m + Math.log(s);
  return Array.from(row, (x) => x - lse);
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}
