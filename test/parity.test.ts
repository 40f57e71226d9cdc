// Backend parity: the same host weights and batch give the same loss, gradients, AdamW update and
// greedy samples on cpu (the reference), wasm and webgpu. Backends are switched inside this one
// file; every tensor is created fresh on the active backend and read back (await data()) before
// the next switch. webgpu fails under CI when it cannot start and is skipped elsewhere.

import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import type { ModelConfig } from '../src/model/config.ts';
import { disposeParams, initParamArrays, makeParams, maskedLoss, paramArrays, paramSpecs, type Params } from '../src/model/gpt.ts';
import { sample } from '../src/model/sample.ts';
import { Rng } from '../src/rng.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { AdamW, DEFAULT_OPTIM, type OptimConfig } from '../src/train/optim.ts';
import { releaseWebGPU, requireWebGPU, useBackend, type TestBackend } from './helpers/backend.ts';

const tok = new Tokenizer();
const cfg: ModelConfig = { nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 16, vocabSize: tok.vocabSize };
const B = 3;
const T = cfg.blockSize;
const weights = initParamArrays(cfg, new Rng(1));
const rng = new Rng(2);
const inputs = Int32Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
const targets = Int32Array.from({ length: B * T }, () => rng.int(cfg.vocabSize));
const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T < 4 ? 0 : 1)); // prompt positions carry no loss
const GRAD_TENSORS = ['transformer.wte.weight', 'transformer.wpe.weight', 'transformer.h.0.attn.c_attn.weight', 'transformer.h.1.mlp.c_fc.bias', 'transformer.h.1.ln_2.weight', 'transformer.ln_f.bias'];
const optim: OptimConfig = { ...DEFAULT_OPTIM, lr: 1e-2, minLr: 1e-2, warmupSteps: 0, weightDecay: 0.1, gradClip: 1 };
const decays = new Set(paramSpecs(cfg).filter((s) => s.decay).map((s) => s.name));
// Greedy sampling uses weights with a larger spread (std 0.3) so the argmax is never a near-tie.
const peaky = new Map([...initParamArrays(cfg, new Rng(3))].map(([n, a]) => [n, a.map((x) => x * 15)]));
const prompts = [[tok.bos], [tok.bos, ...tok.encode('12+34=')], [tok.bos, ...tok.encode('7+8')]];

interface Result {
  loss: number;
  grads: Map<string, Float32Array>;
  stepLoss: number;
  applied: number;
  updated: Map<string, Float32Array>;
  tokens: number[][];
  logprobs: Float32Array[];
  truncated: boolean[];
}

async function compute(): Promise<Result> {
  const batch = () => [tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), tf.tensor2d(mask, [B, T])] as const;
  let params: Params = makeParams(cfg, weights);
  const g = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => maskedLoss(params, cfg, ...batch()), GRAD_TENSORS.map((n) => params[n]!));
    return { value, grads: GRAD_TENSORS.map((n) => grads[params[n]!.name]!) };
  });
  const loss = (await g.value.data())[0]!;
  const grads = new Map<string, Float32Array>();
  for (let i = 0; i < GRAD_TENSORS.length; i++) grads.set(GRAD_TENSORS[i]!, (await g.grads[i]!.data()) as Float32Array);
  tf.dispose([g.value, ...g.grads]);

  const opt = new AdamW(optim, params, (n) => decays.has(n));
  const out = opt.minimize(() => tf.tidy(() => maskedLoss(params, cfg, ...batch())));
  const stepLoss = (await out.loss.data())[0]!;
  const applied = (await out.applied.data())[0]!;
  tf.dispose(Object.values(out));
  const updated = await paramArrays(params);
  opt.dispose();
  disposeParams(params);

  params = makeParams(cfg, peaky);
  const s = await sample(params, cfg, prompts, { maxNewTokens: 8, temperature: 0, topK: 0, eosId: tok.eos, rng: new Rng(0) });
  disposeParams(params);
  return { loss, grads, stepLoss, applied, updated, tokens: s.tokens.map((t) => Array.from(t)), logprobs: s.logprobs, truncated: s.truncated };
}

const results = new Map<TestBackend, Result>();
/** Results on `name`, computed once (switches the backend when not cached). */
async function resultOn(name: TestBackend): Promise<Result> {
  let r = results.get(name);
  if (!r) {
    if (name !== 'webgpu') await useBackend(name); // webgpu: switched by requireWebGPU
    expect(tf.getBackend()).toBe(name);
    r = await compute();
    results.set(name, r);
  }
  return r;
}

function relDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / Math.max(s, 1e-12);
}

function absDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

let cpu: Result;
beforeAll(async () => {
  cpu = await resultOn('cpu');
});
afterAll(() => releaseWebGPU());

it('the cpu reference is sane', () => {
  expect(cpu.loss).toBeGreaterThan(4); // ~ln(103) at init
  expect(cpu.loss).toBeLessThan(5);
  expect(cpu.applied).toBe(1);
  expect(cpu.stepLoss).toBe(cpu.loss);
  for (const [n, g] of cpu.grads) expect(Math.max(...Array.from(g, Math.abs)), n).toBeGreaterThan(0);
  expect(cpu.tokens.flat().length).toBeGreaterThan(8);
});

describe.each(['wasm', 'webgpu'] as const)('%s matches cpu', (name) => {
  const get = async (ctx: TestContext): Promise<Result> => {
    if (name === 'webgpu' && !results.has('webgpu')) await requireWebGPU(ctx);
    return resultOn(name);
  };

  it('loss and gradients', async (ctx) => {
    const r = await get(ctx);
    expect(Math.abs(r.loss - cpu.loss) / cpu.loss).toBeLessThanOrEqual(1e-5);
    for (const n of GRAD_TENSORS) expect(relDiff(r.grads.get(n)!, cpu.grads.get(n)!), n).toBeLessThanOrEqual(1e-4);
  });

  it('one AdamW step', async (ctx) => {
    const r = await get(ctx);
    expect(r.applied, 'AdamW skipped a finite step (applied = 0)').toBe(1);
    expect(Math.abs(r.stepLoss - cpu.stepLoss) / cpu.stepLoss).toBeLessThanOrEqual(1e-5);
    for (const [n, a] of cpu.updated) {
      const before = weights.get(n)!;
      const dCpu = a.map((x, i) => x - before[i]!);
      const d = r.updated.get(n)!.map((x, i) => x - before[i]!);
      // Compare the updates themselves (each about lr in size), not the much larger weights.
      expect(relDiff(d, dCpu), n).toBeLessThanOrEqual(1e-3);
    }
  });

  it('greedy sample', async (ctx) => {
    const r = await get(ctx);
    expect(r.tokens).toEqual(cpu.tokens);
    expect(r.truncated).toEqual(cpu.truncated);
    r.logprobs.forEach((lp, i) => expect(absDiff(lp, cpu.logprobs[i]!), `row ${i}`).toBeLessThanOrEqual(1e-4));
  });
});
