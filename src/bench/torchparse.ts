// The pure half of PyTorch in the same run (torchref.ts spawns the processes): the JSON-lines
// format of bench/reference_torch.py --json, its parser, the tfjs/PyTorch ratio, which Python to
// try, and the report's PyTorch section. No Node APIs, so bench.ts and the tests import it freely.

/** The one apt line that installs the reference (OpenBLAS: without it torch uses the reference BLAS, ~25x slower). */
export const TORCH_INSTALL = 'apt-get install -y python3-torch libopenblas0-pthread';

export interface TorchHeader {
  torch: string;
  /** CUDA device name, or null. */
  cuda: string | null;
  defaultThreads: number;
  openblasCoretype: string | null;
}

export interface TorchRow {
  config: string;
  /** e.g. cpu/2t */
  device: string;
  params: number;
  steps: number;
  msMedian: number;
  msMin: number;
  tokensPerS: number;
}

export interface TorchRun {
  header: TorchHeader | null;
  rows: TorchRow[];
  /** Runs the script reported as failed: "device config: error". */
  errors: string[];
}

/** What the bench found: the interpreter and torch version, or why PyTorch was not measured. */
export type TorchProbe = { ok: true; python: string; version: string } | { ok: false; reason: string };

const num = (o: Record<string, unknown>, k: string, where: string): number => {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where}: field "${k}" must be a finite number, got ${JSON.stringify(v)}`);
  return v;
};
const str = (o: Record<string, unknown>, k: string, where: string): string => {
  const v = o[k];
  if (typeof v !== 'string') throw new Error(`${where}: field "${k}" must be a string, got ${JSON.stringify(v)}`);
  return v;
};

/**
 * Parse the stdout of `reference_torch.py --json`: a header object, then one object per run (or
 * {error} for a run that failed). Lines that are not JSON objects (a library's chatter) are skipped;
 * a malformed object throws, naming the line.
 */
export function parseTorchOutput(stdout: string): TorchRun {
  const out: TorchRun = { header: null, rows: [], errors: [] };
  stdout.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line.startsWith('{')) return;
    const where = `reference_torch.py output line ${i + 1}`;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${(e as Error).message}): ${line.slice(0, 120)}`);
    }
    if ('torch' in o) {
      const cuda = o['cuda'];
      const cor = o['openblasCoretype'];
      out.header = {
        torch: str(o, 'torch', where),
        cuda: typeof cuda === 'string' ? cuda : null,
        defaultThreads: num(o, 'defaultThreads', where),
        openblasCoretype: typeof cor === 'string' ? cor : null,
      };
    } else if ('error' in o) {
      out.errors.push(`${String(o['device'] ?? '?')} ${String(o['config'] ?? '')}: ${String(o['error'])}`.trim());
    } else {
      out.rows.push({
        config: str(o, 'config', where),
        device: str(o, 'device', where),
        params: num(o, 'params', where),
        steps: num(o, 'steps', where),
        msMedian: num(o, 'msMedian', where),
        msMin: num(o, 'msMin', where),
        tokensPerS: num(o, 'tokensPerS', where),
      });
    }
  });
  return out;
}

/** tfjs tokens/s over PyTorch tokens/s; null when either is missing or not a positive number. */
export function torchRatio(tfjsTokensPerS: number, torchTokensPerS: number | null | undefined): number | null {
  if (torchTokensPerS == null || !(torchTokensPerS > 0) || !(tfjsTokensPerS > 0) || !Number.isFinite(tfjsTokensPerS)) return null;
  return tfjsTokensPerS / torchTokensPerS;
}

/**
 * Interpreters to try: $REASONLAB_PYTHON alone when set (empty or "none" turns PyTorch off), else
 * python3 and then Debian's own python3, which a pyenv or venv python3 earlier in PATH hides (and
 * python3-torch installs into Debian's).
 */
export function pythonCandidates(env: Record<string, string | undefined>): string[] {
  const v = env['REASONLAB_PYTHON'];
  if (v !== undefined) return v === '' || v === 'none' ? [] : [v];
  return ['python3', '/usr/bin/python3'];
}

/** The PyTorch part of a bench report. */
export interface PytorchReport {
  /** Why PyTorch was not measured (no torch, turned off, not Node), else null. */
  absent: string | null;
  python: string | null;
  torch: string | null;
  /** torch.set_num_threads for every run: the machine's core count unless told otherwise. */
  threads: number;
  openblasCoretype: string | null;
  /** One per config, measured right after the first tfjs backend that measured that config. */
  rows: (TorchRow & { afterBackend: string })[];
  /** Configs whose reference run failed, with the reason. */
  errors: string[];
}
