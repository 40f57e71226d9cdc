// `reasonlab train --stage rm | dpo --prefs F --from RUN --out OUT`: a reward model (trunk of RUN +
// a scalar head, Bradley-Terry) or a DPO policy (RUN against its frozen self) from preference
// pairs. OUT is a run folder: config.json, metrics.jsonl (pref_step / pref_eval rows) and
// checkpoint/ (a Hugging Face GPT-2 folder; an RM adds reward_head.safetensors and its meta).

import { join } from 'node:path';
import { withDefaults } from '../run-config.ts';
import { rewardHeadToFile, REWARD_HEAD_FILE } from '../model/reward-head.ts';
import { DpoTrainer } from '../train/dpo.ts';
import type { PrefEvent } from '../train/pref-events.ts';
import { DEFAULT_PREF, runPrefLoop, type PrefConfig } from '../train/pref-loop.ts';
import { heldOutProblems } from '../train/report.ts';
import { RmTrainer } from '../train/rm.ts';
import { snapshotToFiles } from '../train/snapshot.ts';
import { getTask } from '../tasks/registry.ts';
import { Tokenizer } from '../tokenizer.ts';
import { take, UserError } from './args.ts';
import { loadCheckpoint, readPairs, REWARD_META_FILE } from './prefio.ts';
import { RunDir } from './rundir.ts';
import { backendLine, fmtDuration, setupBackend } from './setup.ts';

export const PREF_HELP = `  reasonlab train --stage rm  --prefs prefs.jsonl --from runs/SFT --out runs/RM  [--steps 100 --batchSize 16 --lr 1e-3
                  --heldout 0.2 --eval.every 25 --seed 1]     reward model: trunk of SFT + scalar head, Bradley-Terry
  reasonlab train --stage dpo --prefs prefs.jsonl --from runs/SFT --out runs/DPO [--dpo.beta 0.1 --lr 1e-5 --eval.n 100 ...]
                  DPO against the frozen start policy (ties left out)
`;

/** Flag -> [PrefConfig key, integer?, min, max]. */
const KNOBS: Record<string, [keyof PrefConfig, boolean, number, number]> = {
  steps: ['steps', true, 0, 1e6],
  batchSize: ['batchSize', true, 1, 4096],
  lr: ['lr', false, 1e-9, 1],
  warmupSteps: ['warmupSteps', true, 0, 1e6],
  weightDecay: ['weightDecay', false, 0, 0.99],
  gradClip: ['gradClip', false, 0, 1e6],
  'dpo.beta': ['beta', false, 1e-6, 1e3],
  beta: ['beta', false, 1e-6, 1e3],
  heldout: ['heldOut', false, 0, 0.9],
  'eval.every': ['evalEvery', true, 0, 1e6],
  'eval.n': ['evalN', true, 0, 10_000],
  seed: ['seed', true, -(2 ** 31), 2 ** 31],
};

/** Parse the stage's flags (the rest are rejected by name). */
export function prefConfig(flags: Map<string, string>, stage: 'rm' | 'dpo'): PrefConfig {
  // Measured on addition (docs/EXPERIMENTS.md 13): DPO at lr 1e-4 broke the policy, 1e-5 kept it;
  // the reward model learned little at 1e-4.
  const c: PrefConfig = { ...DEFAULT_PREF, lr: stage === 'rm' ? 1e-3 : 1e-5 };
  for (const [k, v] of flags) {
    const spec = KNOBS[k];
    if (!spec) throw new UserError(`unknown option --${k} for --stage ${stage} (known: --prefs, --from, --out, --backend, ${Object.keys(KNOBS).map((x) => `--${x}`).join(', ')})`);
    if (stage === 'rm' && spec[0] === 'beta') throw new UserError(`--${k} is DPO's beta; the reward model (--stage rm) has none`);
    const [key, int, min, max] = spec;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (int && !Number.isInteger(n)) || n < min || n > max) {
      throw new UserError(`--${k} must be ${int ? 'an integer' : 'a number'} in [${min}, ${max}], got "${v}"`);
    }
    c[key] = n;
  }
  return c;
}

