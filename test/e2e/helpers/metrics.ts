// Measurements the browser tests make along the way (tokens/s per backend, long tasks, main-thread
// time), written to .cache/e2e/metrics.json after every test that records one. The comparable
// per-backend speeds in docs/BROWSER-BENCH.json come from `npm run bench:browser` instead.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ROOT } from './server.ts';

const CACHE_FILE = resolve(ROOT, '.cache/e2e/metrics.json');

export interface Metric {
  backend: string;
  [k: string]: unknown;
}

function load(file: string): { measured: Record<string, Metric> } & Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return { measured: {} };
  }
}

export function recordMetric(m: Metric): void {
  for (const file of [CACHE_FILE]) {
    const doc = load(file);
    doc.about =
      'Headless Debian chromium (SwiftShader for WebGPU/WebGL), 2 CPU cores, no GPU; written by the browser tests (test/e2e/train.e2e.ts). tokens_per_s is what the app shows while training.';
    doc.date = new Date().toISOString().slice(0, 10);
    doc.measured = { ...(doc.measured ?? {}), [m.backend]: m };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  }
}
