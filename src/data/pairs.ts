// Preference pairs -> two token batches (chosen rows, rejected rows: same order, same shape) for the
// reward model and DPO, with each row's last completion position and a tie mask. A pair whose
// text the checkpoint's tokenizer cannot encode, or that does not fit the context, is refused
// naming the pair, so a preference file from another model never trains on garbage.

import type { PreferenceRecord } from '../records/preference.ts';
import type { Tokenizer } from '../tokenizer.ts';
import { makeBatch, type Batch } from './batch.ts';

export interface PairBatch {
  chosen: Batch;
  rejected: Batch;
  /** [B], 1 where the pair is a tie (the reward model's 0.5/0.5 target). */
  tie: Float32Array;
  /** [B] each: the last input position with a loss (its input is the last completion token). */
  lastChosen: Int32Array;
  lastRejected: Int32Array;
}

export class PairError extends Error {
  override name = 'PairError';
}

/**
 * For each row of a [B, T] loss mask (1 on completion targets and <eos>, as makeBatch builds), the
 * last position with mask 1: its input is the last completion token.
 */
export function lastIndices(mask: Float32Array, B: number, T: number): Int32Array {
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let last = -1;
    for (let t = 0; t < T; t++) if (mask[b * T + t]! > 0) last = t;
    if (last < 0) throw new PairError(`lastIndices: row ${b} of the mask has no completion position`);
    out[b] = last;
  }
  return out;
}

/** Throws PairError naming `where` and the field when the tokenizer cannot encode a text. */
export function checkPairTokens(tok: Tokenizer, r: PreferenceRecord, where: string): void {
  for (const field of ['prompt', 'chosen', 'rejected'] as const) {
    try {
      tok.encode(r[field]);
    } catch (e) {
      throw new PairError(`${where}: field ${field}: ${(e as Error).message}; the pair does not match this checkpoint's tokenizer`);
    }
  }
}

/**
 * Batches of `pairs` padded to T. `where(i)` names pair i in errors (e.g. "prefs.jsonl:12").
 * Zero pairs is an error (a loss over nothing would be NaN).
 */
export function makePairBatch(tok: Tokenizer, pairs: readonly PreferenceRecord[], T: number, where: (i: number) => string = (i) => `pair ${i}`): PairBatch {
  if (pairs.length === 0) throw new PairError('no usable pairs to batch (the preference file is empty, or every pair was left out)');
  pairs.forEach((r, i) => checkPairTokens(tok, r, where(i)));
  const side = (k: 'chosen' | 'rejected') => {
    try {
      return makeBatch(tok, pairs.map((r) => ({ prompt: r.prompt, completion: r[k] })), T);
    } catch (e) {
      const m = /^example (\d+) /.exec((e as Error).message);
      throw new PairError(m ? `${where(Number(m[1]))}: the ${k} completion: ${(e as Error).message.replace(/^example \d+ /, '')}` : (e as Error).message);
    }
  };
  const chosen = side('chosen');
  const rejected = side('rejected');
  return {
    chosen,
    rejected,
    tie: Float32Array.from(pairs, (r) => (r.tie ? 1 : 0)),
    lastChosen: lastIndices(chosen.mask, chosen.B, T),
    lastRejected: lastIndices(rejected.mask, rejected.B, T),
  };
}
