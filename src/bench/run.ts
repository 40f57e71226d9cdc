// Standalone benchmark entry: `npx tsx src/bench/run.ts [--quick] [--backends wasm,cpu] [--json FILE]
// [--no-torch] [--torch-threads N]` (source .cache/webgpu/env.sh first for WebGPU). Prints progress
// and the tables, appends them to docs/BENCHMARKS.md, and writes the JSON report to FILE (or stdout
// with --json -). PyTorch runs in the same run when a Python with torch is found (torchref.ts).

import { appendFileSync, writeFileSync } from 'node:fs';
import type { BackendName } from '../backend.ts';
import { runBench } from './bench.ts';
import { benchMarkdown } from './markdown.ts';

const args = process.argv.slice(2);
const value = (k: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : undefined;
};
const threads = value('--torch-threads');
if (threads !== undefined && !(Number.isInteger(Number(threads)) && Number(threads) > 0)) {
  process.stderr.write(`--torch-threads: expected a positive whole number, got "${threads}"\n`);
  process.exit(2);
}
const report = await runBench({
  quick: args.includes('--quick'),
  torch: !args.includes('--no-torch'),
  torchThreads: threads === undefined ? undefined : Number(threads),
  backends: value('--backends')?.split(',') as BackendName[] | undefined,
  log: (l) => process.stderr.write(l + '\n'),
});
const md = benchMarkdown(report);
process.stderr.write('\n' + md + '\n');
if (!args.includes('--no-append')) appendFileSync('docs/BENCHMARKS.md', '\n' + md + '\n');
const json = value('--json');
if (json === '-') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
else if (json) writeFileSync(json, JSON.stringify(report, null, 2) + '\n');
process.exit(0); // Dawn (webgpu) can keep the event loop alive
