// Where the time of one training step goes: medians of forward only, forward + backward
// (variableGrads) and the full AdamW step, so backward = (fwd+bwd) - fwd and optimizer =
// step - (fwd+bwd); plus tf.profile's kernels of one step, summed per kernel name. countKernels
// gives the kernels per phase (forward, backward, optimizer) the same way, for every backend.

import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../backend.ts';
import { disposeParams, initParams, maskedLoss, type Params } from '../model/gpt.ts';
import { Rng } from '../rng.ts';
import type { AdamW } from '../train/optim.ts';
import { makeOptimizer, trainStep, type HostBatch, type TrainSpec } from './step.ts';

export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

export interface StepProfile {
  backend: BackendName;
  config: string;
  forwardMs: number;
  backwardMs: number;
  optimizerMs: number;
  stepMs: number;
  /** Kernels run by one full step (tf.profile). */
  kernelsPerStep: number;
  /** Sum of the kernel times tf.profile reports (excludes JS time between kernels). */
  kernelMs: number;
  topKernels: KernelTime[];
}

/** Kernels run per training step, by phase (tf.profile; the count rule of profileStep). */
export interface KernelCounts {
  forward: number;
  backward: number;
  /** Clipping, the AdamW update and the parameter write-back. */
  optimizer: number;
  step: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Composite ops and customGrad bodies appear in tf.profile as well as the kernels they run. */
const isWrapper = (name: string) => name === 'forward' || name.endsWith('__op');
const kernelsIn = (info: Awaited<ReturnType<typeof tf.profile>>) => info.kernels.filter((k) => !isWrapper(k.name)).length;

/**
 * Kernels of the forward pass alone, of forward + backward (tf.variableGrads, as AdamW.minimize
 * calls it) and of a full trainStep, each profiled once: backward and optimizer are the
 * differences. Costs about 2 steps (the params and optimizer state move on by one step).
 */
export async function countKernels(spec: TrainSpec, params: Params, opt: AdamW, b: HostBatch): Promise<KernelCounts> {
  const c = spec.model;
  const [B, T] = [spec.batch, spec.seqLen];
  const vars = Object.keys(params).map((n) => params[n]!);
  const lossFn = () => maskedLoss(params, c, tf.tensor2d(b.inputs, [B, T], 'int32'), tf.tensor2d(b.targets, [B, T], 'int32'), tf.tensor2d(b.mask, [B, T]));
  const run = async (f: () => tf.Tensor[]) => {
    const out = f();
    await out[0]!.data();
    tf.dispose(out);
  };
  const fwd = kernelsIn(await tf.profile(() => run(() => [tf.tidy(lossFn)])));
  const fwdBwd = kernelsIn(
    await tf.profile(() =>
      run(() =>
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(lossFn, vars);
          return [value, ...Object.values(grads)];
        }),
      ),
    ),
  );
  const step = kernelsIn(await tf.profile(async () => void (await trainStep(c, params, opt, b, B, T))));
  return { forward: fwd, backward: fwdBwd - fwd, optimizer: step - fwdBwd, step };
}

export async function profileStep(spec: TrainSpec, backend: BackendName, reps: number, b: HostBatch): Promise<StepProfile> {
  const c = spec.model;
  const [B, T] = [spec.batch, spec.seqLen];
  const params = initParams(c, new Rng(1));
  const opt = makeOptimizer(c, params);
  const names = Object.keys(params);
  const lossFn = () => maskedLoss(params, c, tf.tensor2d(b.inputs, [B, T], 'int32'), tf.tensor2d(b.targets, [B, T], 'int32'), tf.tensor2d(b.mask, [B, T]));
  const timeIt = async (f: () => tf.Tensor[]) => {
    const ts: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      const out = f();
      await out[0]!.data();
      tf.dispose(out);
      if (i > 0) ts.push(performance.now() - t0); // the first run is a warm-up
    }
    return median(ts);
  };
  try {
    const fwd = await timeIt(() => [tf.tidy(lossFn)]);
    const fwdBwd = await timeIt(() =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(lossFn, names.map((n) => params[n]!));
        return [value, ...Object.values(grads)];
      }),
    );
    const ts: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const t0 = performance.now();
      await trainStep(c, params, opt, b, B, T);
      if (i > 0) ts.push(performance.now() - t0);
    }
    const step = median(ts);
    const info = await tf.profile(async () => {
      await trainStep(c, params, opt, b, B, T);
    });
    const agg = new Map<string, KernelTime>();
    let kernelMs = 0;
    let kernels = 0;
    for (const k of info.kernels) {
      if (isWrapper(k.name)) continue;
      kernels++;
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      kernelMs += ms;
      const a = agg.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
      a.ms += ms;
      a.calls++;
      agg.set(k.name, a);
    }
    const topKernels = [...agg.values()].sort((x, y) => y.ms - x.ms).slice(0, 10);
    return { backend, config: spec.id, forwardMs: fwd, backwardMs: fwdBwd - fwd, optimizerMs: step - fwdBwd, stepMs: step, kernelsPerStep: kernels, kernelMs, topKernels };
  } finally {
    opt.dispose();
    disposeParams(params);
  }
}
