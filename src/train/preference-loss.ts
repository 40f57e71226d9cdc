// Losses of learning from preferences, as pure tfjs functions beside maskedLoss's style: the
// Bradley-Terry loss of a reward model on pairs (ties as a 0.5/0.5 target) and the DPO loss of a
// policy against a frozen reference, each with its metrics as device scalars (nothing is read
// back here). Facts and sources: docs/FACTS.md, "Preferences". B = number of pairs.

import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../model/config.ts';
import { tokenLogprobs, type Params } from '../model/gpt.ts';

/**
 * log sigmoid(x) = -softplus(-x), stable for large |x|. Not tf.logSigmoid: in tfjs 4.22 its
 * gradient of an intermediate tensor failed under tf.grads, even inside tf.tidy (docs/FACTS.md,
 * "tf.logSigmoid gradient").
 */
const logSigmoid = (x: tf.Tensor) => tf.neg(tf.softplus(tf.neg(x)));

export class NoPairsError extends Error {
  override name = 'NoPairsError';
}

function checkPairs(what: string, ...xs: tf.Tensor[]): number {
  const B = xs[0]!.shape[0]!;
  for (const x of xs) {
    if (x.rank !== 1 || x.shape[0] !== B) throw new Error(`${what}: every input must be [B] with the same B, got [${xs.map((t) => t.shape.join('x')).join('], [')}]`);
  }
  // An empty batch would give a 0/0 = NaN loss; say what is wrong instead.
  if (B === 0) throw new NoPairsError(`${what}: no usable pairs (every pair was skipped, or the preference file is empty); rate or generate some pairs first`);
  return B;
}

export interface BradleyTerryOut {
  /** Scalar: mean over pairs of -[y log sigmoid(d) + (1 - y) log sigmoid(-d)], d = r_chosen - r_rejected. */
  loss: tf.Scalar;
  /** Scalar: share of non-tie pairs with r_chosen > r_rejected (0 when every pair is a tie). */
  accuracy: tf.Scalar;
  /** Scalar: mean r_chosen - r_rejected over non-tie pairs (0 when every pair is a tie). */
  margin: tf.Scalar;
}

/**
 * Bradley-Terry loss: P(chosen beats rejected) = sigmoid(r_chosen - r_rejected), target y = 1, or
 * 0.5 for a tie (the loss of a tie is smallest at equal rewards). rChosen, rRejected [B] rewards;
 * tie [B] (1 = tie, else 0) or null for no ties. Must run inside tf.tidy / variableGrads.
 */
export function bradleyTerryLoss(rChosen: tf.Tensor1D, rRejected: tf.Tensor1D, tie: tf.Tensor1D | null = null): BradleyTerryOut {
  checkPairs('bradleyTerryLoss', rChosen, rRejected, ...(tie ? [tie] : []));
  const d = tf.sub(rChosen, rRejected); // [B]
  const y = tie ? tf.sub(1, tf.mul(0.5, tie)) : tf.onesLike(d); // [B] target
  const nll = tf.neg(tf.add(tf.mul(y, logSigmoid(d)), tf.mul(tf.sub(1, y), logSigmoid(tf.neg(d))))); // [B]
  const decided = tie ? tf.sub(1, tie) : tf.onesLike(d); // [B], 1 on pairs with a preference
  const n = tf.maximum(tf.sum(decided), 1); // scalar
  return {
    loss: tf.mean(nll) as tf.Scalar,
    accuracy: tf.div(tf.sum(tf.mul(tf.cast(tf.greater(d, 0), 'float32'), decided)), n) as tf.Scalar,
    margin: tf.div(tf.sum(tf.mul(d, decided)), n) as tf.Scalar,
  };
}

export interface DpoOut {
  /** Scalar: mean of -log sigmoid(z), z = beta ((logp_c - ref_c) - (logp_r - ref_r)). */
  loss: tf.Scalar;
  /** Scalar: share of pairs with z > 0 (implicit reward of chosen above rejected). */
  accuracy: tf.Scalar;
  /** Scalar: mean implicit reward margin, mean z. */
  margin: tf.Scalar;
  /** Scalars: mean implicit rewards beta (logp - ref) of the chosen and the rejected completions. */
  chosenReward: tf.Scalar;
  rejectedReward: tf.Scalar;
}

/**
 * DPO loss from summed completion log-probs [B] of the policy and the frozen reference on the
 * chosen and rejected completions (ties left out by the caller: they carry no preference).
 * beta > 0 sets how far the policy may move from the reference. Must run inside tf.tidy /
 * variableGrads; the reference inputs should carry no gradient (compute them outside the tape).
 */
export function dpoLoss(policyChosen: tf.Tensor1D, policyRejected: tf.Tensor1D, refChosen: tf.Tensor1D, refRejected: tf.Tensor1D, beta: number): DpoOut {
  if (!(beta > 0 && Number.isFinite(beta))) throw new Error(`dpoLoss: beta must be a finite number > 0, got ${beta}`);
  checkPairs('dpoLoss', policyChosen, policyRejected, refChosen, refRejected);
  const rc = tf.mul(beta, tf.sub(policyChosen, refChosen)); // [B] implicit reward of chosen
  const rr = tf.mul(beta, tf.sub(policyRejected, refRejected)); // [B] implicit reward of rejected
  const z = tf.sub(rc, rr); // [B]
  return {
    loss: tf.mean(tf.neg(logSigmoid(z))) as tf.Scalar,
    accuracy: tf.mean(tf.cast(tf.greater(z, 0), 'float32')) as tf.Scalar,
    margin: tf.mean(z) as tf.Scalar,
    chosenReward: tf.mean(rc) as tf.Scalar,
    rejectedReward: tf.mean(rr) as tf.Scalar,
  };
}

/**
 * Summed log-probability of each row's completion: sum_t mask[b, t] log p(targets[b, t]) at
 * temperature 1. inputs/targets int32 [B, T], mask float32 [B, T] (data/batch.ts) -> [B].
 * Differentiable; must run inside tf.tidy / variableGrads.
 */
export function sequenceLogprobs(params: Params, c: ModelConfig, inputs: tf.Tensor2D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const { logp } = tokenLogprobs(params, c, inputs, targets, 1, false); // [B, T]
  return tf.sum(tf.mul(logp, mask), 1) as tf.Tensor1D; // [B]
}
