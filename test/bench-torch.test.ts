// PyTorch in the same bench run: the parser of bench/reference_torch.py --json, the tfjs/PyTorch
// ratio, which interpreters are tried, the markdown's PyTorch section (ratio from the best CPU
// backend, no ratio when torch is absent), and, when a Python with torch is here, one real run.

import { describe, expect, it } from 'vitest';
import type { BackendResult, BenchReport, TrainResult } from '../src/bench/types.ts';
import { benchMarkdown, torchVsTfjs } from '../src/bench/markdown.ts';
import { parseTorchOutput, pythonCandidates, torchRatio, type PytorchReport } from '../src/bench/torchparse.ts';
import { probeTorch, runTorchConfig } from '../src/bench/torchref.ts';

const HEADER = '{"torch": "1.13.0a0", "cuda": null, "defaultThreads": 1, "openblasCoretype": "Haswell"}';
const ROW = (config: string, tps: number) =>
  JSON.stringify({ impl: 'pytorch', device: 'cpu/2t', config, params: 110784, steps: 20, msMedian: 2048 / (tps / 1000), msMin: 20, tokensPerS: tps, kernelsPerStep: null, cudaKernelMsPerStep: null });

describe('parseTorchOutput', () => {
  it('reads the header, the rows and the failed runs, and skips non-JSON chatter', () => {
    const out = [HEADER, 'some library warning', ROW('ref-2x64', 80000), '{"device": "cpu", "config": "micro", "error": "RuntimeError(\'x\')"}', ''].join('\n');
    const r = parseTorchOutput(out);
    expect(r.header).toEqual({ torch: '1.13.0a0', cuda: null, defaultThreads: 1, openblasCoretype: 'Haswell' });
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ config: 'ref-2x64', device: 'cpu/2t', params: 110784, steps: 20, tokensPerS: 80000 });
    expect(r.errors).toEqual(["cpu micro: RuntimeError('x')"]);
  });

  it('names the line of malformed JSON and the field of a bad row', () => {
    expect(() => parseTorchOutput(`${HEADER}\n{"config": "nano",`)).toThrow(/line 2: not valid JSON/);
    const bad = JSON.stringify({ config: 'nano', device: 'cpu/2t', params: 1, steps: 3, msMedian: 1, msMin: 1, tokensPerS: 'fast' });
    expect(() => parseTorchOutput(bad)).toThrow(/line 1: field "tokensPerS" must be a finite number/);
  });

  it('gives no rows and no header for empty output', () => {
    expect(parseTorchOutput('')).toEqual({ header: null, rows: [], errors: [] });
  });
});

describe('torchRatio', () => {
  it('divides tfjs by PyTorch', () => {
    expect(torchRatio(20_000, 80_000)).toBeCloseTo(0.25, 12);
  });
  it('is null when PyTorch was not measured or a speed is not a positive number', () => {
    expect(torchRatio(20_000, null)).toBeNull();
    expect(torchRatio(20_000, undefined)).toBeNull();
    expect(torchRatio(20_000, 0)).toBeNull();
    expect(torchRatio(NaN, 80_000)).toBeNull();
    expect(torchRatio(0, 80_000)).toBeNull();
  });
});

describe('pythonCandidates', () => {
  it('tries python3, then the system one, unless REASONLAB_PYTHON names one or turns it off', () => {
    expect(pythonCandidates({})).toEqual(['python3', '/usr/bin/python3']);
    expect(pythonCandidates({ REASONLAB_PYTHON: 'python3.11' })).toEqual(['python3.11']);
    expect(pythonCandidates({ REASONLAB_PYTHON: 'none' })).toEqual([]);
    expect(pythonCandidates({ REASONLAB_PYTHON: '' })).toEqual([]);
  });
});

function train(id: string, tokensPerS: number): TrainResult {
  return {
    id, nLayer: 2, nHead: 4, nEmbd: 64, seqLen: 64, batch: 32, params: 110784, steps: 3, msPerStepMedian: 2048 / (tokensPerS / 1000), msPerStepMin: 1,
    tokensPerS, pytorchTokensPerS: null, ratioToPytorch: null, leakedTensorsPerStep: 0,
    kernels: id === 'ref-2x64' ? { forward: 200, backward: 320, optimizer: 170, step: 690 } : null, kernelsSkipped: id === 'ref-2x64' ? undefined : 'a step takes 20 s here',
  };
}
const backend = (name: BackendResult['name'], rows: TrainResult[]): BackendResult => ({ name, available: true, train: rows, sampling: null, seconds: 1 });

