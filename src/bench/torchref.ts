// PyTorch in the same run: finds a Python that imports torch, runs bench/reference_torch.py --json
// for one config on the CPU with the machine's thread count and parses its output (torchparse.ts),
// so the bench divides by a PyTorch speed measured on this machine, now (no stored numbers). Node
// only (spawns processes): bench.ts imports it dynamically.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseTorchOutput, pythonCandidates, TORCH_INSTALL, type PytorchReport, type TorchHeader, type TorchProbe, type TorchRow } from './torchparse.ts';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runProcess(cmd: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let child;
    try {
      child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, env: env ?? process.env });
    } catch (e) {
      resolve({ code: null, stdout, stderr: String(e) });
      return;
    }
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ code: null, stdout, stderr: stderr + String(e) }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (s: string) => s.trim().split('\n').pop()?.slice(0, 160) ?? '';

/** The first candidate that imports torch, or why none does. */
export async function probeTorch(candidates: string[]): Promise<TorchProbe> {
  if (!candidates.length) return { ok: false, reason: 'turned off (REASONLAB_PYTHON is empty or "none")' };
  const tried: string[] = [];
  for (const py of candidates) {
    const r = await runProcess(py, ['-c', 'import torch; print(torch.__version__)'], 120_000);
    if (r.code === 0) return { ok: true, python: py, version: r.stdout.trim() };
    tried.push(`${py}: ${lastLine(r.stderr) || `exit ${r.code}`}`);
  }
  return { ok: false, reason: `no Python with torch (${tried.join('; ')}); install it with \`${TORCH_INSTALL}\` or set REASONLAB_PYTHON` };
}

export interface TorchRunOptions {
  threads: number;
  quick: boolean;
  /** Path of reference_torch.py (default: the repo's, found from this file or the working directory). */
  script?: string;
}

/** The repo's script, wherever the bench is started from (a bundle elsewhere falls back to the cwd). */
function defaultScript(): string {
  const here = fileURLToPath(new URL('../../bench/reference_torch.py', import.meta.url));
  return existsSync(here) ? here : 'bench/reference_torch.py';
}

/** Run the reference for one config on the CPU; throws with the script's last stderr line on failure. */
export async function runTorchConfig(python: string, config: string, o: TorchRunOptions): Promise<TorchRow & { header: TorchHeader | null }> {
  const script = o.script ?? defaultScript();
  const budget = o.quick ? ['--steps', '20', '--budget', '3', '--warmup', '3'] : ['--steps', '50', '--budget', '8', '--warmup', '5'];
  // torch.set_num_threads does not reach OpenBLAS when torch was built against the generic BLAS
  // (Debian's), so its own pool would use every core: the variable keeps "N threads" true.
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(o.threads) };
  const r = await runProcess(python, [script, '--json', '--devices', `cpu${o.threads}`, '--configs', config, ...budget], 300_000, env);
  if (r.code !== 0) throw new Error(`${python} reference_torch.py exited ${r.code}: ${lastLine(r.stderr)}`);
  const run = parseTorchOutput(r.stdout);
  const row = run.rows.find((x) => x.config === config);
  if (!row) throw new Error(`reference_torch.py measured no ${config}` + (run.errors.length ? `: ${run.errors.join('; ')}` : ''));
  return { ...row, header: run.header };
}

export interface TorchSession {
  report: PytorchReport;
  /** Measure `config` unless done already; returns its tokens/s or null (absent or failed). */
  measure(config: string, afterBackend: string): Promise<number | null>;
}

/** Probe for torch once, then measure configs on demand, logging each result or failure. */
export async function startTorchSession(threadsOpt: number | undefined, quick: boolean, log: (l: string) => void): Promise<TorchSession> {
  const threads = threadsOpt ?? availableParallelism();
  const probe = await probeTorch(pythonCandidates(process.env));
  const report: PytorchReport = { absent: probe.ok ? null : probe.reason, python: probe.ok ? probe.python : null, torch: probe.ok ? probe.version : null, threads, openblasCoretype: null, rows: [], errors: [] };
  log(probe.ok ? `pytorch: torch ${probe.version} (${probe.python}), ${threads} threads, measured per config in the same run` : `pytorch: not measured, so no ratio: ${probe.reason}`);
  const done = new Map<string, number | null>();
  return {
    report,
    async measure(config, afterBackend) {
      if (!probe.ok) return null;
      if (done.has(config)) return done.get(config)!;
      let tps: number | null = null;
      try {
        const r = await runTorchConfig(probe.python, config, { threads, quick });
        report.openblasCoretype = r.header?.openblasCoretype ?? null;
        const { header: _h, ...row } = r;
        report.rows.push({ ...row, afterBackend });
        tps = r.tokensPerS;
        log(`  ${'pytorch'.padEnd(10)} ${config}: ${r.msMedian.toFixed(1)} ms/step  ${r.tokensPerS.toFixed(0)} tok/s  (${r.device}, ${r.steps} steps)`);
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        report.errors.push(`${config}: ${msg}`);
        log(`  pytorch    ${config}: failed (${msg})`);
      }
      done.set(config, tps);
      return tps;
    },
  };
}
