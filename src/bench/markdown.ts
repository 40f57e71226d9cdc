// Markdown tables of a BenchReport, appended to docs/BENCHMARKS.md by `reasonlab bench`: training
// speed with the same-run PyTorch ratio, tfjs vs PyTorch per config, kernels per step by phase,
// sampling, RL and the profile.

import type { BenchReport } from './types.ts';
import { torchRatio } from './torchparse.ts';

/** Backends that run on the CPU whatever the machine (webgpu/webgl may or may not). */
const CPU_BACKENDS = new Set(['wasm', 'cpu']);

export interface TorchVsTfjs {
  config: string;
  torchDevice: string;
  torchMsMedian: number;
  torchTokensPerS: number;
  /** The fastest CPU backend (wasm or cpu) on this config, or null when none measured it. */
  backend: string | null;
  tokensPerS: number;
  ratio: number | null;
}

/** Per config PyTorch measured: the best tfjs CPU backend's tokens/s and the ratio tfjs / PyTorch. */
export function torchVsTfjs(r: BenchReport): TorchVsTfjs[] {
  return r.pytorch.rows.map((p) => {
    let best: { name: string; tps: number } | null = null;
    for (const b of r.backends) {
      if (!b.available || !CPU_BACKENDS.has(b.name)) continue;
      const t = b.train.find((x) => x.id === p.config);
      if (t && Number.isFinite(t.tokensPerS) && (!best || t.tokensPerS > best.tps)) best = { name: b.name, tps: t.tokensPerS };
    }
    return {
      config: p.config,
      torchDevice: p.device,
      torchMsMedian: p.msMedian,
      torchTokensPerS: p.tokensPerS,
      backend: best?.name ?? null,
      tokensPerS: best?.tps ?? NaN,
      ratio: best ? torchRatio(best.tps, p.tokensPerS) : null,
    };
  });
}

const f0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const ratio = (x: number | null) => (x === null || !Number.isFinite(x) ? '' : `${x.toFixed(3)}x`);
const leak = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 100) / 100) : '-');

