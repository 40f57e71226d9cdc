// Examples (prompt, completion) -> fixed-shape token batches for next-token training.
// Sequence = <bos> prompt completion <eos>; inputs/targets are the sequence shifted by one, and the
// loss mask covers completion tokens and <eos> only (the prompt is given, not learned).

import type { Tokenizer } from '../tokenizer.ts';

export interface Example {
  prompt: string;
  completion: string;
}

export interface Batch {
  B: number;
  T: number;
  inputs: Int32Array; // [B, T]
  targets: Int32Array; // [B, T]
  mask: Float32Array; // [B, T], 1 where the target is a completion token
  /** Number of positions with mask 1 (tokens that carry loss). */
  lossTokens: number;
}

/** Prompt ids with the leading <bos>: what the sampler is given. */
export function encodePrompt(tok: Tokenizer, prompt: string): number[] {
  return [tok.bos, ...tok.encode(prompt)];
}

/** Build a batch padded to T positions. Throws if an example does not fit, naming it. */
export function makeBatch(tok: Tokenizer, examples: readonly Example[], T: number): Batch {
  const B = examples.length;
  const inputs = new Int32Array(B * T).fill(tok.pad);
  const targets = new Int32Array(B * T).fill(tok.pad);
  const mask = new Float32Array(B * T);
  let lossTokens = 0;
  examples.forEach((ex, b) => {
    const p = encodePrompt(tok, ex.prompt);
    const seq = [...p, ...tok.encode(ex.completion), tok.eos];
    if (seq.length - 1 > T) {
      throw new Error(`example ${b} (${JSON.stringify(ex.prompt.slice(0, 40))}) needs ${seq.length - 1} positions, more than the ${T} of the context: raise model.blockSize`);
    }
    for (let t = 0; t < seq.length - 1; t++) {
      inputs[b * T + t] = seq[t]!;
      targets[b * T + t] = seq[t + 1]!;
      if (t + 1 >= p.length) {
        mask[b * T + t] = 1;
        lossTokens++;
      }
    }
  });
  return { B, T, inputs, targets, mask, lossTokens };
}
