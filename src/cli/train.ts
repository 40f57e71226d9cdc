// `reasonlab train`: SFT from scratch or resumed from a run's checkpoint, with a live progress
// line, metrics.jsonl / samples.jsonl, and atomic checkpoints in runs/NAME/checkpoint/.

import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../config.ts';
import { paramCount } from '../model/config.ts';
import type { TrainEvent } from '../train/events.ts';
import { Trainer } from '../train/sft.ts';
import { TASKS } from '../tasks/registry.ts';
import { snapshotFromFiles, snapshotToFiles } from '../train/snapshot.ts';
import { Tokenizer } from '../tokenizer.ts';
import { take, takeInt, UserError } from './args.ts';
import { RunDir } from './rundir.ts';
import { backendLine, fmtDuration, setupBackend } from './setup.ts';

export const HELP = `reasonlab — train small reasoning models (SFT on traces) headless.

  reasonlab train --task addition --preset micro --steps N --seed S --backend wasm|cpu|webgpu|auto
                  --out runs/NAME [--checkpoint-every N] [--KEY VALUE ...]
  reasonlab train --resume --out runs/NAME [--steps N]     continue a run from its checkpoint
  reasonlab eval  --run runs/NAME [--n 500] [--temperature 0.8] [--backend ...]
  reasonlab bench [--quick] [--backends wasm,cpu,webgpu]

Settings (--KEY VALUE; bare names or section.name; unknown keys are rejected):
  task:   --task ${Object.keys(TASKS).join('|')}, and the task's knobs, e.g. --digits 3 for addition
  model:  --preset nano|micro|mini  or --nLayer --nHead --nEmbd; --blockSize (0 = from the task)
  train:  --steps --batchSize --lr --minLr --warmupSteps --weightDecay --beta1 --beta2 --gradClip
          --trainSize (0 = fresh problems every step) --seed --logEvery --maxBadSteps
  eval:   --eval.every --eval.n --eval.temperature --eval.topK --eval.samples
`;

/** Keys that may change when resuming (the model and task are fixed by the checkpoint). */
const RESUMABLE = /^(train\.)?(steps|logEvery|maxBadSteps)$|^eval\./;

export async function trainCommand(flags: Map<string, string>): Promise<number> {
  const out = take(flags, 'out');
  const backendChoice = take(flags, 'backend');
  const resume = take(flags, 'resume') === 'true';
  const ckEvery = takeInt(flags, 'checkpoint-every', 500, 1);
  if (!out) throw new UserError('--out runs/NAME is required (the run folder to create)');
  const overrides = Object.fromEntries(flags);

  let cfg: RunConfig;
  let dir: RunDir;
  let trainer: Trainer | undefined;
  let loaded: ReturnType<typeof snapshotFromFiles> | undefined;
  if (resume) {
    const opened = RunDir.open(out);
    loaded = snapshotFromFiles(
      (({ config, safetensors, tokenizer, optimizer, trainer }) => ({ config, safetensors, tokenizer, optimizer, trainer }))(opened.readCheckpoint()),
      `${out}/checkpoint`,
    );
    for (const k of Object.keys(overrides)) {
      if (!RESUMABLE.test(k)) throw new UserError(`--${k} cannot change when resuming (the checkpoint fixes the task, model and optimizer); allowed: --steps, --logEvery, --eval.*`);
    }
    cfg = applyOverrides(loaded.cfg, overrides);
  } else {
    cfg = applyOverrides(DEFAULT_CONFIG, overrides);
  }

  // The backend before the folder: a run that cannot start leaves nothing behind.
  const backend = await setupBackend(backendChoice);
  dir = resume ? RunDir.open(out) : RunDir.create(out);
  process.stderr.write(backendLine(backend) + '\n');
  trainer = loaded
    ? new Trainer(cfg, { snapshot: loaded.snapshot, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) })
    : new Trainer(cfg);
  const t = trainer;
  if (!resume) {
    dir.writeJSON('config.json', { run: cfg, model: t.model, params: paramCount(t.model), backend: { name: backend.name, adapter: backend.adapter } });
  }
  process.stderr.write(
    `${resume ? 'resuming' : 'training'} ${cfg.task.name} ${JSON.stringify(cfg.task.config)} | model ${t.model.nLayer}x${t.model.nEmbd} (${(paramCount(t.model) / 1e3).toFixed(0)}k params, ctx ${t.model.blockSize}) | step ${t.step} -> ${cfg.train.steps} | ${out}\n`,
  );

  const tty = process.stderr.isTTY;
  let lastEval = '';
  let lastLine = '';
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\nstopping after this step (checkpoint will be written)...\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const sink = (e: TrainEvent) => {
    if (e.type === 'sample') {
      dir.append('samples.jsonl', e);
      return;
    }
    dir.append('metrics.jsonl', e);
    if (e.type === 'eval') {
      lastEval = ` | acc ${(e.greedy_acc * 100).toFixed(1)}% greedy, ${(e.sampled_acc * 100).toFixed(1)}% T=${e.temperature}`;
      const line = `eval @${e.step}: greedy ${(e.greedy_acc * 100).toFixed(1)}%  sampled ${(e.sampled_acc * 100).toFixed(1)}%  format ${(e.format_rate * 100).toFixed(0)}%  (n=${e.n})`;
      process.stderr.write((tty ? '\r\x1b[K' : '') + line + '\n');
    } else if (e.type === 'step') {
      const rate = e.step / Math.max(e.elapsed_s, 1e-9);
      const eta = (cfg.train.steps - e.step) / Math.max(rate, 1e-9);
      lastLine = `step ${e.step}/${cfg.train.steps} | loss ${e.loss.toFixed(4)} | lr ${e.lr.toExponential(2)} | ${Math.round(e.tokens_per_s).toLocaleString('en-US')} tok/s | ETA ${fmtDuration(eta)}${lastEval}`;
      process.stderr.write(tty ? `\r\x1b[K${lastLine}` : lastLine + '\n');
    } else if (e.type === 'warning') {
      process.stderr.write((tty ? '\r\x1b[K' : '') + `warning @${e.step}: ${e.message}\n`);
    } else if (e.type === 'done') {
      process.stderr.write((tty ? '\n' : '') + `done: ${e.reason} at step ${e.step} in ${fmtDuration(e.elapsed_s)}\n`);
    }
  };
  const startStep = t.step;
  const reason = await t.run(sink, {
    signal: controller.signal,
    checkpointEvery: ckEvery,
    onCheckpoint: async () => dir.writeCheckpoint(snapshotToFiles(await t.snapshot(), cfg, t.model, t.tok)),
  });
  process.off('SIGINT', onSigint);
  t.dispose();
  if (t.step === startStep && resume) process.stderr.write(`nothing to do: the run is already at step ${t.step} (raise --steps)\n`);
  return reason === 'diverged' ? 3 : 0;
}