/** Docs name no machine paths: keep only the last part of any absolute path. */
const noFolders = (s: string) => s.replace(/(^|[\s(`])\/(?:[\w.-]+\/)+/g, '$1');

function pytorchSection(r: BenchReport): string[] {
  const p = r.pytorch;
  if (p.absent !== null) return [`PyTorch: not measured, so no ratio (${noFolders(p.absent)}).`];
  if (!p.rows.length) return [`PyTorch: torch ${p.torch ?? '?'} found, but no config was measured, so no ratio (${noFolders(p.errors.join('; ')) || 'none asked'}).`];
  const out = [
    `PyTorch in the same run (\`bench/reference_torch.py\`, same model, AdamW and shapes): torch ${p.torch ?? '?'} via \`${noFolders(p.python ?? '?')}\`, ` +
      `CPU, ${p.threads} threads` + (p.openblasCoretype ? `, OPENBLAS_CORETYPE=${p.openblasCoretype}` : '') + '; each config right after its first tfjs backend.',
    '',
    '| config | PyTorch ms/step (median) | PyTorch tokens/s | best tfjs CPU backend | its tokens/s | tfjs / PyTorch |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const x of torchVsTfjs(r)) out.push(`| ${x.config} | ${f1(x.torchMsMedian)} | ${f0(x.torchTokensPerS)} | ${x.backend ?? '-'} | ${f0(x.tokensPerS)} | ${ratio(x.ratio)} |`);
  if (p.errors.length) out.push('', `PyTorch failed on: ${noFolders(p.errors.join('; '))}.`);
  return out;
}

export function benchMarkdown(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`### ${r.date.slice(0, 10)}${r.quick ? ' (quick)' : ''}: ${m.cpu}, ${m.cores} cores, ${m.os}`);
  out.push('');
  const wasmThreads = r.backends.find((b) => b.name === 'wasm' && b.available)?.threads;
  out.push(
    `${m.runtime}, tfjs ${m.tfjs}` + (m.tfjsWasm ? `, tfjs-backend-wasm ${m.tfjsWasm}` : '') + (wasmThreads ? ` (wasm on ${wasmThreads} thread${wasmThreads === 1 ? '' : 's'})` : '') + (m.webgpuAdapter ? `, WebGPU adapter: ${m.webgpuAdapter}` : '') + `; ${r.totalSeconds.toFixed(0)} s in all.`,
  );
  const load = m.loadAverage;
  if (load && load.length === 3) {
    const busy = load[1]! > m.cores * 0.75; // the 5-minute average spans most of a quick run
    out.push('');
    out.push(`Load average at the end: ${load.join(' / ')} (1 / 5 / 15 min) on ${m.cores} cores` + (busy ? ': **contended**, other processes shared the CPU, so these timings (multi-threaded PyTorch most of all) read slow.' : '.'));
  }
  out.push('');
  out.push('Training (full AdamW step; tokens/s = B*T / median step time):');
  out.push('');
  out.push('| backend | config | layers/heads/width | T | B | params | steps | ms/step (median) | ms/step (min) | tokens/s | PyTorch CPU tokens/s (this run) | ratio |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const b of r.backends.filter((x) => x.available)) {
    for (const t of b.train) {
      out.push(
        `| ${b.name} | ${t.id} | ${t.nLayer}/${t.nHead}/${t.nEmbd} | ${t.seqLen} | ${t.batch} | ${f0(t.params)} | ${t.steps} | ${f1(t.msPerStepMedian)} | ${f1(t.msPerStepMin)} | ${f0(t.tokensPerS)} | ${t.pytorchTokensPerS ? f0(t.pytorchTokensPerS) : ''} | ${ratio(t.ratioToPytorch)} |`,
      );
    }
  }
  out.push('');
  out.push(...pytorchSection(r));
  out.push('');
  out.push('Kernels per training step (`tf.profile`; backward and optimizer by difference, see `countKernels`):');
  out.push('');
  out.push('| backend | config | forward | backward | optimizer | step |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const b of r.backends.filter((x) => x.available)) {
    for (const t of b.train) {
      const k = t.kernels;
      out.push(k ? `| ${b.name} | ${t.id} | ${k.forward} | ${k.backward} | ${k.optimizer} | ${k.step} |` : `| ${b.name} | ${t.id} | - | - | - | not counted: ${t.kernelsSkipped ?? 'skipped'} |`);
    }
  }
  out.push('');
  out.push('Sampling (`sample()`, greedy, prompts of 4 tokens; tokens/s = batch * new tokens / time) and tensors leaked:');
  out.push('');
  out.push('| backend | model | batch | new tokens | KV cache tokens/s | no cache tokens/s | speed-up | leaked / train step | leaked / sample() |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const b of r.backends.filter((x) => x.available)) {
    const s = b.sampling;
    const trainLeak = b.train.length ? Math.max(...b.train.map((t) => t.leakedTensorsPerStep)) : NaN;
    if (s) {
      out.push(`| ${b.name} | ${s.model} | ${s.batch} | ${s.newTokens} | ${f0(s.cacheTokensPerS)} | ${f0(s.noCacheTokensPerS)} | ${s.speedup.toFixed(1)}x | ${leak(trainLeak)} | ${leak(s.leakedTensorsPerCall)} |`);
    } else {
      out.push(`| ${b.name} | - | - | - | - | - | ${b.samplingSkipped ?? 'skipped'} | ${leak(trainLeak)} | - |`);
    }
  }
  const rl = r.backends.filter((x) => x.available && x.rl);
  if (rl.length) {
    out.push('');
    out.push('RL step (`RlTrainer.trainStep`: sample 128 completions with the KV cache, verify, one GRPO update; random init, so every completion runs to the length limit):');
    out.push('');
    out.push('| backend | config | steps | ms/step (median) | sampling tokens/s | update tokens/s | leaked / RL step |');
    out.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const b of rl) {
      const x = b.rl!;
      out.push(`| ${b.name} | ${x.config} | ${x.steps} | ${f0(x.msPerStepMedian)} | ${f0(x.sampleTokensPerS)} | ${f0(x.updateTokensPerS)} | ${leak(x.leakedTensorsPerStep)} |`);
    }
  }
  const skipped = r.backends.filter((x) => !x.available);
  if (skipped.length) {
    out.push('');
    out.push('Not measured: ' + skipped.map((b) => `${b.name} (${(b.reason ?? '').split('\n')[0]!.slice(0, 160)})`).join('; ') + '.');
  }
  const p = r.profile;
  if (p) {
    out.push('');
    out.push(
      `Profile (${p.backend}, ${p.config}): step ${f1(p.stepMs)} ms = forward ${f1(p.forwardMs)} + backward ${f1(p.backwardMs)} + optimizer ${f1(p.optimizerMs)} ms (medians); ` +
        `${p.kernelsPerStep} kernels per step, ${f1(p.kernelMs)} ms inside kernels. Top kernels:`,
    );
    out.push('');
    out.push('| kernel | ms per step | calls |');
    out.push('| --- | --- | --- |');
    for (const k of p.topKernels) out.push(`| ${k.name} | ${f1(k.ms)} | ${k.calls} |`);
  }
  return out.join('\n');
}
