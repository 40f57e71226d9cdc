// One benchmark training step, exactly the work of Trainer.trainStep (host arrays -> tensors,
// AdamW.minimize over maskedLoss), shared by the throughput bench and the profile.

import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config.ts';
import { maskedLoss, paramSpecs, type Params } from '../model/gpt.ts';
import { Rng } from '../rng.ts';
import { AdamW, DEFAULT_OPTIM } from '../train/optim.ts';

/** Vocabulary of the reasonlab char tokenizer (7 specials + 96 characters). */
export const VOCAB = 103;

export interface TrainSpec {
  id: string;
  model: ModelConfig;
  batch: number;
  /** Sequence length of the batch (T). */
  seqLen: number;
}

export interface HostBatch {
  inputs: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
}

/** Host batch: random tokens, loss on every position (speed does not depend on the values). */
export function hostBatch(spec: TrainSpec, seed: number): HostBatch {
  const rng = new Rng(seed);
  const n = spec.batch * spec.seqLen;
  return {
    inputs: Int32Array.from({ length: n }, () => rng.int(VOCAB)),
    targets: Int32Array.from({ length: n }, () => rng.int(VOCAB)),
    mask: new Float32Array(n).fill(1),
  };
}

export function makeOptimizer(c: ModelConfig, params: Params): AdamW {
  const decay = new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name));
  return new AdamW({ ...DEFAULT_OPTIM, totalSteps: 1_000_000 }, params, (n) => decay.has(n));
}

/** One training step exactly as Trainer.trainStep runs it, then a read of the loss (sync). */
export async function trainStep(c: ModelConfig, params: Params, opt: AdamW, b: HostBatch, B: number, T: number): Promise<number> {
  const out = tf.tidy(() => {
    const inputs = tf.tensor2d(b.inputs, [B, T], 'int32');
    const targets = tf.tensor2d(b.targets, [B, T], 'int32');
    const mask = tf.tensor2d(b.mask, [B, T], 'float32');
    return opt.minimize(() => maskedLoss(params, c, inputs, targets, mask));
  });
  const loss = (await out.loss.data())[0]!;
  tf.dispose([out.loss, out.gradNorm, out.applied]);
  return loss;
}
