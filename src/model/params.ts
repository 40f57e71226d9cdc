// Parameter names, shapes and initialisation of the GPT, as host data (no tfjs): shared by the
// model, the optimizer (which tensors decay) and checkpoints (names and order on disk).

import type { Rng } from '../rng.ts';
import type { ModelConfig } from './config.ts';

/** LayerNorm epsilon (GPT-2's layer_norm_epsilon). */
export const LN_EPS = 1e-5;

/** Name, shape and init of every parameter, in a fixed order (the checkpoint order). */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'residual' | 'zeros' | 'ones';
  /** AdamW decays matrices only, never biases, LayerNorm or embeddings. */
  decay: boolean;
}

export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const C = c.nEmbd;
  const specs: ParamSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, C], init: 'normal', decay: false },
    { name: 'transformer.wpe.weight', shape: [c.blockSize, C], init: 'normal', decay: false },
  ];
  for (let l = 0; l < c.nLayer; l++) {
    const p = `transformer.h.${l}.`;
    specs.push(
      { name: p + 'ln_1.weight', shape: [C], init: 'ones', decay: false },
      { name: p + 'ln_1.bias', shape: [C], init: 'zeros', decay: false },
      { name: p + 'attn.c_attn.weight', shape: [C, 3 * C], init: 'normal', decay: true },
      { name: p + 'attn.c_attn.bias', shape: [3 * C], init: 'zeros', decay: false },
      { name: p + 'attn.c_proj.weight', shape: [C, C], init: 'residual', decay: true },
      { name: p + 'attn.c_proj.bias', shape: [C], init: 'zeros', decay: false },
      { name: p + 'ln_2.weight', shape: [C], init: 'ones', decay: false },
      { name: p + 'ln_2.bias', shape: [C], init: 'zeros', decay: false },
      { name: p + 'mlp.c_fc.weight', shape: [C, 4 * C], init: 'normal', decay: true },
      { name: p + 'mlp.c_fc.bias', shape: [4 * C], init: 'zeros', decay: false },
      { name: p + 'mlp.c_proj.weight', shape: [4 * C, C], init: 'residual', decay: true },
      { name: p + 'mlp.c_proj.bias', shape: [C], init: 'zeros', decay: false },
    );
  }
  specs.push(
    { name: 'transformer.ln_f.weight', shape: [C], init: 'ones', decay: false },
    { name: 'transformer.ln_f.bias', shape: [C], init: 'zeros', decay: false },
  );
  return specs;
}

/** GPT-2 initialisation as host arrays: N(0, 0.02), residual projections 0.02/sqrt(2*nLayer). */
export function initParamArrays(c: ModelConfig, rng: Rng): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  const resStd = 0.02 / Math.sqrt(2 * c.nLayer);
  for (const s of paramSpecs(c)) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    if (s.init === 'ones') a.fill(1);
    else if (s.init === 'normal' || s.init === 'residual') {
      const std = s.init === 'normal' ? 0.02 : resStd;
      for (let i = 0; i < n; i++) a[i] = rng.normal() * std;
    }
    out.set(s.name, a);
  }
  return out;
}
