// The RL stage's arithmetic, pure and host-side (no tfjs): advantages per estimator, the per-
// sequence loss weights that set how token losses are averaged, and the unbiased pass@k
// estimator. Formulas and sources: docs/FACTS.md (GRPO, Dr. GRPO, RLOO, REINFORCE; Chen et al. pass@k).

import type { Algo } from '../knobs.ts';

export interface AdvantageResult {
  /** One advantage per completion, in input order (group-major: group g holds [g*G, (g+1)*G)). */
  advantages: Float64Array;
  /** Groups whose rewards were all equal (within 1e-9): no signal for group-relative estimators. */
  zeroVar: boolean[];
  /** The reinforce baseline after this batch (unchanged for the other estimators). */
  baseline: number;
}

/** Per group of G (group-major rewards): were all its rewards equal (within 1e-9)? */
export function zeroVarianceGroups(rewards: ArrayLike<number>, G: number): boolean[] {
  const out: boolean[] = [];
  for (let g = 0; g < rewards.length / G; g++) {
    let min = Infinity;
    let max = -Infinity;
    for (let i = g * G; i < (g + 1) * G; i++) {
      min = Math.min(min, rewards[i]!);
      max = Math.max(max, rewards[i]!);
    }
    out.push(max - min <= 1e-9);
  }
  return out;
}

/**
 * Advantages of `rewards` (length P*G, group-major) under `algo`.
 *   grpo      (r - mean_g) / (std_g + 1e-4), std the population std of the group
 *   drgrpo    r - mean_g
 *   rloo      r - mean of the other G-1 rewards of the group
 *   reinforce r - b, b a running mean of batch mean rewards (b starts at the first batch's mean
 *             when `baseline` is null), updated after use: b <- m*b + (1-m)*mean(r)
 */
export function computeAdvantages(algo: Algo, rewards: ArrayLike<number>, G: number, baseline: number | null, momentum = 0.9): AdvantageResult {
  const N = rewards.length;
  if (G < 1 || N % G !== 0) throw new Error(`computeAdvantages: ${N} rewards do not split into groups of ${G}`);
  const A = new Float64Array(N);
  const zeroVar = zeroVarianceGroups(rewards, G);
  for (let g = 0; g < N / G; g++) {
    let sum = 0;
    for (let i = g * G; i < (g + 1) * G; i++) sum += rewards[i]!;
    const mean = sum / G;
    let sq = 0;
    for (let i = g * G; i < (g + 1) * G; i++) sq += (rewards[i]! - mean) ** 2;
    const std = Math.sqrt(sq / G);
    for (let i = g * G; i < (g + 1) * G; i++) {
      const r = rewards[i]!;
      if (algo === 'grpo') A[i] = (r - mean) / (std + 1e-4);
      else if (algo === 'drgrpo') A[i] = r - mean;
      else if (algo === 'rloo') A[i] = G > 1 ? r - (sum - r) / (G - 1) : 0;
    }
  }
  let b = baseline ?? 0;
  if (algo === 'reinforce') {
    let mean = 0;
    for (let i = 0; i < N; i++) mean += rewards[i]!;
    mean /= Math.max(N, 1);
    const used = baseline ?? mean;
    for (let i = 0; i < N; i++) A[i] = rewards[i]! - used;
    b = momentum * used + (1 - momentum) * mean;
  }
  return { advantages: A, zeroVar, baseline: b };
}

/**
 * Per-sequence weights w_i so that the loss is sum_i w_i * sum_t loss_{i,t} over completion tokens:
 *   grpo, rloo, reinforce: 1 / (|o_i| * N)  (mean over each sequence's tokens, then over sequences)
 *   drgrpo:                1 / (Lmax * N)    (a constant normaliser: no length bias)
 * `lengths` are the completion token counts in the update; `lmax` the generation limit.
 */
export function sequenceWeights(algo: Algo, lengths: ArrayLike<number>, lmax: number): Float64Array {
  const N = lengths.length;
  const w = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    w[i] = algo === 'drgrpo' ? 1 / (lmax * N) : 1 / (Math.max(lengths[i]!, 1) * N);
  }
  return w;
}

/**
 * Unbiased pass@k from n samples of which c are correct: 1 - C(n-c, k) / C(n, k), computed as a
 * product (stable for large n). k > n is an error: the estimator needs n >= k.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 0 || c < 0 || c > n || k < 1) {
    throw new Error(`passAtK: need integers n >= c >= 0 and k >= 1, got n=${n} c=${c} k=${k}`);
  }
  if (k > n) throw new Error(`passAtK: k=${k} exceeds the ${n} samples (the estimator needs n >= k)`);
  if (n - c < k) return 1;
  let q = 1; // C(n-c, k) / C(n, k) = prod_{i=0}^{k-1} (n-c-i) / (n-i)
  for (let i = 0; i < k; i++) q *= (n - c - i) / (n - i);
  return 1 - q;
}
