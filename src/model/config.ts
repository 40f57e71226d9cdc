// GPT model configuration and named presets (sizes from minGPT: nano, micro, mini).

export interface ModelConfig {
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads per block; nEmbd must divide by it. */
  nHead: number;
  /** Width of the residual stream (channels). */
  nEmbd: number;
  /** Longest sequence (tokens) the position embedding covers. */
  blockSize: number;
  /** Tokens in the vocabulary (set from the tokenizer). */
  vocabSize: number;
}

export const PRESETS = {
  nano: { nLayer: 3, nHead: 3, nEmbd: 48 },
  micro: { nLayer: 4, nHead: 4, nEmbd: 128 },
  mini: { nLayer: 6, nHead: 6, nEmbd: 192 },
} as const;
export type PresetName = keyof typeof PRESETS;

export function validateModelConfig(c: ModelConfig): ModelConfig {
  for (const k of ['nLayer', 'nHead', 'nEmbd', 'blockSize', 'vocabSize'] as const) {
    const v = c[k];
    if (!Number.isInteger(v) || v < 1 || v > 65536) throw new Error(`model.${k} must be a positive integer, got ${v}`);
  }
  if (c.nEmbd % c.nHead !== 0) throw new Error(`model.nEmbd (${c.nEmbd}) must be divisible by model.nHead (${c.nHead})`);
  return c;
}

/** Count of trainable parameters (tied head counted once). */
export function paramCount(c: ModelConfig): number {
  const C = c.nEmbd;
  const block = 2 * 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + (C * 4 * C + 4 * C) + (4 * C * C + C);
  return c.vocabSize * C + c.blockSize * C + c.nLayer * block + 2 * C;
}
