// Training-step bench for a machine with a real GPU (bench/gpu/, docs/BENCHMARKS.md "Real GPU"):
// per backend and config, the median ms of the bench's trainStep, tokens/s, tfjs kernels per step
// (tf.profile) and, on webgpu, the real GPU dispatches and queue submits per step, counted by
// wrapping the tfjs webgpu backend's recordAndSubmit / submitQueue. Writes JSON + markdown to --out.
//   npx tsx src/bench/gpubench.ts --backends webgpu,wasm --configs nano,micro --warmup 3 --steps 30 --budget 20 --out DIR
// On a GPU machine without node_modules it runs as the esbuild bundle made by bench/gpu/build.sh.

import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKENDS, initBackend, type BackendName } from '../backend.ts';
import { installNodeWebGPU, releaseNodeWebGPU } from '../backend/node-webgpu.ts';
import { paramCount } from '../model/config.ts';
import { disposeParams, initParams } from '../model/gpt.ts';
import { Rng } from '../rng.ts';
import { TRAIN_SPECS } from './bench.ts';
import { profileStep, type StepProfile } from './profile.ts';
import { hostBatch, makeOptimizer, trainStep } from './step.ts';

const USAGE = 'usage: gpubench [--backends webgpu,wasm] [--configs nano,micro] [--warmup 3] [--steps 30] [--budget 20] [--profile 1] [--out DIR]';
const args = process.argv.slice(2);
const opt = (k: string, d: string): string => {
  const i = args.indexOf('--' + k);
  if (i < 0) return d;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${k} needs a value\n${USAGE}`);
  return v;
};
const num = (k: string, d: string): number => {
  const v = Number(opt(k, d));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a number >= 0, got '${opt(k, d)}'\n${USAGE}`);
  return v;
};
const backends = opt('backends', 'webgpu,wasm').split(',') as BackendName[];
for (const b of backends) if (!BACKENDS.includes(b)) throw new Error(`--backends: unknown backend '${b}' (known: ${BACKENDS.join(', ')})`);
const configs = opt('configs', 'nano,micro').split(',');
for (const id of configs) if (!TRAIN_SPECS.some((s) => s.id === id)) throw new Error(`--configs: unknown config '${id}' (known: ${TRAIN_SPECS.map((s) => s.id).join(', ')})`);
const warmup = num('warmup', '3');
const maxSteps = num('steps', '30');
const budgetS = num('budget', '20');
const outDir = opt('out', '.');
const doProfile = opt('profile', '1') === '1';
mkdirSync(outDir, { recursive: true });

// The bundle has the tfjs wasm binaries next to it; under tsx tfjs finds them in node_modules.
const here = dirname(fileURLToPath(import.meta.url));
if (existsSync(join(here, 'tfjs-backend-wasm.wasm'))) setWasmPaths(here + '/');

const log = (s: string) => process.stdout.write(s + '\n');
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

/**
 * Counts real GPU dispatches and queue submits of the tfjs webgpu backend. tf.profile lists tfjs
 * kernels, and some of those (reshapes, host-side kernels) never reach the GPU; recordAndSubmit runs
 * once per dispatchWorkgroups and submitQueue once per queue.submit, so these are the GPU's own counts.
 */
const counters = { dispatches: 0, submits: 0 };
function hookWebGPU(): boolean {
  const b = tf.backend() as unknown as Record<string, unknown>;
  if (typeof b.recordAndSubmit !== 'function' || typeof b.submitQueue !== 'function') return false;
  if (b.__hooked) return true;
  const ras = b.recordAndSubmit as (...a: unknown[]) => unknown;
  const sq = b.submitQueue as (...a: unknown[]) => unknown;
  b.recordAndSubmit = function (this: unknown, ...a: unknown[]) {
    counters.dispatches++;
    return ras.apply(this, a);
  };
  b.submitQueue = function (this: unknown, ...a: unknown[]) {
    counters.submits++;
    return sq.apply(this, a);
  };
  b.__hooked = true;
  return true;
}

interface Row {
  backend: string;
  adapter: string | null;
  config: string;
  layers: string;
  T: number;
  B: number;
  params: number;
  steps: number;
  warmupMs: number[];
  msMedian: number;
  msMin: number;
  tokensPerS: number;
  tfjsKernelsPerStep: number | null;
  gpuDispatchesPerStep: number | null;
  submitsPerStep: number | null;
  profile: StepProfile | null;
  leakedPerStep: number;
  error?: string;
}

