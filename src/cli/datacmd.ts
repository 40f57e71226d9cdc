// `reasonlab generate` writes deterministic JSONL records of a task (gold trajectories of an
// environment); `reasonlab verify` re-checks the completions of a JSONL file with the task
// verifiers (re-runs the environment against trajectories) and prints accuracy, format rate, mean
// reward and the commonest failure reasons. User mistakes throw UserError; no file is overwritten.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Split } from '../data/split.ts';
import { parseJsonl, toJsonl, type BadLine, type Row } from '../records/jsonl.ts';
import { generateRecord, RecordError, SPLITS, toTRL } from '../records/record.ts';
import { SCHEMES } from '../tasks/rewards.ts';
import { ConfigError, getTask, validateTaskConfig } from '../tasks/registry.ts';
import type { Verdict } from '../tasks/types.ts';
import { take, takeInt, UserError } from './args.ts';
import { generateTrajectories, holdsTrajectories, verifyTrajectoryLines } from './envcmd.ts';
import { isEnvName } from '../envs/registry.ts';
import { holdsPreferences, pairsLine, verifyPreferenceLines } from './prefverify.ts';

/** Where the commands write; tests pass their own. */
export interface DataIo {
  stdout(s: string): void;
  stderr(s: string): void;
}

const PROCESS_IO: DataIo = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export const DATA_HELP = `  reasonlab generate --task T --n N [--seed 0] [--split train|val|test] [--KNOB value ...] [--trl] [--out FILE]
                     (--trl writes TRL-style {"prompt","completion"} lines instead of full records;
                      an environment such as calc-tool or guess-number writes gold trajectories)
  reasonlab verify   --in F.jsonl (task records, trajectories or preference pairs) [--task T] [--scheme binary|tinyzero|logicrl|process] [--skip-bad] [--out verdicts.jsonl]
`;

/** Write to a new file (refusing an existing one) or to stdout. */
function emit(out: string | undefined, text: string, io: DataIo): void {
  if (out === undefined) return io.stdout(text);
  if (existsSync(out)) throw new UserError(`--out ${out} already exists (refusing to overwrite it)`);
  try {
    writeFileSync(out, text, { flag: 'wx' });
  } catch (e) {
    throw new UserError(`cannot write --out ${out}: ${(e as Error).message}`);
  }
}

export async function generateCommand(flags: Map<string, string>, io: DataIo = PROCESS_IO): Promise<number> {
  const taskName = take(flags, 'task');
  if (!taskName) throw new UserError(`--task is required (e.g. --task addition)`);
  if (!flags.has('n')) throw new UserError('--n N is required (how many records)');
  const n = takeInt(flags, 'n', 0, 1);
  const seed = takeInt(flags, 'seed', 0, 0);
  const split = take(flags, 'split') ?? 'train';
  if (!(SPLITS as readonly string[]).includes(split)) throw new UserError(`--split must be one of ${SPLITS.join(', ')}, got "${split}"`);
  const out = take(flags, 'out');
  const trl = take(flags, 'trl') === 'true';
  if (out !== undefined && existsSync(out)) throw new UserError(`--out ${out} already exists (refusing to overwrite it)`);
  if (isEnvName(taskName)) {
    // Environments write gold trajectories; a prompt/completion pair would lose the turn marks.
    if (trl) throw new UserError(`--trl is not available for environment ${taskName} (its environment turns must stay marked, to be masked out of the loss)`);
    const rows = generateTrajectories(taskName, Object.fromEntries(flags), n, seed, split as Split);
    emit(out, toJsonl(rows), io);
    if (out !== undefined) io.stderr(`wrote ${n} ${taskName} ${split} gold trajectories (seed ${seed}) to ${out}\n`);
    return 0;
  }
  const task = getTask(taskName);
  // The remaining flags are task knobs; unknown ones are rejected by the task's config check.
  const knobs = Object.fromEntries(flags);
  const cfg = validateTaskConfig(task, knobs);
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(generateRecord(task.name, cfg, seed, split as Split, i));
  emit(out, toJsonl(trl ? rows.map(toTRL) : rows), io);
  if (out !== undefined) io.stderr(`wrote ${n} ${task.name} ${split} records (seed ${seed}) to ${out}\n`);
  return 0;
}

/** The verdict of one row, or why it cannot be verified (a user-facing message). */
function verifyRow(row: Row, where: string, taskFlag: string | undefined, scheme: string): { id: string; task: string; verdict: Verdict } {
  if (row.kind === 'trl') throw new RecordError(`${where}: cannot verify without a problem (a prompt/completion pair; generate full records with \`reasonlab generate\`)`);
  const r = row.record;
  if (taskFlag !== undefined && r.task !== taskFlag) throw new RecordError(`${where}: record is of task ${r.task}, not --task ${taskFlag}`);
  if (r.problem === null) throw new RecordError(`${where}: cannot verify without a problem (field problem is null)`);
  if (r.completion === null) throw new RecordError(`${where}: nothing to verify (field completion is null)`);
  let task;
  let cfg;
  try {
    task = getTask(r.task);
    cfg = validateTaskConfig(task, r.difficulty);
  } catch (e) {
    if (e instanceof ConfigError) throw new RecordError(`${where}: ${e.message}`);
    throw e;
  }
  if (r.task_version !== task.version) throw new RecordError(`${where}: record is of ${task.name} version ${r.task_version}, this build verifies version ${task.version}`);
  try {
    const verdict = task.verify(r.problem, r.completion, cfg, { scheme, truncated: r.verdict?.truncated ?? false });
    return { id: r.id, task: r.task, verdict };
  } catch (e) {
    throw new RecordError(`${where}: field problem does not fit task ${task.name} (${(e as Error).message})`);
  }
}

