// Soak test of the real SFT Trainer (not a CI test): a long run with evaluations and in-memory
// checkpoints, sampling the process memory and tfjs's tensor count at every step event, so a leak
// of one tensor per step or a slow growth of process memory shows up. Usage:
//   npx tsx src/bench/soak.ts [--steps 10000] [--backend wasm] [--task addition] [--every 50] [--out FILE.json]
// Prints a summary; with --out writes every sample as JSON. A leak fails with exit code 1.

import { writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../backend.ts';
import { applyOverrides } from '../run-config.ts';
import { recipeConfig } from '../recipes.ts';
import { Trainer } from '../train/sft.ts';

const args = process.argv.slice(2);
const value = (k: string, d: string) => {
  const i = args.indexOf(k);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : d;
};
const steps = Number(value('--steps', '10000'));
const every = Number(value('--every', '50'));
const backend = value('--backend', 'wasm') as BackendName;
const task = value('--task', 'addition');
const out = args.includes('--out') ? value('--out', '') : null;

await initBackend(backend);
const cfg = applyOverrides(recipeConfig(task), {
  'train.steps': String(steps),
  logEvery: String(every),
  'eval.every': String(Math.max(every, Math.floor(steps / 10))),
  'eval.n': '50',
  minLr: '3e-4', // keep learning to the end (a decayed rate could hide growth tied to updates)
});
const t = new Trainer(cfg);

interface Sample {
  step: number;
  seconds: number;
  rssMB: number;
  heapMB: number;
  tensors: number;
  tfMB: number;
}
const samples: Sample[] = [];
const t0 = performance.now();
const sample = (step: number) => {
  const m = process.memoryUsage();
  const tm = tf.memory();
  samples.push({ step, seconds: (performance.now() - t0) / 1000, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20, tensors: tm.numTensors, tfMB: tm.numBytes / 2 ** 20 });
};
let snapshots = 0;
await t.run(
  (e) => {
    if (e.type === 'step') sample(e.step);
  },
  {
    checkpointEvery: Math.max(every, Math.floor(steps / 5)),
    onCheckpoint: async () => {
      await t.snapshot(); // the weights and moments read back to the host, as the CLI and the app do
      snapshots++;
    },
  },
);

// Skip the first tenth (warm-up: kernels compiled, buffers pooled), then compare the second
// quarter of the run with the last quarter.
const warm = samples.filter((s) => s.step > steps / 10);
const q = (a: number, b: number) => warm.filter((s) => s.step > steps * a && s.step <= steps * b);
const mean = (xs: Sample[], k: keyof Sample) => xs.reduce((a, s) => a + s[k], 0) / Math.max(xs.length, 1);
const [early, late] = [q(0.25, 0.5), q(0.75, 1)];
const tensorGrowth = Math.max(...warm.map((s) => s.tensors)) - Math.min(...warm.map((s) => s.tensors));
const summary = {
  backend,
  task,
  steps,
  seconds: (performance.now() - t0) / 1000,
  snapshots,
  tensorsMin: Math.min(...warm.map((s) => s.tensors)),
  tensorsMax: Math.max(...warm.map((s) => s.tensors)),
  tensorGrowth,
  rssEarlyMB: mean(early, 'rssMB'),
  rssLateMB: mean(late, 'rssMB'),
  heapEarlyMB: mean(early, 'heapMB'),
  heapLateMB: mean(late, 'heapMB'),
  tfEarlyMB: mean(early, 'tfMB'),
  tfLateMB: mean(late, 'tfMB'),
};
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
if (out) writeFileSync(out, JSON.stringify({ summary, samples }, null, 1) + '\n');
t.dispose();
// A tensor leaked per step shows as growth of the count between step events (evaluations and
// snapshots free what they make); process memory may wander by allocator noise, so only a growth
// of more than 10% between the second and the last quarter is called a leak.
const leak = tensorGrowth > 0 || summary.rssLateMB > summary.rssEarlyMB * 1.1;
process.exit(leak ? 1 : 0);