const emptyRow = (backend: string, adapter: string | null, config: string): Row => ({
  backend, adapter, config, layers: '', T: 0, B: 0, params: 0, steps: 0, warmupMs: [], msMedian: NaN, msMin: NaN, tokensPerS: NaN,
  tfjsKernelsPerStep: null, gpuDispatchesPerStep: null, submitsPerStep: null, profile: null, leakedPerStep: NaN,
});
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const rows: Row[] = [];
const t00 = performance.now();
for (const name of backends) {
  let info;
  try {
    info = await initBackend(name, name === 'webgpu' ? { provideWebGPU: () => installNodeWebGPU() } : {});
  } catch (e) {
    log(`${name}: NOT AVAILABLE: ${errText(e)}`);
    rows.push({ ...emptyRow(name, null, '-'), error: errText(e) });
    continue;
  }
  const hooked = name === 'webgpu' ? hookWebGPU() : false;
  log(`${name}: adapter=${info.adapter} software=${info.software} hooked=${hooked} tf.backend=${tf.getBackend()}`);
  if (name === 'webgpu') {
    const b = tf.backend() as unknown as { supportTimestampQuery?: boolean; device?: { features?: Set<string> } };
    log(`  timestamp-query: ${b.supportTimestampQuery}; features: ${b.device?.features ? [...b.device.features].join(',') : '?'}`);
  }
  for (const id of configs) {
    const spec = TRAIN_SPECS.find((s) => s.id === id)!;
    const c = spec.model;
    const row: Row = { ...emptyRow(name, info.adapter, id), layers: `${c.nLayer}/${c.nHead}/${c.nEmbd}`, T: spec.seqLen, B: spec.batch, params: paramCount(c) };
    const params = initParams(c, new Rng(1));
    const optim = makeOptimizer(c, params);
    const batch = hostBatch(spec, 2);
    const step = () => trainStep(c, params, optim, batch, spec.batch, spec.seqLen);
    try {
      for (let i = 0; i < warmup; i++) {
        const t0 = performance.now();
        const loss = await step();
        row.warmupMs.push(performance.now() - t0);
        if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss} in warm-up step ${i + 1}`);
      }
      const n0 = tf.memory().numTensors;
      counters.dispatches = 0;
      counters.submits = 0;
      const times: number[] = [];
      const start = performance.now();
      // At least 2 steps; stop at maxSteps or when the next step would overrun the budget.
      while (times.length < maxSteps && (times.length < 2 || performance.now() - start + times[times.length - 1]! <= budgetS * 1000)) {
        const t0 = performance.now();
        await step();
        times.push(performance.now() - t0);
      }
      row.steps = times.length;
      row.msMedian = median(times);
      row.msMin = Math.min(...times);
      row.tokensPerS = (spec.batch * spec.seqLen) / (row.msMedian / 1000);
      row.leakedPerStep = (tf.memory().numTensors - n0) / times.length;
      if (hooked) {
        row.gpuDispatchesPerStep = counters.dispatches / times.length;
        row.submitsPerStep = counters.submits / times.length;
      }
      // tfjs kernels of one step, with the count rule of profile.ts (wrappers left out).
      const pinfo = await tf.profile(async () => {
        await step();
      });
      row.tfjsKernelsPerStep = pinfo.kernels.filter((k) => !(k.name === 'forward' || k.name.endsWith('__op'))).length;
    } catch (e) {
      row.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      log(`  ${id}: ERROR ${row.error}`);
    } finally {
      optim.dispose();
      disposeParams(params);
    }
    if (!row.error && doProfile) {
      try {
        row.profile = await profileStep(spec, name, 3, hostBatch(spec, 2));
      } catch (e) {
        log(`  ${id}: profile failed: ${errText(e)}`);
      }
    }
    const p = row.profile;
    log(
      `  ${id.padEnd(10)} ${row.msMedian.toFixed(2).padStart(9)} ms/step (min ${row.msMin.toFixed(2)})  ${row.tokensPerS.toFixed(0).padStart(8)} tok/s  ` +
        `kernels ${row.tfjsKernelsPerStep}  dispatches ${row.gpuDispatchesPerStep}  submits ${row.submitsPerStep}  leak ${row.leakedPerStep}  ` +
        `[${row.steps} steps; warm-up ${row.warmupMs.map((x) => x.toFixed(0)).join('/')} ms]` +
        (p ? `  fwd ${p.forwardMs.toFixed(1)} bwd ${p.backwardMs.toFixed(1)} opt ${p.optimizerMs.toFixed(1)} kernelMs ${p.kernelMs.toFixed(1)}` : ''),
    );
    rows.push(row);
    writeFileSync(join(outDir, `gpubench-${backends.join('_')}.json`), JSON.stringify(rows, null, 2) + '\n');
  }
}

const f = (x: number | null, d = 1) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));
const md = [
  `| backend | config | L/H/C | T | B | params | steps | ms/step median | ms/step min | tokens/s | tfjs kernels/step | GPU dispatches/step | submits/step |`,
  `| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |`,
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${r.config} | ${r.layers} | ${r.T} | ${r.B} | ${r.params} | ${r.steps} | ${f(r.msMedian, 2)} | ${f(r.msMin, 2)} | ` +
      `${f(r.tokensPerS, 0)} | ${r.tfjsKernelsPerStep ?? '-'} | ${f(r.gpuDispatchesPerStep)} | ${f(r.submitsPerStep)} |`,
  ),
].join('\n');
log('\n' + md);
log(`total ${((performance.now() - t00) / 1000).toFixed(1)} s`);
writeFileSync(join(outDir, `gpubench-${backends.join('_')}.md`), md + '\n');
releaseNodeWebGPU();
process.exit(0); // Dawn can keep the event loop alive