export async function prefTrainCommand(stage: 'rm' | 'dpo', flags: Map<string, string>, out: string, from: string | undefined, backendChoice: string | undefined): Promise<number> {
  flags.delete('stage');
  const prefsFile = take(flags, 'prefs');
  if (!prefsFile) throw new UserError(`--stage ${stage} needs --prefs F.jsonl (preference pairs: write them with \`reasonlab prefs\`)`);
  if (!from) throw new UserError(`--stage ${stage} needs --from RUN (the checkpoint the ${stage === 'rm' ? "reward model's trunk" : 'policy and its frozen reference'} start from)`);
  const cfg = prefConfig(flags, stage);
  const loaded = loadCheckpoint(from);
  const runCfg = withDefaults(loaded.cfg);
  const tok = Tokenizer.fromJSON(loaded.tokenizer);
  const { pairs, bad } = readPairs(prefsFile, runCfg.task.name);
  for (const b of bad.slice(0, 5)) process.stderr.write(`warning: skipped ${b.message}\n`);
  if (bad.length > 5) process.stderr.write(`warning: skipped ${bad.length - 5} more bad line(s)\n`);

  const backend = await setupBackend(backendChoice);
  let t: RmTrainer | DpoTrainer;
  try {
    if (stage === 'rm') t = new RmTrainer(cfg, loaded.model, tok, loaded.snapshot.params, pairs);
    else {
      const task = getTask(runCfg.task.name);
      const problems = cfg.evalN > 0 ? heldOutProblems(task, { ...runCfg, eval: { ...runCfg.eval, n: cfg.evalN } }) : [];
      t = new DpoTrainer(cfg, loaded.model, tok, loaded.snapshot.params, pairs, { task, config: runCfg.task.config, problems });
    }
  } catch (e) {
    // Pair problems (tokenizer, context, none usable) are the user's input: one line, nothing written.
    throw new UserError((e as Error).message);
  }
  const dir = RunDir.create(out);
  process.stderr.write(backendLine(backend) + '\n');
  dir.writeJSON('config.json', { stage, pref: cfg, prefs: prefsFile, from, run: runCfg, model: loaded.model, pairs: { read: pairs.length, bad: bad.length, train: t.train.length, held_out: t.heldOut.length } });
  const ties = t instanceof DpoTrainer ? `, ${t.ties} tie(s) left out` : '';
  process.stderr.write(
    `${stage === 'rm' ? 'reward model' : `DPO (beta ${cfg.beta})`} from ${from} on ${prefsFile}: ${t.train.length} training / ${t.heldOut.length} held-out pairs${ties} | ${cfg.steps} steps x ${cfg.batchSize} pairs, lr ${cfg.lr} | ${out}\n`,
  );
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  let lastEval: PrefEvent | null = null;
  const sink = (e: PrefEvent) => {
    dir.append('metrics.jsonl', e);
    if (e.type === 'pref_eval') {
      lastEval = e;
      const task = e.greedy_acc !== undefined ? ` | task: fully right ${pct(e.greedy_acc)} greedy (n=${e.n}), len ${e.len_mean!.toFixed(1)}, think ${e.think_len_mean!.toFixed(1)}${e.think_len_right_mean !== undefined ? ` (${e.think_len_right_mean.toFixed(1)} fully right)` : ''}, KL ${e.kl_seq!.toFixed(3)} nats/seq` : '';
      process.stderr.write(
        `eval @${e.step}: held-out pairs ${pct(e.heldout_accuracy)} right, margin ${e.heldout_margin.toFixed(3)} (n=${e.heldout_pairs}${e.heldout_decided !== undefined ? `, ${e.heldout_decided} decided` : ''}) | train pairs ${pct(e.train_accuracy)}, margin ${e.train_margin.toFixed(3)}${task}\n`,
      );
    } else if (e.type === 'pref_step' && (e.step % 10 === 0 || e.step === cfg.steps)) {
      process.stderr.write(`${stage} step ${e.step}/${cfg.steps} | loss ${e.loss.toFixed(4)} | batch acc ${pct(e.accuracy)} | margin ${e.margin.toFixed(3)} | ${fmtDuration(e.elapsed_s)}\n`);
    } else if (e.type === 'pref_done') process.stderr.write(`done (${stage}): ${e.reason} at step ${e.step} in ${fmtDuration(e.elapsed_s)}\n`);
  };
  const controller = new AbortController();
  const onInt = () => controller.abort();
  process.once('SIGINT', onInt);
  await runPrefLoop(t, sink, { signal: controller.signal });
  process.off('SIGINT', onInt);
  const snap = await t.snapshot(loaded.snapshot.step);
  const files: Record<string, Uint8Array | string> = { ...snapshotToFiles(snap, runCfg, loaded.model, tok) };
  if (t instanceof RmTrainer) {
    files[REWARD_HEAD_FILE] = rewardHeadToFile(await t.headArray(), loaded.model.nEmbd);
    files[REWARD_META_FILE] = JSON.stringify({ format: 'reasonlab-reward-model', version: 1, from, prefs: prefsFile, steps: t.step, head: REWARD_HEAD_FILE, score_at: 'last completion token', last_eval: lastEval }, null, 2) + '\n';
  }
  dir.writeCheckpoint(files);
  t.dispose();
  process.stderr.write(`wrote ${join(out, 'checkpoint')}${stage === 'rm' ? ` (with ${REWARD_HEAD_FILE})` : ''}\n`);
  return 0;
}
