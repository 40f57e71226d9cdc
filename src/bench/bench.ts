// Benchmark of the training core per TensorFlow.js backend: AdamW training-step throughput (the
// same work as Trainer.trainStep) for the nano/micro presets and two reference configs, each set
// against PyTorch measured in the same run (src/bench/torchref.ts) when a Python with torch is
// present; kernels per step by phase, sampling with and without the KV cache, tensors leaked, and
// where a step's time goes on the fastest backend. Used by `reasonlab bench` (src/cli/benchcmd.ts)
// and `npx tsx src/bench/run.ts`; benchMarkdown() renders the tables.

import * as tf from '@tensorflow/tfjs';
import { initBackend, threadsText, type BackendHooks, type BackendName } from '../backend.ts';
import { applyOverrides, DEFAULT_CONFIG } from '../run-config.ts';
import { RlTrainer } from '../train/rl.ts';
import { paramCount, type ModelConfig } from '../model/config.ts';
import { disposeParams, initParams } from '../model/gpt.ts';
import { sample } from '../model/sample.ts';
import { Rng } from '../rng.ts';
import { machineInfo, type MachineInfo } from './machine.ts';
import { countKernels, profileStep, type KernelCounts, type StepProfile } from './profile.ts';
import { torchRatio, type PytorchReport } from './torchparse.ts';
import type { TorchSession } from './torchref.ts';
import { hostBatch, makeOptimizer, trainStep, VOCAB, type TrainSpec } from './step.ts';

export type { TrainSpec } from './step.ts';
export type { KernelCounts, StepProfile } from './profile.ts';
export type { PytorchReport } from './torchparse.ts';
export type { MachineInfo } from './machine.ts';
export type { BackendResult, BenchOptions, BenchReport, RlBenchResult, SampleBenchResult, TrainResult } from './types.ts';
import type { BackendResult, BenchOptions, BenchReport, RlBenchResult, SampleBenchResult, TrainResult } from './types.ts';

export const TRAIN_SPECS: TrainSpec[] = [
  { id: 'nano', model: { nLayer: 3, nHead: 3, nEmbd: 48, blockSize: 64, vocabSize: VOCAB }, batch: 32, seqLen: 64 },
  { id: 'micro', model: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: VOCAB }, batch: 32, seqLen: 64 },
  { id: 'ref-2x64', model: { nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 64, vocabSize: VOCAB }, batch: 32, seqLen: 64 },
  { id: 'ref-4x128', model: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 128, vocabSize: VOCAB }, batch: 32, seqLen: 128 },
];

/** Sampling: the micro preset, 64 prompts of 4 tokens, greedy, no early stop. */
const SAMPLE_MODEL: ModelConfig = { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 128, vocabSize: VOCAB };

interface Plan {
  warmup: number;
  maxSteps: number;
  /** Stop measuring a config before this many seconds would pass (at least 2 steps unless warm-up took over half). */
  budgetS: number;
  configs: string[];
  sampleNewTokens: number;
  sampleCalls: number;
  /** Count kernels per phase (about 2 extra steps) only when a step's median is below this. */
  kernelCountMaxStepS: number;
}

