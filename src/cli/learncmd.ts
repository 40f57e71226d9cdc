// `reasonlab bench-learn` (npm run bench:learn): the learning benchmark. Trains every task's
// recipe from scratch on wasm, each in its own process (`reasonlab train`, exactly what a user
// runs), `--parallel` at a time, then writes docs/LEARNING.md and one learning-curve SVG per task.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg, type as osType, release } from 'node:os';
import { curveSvg, firstReached, learningTable, parseMetrics, THRESHOLDS, type LearnResult } from '../bench/learn.ts';
import { RECIPES } from '../recipes.ts';
import { take, takeInt, UserError } from './args.ts';
import { fmtDuration } from './setup.ts';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/reasonlab.mjs');

function trainOnce(task: string, out: string, extra: string[], log: string, threads: number): Promise<number> {
  return new Promise((res, rej) => {
    const args = [BIN, 'train', '--task', task, '--backend', 'wasm', '--out', out, ...extra];
    // The runs share the cores: each gets its part as wasm threads (REASONLAB_THREADS, when not set).
    const env = { ...process.env, REASONLAB_THREADS: process.env.REASONLAB_THREADS || String(threads) };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.length > 1e6) err = err.slice(-5e5);
    });
    child.on('error', rej);
    child.on('close', (code) => {
      writeFileSync(log, err);
      res(code ?? 1);
    });
  });
}

function resultOf(task: string, dir: string): LearnResult {
  const { evals, tokensPerS } = parseMetrics(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
  const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { run: { task: { config: object }; model: { preset: string }; train: { lr: number; batchSize: number; curriculum?: string } }; params: number; model: { blockSize: number } };
  if (!evals.length) throw new Error(`${task}: the run in ${dir} wrote no evaluation`);
  const r = cfg.run;
  return {
    task,
    config: `${r.model.preset}, lr ${r.train.lr}, B ${r.train.batchSize}, ctx ${cfg.model.blockSize}${r.train.curriculum && r.train.curriculum !== 'off' ? `, curriculum ${r.train.curriculum}` : ''}, ${JSON.stringify(r.task.config).replace(/"/g, '')}`,
    target: RECIPES[task]!.target,
    reached: firstReached(evals, THRESHOLDS),
    thresholds: THRESHOLDS,
    final: evals[evals.length - 1]!,
    best: Math.max(...evals.map((e) => e.greedy_acc)),
    tokensPerS,
    points: evals,
    params: cfg.params,
  };
}

export async function learnCommand(flags: Map<string, string>): Promise<number> {
  const tasks = (take(flags, 'tasks') ?? Object.keys(RECIPES).join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const t of tasks) if (!RECIPES[t]) throw new UserError(`--tasks: no recipe for "${t}" (known: ${Object.keys(RECIPES).join(', ')})`);
  const parallel = takeInt(flags, 'parallel', 1, 1);
  const threadsPerRun = Math.max(1, Math.floor(cpus().length / parallel));
  const from = take(flags, 'from'); // summarise finished runs instead of training (comma-separated roots)
  const outRoot = take(flags, 'out') ?? `runs/learn-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}`;
  const doc = take(flags, 'doc') ?? 'docs/LEARNING.md';
  const note = take(flags, 'note'); // a paragraph for the doc, e.g. the conditions of runs summarised with --from
  const extra = [...flags].flatMap(([k, v]) => [`--${k}`, v]); // e.g. --seed 2: passed to every run
  const t0 = performance.now();
  const failed: string[] = [];
  const dirOf = new Map<string, string>();
  // The 1-minute load average while training: other work on the machine slows every run.
  const load = { start: loadavg()[0]!, max: loadavg()[0]! };
  if (from) {
    if (extra.length) throw new UserError(`--from summarises finished runs: ${extra.filter((x) => x.startsWith('--')).join(' ')} would change nothing (train new runs without --from)`);
    const roots = from.split(',').map((x) => x.trim()).filter(Boolean);
    for (const t of tasks) {
      const dir = roots.map((r) => join(r, t)).find((d) => existsSync(join(d, 'metrics.jsonl')));
      if (!dir) throw new UserError(`--from: no finished run of ${t} in ${roots.join(', ')} (looked for ROOT/${t}/metrics.jsonl)`);
      dirOf.set(t, dir);
    }
  } else {
    if (existsSync(outRoot)) throw new UserError(`--out ${outRoot} exists already: choose a new folder (runs are never overwritten)`);
    mkdirSync(outRoot, { recursive: true });
    const sampler = setInterval(() => (load.max = Math.max(load.max, loadavg()[0]!)), 10_000);
    const queue = [...tasks];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) {
        process.stderr.write(`bench-learn: training ${t} (recipe) ...\n`);
        const code = await trainOnce(t, join(outRoot, t), extra, join(outRoot, `${t}.log`), threadsPerRun);
        process.stderr.write(`bench-learn: ${t} finished with code ${code} after ${fmtDuration((performance.now() - t0) / 1000)}\n`);
        if (code !== 0) failed.push(t);
        dirOf.set(t, join(outRoot, t));
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, tasks.length) }, worker));
    clearInterval(sampler);
  }
  const results = tasks.filter((t) => !failed.includes(t)).map((t) => resultOf(t, dirOf.get(t)!));
  const svgDir = join(dirname(doc), 'learning');
  mkdirSync(svgDir, { recursive: true });
  for (const r of results) writeFileSync(join(svgDir, `${r.task}.svg`), curveSvg(r));
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const md = [
    '# Learning benchmark: time to learn each task from scratch',
    '',
    from
      ? `Summarised by \`npm run bench:learn -- --from ${from}\` on ${new Date().toISOString().slice(0, 10)} from runs that \`bench:learn\` trained earlier (the runs' own logs say when and how); ${cpu}, ${cpus().length} cores, ${osType()} ${release()}, Node ${process.version}, wasm backend.`
      : `Written by \`npm run bench:learn${parallel > 1 ? ` -- --parallel ${parallel}` : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${cpu}, ${cpus().length} cores, ${osType()} ${release()}, Node ${process.version}, wasm backend on ${process.env.REASONLAB_THREADS || threadsPerRun} thread(s) per run${parallel > 1 ? `, ${parallel} runs at a time (they share the machine)` : ''}. Total ${fmtDuration((performance.now() - t0) / 1000)}; 1-minute load average ${load.start.toFixed(1)} at the start, at most ${load.max.toFixed(1)} (above ${cpus().length} means other work shared the cores and the times are upper bounds).`,
    '',
    `Each task trains its recipe (\`src/recipes.ts\`; \`reasonlab train --task T --out R\` with no other flag${extra.length ? `; here with \`${extra.join(' ')}\` added to every run` : ''}) from a random init. Accuracy is **fully right**: the share of the held-out test problems (n in the table) whose greedy completion passes every check (format, every step, the answer). "answer-only" counts the right answer alone, whatever the steps. Times are wall-clock from the start of training, evaluations included; a threshold counts at the first evaluation that reached it.`,
    '',
    ...(note ? [note, ''] : []),
    learningTable(results),
    '',
    ...(failed.length ? [`Runs that failed: ${failed.join(', ')} (see ${outRoot}/TASK.log).`, ''] : []),
    ...results.map((r) => `![${r.task}](learning/${r.task}.svg)`),
    '',
  ].join('\n');
  writeFileSync(doc, md);
  process.stderr.write(`bench-learn: wrote ${doc} and ${results.length} curves in ${svgDir}\n`);
  return failed.length ? 1 : 0;
}
