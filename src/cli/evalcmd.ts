// `reasonlab eval --run runs/NAME`: greedy and sampled held-out accuracy (fully right) of a run's
// checkpoint, with the answer-only share and "right answer, wrong steps" beside it.

import { applyOverrides } from '../run-config.ts';
import type { EvalSummary } from '../train/report.ts';
import { Trainer } from '../train/sft.ts';
import { snapshotFromFiles } from '../train/snapshot.ts';
import { Tokenizer } from '../tokenizer.ts';
import { take, UserError } from './args.ts';
import { RunDir } from './rundir.ts';
import { backendLine, setupBackend } from './setup.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The pass@k table as aligned text: one row per difficulty level and one for all. */
export function passKTableText(p: NonNullable<EvalSummary['passk']>): string {
  const head = ['level', 'n', 'greedy', ...p.ks.map((k) => `pass@${k}`), 'format', 'right ans, wrong steps'];
  const rows = [...p.by_level, p.overall].map((r) => [r.level, String(r.n), pct(r.greedy), ...r.passk.map(pct), pct(r.format_rate), pct(r.wrong_steps_rate)]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => '  ' + r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ') + '\n';
  return `\npass@k (${p.n} samples per problem at the eval temperature; unbiased estimator; greedy and pass@k count fully right completions):\n` + line(head) + rows.map(line).join('');
}

export async function evalCommand(flags: Map<string, string>): Promise<number> {
  const run = take(flags, 'run');
  if (!run) throw new UserError('--run runs/NAME is required');
  const backendChoice = take(flags, 'backend');
  const json = take(flags, 'json') === 'true';
  const k = take(flags, 'k');
  const folder = take(flags, 'checkpoint') ?? 'checkpoint';
  const dir = RunDir.open(run);
  const loaded = snapshotFromFiles(dir.readCheckpoint(folder), `${run}/${folder}`);
  const overrides: Record<string, string> = {};
  for (const [k, v] of flags) {
    if (!['n', 'temperature', 'topK', 'samples', 'passkN'].includes(k)) {
      throw new UserError(`unknown option --${k} for eval (known: --run, --checkpoint, --n, --temperature, --topK, --samples, --k, --passkN, --backend, --json)`);
    }
    overrides[`eval.${k}`] = v;
  }
  if (k !== undefined) overrides['eval.passk'] = k;
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
    const found = t.evalProblems().length;
    const fewer = found < cfg.eval.n ? ` (the task config has only ${found} distinct test problems; --n ${cfg.eval.n} asked for more)` : '';
    process.stdout.write(`${run} @ step ${t.step} on ${found} held-out ${cfg.task.name} problems${fewer}:\n`);
    process.stdout.write(
      `  greedy accuracy   ${pct(r.greedy)} fully right (format, every step and the answer)\n` +
        `  sampled accuracy  ${pct(r.sampled)} fully right (temperature ${cfg.eval.temperature})\n` +
        `  answer only       ${pct(r.greedy_answer)} greedy (right answer, whatever the steps)\n` +
        `  right answer, wrong steps  ${pct(r.wrong_steps)} greedy\n`,
    );
    if (r.passk) process.stdout.write(passKTableText(r.passk));
  }
  return 0;
}
