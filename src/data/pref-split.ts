// Preference pairs for training: the deterministic held-out split (by prompt, so one prompt's pairs
// never sit on both sides), the pairs of a step (a pure function of seed and step), and token
// batches of sampled sequences for the reward model and KL estimates. Pure: no tfjs.

import type { PreferenceRecord } from '../records/preference.ts';
import { hashInts, hashString, Rng } from '../rng.ts';

/** Split `records` into train and held-out: a pair is held out when hash(prompt) falls in `share`. */
export function splitPairs<T extends Pick<PreferenceRecord, 'prompt'>>(records: readonly T[], share: number): { train: T[]; heldOut: T[] } {
  if (!(share >= 0 && share < 1)) throw new Error(`held-out share must be in [0, 1), got ${share}`);
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const r of records) ((hashString(r.prompt) % 10_000) / 10_000 < share ? heldOut : train).push(r);
  return { train, heldOut };
}

/** Indices of step `step`'s batch of `B` pairs out of `n` (with replacement): pure per (seed, step). */
export function stepIndices(seed: number, step: number, n: number, B: number): number[] {
  if (n < 1) throw new Error('stepIndices: no pairs to draw from');
  const rng = new Rng(hashInts(seed, 11, step));
  return Array.from({ length: B }, () => rng.int(n));
}

/** Sampled sequences (prompt ids with <bos>, then completion ids, <eos> included when emitted) as a [B, T] batch. */
export interface SeqBatch {
  B: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 where the target is a completion token (<eos> included). */
  mask: Float32Array;
  /**
   * Per row, the position whose input is the last completion token before <eos> (the prompt's last
   * token for an empty completion): where the reward model reads its score, as lastIndices does
   * for a pair batch.
   */
  last: Int32Array;
}

/**
 * Build a SeqBatch padded to T. A row longer than T (a truncated completion can be one token
 * longer than the context) keeps its first T positions; its score is read at the last one kept.
 */
export function seqBatch(prompts: readonly number[][], completions: readonly ArrayLike<number>[], T: number, pad: number, eos: number): SeqBatch {
  const B = prompts.length;
  if (completions.length !== B) throw new Error(`seqBatch: ${B} prompts for ${completions.length} completions`);
  const s: SeqBatch = { B, T, inputs: new Int32Array(B * T).fill(pad), targets: new Int32Array(B * T).fill(pad), mask: new Float32Array(B * T), last: new Int32Array(B) };
  for (let b = 0; b < B; b++) {
    const p = prompts[b]!;
    const c = Array.from(completions[b]!);
    const seq = [...p, ...c];
    for (let t = 0; t < Math.min(seq.length - 1, T); t++) {
      s.inputs[b * T + t] = seq[t]!;
      s.targets[b * T + t] = seq[t + 1]!;
      if (t + 1 >= p.length) s.mask[b * T + t] = 1;
    }
    const K = c.length > 0 && c[c.length - 1] === eos ? c.length - 1 : c.length; // tokens before <eos>
    s.last[b] = Math.min(p.length - 1 + K, T - 1);
  }
  return s;
}
