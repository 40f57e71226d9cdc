// Real GPU dispatches of one training step on the tfjs webgpu backend, by program: wraps the
// backend's recordAndSubmit (called once per dispatchWorkgroups) and tallies program.shaderKey.
// The count is what bounds a small model's step on a real GPU (~0.1 ms per dispatch), and it is the
// same on lavapipe as on a real GPU, so it can be measured here; lavapipe times are not speed.
//   source .cache/webgpu/env.sh; npx tsx src/bench/dispatches.ts [--configs nano,micro] [--fused 1] [--top 25]

import * as tf from '@tensorflow/tfjs';

export interface DispatchTally {
  total: number;
  byProgram: Map<string, number>;
}

const tally: DispatchTally = { total: 0, byProgram: new Map() };

/** Wrap the active webgpu backend's recordAndSubmit once; false when tfjs does not run webgpu. */
export function hookDispatches(): boolean {
  const b = tf.backend() as unknown as Record<string, unknown>;
  if (typeof b.recordAndSubmit !== 'function') return false;
  if (b.__dispatchTally) return true;
  const ras = b.recordAndSubmit as (...a: unknown[]) => unknown;
  b.recordAndSubmit = function (this: unknown, ...a: unknown[]) {
    const program = a[0] as { shaderKey?: string; constructor: { name: string } };
    // The shader key starts with the program's own key; the suffix holds shapes and types.
    const name = (program.shaderKey ?? program.constructor.name).split('_')[0]!;
    tally.total++;
    tally.byProgram.set(name, (tally.byProgram.get(name) ?? 0) + 1);
    return ras.apply(this, a);
  };
  b.__dispatchTally = true;
  return true;
}

/** Dispatches made while `fn` runs (hookDispatches must have succeeded). */
export async function countDispatches(fn: () => unknown): Promise<DispatchTally> {
  tally.total = 0;
  tally.byProgram = new Map();
  await fn();
  return { total: tally.total, byProgram: new Map(tally.byProgram) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (k: string, d: string) => {
    const i = args.indexOf('--' + k);
    return i < 0 ? d : (args[i + 1] ?? d);
  };
  const { initBackend } = await import('../backend.ts');
  const { installNodeWebGPU, releaseNodeWebGPU } = await import('../backend/node-webgpu.ts');
  const { disposeParams, initParams } = await import('../model/gpt.ts');
  const { setFusedKernels } = await import('../model/webgpu/fused.ts');
  const { Rng } = await import('../rng.ts');
  const { TRAIN_SPECS } = await import('./bench.ts');
  const { hostBatch, makeOptimizer, trainStep } = await import('./step.ts');
  await initBackend('webgpu', { provideWebGPU: () => installNodeWebGPU() });
  if (!hookDispatches()) throw new Error(`dispatches: tfjs runs ${tf.getBackend()}, not webgpu`);
  setFusedKernels(opt('fused', '1') === '1');
  const top = Number(opt('top', '25'));
  for (const id of opt('configs', 'nano,micro').split(',')) {
    const spec = TRAIN_SPECS.find((s) => s.id === id);
    if (!spec) throw new Error(`--configs: unknown config '${id}'`);
    const params = initParams(spec.model, new Rng(1));
    const optim = makeOptimizer(spec.model, params);
    const batch = hostBatch(spec, 2);
    const step = () => trainStep(spec.model, params, optim, batch, spec.batch, spec.seqLen);
    await step(); // compiles the pipelines
    const n0 = tf.memory().numTensors;
    const t = await countDispatches(step);
    const leak = tf.memory().numTensors - n0;
    process.stdout.write(`${id}: ${t.total} dispatches/step (fused ${opt('fused', '1')}, leaked tensors ${leak})\n`);
    const rows = [...t.byProgram].sort((a, b) => b[1] - a[1]).slice(0, top);
    for (const [k, n] of rows) process.stdout.write(`  ${String(n).padStart(5)}  ${k}\n`);
    optim.dispose();
    disposeParams(params);
  }
  releaseNodeWebGPU();
  process.exit(0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await main();