/** Step counts per backend: cpu runs ~0.5k tokens/s, webgpu on a software adapter ~1.5k. */
function planFor(name: BackendName, quick: boolean): Plan {
  const all = TRAIN_SPECS.map((s) => s.id);
  const small = ['nano', 'ref-2x64'];
  const kernelCountMaxStepS = quick ? 7 : 10;
  if (name === 'cpu') return { warmup: 0, maxSteps: quick ? 2 : 3, budgetS: quick ? 10 : 25, configs: quick ? ['ref-2x64'] : all, sampleNewTokens: 8, sampleCalls: 1, kernelCountMaxStepS };
  if (name === 'webgpu' || name === 'webgl') return { warmup: 1, maxSteps: 3, budgetS: quick ? 6 : 20, configs: quick ? small : all, sampleNewTokens: 16, sampleCalls: 1, kernelCountMaxStepS };
  return { warmup: quick ? 1 : 2, maxSteps: quick ? 3 : 9, budgetS: quick ? 6 : 20, configs: all, sampleNewTokens: 64, sampleCalls: quick ? 1 : 3, kernelCountMaxStepS };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

async function benchTrain(spec: TrainSpec, plan: Plan, log: (l: string) => void): Promise<TrainResult> {
  const c = spec.model;
  const base: TrainResult = {
    id: spec.id,
    nLayer: c.nLayer,
    nHead: c.nHead,
    nEmbd: c.nEmbd,
    seqLen: spec.seqLen,
    batch: spec.batch,
    params: paramCount(c),
    steps: 0,
    msPerStepMedian: NaN,
    msPerStepMin: NaN,
    tokensPerS: NaN,
    pytorchTokensPerS: null,
    ratioToPytorch: null,
    leakedTensorsPerStep: NaN,
    kernels: null,
  };
  const params = initParams(c, new Rng(1));
  const opt = makeOptimizer(c, params);
  const batch = hostBatch(spec, 2);
  try {
    let slowWarmup = false;
    for (let i = 0; i < plan.warmup; i++) {
      const t0 = performance.now();
      const loss = await trainStep(c, params, opt, batch, spec.batch, spec.seqLen);
      if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss} in warm-up`);
      slowWarmup = performance.now() - t0 > (plan.budgetS * 1000) / 2;
    }
    const n0 = tf.memory().numTensors;
    const times: number[] = [];
    const start = performance.now();
    const budget = plan.budgetS * 1000;
    // At least 2 steps, or 1 when a step takes over half the budget; then while one more fits.
    const minSteps = () => (slowWarmup || (times[0] ?? 0) > budget / 2 ? 1 : 2);
    const within = () => performance.now() - start + (times[times.length - 1] ?? 0) <= budget;
    while (times.length < plan.maxSteps && (times.length < minSteps() || within())) {
      const t0 = performance.now();
      await trainStep(c, params, opt, batch, spec.batch, spec.seqLen);
      times.push(performance.now() - t0);
    }
    const med = median(times);
    const tps = (spec.batch * spec.seqLen) / (med / 1000);
    const r: TrainResult = {
      ...base,
      steps: times.length,
      msPerStepMedian: med,
      msPerStepMin: Math.min(...times),
      tokensPerS: tps,
      ratioToPytorch: null,
      leakedTensorsPerStep: (tf.memory().numTensors - n0) / times.length,
    };
    log(`  ${spec.id.padEnd(10)} ${med.toFixed(1).padStart(8)} ms/step  ${tps.toFixed(0).padStart(7)} tok/s  [${times.length} steps]`);
    // After the timed steps, so profiling never touches the timings.
    if (med / 1000 <= plan.kernelCountMaxStepS) {
      const k = (r.kernels = await countKernels(spec, params, opt, batch));
      log(`  ${''.padEnd(10)} kernels/step ${k.step} = forward ${k.forward} + backward ${k.backward} + optimizer ${k.optimizer}`);
    } else r.kernelsSkipped = `a step takes ${(med / 1000).toFixed(0)} s here (counting costs ~2 steps; limit ${plan.kernelCountMaxStepS} s)`;
    return r;
  } finally {
    opt.dispose();
    disposeParams(params);
  }
}

async function benchSample(plan: Plan, log: (l: string) => void): Promise<SampleBenchResult> {
  const c = SAMPLE_MODEL;
  const params = initParams(c, new Rng(3));
  const rng = new Rng(4);
  const B = 64;
  const promptLen = 4;
  const prompts = Array.from({ length: B }, () => [1, ...Array.from({ length: promptLen - 1 }, () => 7 + rng.int(VOCAB - 7))]);
  // eosId -1 never matches: every row generates exactly newTokens tokens.
  const opts = (useCache: boolean, maxNewTokens: number) => ({ maxNewTokens, temperature: 0, topK: 0, eosId: -1, rng: new Rng(0), useCache });
  const newTokens = plan.sampleNewTokens;
  try {
    const time = async (useCache: boolean, calls: number) => {
      await sample(params, c, prompts, opts(useCache, 4)); // warm-up (kernels, buffers)
      const n0 = tf.memory().numTensors;
      const ts: number[] = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        const r = await sample(params, c, prompts, opts(useCache, newTokens));
        ts.push(performance.now() - t0);
        if (r.tokens.some((t) => t.length !== newTokens)) throw new Error('sample() stopped early');
      }
      return { tps: (B * newTokens) / (median(ts) / 1000), leak: (tf.memory().numTensors - n0) / calls };
    };
    const cached = await time(true, plan.sampleCalls);
    const plain = await time(false, 1);
    const r: SampleBenchResult = {
      batch: B,
      promptLen,
      newTokens,
      model: `${c.nLayer}/${c.nHead}/${c.nEmbd}`,
      cacheTokensPerS: cached.tps,
      noCacheTokensPerS: plain.tps,
      speedup: cached.tps / plain.tps,
      leakedTensorsPerCall: Math.max(cached.leak, plain.leak),
    };
    log(`  sample     cache ${cached.tps.toFixed(0)} tok/s, no cache ${plain.tps.toFixed(0)} tok/s (${r.speedup.toFixed(1)}x)`);
    return r;
  } finally {
    disposeParams(params);
  }
}

/**
 * RL steps of the nano preset on 2-digit addition from a random init (every completion runs to the
 * length limit: the slowest case), 16 prompts x 8 samples, GRPO, one inner epoch.
 */
async function benchRl(plan: Plan, log: (l: string) => void): Promise<RlBenchResult> {
  const cfg = applyOverrides(DEFAULT_CONFIG, { task: 'addition', digits: 2, preset: 'nano', stage: 'rl', 'rl.prompts': 16, 'rl.group': 8, 'rl.warmupSteps': 0, 'eval.n': 0 });
  const t = new RlTrainer(cfg);
  try {
    for (let i = 0; i < Math.max(plan.warmup, 1); i++) await t.trainStep();
    const n0 = tf.memory().numTensors;
    const steps = Math.max(1, Math.min(plan.maxSteps, 5));
    const ms: number[] = [];
    const smp: number[] = [];
    const upd: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const { metrics } = await t.trainStep();
      ms.push(performance.now() - t0);
      smp.push(metrics.sample_tokens_per_s);
      upd.push(metrics.update_tokens_per_s);
    }
    const r: RlBenchResult = {
      config: 'nano, addition 2 digits, 16 prompts x 8, grpo',
      steps,
      msPerStepMedian: median(ms),
      sampleTokensPerS: median(smp),
      updateTokensPerS: median(upd),
      leakedTensorsPerStep: (tf.memory().numTensors - n0) / steps,
    };
    log(`  rl step    ${r.msPerStepMedian.toFixed(0)} ms/step, sampling ${r.sampleTokensPerS.toFixed(0)} tok/s, update ${r.updateTokensPerS.toFixed(0)} tok/s [${steps} steps]`);
    return r;
  } finally {
    t.dispose();
  }
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function hooksFor(name: BackendName): Promise<BackendHooks> {
  if (name === 'wasm' && isNode) {
    const { nodeWasmHooks } = await import('../backend/node-wasm-threads.ts');
    return nodeWasmHooks();
  }
  if (name !== 'webgpu' || !isNode) return {};
  const { installNodeWebGPU } = await import('../backend/node-webgpu.ts');
  return { provideWebGPU: installNodeWebGPU };
}

const NO_TORCH: PytorchReport = { absent: null, python: null, torch: null, threads: 0, openblasCoretype: null, rows: [], errors: [] };

/** PyTorch's session in Node unless turned off (its module spawns processes, so it loads only here). */
async function startTorch(opts: BenchOptions, quick: boolean, log: (l: string) => void): Promise<TorchSession | null> {
  if (!isNode || opts.torch === false) return null;
  const { startTorchSession } = await import('./torchref.ts');
  return startTorchSession(opts.torchThreads, quick, log);
}

/** Run the benchmark on each backend in turn (unavailable ones are reported with the reason). */
export async function runBench(opts: BenchOptions = {}): Promise<BenchReport> {
  const quick = opts.quick ?? false;
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const names: BackendName[] = opts.backends ?? (isNode ? ['wasm', 'webgpu', 'webgl', 'cpu'] : ['webgpu', 'webgl', 'wasm', 'cpu']);
  const backends: BackendResult[] = [];
  const previous = tf.engine().backendName as string | null; // not tf.getBackend(): that initialises one
  const torch = await startTorch(opts, quick, log);
  try {
    for (const name of names) {
      let info;
      try {
        info = await initBackend(name, await hooksFor(name));
      } catch (e) {
        const reason = (e instanceof Error ? e.message : String(e)).replace(/^backend \w+ is not available: /, '');
        log(`${name}: skipped (${reason.split('\n')[0]})`);
        backends.push({ name, available: false, reason, train: [], sampling: null, seconds: 0 });
        continue;
      }
      const tb = performance.now();
      log(`${name}${info.adapter ? ` (${info.adapter})` : ''}${info.threads !== null ? ` (${threadsText(info.threads)})` : ''}:`);
      const plan = planFor(name, quick);
      const res: BackendResult = { name, available: true, adapter: info.adapter, software: info.software, threads: info.threads, train: [], sampling: null, seconds: 0 };
      for (const spec of TRAIN_SPECS) {
        if (!plan.configs.includes(spec.id)) continue;
        const r = await benchTrain(spec, plan, log);
        res.train.push(r);
        // The first backend to measure a config has PyTorch measured right after it; later ones reuse it.
        r.pytorchTokensPerS = (await torch?.measure(spec.id, name)) ?? null;
        r.ratioToPytorch = torchRatio(r.tokensPerS, r.pytorchTokensPerS);
        if (r.ratioToPytorch !== null) log(`  ${''.padEnd(10)} ${r.ratioToPytorch.toFixed(3)}x PyTorch`);
      }
      if (name === 'cpu' && quick) res.samplingSkipped = 'quick mode (cpu is too slow for sampling without the cache)';
      else res.sampling = await benchSample(plan, log);
      res.rl = quick && name !== 'wasm' ? null : await benchRl(plan, log);
      res.seconds = (performance.now() - tb) / 1000;
      log(`  (${res.seconds.toFixed(0)} s)`);
      backends.push(res);
    }
    // Profile the fastest backend on the larger PyTorch reference config.
    const ranked = backends.filter((b) => b.available).map((b) => ({ b, tps: b.train.find((t) => t.id === 'ref-2x64')?.tokensPerS ?? 0 }));
    ranked.sort((x, y) => y.tps - x.tps);
    let profile: StepProfile | null = null;
    const best = ranked[0]?.b;
    if (best) {
      await initBackend(best.name, await hooksFor(best.name));
      const spec = TRAIN_SPECS.find((s) => s.id === (quick ? 'ref-2x64' : 'ref-4x128'))!;
      log(`profile: ${best.name}, ${spec.id}`);
      profile = await profileStep(spec, best.name, quick ? 2 : 3, hostBatch(spec, 2));
    }
    const pytorch = torch?.report ?? { ...NO_TORCH, absent: isNode ? 'turned off (torch: false)' : 'not in Node (the browser cannot start Python)' };
    return { date: new Date().toISOString(), quick, machine: await machineInfo(backends), backends, profile, pytorch, totalSeconds: (performance.now() - t0) / 1000 };
  } finally {
    if (previous && tf.getBackend() !== previous) await tf.setBackend(previous);
    if (isNode && names.includes('webgpu')) {
      const { releaseNodeWebGPU } = await import('../backend/node-webgpu.ts');
      releaseNodeWebGPU();
    }
  }
}
