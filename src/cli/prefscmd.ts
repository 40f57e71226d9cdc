// `reasonlab prefs`: preference pairs from a checkpoint. Two completions per train-split prompt are
// sampled, both verified, and a simulated rater judges them (ties kept); each pair is a
// PreferenceRecord with provenance (run, step, checkpoint, temperature, seed, split, index, time).
// `--trl` writes TRL's DPO rows ({prompt, chosen, rejected}, ties left out) instead, and
// `--in prefs.jsonl --trl` converts an existing preference file (e.g. the app's human ratings).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { withDefaults } from '../run-config.ts';
import { encodePrompt } from '../data/batch.ts';
import { problemAt } from '../data/split.ts';
import { makeParams, disposeParams } from '../model/gpt.ts';
import { toJsonl } from '../records/jsonl.ts';
import { parsePreferenceJsonl, toDPO, type PreferenceRecord } from '../records/preference.ts';
import { judge, pairRecord, parseRater, RaterError, type PairSource } from '../records/raters.ts';
import { hashInts, Rng } from '../rng.ts';
import { getTask } from '../tasks/registry.ts';
import { sampleAndVerify } from '../train/generate.ts';
import { Tokenizer } from '../tokenizer.ts';
import { take, takeInt, UserError } from './args.ts';
import { loadCheckpoint } from './prefio.ts';
import { backendLine, setupBackend } from './setup.ts';

export const PREFS_HELP = `  reasonlab prefs    --from runs/SFT --rater simulated:NAME --n N [--noise 0.1] [--temperature 1] [--seed 0]
                     [--trl] --out prefs.jsonl     N pairs (two sampled completions per train prompt, judged by
                     the rater: prefers-correct | prefers-short-thoughts | prefers-style:X; ties kept)
  reasonlab prefs    --in prefs.jsonl --trl --out dpo.jsonl      TRL DPO rows of a preference file (ties left out)
`;

/** Rows sampled per sampler call (two per prompt). */
const SAMPLE_ROWS = 128;

function writeNew(out: string, text: string): void {
  if (existsSync(out)) throw new UserError(`--out ${out} already exists (refusing to overwrite it)`);
  writeFileSync(out, text, { flag: 'wx' });
}

/** `--in F --trl`: convert a preference file to TRL DPO rows. */
function convert(file: string, out: string): number {
  if (!existsSync(file)) throw new UserError(`--in ${file} does not exist`);
  const { records, bad } = parsePreferenceJsonl(readFileSync(file, 'utf8'), file, { skipBad: true });
  for (const b of bad) process.stderr.write(`warning: skipped ${b.message}\n`);
  const { rows, ties } = toDPO(records);
  writeNew(out, toJsonl(rows));
  process.stderr.write(`wrote ${rows.length} TRL DPO rows to ${out} (${ties} tie(s) left out, ${bad.length} bad line(s) skipped)\n`);
  return 0;
}

export async function prefsCommand(flags: Map<string, string>): Promise<number> {
  const out = take(flags, 'out');
  if (!out) throw new UserError('--out prefs.jsonl is required');
  const trl = take(flags, 'trl') === 'true';
  const input = take(flags, 'in');
  const backendChoice = take(flags, 'backend');
  if (input !== undefined) {
    if (!trl) throw new UserError('--in converts a preference file and needs --trl (TRL DPO rows); to sample new pairs use --from RUN');
    for (const k of flags.keys()) throw new UserError(`--${k} has no meaning with --in (a conversion)`);
    return convert(input, out);
  }
  const from = take(flags, 'from') ?? take(flags, 'run');
  if (!from) throw new UserError('--from RUN is required (the checkpoint whose completions are rated)');
  const raterSpec = take(flags, 'rater');
  if (!raterSpec) throw new UserError('--rater simulated:NAME is required (prefers-correct, prefers-short-thoughts, prefers-style:X)');
  if (!flags.has('n')) throw new UserError('--n N is required (how many pairs)');
  const n = takeInt(flags, 'n', 0, 1);
  const seed = takeInt(flags, 'seed', 0, 0);
  const noiseRaw = take(flags, 'noise') ?? '0';
  const tRaw = take(flags, 'temperature') ?? '1';
  const temperature = Number(tRaw);
  if (!(temperature > 0 && temperature <= 10)) throw new UserError(`--temperature must be in (0, 10] (two greedy samples would always tie), got "${tRaw}"`);
  for (const k of flags.keys()) throw new UserError(`unknown option --${k} for prefs (known: --from, --rater, --n, --noise, --temperature, --seed, --trl, --out, --backend, --in)`);
  let rater;
  try {
    rater = parseRater(raterSpec, Number(noiseRaw), seed);
  } catch (e) {
    if (e instanceof RaterError) throw new UserError(e.message);
    throw e;
  }
  if (existsSync(out)) throw new UserError(`--out ${out} already exists (refusing to overwrite it)`);

  const ck = loadCheckpoint(from);
  const cfg = withDefaults(ck.cfg);
  const task = getTask(cfg.task.name);
  const tc = cfg.task.config;
  const tok = Tokenizer.fromJSON(ck.tokenizer);
  const backend = await setupBackend(backendChoice);
  process.stderr.write(backendLine(backend) + '\n');
  const policy = { params: makeParams(ck.model, ck.snapshot.params), model: ck.model, tok };
  const stored = { id: rater.id, noise: rater.noise, seed: rater.seed };
  const checkpoint = ck.where;
  const records: PreferenceRecord[] = [];
  const t0 = performance.now();
  for (let start = 0; start < n; start += SAMPLE_ROWS / 2) {
    const idx = Array.from({ length: Math.min(SAMPLE_ROWS / 2, n - start) }, (_, k) => start + k);
    const problems = idx.map((i) => problemAt(task, tc, seed, 'train', i));
    const prompts = problems.map((p) => task.prompt(p, tc) as string);
    const rows = <T,>(xs: T[]) => xs.flatMap((x) => [x, x]);
    const c = await sampleAndVerify(policy, task, tc, rows(problems), rows(prompts.map((p) => encodePrompt(tok, p))), { temperature, topK: 0, rng: new Rng(hashInts(seed, 21, start)) });
    const time = new Date().toISOString();
    idx.forEach((i, k) => {
      const src: PairSource = {
        id: `${task.name}-train-${seed}-${i}`,
        n: i,
        task: task.name,
        task_version: task.version,
        difficulty: tc,
        problem: problems[k],
        prompt: prompts[k]!,
        a: { completion: c.texts[2 * k]!, verdict: c.verdicts[2 * k]! },
        b: { completion: c.texts[2 * k + 1]!, verdict: c.verdicts[2 * k + 1]! },
      };
      const provenance = { run: from, step: ck.snapshot.step, checkpoint, temperature, seed, split: 'train' as const, index: i, time };
      records.push(pairRecord(src, judge(rater, src.a, src.b, i), stored, provenance));
    });
    process.stderr.write(`\rsampled ${records.length}/${n} pairs`);
  }
  disposeParams(policy.params);
  const ties = records.filter((r) => r.tie).length;
  if (trl) writeNew(out, toJsonl(toDPO(records).rows));
  else writeNew(out, toJsonl(records));
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  process.stderr.write(`\nwrote ${trl ? `${n - ties} TRL DPO rows` : `${n} preference records`} to ${out} (${ties} tie(s)${trl ? ' left out' : ''}; rater ${rater.id}, noise ${rater.noise}; ${secs}s)\n`);
  return 0;
}
