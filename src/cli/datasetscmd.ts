// `reasonlab datasets [--out datasets]`: (re)write the shipped datasets and their manifest.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { datasetPlan, datasetText, manifest } from '../records/datasets.ts';
import { take, UserError } from './args.ts';

export async function datasetsCommand(flags: Map<string, string>): Promise<number> {
  const out = take(flags, 'out') ?? 'datasets';
  for (const k of flags.keys()) throw new UserError(`unknown option --${k} for datasets (known: --out DIR)`);
  const plan = datasetPlan();
  const hashes = new Map<string, string>();
  for (const f of plan) {
    const text = datasetText(f);
    const path = join(out, f.file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    hashes.set(f.file, createHash('sha256').update(text).digest('hex'));
    process.stderr.write(`${path}: ${f.n} records\n`);
  }
  writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest(plan, (f) => hashes.get(f.file)!), null, 2) + '\n');
  return 0;
}
