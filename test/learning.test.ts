// Learning: a nano GPT trained with SFT on step-by-step traces reaches >= 90% greedy accuracy on
// held-out 2-digit additions (problems never seen in training) within ~2 minutes on 2 cores.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.ts';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import { splitOf } from '../src/data/split.ts';
import type { EvalEvent, TrainEvent } from '../src/train/events.ts';
import { Trainer } from '../src/train/sft.ts';

describe('learning', () => {
  it('nano reaches >= 90% greedy held-out accuracy on 2-digit addition', async () => {
    await initBackend('wasm');
    const cfg = applyOverrides(DEFAULT_CONFIG, {
      task: 'addition', digits: 2, preset: 'nano', steps: 600, batchSize: 32, lr: 6e-3, minLr: 6e-4, warmupSteps: 30,
      'eval.every': 0, 'eval.n': 200, 'eval.samples': 200, logEvery: 100, seed: 1,
    });
    const t = new Trainer(cfg);
    const events: TrainEvent[] = [];
    const reason = await t.run((e) => {
      events.push(e);
    });
    const before = tf.memory().numTensors;
    t.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(reason).toBe('finished');
    const evals = events.filter((e): e is EvalEvent => e.type === 'eval');
    const last = evals[evals.length - 1]!;
    expect(last.n).toBe(200);
    expect(last.greedy_acc).toBeGreaterThanOrEqual(0.9);
    expect(last.format_rate).toBeGreaterThanOrEqual(0.95);
    // The evaluated prompts really are held out: every one is in the test split.
    const samples = events.filter((e) => e.type === 'sample');
    expect(samples.length).toBe(200);
    for (const s of samples) {
      if (s.type !== 'sample') continue;
      expect(splitOf(s.prompt.replace(/=$/, ''))).toBe('test');
    }
    // And no training example of the run is a test problem.
    for (let step = 0; step < 600; step += 37) {
      for (const ex of t.batchExamples(step)) expect(splitOf(ex.prompt.replace(/=$/, ''))).toBe('train');
    }
  }, 400_000);
});
