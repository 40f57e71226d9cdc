// `reasonlab train`: SFT from scratch or resumed from a run's checkpoint, with a live progress
// line, metrics.jsonl / samples.jsonl, and atomic checkpoints in runs/NAME/checkpoint/.

import { applyOverrides, modelConfigOf, parseRewardSpec, withDefaults, type RunConfig } from '../run-config.ts';
import { recipeConfig } from '../recipes.ts';
import { paramCount } from '../model/config.ts';
import { curriculumLevels } from '../train/curriculum.ts';
import type { TrainEvent } from '../train/events.ts';
import { RlTrainer } from '../train/rl.ts';
import type { RewardScorer } from '../train/rm.ts';
import { Trainer } from '../train/sft.ts';
import { taskByName as getTask } from '../envs/as-task.ts';
import { ENVS } from '../envs/registry.ts';
import { TASKS } from '../tasks/registry.ts';
import { snapshotFromFiles, snapshotToFiles } from '../train/snapshot.ts';
import { Tokenizer } from '../tokenizer.ts';
import { take, takeInt, UserError } from './args.ts';
import { RunDir } from './rundir.ts';
import { backendLine, fmtDuration, setupBackend } from './setup.ts';

export const HELP = `reasonlab — train small reasoning models (SFT on traces) headless.

  reasonlab train --task addition --out runs/NAME      the task's measured recipe (src/recipes.ts)
  reasonlab train --task addition --preset micro --steps N --seed S --backend wasm|cpu|webgpu|auto
                  --out runs/NAME [--checkpoint-every N] [--KEY VALUE ...]   flags override the recipe
  reasonlab train --resume --out runs/NAME [--steps N]     continue an SFT run from its checkpoint
  reasonlab train --stage rl --from runs/SFT --out runs/NAME --algo grpo|drgrpo|rloo|reinforce --group 8
                  --steps N [--prompts 16 --temperature 1 --scheme binary --lr 1e-4 --clip 0.2 --epochs 1
                  --kl 0 --entropy 0 --zeroVar keep|skip|resample]     RL from a checkpoint (no --from: random init)
  reasonlab train --stage sft+rl --out runs/NAME --steps N --rl.steps M ...   SFT, then RL, one run
  reasonlab train --stage rm|dpo --prefs F --from runs/SFT --out runs/NAME ...   from preference pairs (below)
  reasonlab eval  --run runs/NAME [--n 500] [--temperature 0.8] [--k 1,4,16] [--backend ...]
  reasonlab bench [--quick] [--backends wasm,cpu,webgpu]
  reasonlab bench-learn [--tasks a,b] [--parallel 2] [--out runs/learn] [--KEY VALUE ...]   train every recipe
                  from scratch on wasm; writes docs/LEARNING.md and docs/learning/TASK.svg

Settings (--KEY VALUE; bare names or section.name; unknown keys are rejected):
  task:   --task ${[...Object.keys(TASKS), ...Object.keys(ENVS)].join('|')} (the last ${Object.keys(ENVS).length}: multi-turn environments), and the task's knobs, e.g. --digits 3 for addition
  model:  --preset nano|micro|mini  or --nLayer --nHead --nEmbd; --blockSize (0 = from the task)
  train:  --steps --batchSize --lr --minLr --warmupSteps --weightDecay --beta1 --beta2 --gradClip
          --trainSize (0 = fresh problems every step) --seed --logEvery --maxBadSteps
          --curriculum off|auto|mixed (auto: easiest level first, up one level when the level's held-out
          fully-right accuracy reaches --curriculumThreshold 0.9 at an evaluation; mixed: levels drawn uniformly)
  eval:   --eval.every --eval.n --eval.temperature --eval.topK --eval.samples --eval.passk 1,4,16 --eval.passkN
  rl:     --rl.algo --rl.steps --rl.prompts --rl.group --rl.pool (0 = fresh prompts) --rl.temperature --rl.scheme --rl.lr --rl.warmupSteps
          --rl.clip --rl.epochs --rl.kl --rl.entropy --rl.zeroVar keep|skip|resample --rl.baselineMomentum --rl.rolloutsMB
          --rl.reward rm:RUN (a reward model from --stage rm pays; rm:RUN+binary adds the verifier's reward)
          (with --stage rl, bare --steps/--lr/--temperature/--warmupSteps mean the rl.* ones)
`;

