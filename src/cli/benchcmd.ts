// `reasonlab bench`: runs the benchmark (src/bench/bench.ts), prints the table and appends it to
// docs/BENCHMARKS.md; the JSON report goes to stdout with --json.

import { appendFileSync } from 'node:fs';
import { BACKENDS, type BackendName } from '../backend.ts';
import { take, UserError } from './args.ts';

export async function benchCommand(flags: Map<string, string>): Promise<number> {
  const quick = take(flags, 'quick') === 'true';
  const json = take(flags, 'json') === 'true';
  const list = take(flags, 'backends');
  const out = take(flags, 'append') ?? 'docs/BENCHMARKS.md';
  for (const k of flags.keys()) throw new UserError(`unknown option --${k} for bench (known: --quick, --backends, --json, --append FILE)`);
  const backends = list?.split(',').map((s) => s.trim()) as BackendName[] | undefined;
  for (const b of backends ?? []) if (!(BACKENDS as readonly string[]).includes(b)) throw new UserError(`--backends: unknown backend "${b}"`);
  const [{ runBench }, { benchMarkdown }] = await Promise.all([import('../bench/bench.ts'), import('../bench/markdown.ts')]);
  const report = await runBench({ backends, quick, log: (l) => process.stderr.write(l + '\n') });
  const md = benchMarkdown(report);
  process.stderr.write(md + '\n');
  if (out !== 'none') appendFileSync(out, '\n' + md + '\n');
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return 0;
}
