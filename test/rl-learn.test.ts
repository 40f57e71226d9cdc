// RL learns: from a random init, a tiny model learns a trivially learnable toy reward (start the
// completion with X) on wasm, without leaking tensors over 120 steps.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { RlTrainer } from '../src/train/rl.ts';
import { useBackend } from './helpers/backend.ts';
import { rlConfig, sayX } from './helpers/rl.ts';

describe('RlTrainer on a toy reward', () => {
  it('learns to start with X from a random init (wasm, grpo, group 8 x 8 prompts)', async () => {
    await useBackend('wasm');
    const cfg = rlConfig({ 'rl.prompts': 8, 'rl.group': 8, 'rl.lr': 3e-3, 'rl.algo': 'grpo' });
    const t = new RlTrainer(cfg, { task: sayX });
    const acc: number[] = [];
    let tensorsAt2 = 0;
    for (let s = 1; s <= 120; s++) {
      const { metrics } = await t.trainStep();
      acc.push(metrics.accuracy);
      if (s === 2) tensorsAt2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAt2); // no growth over 118 steps on wasm either
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(acc.slice(0, 10));
    const last = mean(acc.slice(-10));
    const crossed = acc.findIndex((a) => a > 0.8) + 1;
    console.log(`toy RL: accuracy first 10 steps ${first.toFixed(3)}, last 10 ${last.toFixed(3)}, first step > 0.8: ${crossed}`);
    expect(first).toBeLessThan(0.1); // near chance (1/103 per sample)
    expect(last).toBeGreaterThan(0.8);
    t.dispose();
  }, 240_000);
});