/** Keys that may change when resuming (the model and task are fixed by the checkpoint). */
const RESUMABLE = /^(train\.)?(steps|logEvery|maxBadSteps)$|^eval\./;
/** Keys an RL run from a checkpoint may not change: the checkpoint fixes the model. */
const FIXED_BY_CHECKPOINT = /^(model\.)?(preset|nLayer|nHead|nEmbd|blockSize)$|^task(\.name)?$/;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Labels of the run's curriculum levels, easiest first (empty when the curriculum is off). */
function levelLabels(cfg: RunConfig): string[] {
  if (cfg.train.curriculum === 'off') return [];
  return curriculumLevels(getTask(cfg.task.name), cfg.task.config, modelConfigOf(cfg).blockSize).map((l) => l.label);
}

/** One line saying what the curriculum does, or '' when it is off. */
function curriculumLine(cfg: RunConfig): string {
  const labels = levelLabels(cfg);
  if (!labels.length) return '';
  const how =
    cfg.train.curriculum === 'auto'
      ? `up one level when its held-out fully-right accuracy reaches ${pct(cfg.train.curriculumThreshold)} (checked every ${cfg.eval.every} steps)`
      : 'each example from a level drawn uniformly';
  return `curriculum ${cfg.train.curriculum}: ${labels.join(' -> ')} | ${how}\n`;
}

/** Print and write a run's events: metrics.jsonl, samples.jsonl, rollouts.jsonl (rotated). */
function makeSink(dir: RunDir, cfg: RunConfig, total: () => { step: number; of: number; label: string }) {
  const tty = process.stderr.isTTY;
  let lastEval = '';
  const labels = levelLabels(cfg);
  const levelText = (i: number) => `level ${i + 1}/${labels.length} (${labels[i] ?? '?'})`;
  const rolloutBytes = (cfg.rl.rolloutsMB * 1024 * 1024) / 4;
  return (e: TrainEvent) => {
    if (e.type === 'sample') return dir.append('samples.jsonl', e);
    if (e.type === 'rollout' || e.type === 'trajectory') {
      if (rolloutBytes > 0) dir.appendRotating('rollouts.jsonl', e.record, rolloutBytes, 3);
      return;
    }
    dir.append('metrics.jsonl', e);
    const clear = tty ? '\r\x1b[K' : '';
    if (e.type === 'eval') {
      lastEval = ` | acc ${pct(e.greedy_acc)} greedy, fully right`;
      const lv = e.level !== undefined && e.level_acc !== undefined ? ` | at ${levelText(e.level)}: ${pct(e.level_acc)} fully right (n=${e.level_n ?? '?'})` : '';
      // Fully right is the headline; answer-only and right-answer-wrong-steps are beside it.
      process.stderr.write(
        `${clear}eval @${e.step} (${e.phase}): fully right ${pct(e.greedy_acc)} greedy, ${pct(e.sampled_acc)} sampled | greedy answer only ${pct(e.greedy_answer_acc)}, right answer wrong steps ${pct(e.wrong_steps_rate)} | format ${(e.format_rate * 100).toFixed(0)}%${e.mean_turns !== undefined ? ` | mean turns ${e.mean_turns.toFixed(2)}` : ''}  (n=${e.n})${lv}\n`,
      );
    } else if (e.type === 'curriculum') {
      process.stderr.write(`${clear}curriculum @${e.step}: ${pct(e.level_acc)} fully right at ${levelText(e.from)} >= ${pct(e.threshold)}, moving up to ${levelText(e.to)}\n`);
    } else if (e.type === 'passk') {
      const ks = e.ks.map((k, i) => `pass@${k} ${pct(e.overall.passk[i]!)}`).join('  ');
      process.stderr.write(`${clear}        ${ks}  (n=${e.n_samples} samples/problem, T=${e.temperature})  right answer wrong steps ${pct(e.overall.wrong_steps_rate)}\n`);
    } else if (e.type === 'step' || e.type === 'rl_step') {
      const t = total();
      const rate = Math.max(t.step, 1) / Math.max(e.elapsed_s, 1e-9);
      const eta = fmtDuration((t.of - t.step) / Math.max(rate, 1e-9));
      const cur = e.type !== 'step' || !labels.length ? '' : e.level !== undefined ? ` | ${levelText(e.level)}` : ` | ${cfg.train.curriculum} over ${labels.length} levels`;
      const line =
        e.type === 'step'
          ? `step ${t.step}/${t.of}${cur} | loss ${e.loss.toFixed(4)} | lr ${e.lr.toExponential(2)} | ${Math.round(e.tokens_per_s).toLocaleString('en-US')} tok/s | ETA ${eta}${lastEval}`
          : `rl step ${t.step}/${t.of} (step ${e.step}) | reward ${e.reward_mean.toFixed(3)}${e.rm_score_mean !== undefined ? ` (rm ${e.rm_score_mean.toFixed(3)}, verifier ${e.verifier_reward_mean!.toFixed(3)})` : ''} | acc ${pct(e.accuracy)} (answer ${pct(e.answer_acc)}) | zero-var ${pct(e.zero_var_share)} | kl ${e.kl.toExponential(1)} | ent ${e.entropy.toFixed(2)} | len ${e.len_mean.toFixed(0)}${e.mean_turns !== undefined ? ` | turns ${e.mean_turns.toFixed(2)}` : ''} | ${Math.round(e.sample_tokens_per_s)} smp tok/s | ETA ${eta}${lastEval}`;
      process.stderr.write(tty ? `${clear}${line}` : line + '\n');
    } else if (e.type === 'warning') {
      process.stderr.write(`${clear}warning @${e.step}: ${e.message}\n`);
    } else if (e.type === 'done') {
      process.stderr.write((tty ? '\n' : '') + `done (${e.phase}): ${e.reason} at step ${e.step} in ${fmtDuration(e.elapsed_s)}\n`);
    }
  };
}