export interface VerifySummary {
  n: number;
  /** Fully right: every check passed (format, steps, answer). */
  accuracy: number;
  /** The answer right, whatever the steps. */
  answerAccuracy: number;
  formatRate: number;
  meanReward: number;
  /** Up to 5 [reason, count], commonest first: "check: detail" of each failing verdict's first failing check. */
  failures: [string, number][];
  bad: BadLine[];
}

export function summarize(verdicts: Verdict[], bad: BadLine[]): VerifySummary {
  const n = verdicts.length;
  const mean = (f: (v: Verdict) => number) => (n === 0 ? 0 : verdicts.reduce((s, v) => s + f(v), 0) / n);
  const counts = new Map<string, number>();
  for (const v of verdicts) {
    if (v.fully_correct) continue;
    const c = v.checks.find((k) => !k.passed);
    const reason = c ? `${c.name}: ${c.detail}` : 'incorrect (no failing check listed)';
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  const failures = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, 5);
  return { n, accuracy: mean((v) => +v.fully_correct), answerAccuracy: mean((v) => +v.correct), formatRate: mean((v) => +v.format_ok), meanReward: mean((v) => v.reward), failures, bad };
}

export function formatSummary(s: VerifySummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  let t = `verified ${s.n} records: fully right ${pct(s.accuracy)} (answer only ${pct(s.answerAccuracy)}), format ${pct(s.formatRate)}, mean reward ${s.meanReward.toFixed(3)}\n`;
  if (s.failures.length) t += `most common failures:\n${s.failures.map(([r, c]) => `  ${String(c).padStart(5)}  ${r}`).join('\n')}\n`;
  if (s.bad.length) t += `skipped ${s.bad.length} bad line(s):\n${s.bad.map((b) => `  ${b.message}`).join('\n')}\n`;
  return t;
}

export async function verifyCommand(flags: Map<string, string>, io: DataIo = PROCESS_IO): Promise<number> {
  const file = take(flags, 'in');
  if (!file) throw new UserError('--in F.jsonl is required (the records to verify)');
  const taskFlag = take(flags, 'task');
  if (taskFlag !== undefined && !isEnvName(taskFlag)) getTask(taskFlag);
  const scheme = take(flags, 'scheme') ?? 'binary';
  if (!(SCHEMES as readonly string[]).includes(scheme)) throw new UserError(`--scheme must be one of ${SCHEMES.join(', ')}, got "${scheme}"`);
  const skipBadFlag = take(flags, 'skip-bad');
  if (skipBadFlag !== undefined && skipBadFlag !== 'true' && skipBadFlag !== 'false') throw new UserError(`--skip-bad takes no value (or true/false), got "${skipBadFlag}"`);
  const skipBad = skipBadFlag === 'true';
  const out = take(flags, 'out');
  for (const k of flags.keys()) throw new UserError(`unknown option --${k} for verify (known: --in, --task, --scheme, --skip-bad, --out)`);
  if (out !== undefined && existsSync(out)) throw new UserError(`--out ${out} already exists (refusing to overwrite it)`);
  if (!existsSync(file)) throw new UserError(`--in ${file} does not exist`);

  const text = readFileSync(file, 'utf8');
  if (holdsPreferences(text)) {
    // Preference pairs: both completions re-verified from the stored problem.
    let v;
    try {
      v = verifyPreferenceLines(text, file, taskFlag, skipBad);
    } catch (e) {
      if (e instanceof RecordError) throw new UserError(`${e.message} (--skip-bad to skip such lines)`);
      throw e;
    }
    emit(out, toJsonl(v.results), io);
    io.stderr(formatSummary(summarize(v.results.flatMap((r) => [r.chosen, r.rejected]), v.bad)).replace(/^verified (\d+) records/, 'verified $1 completions') + pairsLine(v.results));
    return 0;
  }
  if (holdsTrajectories(text)) {
    // Trajectories: the environment is re-run against every transcript.
    let v;
    try {
      v = verifyTrajectoryLines(text, file, taskFlag, scheme, skipBad);
    } catch (e) {
      if (e instanceof RecordError) throw new UserError(`${e.message} (--skip-bad to skip such lines)`);
      throw e;
    }
    emit(out, toJsonl(v.results.map((r) => ({ id: r.id, line: r.line, task: r.task, verdict: r.verdict }))), io);
    io.stderr(formatSummary(summarize(v.results.map((r) => r.verdict), v.bad)));
    return 0;
  }
  // Parse leniently, then walk the lines in order, so the first bad line (unreadable or
  // unverifiable) is the one reported without --skip-bad.
  const parsed = parseJsonl(text, file, { skipBad: true });
  const items: ({ line: number; row: Row } | { line: number; bad: BadLine })[] = [
    ...parsed.rows.map((row) => ({ line: row.line, row })),
    ...parsed.bad.map((b) => ({ line: b.line, bad: b })),
  ].sort((a, b) => a.line - b.line);
  const bad: BadLine[] = [];
  const results: { id: string; line: number; task: string; verdict: Verdict }[] = [];
  for (const item of items) {
    try {
      if ('bad' in item) throw new RecordError(item.bad.message);
      results.push({ line: item.line, ...verifyRow(item.row, `${file}:${item.line}`, taskFlag, scheme) });
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      if (!skipBad) throw new UserError(`${e.message} (--skip-bad to skip such lines)`);
      bad.push({ line: item.line, message: e.message });
    }
  }
  emit(out, toJsonl(results.map((r) => ({ id: r.id, line: r.line, task: r.task, verdict: r.verdict }))), io);
  io.stderr(formatSummary(summarize(results.map((r) => r.verdict), bad)));
  return 0;
}
