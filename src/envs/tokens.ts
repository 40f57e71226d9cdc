// A trajectory as training tokens: <bos>, then every turn, then <eos> when the model ended the
// episode itself. The loss mask is 1 exactly on the model's tokens (and its <eos>): the prompt and
// every environment reply are given, never learned, in SFT and in RL alike. Turns are encoded one
// by one, which equals encoding the joined text because every turn ends at a tag boundary.

import type { Batch } from '../data/batch.ts';
import type { Tokenizer } from '../tokenizer.ts';
import type { Truncation, Turn } from './types.ts';

export interface TrajectoryTokens {
  ids: number[];
  /** mask[i] = 1 when ids[i] was written by the model (it is a training target), else 0. */
  mask: number[];
  /** Index in `ids` where each turn starts. */
  turnStarts: number[];
}

/** <eos> closes the sequence only when the last turn is the model's and nothing cut it. */
export const endsWithEos = (turns: readonly Turn[], truncation: Truncation) => truncation === null && turns.at(-1)?.role === 'model';

export function trajectoryTokens(tok: Tokenizer, turns: readonly Turn[], truncation: Truncation): TrajectoryTokens {
  const ids = [tok.bos];
  const mask = [0];
  const turnStarts: number[] = [];
  for (const t of turns) {
    turnStarts.push(ids.length);
    const m = t.role === 'model' ? 1 : 0;
    for (const id of tok.encode(t.text)) {
      ids.push(id);
      mask.push(m);
    }
  }
  if (endsWithEos(turns, truncation)) {
    ids.push(tok.eos);
    mask.push(1);
  }
  return { ids, mask, turnStarts };
}

/**
 * Trajectories as a next-token batch of T positions, like data/batch.ts: inputs are ids[0..n-2],
 * targets ids[1..n-1], and the mask of position t is the mask of its target. Throws naming the
 * trajectory that does not fit.
 */
export function makeTrajectoryBatch(seqs: readonly TrajectoryTokens[], T: number, pad: number): Batch {
  const B = seqs.length;
  const inputs = new Int32Array(B * T).fill(pad);
  const targets = new Int32Array(B * T).fill(pad);
  const mask = new Float32Array(B * T);
  let lossTokens = 0;
  seqs.forEach((s, b) => {
    if (s.ids.length - 1 > T) throw new Error(`trajectory ${b} needs ${s.ids.length - 1} positions, more than the ${T} of the context: raise model.blockSize or lower the token budget`);
    for (let t = 0; t < s.ids.length - 1; t++) {
      inputs[b * T + t] = s.ids[t]!;
      targets[b * T + t] = s.ids[t + 1]!;
      if (s.mask[t + 1] === 1) {
        mask[b * T + t] = 1;
        lossTokens++;
      }
    }
  });
  return { B, T, inputs, targets, mask, lossTokens };
}