function report(pytorch: PytorchReport): BenchReport {
  return {
    date: '2026-11-26T00:00:00Z', quick: true,
    machine: { os: 'Linux', cpu: 'test cpu', cores: 2, memoryGiB: 1, runtime: 'Node', tfjs: '4.22.0', tfjsWasm: null, webgpuAdapter: null, loadAverage: [3.5, 3.2, 2] },
    // webgpu is fastest but is no CPU backend; among wasm and cpu, wasm wins on ref-2x64 and cpu on nano.
    backends: [backend('wasm', [train('ref-2x64', 10_000), train('nano', 1_000)]), backend('webgpu', [train('ref-2x64', 50_000)]), backend('cpu', [train('ref-2x64', 500), train('nano', 2_000)])],
    profile: null, pytorch, totalSeconds: 1,
  };
}
const measured: PytorchReport = {
  absent: null, python: '/usr/bin/python3', torch: '1.13.0a0', threads: 2, openblasCoretype: null, errors: [],
  rows: [
    { config: 'ref-2x64', device: 'cpu/2t', params: 110784, steps: 20, msMedian: 25.6, msMin: 25, tokensPerS: 80_000, afterBackend: 'wasm' },
    { config: 'nano', device: 'cpu/2t', params: 92928, steps: 20, msMedian: 20.48, msMin: 20, tokensPerS: 100_000, afterBackend: 'wasm' },
  ],
};

describe('PyTorch in the bench markdown', () => {
  it('sets the best CPU backend (wasm or cpu, never webgpu) against PyTorch per config', () => {
    const rows = torchVsTfjs(report(measured));
    expect(rows.map((x) => [x.config, x.backend, x.tokensPerS])).toEqual([['ref-2x64', 'wasm', 10_000], ['nano', 'cpu', 2_000]]);
    expect(rows[0]!.ratio).toBeCloseTo(0.125, 12);
    expect(rows[1]!.ratio).toBeCloseTo(0.02, 12);
    const md = benchMarkdown(report(measured));
    expect(md).toContain('| ref-2x64 | 25.6 | 80,000 | wasm | 10,000 | 0.125x |');
    expect(md).toContain('via `python3`'); // no machine path in the docs
    expect(md).not.toContain('/usr/bin');
    expect(md).toContain('| wasm | ref-2x64 | 200 | 320 | 170 | 690 |');
    expect(md).toContain('| wasm | nano | - | - | - | not counted: a step takes 20 s here |');
    expect(md).toContain('Load average at the end: 3.5 / 3.2 / 2 (1 / 5 / 15 min) on 2 cores: **contended**');
  });

  it('names the configs whose PyTorch run failed, without machine paths', () => {
    const md = benchMarkdown(report({ ...measured, rows: [], errors: ['nano: /usr/bin/python3 reference_torch.py exited 1: MemoryError'] }));
    expect(md).toContain('PyTorch: torch 1.13.0a0 found, but no config was measured, so no ratio (nano: python3 reference_torch.py exited 1: MemoryError).');
  });

  it('says why and prints no ratio when torch is absent', () => {
    const md = benchMarkdown(report({ ...measured, absent: 'no Python with torch (/usr/bin/python3: ModuleNotFoundError)', python: null, torch: null, rows: [] }));
    expect(md).toContain('PyTorch: not measured, so no ratio (no Python with torch (python3: ModuleNotFoundError)).');
    expect(md).not.toMatch(/\d\.\d{3}x/);
  });
});

// A real run of the reference, only where a Python with torch is installed (CI machines may lack it).
const probe = await probeTorch(pythonCandidates(process.env));
const why = probe.ok ? '' : ` (skipped: ${probe.reason})`;
describe('bench/reference_torch.py --json', () => {
  it.skipIf(!probe.ok)(`measures nano on 1 CPU thread and its output parses${why}`, async () => {
    if (!probe.ok) return;
    const r = await runTorchConfig(probe.python, 'nano', { threads: 1, quick: true });
    expect(r.config).toBe('nano');
    expect(r.device).toBe('cpu/1t');
    expect(r.params).toBe(92_928); // the same parameter count as the tfjs nano model
    expect(r.steps).toBeGreaterThanOrEqual(3);
    expect(r.tokensPerS).toBeGreaterThan(0);
    expect(r.header?.torch).toBe(probe.version);
  });
});
