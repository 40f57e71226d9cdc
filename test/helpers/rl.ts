// Shared by the RL tests: toy tasks passed as objects (RlInit.task) with rewards a tiny model can
// move, a nano model config, and a from-scratch summed log-prob to check the sampler and updates.

import * as tf from '@tensorflow/tfjs';
import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../../src/run-config.ts';
import type { ModelConfig } from '../../src/model/config.ts';
import { tokenLogprobs, type Params } from '../../src/model/gpt.ts';
import type { Rng } from '../../src/rng.ts';
import { finishVerdict } from '../../src/tasks/format.ts';
import type { AnyTask } from '../../src/tasks/types.ts';
import type { RlStepEvent, TrainEvent } from '../../src/train/events.ts';

export interface Toy {
  n: number;
}

/**
 * A toy task: prompt "say X:", completions of at most 4 characters, reward 1 when `ok` holds.
 * Problems are numbers (so the train/test splits and distinct problems work as for real tasks).
 */
export function toyTask(ok: (p: Toy, completion: string) => boolean): AnyTask {
  return {
    name: 'toy',
    version: 1,
    description: 'toy reward for RL tests',
    defaults: {},
    curriculum: [],
    knobs: {},
    options: {},
    generate: (rng: Rng): Toy => ({ n: rng.int(1_000_000) }),
    canonical: (p: Toy) => String(p.n),
    prompt: () => 'say X:',
    gold: () => ({ trace: '', answer: 'X' }),
    maxPromptLength: () => 6,
    maxCompletionLength: () => 4,
    level: () => 'toy',
    verify: (p: Toy, completion: string, _cfg: unknown, opts: { truncated?: boolean; scheme?: string } = {}) => {
      const good = ok(p, completion);
      return finishVerdict(
        [
          { name: 'format', passed: true, detail: '' },
          { name: 'outcome', passed: good, detail: good ? '' : `got ${JSON.stringify(completion)}` },
        ],
        completion.slice(0, 1) || null,
        good,
        null,
        opts,
      );
    },
  };
}

/** Reward 1 when the completion starts with X (chance ~1% for a random 103-token policy). */
export const sayX = toyTask((_p, c) => c.startsWith('X'));
/** Reward 1 for about half the completions (first character code even): many of both signs. */
export const evenFirst = toyTask((_p, c) => c.length > 0 && c.charCodeAt(0) % 2 === 0);

/** n % 3 == 0: always right, n % 3 == 1: always wrong, otherwise the first character decides. */
export const mixedToy = toyTask((p, c) => (p.n % 3 === 0 ? true : p.n % 3 === 1 ? false : c.length > 0 && c.charCodeAt(0) % 2 === 0));

/** A nano custom model (1 layer, 2 heads, width 16); the task name only sizes the context. */
export function rlConfig(o: Record<string, unknown> = {}): RunConfig {
  return applyOverrides(DEFAULT_CONFIG, {
    task: 'addition',
    digits: 1,
    nLayer: 1,
    nHead: 2,
    nEmbd: 16,
    seed: 1,
    'rl.prompts': 4,
    'rl.group': 4,
    'rl.warmupSteps': 0,
    'rl.temperature': 1,
    'eval.n': 4,
    'eval.samples': 0,
    'eval.every': 0,
    ...o,
  });
}

/** Summed log-prob (at `temperature`) of each completion given its prompt, recomputed from scratch. */
export async function sequenceLogprobs(params: Params, mc: ModelConfig, prompts: number[][], completions: Int32Array[], temperature: number): Promise<number[]> {
  const B = prompts.length;
  const T = mc.blockSize;
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const seq = [...prompts[b]!, ...completions[b]!];
    for (let j = 0; j < seq.length - 1; j++) {
      inputs[b * T + j] = seq[j]!;
      targets[b * T + j] = seq[j + 1]!;
      if (j >= prompts[b]!.length - 1) mask[b * T + j] = 1;
    }
  }
  const s = tf.tidy(() => {
    const { logp } = tokenLogprobs(params, mc, tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), temperature, false);
    return tf.sum(tf.mul(logp, tf.tensor2d(mask, [B, T])), 1);
  });
  const v = Array.from(await s.data());
  s.dispose();
  return v;
}

export const rlSteps = (ev: TrainEvent[]) => ev.filter((e): e is RlStepEvent => e.type === 'rl_step');
