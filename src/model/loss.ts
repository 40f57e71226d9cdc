// The RL objective, in one place: PPO's clipped surrogate with a k3 KL penalty to a frozen
// reference and an entropy bonus, over per-token log-probs. A pure function of tensors (the SFT
// objective, maskedLoss, sits in gpt.ts beside the forward pass it needs); which policy produced
// the log-probs and how advantages were estimated is the caller's business (train/rl.ts).

import * as tf from '@tensorflow/tfjs';

/** Per-token inputs of rlLoss, all [B, T] (B sequences of T positions, 0 off the completion). */
export interface RlLossInputs {
  /** log pi(token): the policy being trained (differentiable). */
  logp: tf.Tensor2D;
  /** log pi_old(token): the policy that sampled (PPO's ratio denominator). */
  oldLogp: tf.Tensor2D;
  /** log pi_ref(token): the frozen reference policy (the KL anchor). */
  refLogp: tf.Tensor2D;
  /** The policy's entropy at each position (nats). */
  entropy: tf.Tensor2D;
  /**
   * A_i * w_i on completion tokens: the advantage times the estimator's per-sequence weight,
   * multiplied on the host in float64 (so every estimator shares this one objective).
   */
  advWeight: tf.Tensor2D;
  /** w_i on completion tokens: the weight of the KL and entropy terms. */
  weight: tf.Tensor2D;
  /** 1 on completion tokens: what the reported token means average over. */
  mask: tf.Tensor2D;
}

export interface RlLossCoefficients {
  /** PPO clip range eps (0 = no clipping). */
  clip: number;
  /** beta, the KL penalty (0 = none; the KL is reported either way). */
  kl: number;
  /** c_ent, the entropy bonus (0 = none). */
  entropy: number;
}

/** The loss to minimise and its parts, as token means over `mask` (for reporting). */
export interface RlLossOutput {
  loss: tf.Scalar;
  kl: tf.Scalar;
  entropy: tf.Scalar;
  /** Share of tokens whose ratio left [1 - eps, 1 + eps]. */
  clipFrac: tf.Scalar;
}

/**
 * loss = -( sum min(rho*Aw, clip(rho, 1-eps, 1+eps)*Aw) - beta * sum w*KL_k3 + c_ent * sum w*H )
 * rho = exp(logp - oldLogp); KL_k3 = exp(d) - d - 1 with d = refLogp - logp (Schulman's k3,
 * unbiased and >= 0). Must run inside tf.tidy / variableGrads; allocates freely.
 */
export function rlLoss(x: RlLossInputs, c: RlLossCoefficients): RlLossOutput {
  const ratio = tf.exp(tf.sub(x.logp, x.oldLogp)); // [B, T]
  const unclipped = tf.mul(ratio, x.advWeight);
  const surr = c.clip > 0 ? tf.minimum(unclipped, tf.mul(tf.clipByValue(ratio, 1 - c.clip, 1 + c.clip), x.advWeight)) : unclipped;
  let objective: tf.Tensor = tf.sum(surr); // scalar
  const d = tf.sub(x.refLogp, x.logp);
  const k3 = tf.sub(tf.sub(tf.exp(d), d), 1); // [B, T]
  if (c.kl > 0) objective = tf.sub(objective, tf.mul(c.kl, tf.sum(tf.mul(k3, x.weight))));
  if (c.entropy > 0) objective = tf.add(objective, tf.mul(c.entropy, tf.sum(tf.mul(x.entropy, x.weight))));
  const nTok = tf.maximum(tf.sum(x.mask), 1);
  const tokenMean = (t: tf.Tensor) => tf.div(tf.sum(tf.mul(t, x.mask)), nTok) as tf.Scalar;
  const clipped = c.clip > 0 ? tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), c.clip), 'float32') : tf.zerosLike(ratio);
  return { loss: tf.neg(objective) as tf.Scalar, kl: tokenMean(k3), entropy: tokenMean(x.entropy), clipFrac: tokenMean(clipped) };
}
