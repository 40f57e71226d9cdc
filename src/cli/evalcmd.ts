// `reasonlab eval --run runs/NAME`: greedy and sampled held-out accuracy of a run's checkpoint.

import { applyOverrides } from '../config.ts';
import { Trainer } from '../train/sft.ts';
import { snapshotFromFiles } from '../train/snapshot.ts';
import { Tokenizer } from '../tokenizer.ts';
import { take, UserError } from './args.ts';
import { RunDir } from './rundir.ts';
import { backendLine, setupBackend } from './setup.ts';

export async function evalCommand(flags: Map<string, string>): Promise<number> {
  const run = take(flags, 'run');
  if (!run) throw new UserError('--run runs/NAME is required');
  const backendChoice = take(flags, 'backend');
  const json = take(flags, 'json') === 'true';
  const dir = RunDir.open(run);
  const loaded = snapshotFromFiles(dir.readCheckpoint(), `${run}/checkpoint`);
  const overrides: Record<string, string> = {};
  for (const [k, v] of flags) {
    if (!['n', 'temperature', 'topK', 'samples'].includes(k)) throw new UserError(`unknown option --${k} for eval (known: --run, --n, --temperature, --topK, --samples, --backend, --json)`);
    overrides[`eval.${k}`] = v;
  }
  const cfg = applyOverrides(loaded.cfg, overrides);
  const backend = await setupBackend(backendChoice);
  process.stderr.write(backendLine(backend) + '\n');
  const t = new Trainer(cfg, { snapshot: loaded.snapshot, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) });
  const rows: unknown[] = [];
  const r = await t.evaluateAndReport((e) => {
    rows.push(e);
  });
  t.dispose();
  if (json) process.stdout.write(JSON.stringify(rows) + '\n');
  else {
    process.stdout.write(`${run} @ step ${t.step} on ${cfg.eval.n} held-out ${cfg.task.name} problems:\n`);
    process.stdout.write(`  greedy accuracy   ${(r.greedy * 100).toFixed(1)}%\n  sampled accuracy  ${(r.sampled * 100).toFixed(1)}% (temperature ${cfg.eval.temperature})\n`);
  }
  return 0;
}
