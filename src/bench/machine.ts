// Description of the machine and library versions a benchmark ran on (Node: os module; browser:
// navigator), so appended result tables say where their numbers come from, and how busy the machine
// was (load average): other processes slow tfjs and, far more, multi-threaded PyTorch.

import * as tf from '@tensorflow/tfjs';

export interface MachineInfo {
  os: string;
  cpu: string;
  cores: number;
  memoryGiB: number | null;
  runtime: string;
  tfjs: string;
  tfjsWasm: string | null;
  /** WebGPU adapter string, when the webgpu backend started. */
  webgpuAdapter: string | null;
  /** 1, 5 and 15 minute load averages when the run ended (Node only; null in a browser). */
  loadAverage: number[] | null;
}

export async function machineInfo(backends: { name: string; adapter?: string | null }[]): Promise<MachineInfo> {
  const versions = tf.version as Record<string, string>;
  let tfjsWasm: string | null = null;
  try {
    tfjsWasm = (await import('@tensorflow/tfjs-backend-wasm')).version_wasm;
  } catch {
    tfjsWasm = null;
  }
  const webgpuAdapter = backends.find((b) => b.name === 'webgpu' && b.adapter)?.adapter ?? null;
  const base = { tfjs: versions['tfjs'] ?? versions['tfjs-core'] ?? 'unknown', tfjsWasm, webgpuAdapter };
  if (typeof process !== 'undefined' && process.versions?.node) {
    const os = await import('node:os');
    const cpus = os.cpus();
    return {
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      cpu: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      runtime: `Node ${process.version}`,
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      ...base,
    };
  }
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  return { os: nav?.userAgent ?? 'unknown', cpu: 'unknown', cores: nav?.hardwareConcurrency ?? 0, memoryGiB: null, runtime: nav?.userAgent ?? 'browser', loadAverage: null, ...base };
}