function onInterrupt(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const handler = () => {
    process.stderr.write('\nstopping after this step (checkpoint will be written)...\n');
    controller.abort();
  };
  process.once('SIGINT', handler);
  return { signal: controller.signal, release: () => process.off('SIGINT', handler) };
}

/** Run one phase with checkpoints written to `dir` every `ckEvery` steps and at the end. */
function runPhase(t: Trainer | RlTrainer, dir: RunDir, cfg: RunConfig, sink: ReturnType<typeof makeSink>, signal: AbortSignal, ckEvery: number, evalAtStart = true) {
  return t.run(sink, {
    evalAtStart,
    signal,
    checkpointEvery: ckEvery,
    onCheckpoint: async () => dir.writeCheckpoint(snapshotToFiles(await t.snapshot(), cfg, t.model, t.tok)),
  });
}

/**
 * rl.reward rm:PATH: the reward model, loaded after the backend is set up (null for the verifier).
 * Its tokenizer must be the policy's: it scores the policy's token ids.
 */
async function loadScorer(cfg: RunConfig, tok: Tokenizer): Promise<RewardScorer | null> {
  const spec = parseRewardSpec(cfg.rl.reward);
  if (!spec) return null;
  const { loadRewardModel } = await import('./prefio.ts');
  const { RewardScorer } = await import('../train/rm.ts');
  const rm = loadRewardModel(spec.rm);
  const rmTok = Tokenizer.fromJSON(rm.tokenizer);
  if (JSON.stringify(rmTok.toJSON()) !== JSON.stringify(tok.toJSON())) throw new UserError(`--reward ${cfg.rl.reward}: the reward model's tokenizer (${rm.where}) is not the policy's`);
  process.stderr.write(`reward: the reward model ${rm.where}${spec.scheme ? ` + the verifier's ${spec.scheme} reward` : ' alone (the verifier is only measured)'}\n`);
  return new RewardScorer(rm.model, rmTok, rm.snapshot.params, rm.head);
}

/** An RL phase on its own (`--stage rl`, or `--resume` of an RL run): print, run, clean up. */
async function runRl(t: RlTrainer, dir: RunDir, cfg: RunConfig, ckEvery: number, evalAtStart: boolean, scorer: RewardScorer | null = null): Promise<number> {
  const sink = makeSink(dir, cfg, () => ({ step: t.rlStep, of: cfg.rl.steps, label: 'rl' }));
  const stop = onInterrupt();
  const startRl = t.rlStep;
  const reason = await runPhase(t, dir, cfg, sink, stop.signal, ckEvery, evalAtStart);
  stop.release();
  t.dispose();
  scorer?.dispose();
  if (t.rlStep === startRl) process.stderr.write(`nothing to do: the run is already at RL step ${t.rlStep} (raise --steps)\n`);
  return reason === 'diverged' ? 3 : 0;
}

export async function trainCommand(flags: Map<string, string>): Promise<number> {
  const out = take(flags, 'out');
  const backendChoice = take(flags, 'backend');
  const resume = take(flags, 'resume') === 'true';
  const from = take(flags, 'from');
  const ckEvery = takeInt(flags, 'checkpoint-every', 500, 1);
  if (!out) throw new UserError('--out runs/NAME is required (the run folder to create)');
  const overrides = Object.fromEntries(flags);
  const stage = overrides.stage ?? (from ? 'rl' : 'sft');
  if (stage === 'rm' || stage === 'dpo') {
    if (resume) throw new UserError(`--resume is not available for --stage ${stage} (its runs are short: start a new one)`);
    const { prefTrainCommand } = await import('./preftrain.ts');
    return prefTrainCommand(stage, flags, out, from, backendChoice);
  }
  if (from && stage !== 'rl') throw new UserError(`--from starts an RL run: it needs --stage rl (got --stage ${stage})`);
  if (stage === 'rl' && !resume) return rlCommand(out, from, backendChoice, ckEvery, { ...overrides, stage: 'rl' });

  let cfg: RunConfig;
  let loaded: ReturnType<typeof snapshotFromFiles> | undefined;
  if (resume) {
    loaded = snapshotFromFiles(RunDir.open(out).readCheckpoint(), `${out}/checkpoint`);
    const inRl = !!loaded.rl;
    const allowed = inRl ? /^(rl\.)?steps$|^eval\.|^stage$/ : RESUMABLE;
    for (const k of Object.keys(overrides)) {
      if (!allowed.test(k)) {
        throw new UserError(`--${k} cannot change when resuming (the checkpoint fixes the task, model and optimizer); allowed: ${inRl ? '--steps (RL steps), --eval.*' : '--steps, --logEvery, --eval.*'}`);
      }
    }
    if (inRl) return resumeRl(out, loaded, backendChoice, ckEvery, overrides);
    cfg = applyOverrides(loaded.cfg, overrides);
  } else {
    cfg = applyOverrides(recipeConfig(overrides.task), overrides); // the task's recipe, then the flags
  }

  // The backend before the folder: a run that cannot start leaves nothing behind.
  const backend = await setupBackend(backendChoice);
  const dir = resume ? RunDir.open(out) : RunDir.create(out);
  process.stderr.write(backendLine(backend) + '\n');
  const t = loaded
    ? new Trainer(cfg, { snapshot: loaded.snapshot, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) })
    : new Trainer(cfg);
  if (!resume) {
    dir.writeJSON('config.json', { run: cfg, model: t.model, params: paramCount(t.model), backend: { name: backend.name, adapter: backend.adapter } });
  }
  process.stderr.write(
    `${resume ? 'resuming' : 'training'} ${cfg.task.name} ${JSON.stringify(cfg.task.config)} | model ${t.model.nLayer}x${t.model.nEmbd} (${(paramCount(t.model) / 1e3).toFixed(0)}k params, ctx ${t.model.blockSize}) | step ${t.step} -> ${cfg.train.steps} | ${out}\n` +
      curriculumLine(cfg) +
      (resume && cfg.train.curriculum === 'auto' ? `resuming at curriculum level ${t.level + 1}/${t.levels.length} (${t.levels[t.level]!.label})\n` : ''),
  );

  let rl: RlTrainer | undefined;
  const sink = makeSink(dir, cfg, () => (rl ? { step: rl.rlStep, of: cfg.rl.steps, label: 'rl' } : { step: t.step, of: cfg.train.steps, label: 'sft' }));
  const stop = onInterrupt();
  const startStep = t.step;
  let reason = await runPhase(t, dir, cfg, sink, stop.signal, ckEvery);
  if (t.step === startStep && resume) process.stderr.write(`nothing to do: the run is already at step ${t.step} (raise --steps)\n`);
  if (stage === 'sft+rl' && reason === 'finished') {
    // Keep the SFT checkpoint beside the final one: `eval --run` on either compares the phases.
    const snap = await t.snapshot();
    dir.writeCheckpoint(snapshotToFiles(snap, cfg, t.model, t.tok), 'checkpoint-sft');
    t.dispose();
    const scorer = await loadScorer(cfg, t.tok);
    rl = new RlTrainer(cfg, { params: snap.params, startStep: snap.step, tokenizer: t.tok, run: out, ...(scorer ? { rewardModel: scorer } : {}) });
    const r = rl;
    process.stderr.write(`RL: ${cfg.rl.algo}, ${cfg.rl.prompts} prompts x ${cfg.rl.group} samples, ${cfg.rl.steps} steps, scheme ${cfg.rl.scheme}\n`);
    reason = await runPhase(r, dir, cfg, sink, stop.signal, ckEvery, false); // SFT just evaluated these weights
    r.dispose();
    scorer?.dispose();
  } else t.dispose();
  stop.release();
  return reason === 'diverged' ? 3 : 0;
}

