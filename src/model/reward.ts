// The reward model: the GPT trunk (initialised from a policy checkpoint) plus a scalar head read at
// the last completion token's final hidden state, as InstructGPT's reward model and transformers'
// GPT2ForSequenceClassification do (docs/FACTS.md, "Preferences"). Trained with the Bradley-Terry
// loss (train/preference-loss.ts); the head is saved beside the checkpoint (reward-head.ts).

import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng.ts';
import type { ModelConfig } from './config.ts';
import { hiddenStates, type Params } from './gpt.ts';
import { REWARD_HEAD_TENSOR } from './reward-head.ts';

export { REWARD_HEAD_FILE, REWARD_HEAD_TENSOR, rewardHeadFromFile, rewardHeadToFile } from './reward-head.ts';

/** The head as a params record ({'score.weight': [1, C]}), so AdamW can train it beside the trunk. */
export type RewardHead = Params;

let nextHeadId = 0;

/** A head variable from C host values (e.g. read by rewardHeadFromFile). */
export function makeRewardHead(c: ModelConfig, weight: Float32Array): RewardHead {
  if (weight.length !== c.nEmbd) throw new Error(`reward head: expected ${c.nEmbd} values (n_embd), got ${weight.length}`);
  return { [REWARD_HEAD_TENSOR]: tf.variable(tf.tensor2d(weight, [1, c.nEmbd]), true, `${REWARD_HEAD_TENSOR}_${nextHeadId++}`) };
}

/**
 * A fresh head, N(0, 0.02) like GPT-2's other weights: not zero, so the first gradient already
 * reaches the trunk (with w = 0, d score / d hidden = w would be 0).
 */
export function initRewardHead(c: ModelConfig, rng: Rng): RewardHead {
  return makeRewardHead(c, Float32Array.from({ length: c.nEmbd }, () => rng.normal() * 0.02));
}

/** The head weights read back to the host (for rewardHeadToFile). */
export async function rewardHeadArray(head: RewardHead): Promise<Float32Array> {
  return (await head[REWARD_HEAD_TENSOR]!.data()) as Float32Array;
}

/**
 * Scalar rewards [B]: w . ln_f(h)[b, lastIndex[b]] for int32 tokens [B, T] (data/pairs.ts's
 * lastIndices gives each row's last completion position). The position is picked by a host-built one-hot matmul
 * (no gather: wasm has no gather gradient, docs/FACTS.md).
 * Differentiable in the trunk and the head; must run inside tf.tidy / variableGrads.
 */
export function score(params: Params, c: ModelConfig, head: RewardHead, tokens: tf.Tensor2D, lastIndex: ArrayLike<number>): tf.Tensor1D {
  const [B, T] = tokens.shape;
  if (lastIndex.length !== B) throw new Error(`score: ${lastIndex.length} last indices for a batch of ${B}`);
  const sel = new Float32Array(B * B * T); // [B, B*T], row b one-hot at b*T + lastIndex[b]
  for (let b = 0; b < B; b++) {
    const t = lastIndex[b]!;
    if (!Number.isInteger(t) || t < 0 || t >= T) throw new Error(`score: lastIndex[${b}] = ${t} is outside [0, ${T})`);
    sel[b * B * T + b * T + t] = 1;
  }
  const w = head[REWARD_HEAD_TENSOR];
  if (!w) throw new Error(`score: the head has no ${REWARD_HEAD_TENSOR}`);
  const h = tf.reshape(hiddenStates(params, c, tokens), [B * T, c.nEmbd]); // [B*T, C]
  const last = tf.matMul(tf.tensor2d(sel, [B, B * T]), h); // [B, C]
  return tf.reshape(tf.matMul(last, w, false, true), [B]) as tf.Tensor1D; // [B, 1] -> [B]
}