/** `--resume` of a run whose checkpoint an RL phase wrote: continue it exactly. */
async function resumeRl(out: string, loaded: ReturnType<typeof snapshotFromFiles>, backendChoice: string | undefined, ckEvery: number, overrides: Record<string, string>): Promise<number> {
  const base = withDefaults(loaded.cfg);
  base.stage = 'rl'; // bare --steps now means rl.steps
  const cfg = applyOverrides(base, overrides);
  const backend = await setupBackend(backendChoice);
  const dir = RunDir.open(out);
  process.stderr.write(backendLine(backend) + '\n');
  const tok = Tokenizer.fromJSON(loaded.tokenizer);
  const scorer = await loadScorer(cfg, tok);
  const t = new RlTrainer(cfg, { snapshot: { ...loaded.snapshot, ...loaded.rl! }, tokenizer: tok, run: out, ...(scorer ? { rewardModel: scorer } : {}) });
  process.stderr.write(`resuming RL on ${cfg.task.name} at RL step ${t.rlStep} (step ${t.step}) -> ${cfg.rl.steps} RL steps | ${out}\n`);
  return runRl(t, dir, cfg, ckEvery, false, scorer);
}

/** `--stage rl`: RL from a run's checkpoint (`--from`), or from a random init without it. */
async function rlCommand(out: string, from: string | undefined, backendChoice: string | undefined, ckEvery: number, overrides: Record<string, string>): Promise<number> {
  let cfg: RunConfig;
  let init: { params?: Map<string, Float32Array>; startStep?: number; tokenizer?: Tokenizer } = {};
  if (from) {
    const loaded = snapshotFromFiles(RunDir.open(from).readCheckpoint(), `${from}/checkpoint`);
    for (const k of Object.keys(overrides)) {
      if (FIXED_BY_CHECKPOINT.test(k)) throw new UserError(`--${k} cannot change in an RL run from ${from}: the checkpoint fixes the task and the model`);
    }
    const base = withDefaults(loaded.cfg);
    base.model.blockSize = loaded.model.blockSize; // task knobs may change only while they fit
    cfg = applyOverrides(base, overrides);
    init = { params: loaded.snapshot.params, startStep: loaded.snapshot.step, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) };
  } else {
    cfg = applyOverrides(recipeConfig(overrides.task), overrides); // the task's recipe, then the flags
  }
  const backend = await setupBackend(backendChoice);
  const scorer = await loadScorer(cfg, init.tokenizer ?? new Tokenizer()); // before the folder: a bad RM leaves nothing behind
  const dir = RunDir.create(out);
  process.stderr.write(backendLine(backend) + '\n');
  const t = new RlTrainer(cfg, { ...init, run: out, ...(scorer ? { rewardModel: scorer } : {}) });
  dir.writeJSON('config.json', { run: cfg, from: from ?? null, model: t.model, params: paramCount(t.model), backend: { name: backend.name, adapter: backend.adapter } });
  const r = cfg.rl;
  process.stderr.write(
    `RL on ${cfg.task.name} ${JSON.stringify(cfg.task.config)} from ${from ?? 'a random init'} (step ${t.startStep}) | ${r.algo}, ${r.prompts} prompts x ${r.group} samples, ${r.steps} steps, lr ${r.lr}, T ${r.temperature}, scheme ${r.scheme}, clip ${r.clip}, epochs ${r.epochs}, kl ${r.kl} | ${out}\n`,
  );
  return runRl(t, dir, cfg, ckEvery, true, scorer);
}
