// The RL stage: reward-weighted policy gradient against the tasks' verifiers. Each step samples
// G completions for each of P prompts with the KV cache and scores them (sampleAndVerify), turns
// rewards into advantages (GRPO, Dr. GRPO, RLOO or REINFORCE with a running-mean baseline) and
// takes `epochs` AdamW steps on PPO's clipped objective with a KL penalty (rlLoss, model/loss.ts).
// Every rollout is reported as a record, failures included. Headless: shared by the CLI and the
// browser worker.

import * as tf from '@tensorflow/tfjs';
import { modelConfigOf, parseRewardSpec, rlOptim, type RunConfig } from '../run-config.ts';
import { encodePrompt } from '../data/batch.ts';
import { distinctProblems, problemAt } from '../data/split.ts';
import type { ModelConfig } from '../model/config.ts';
import { disposeParams, makeParams, paramArrays, tokenLogprobs, type Params } from '../model/gpt.ts';
import { rlLoss, type RlLossOutput } from '../model/loss.ts';
import { hashInts, Rng } from '../rng.ts';
import { envOf, taskByName as getTask } from '../envs/as-task.ts';
import { levelOf } from '../tasks/registry.ts';
import type { AnyTask } from '../tasks/types.ts';
import { Tokenizer } from '../tokenizer.ts';
import { computeAdvantages, sequenceWeights, zeroVarianceGroups } from './advantages.ts';
import type { EventSink, RlStepEvent, RolloutRecord } from './events.ts';
import { toTrajectoryRecord, type TrajectoryRecord } from '../records/trajectory.ts';
import { episodeRollouts } from './env-data.ts';
import { episodeMeans, sampleEpisodes } from './episodes.ts';
import { modelTokens, rolloutRecords, rolloutStats, swapGroups, updateBatch, type Rollouts } from './rollouts.ts';
import { sampleAndVerify } from './generate.ts';
import { adamW, Clock, runLoop, startWeights, type RunEnd, type RunOptions } from './loop.ts';
import { lrAt, type AdamW } from './optim.ts';
import { evaluateAndReport, heldOutProblems, type EvalSummary } from './report.ts';
import type { TrainerSnapshot } from './sft.ts';
import type { RlState } from './snapshot.ts';

/** What an RL run needs to continue exactly: the policy, its optimizer, the frozen start policy. */
export type RlSnapshot = TrainerSnapshot & RlState;

export interface RlInit {
  /** Starting weights (an SFT checkpoint); absent = random init (the from-scratch baseline). */
  params?: Map<string, Float32Array>;
  /** Global step of the starting weights (SFT steps), so RL steps continue the count. */
  startStep?: number;
  /** Resume an RL run. */
  snapshot?: RlSnapshot;
  tokenizer?: Tokenizer;
  /** Run name for the rollouts' provenance. */
  run?: string;
  /** A task object instead of cfg.task.name's registered one (tests: toy rewards). */
  task?: AnyTask;
  /** rl.reward rm:...: the learned reward model that scores each sampled sequence (train/rm.ts RewardScorer). */
  rewardModel?: SequenceScorer;
}

/** Scores sampled sequences: prompt ids (with <bos>) and completion ids per row -> one score per row. */
export interface SequenceScorer {
  scoreRows(prompts: readonly number[][], completions: readonly ArrayLike<number>[]): Promise<Float32Array>;
}

/** Resampling rounds of rl.zeroVar = 'resample' (each redraws only the still all-equal groups). */
export const RESAMPLE_ROUNDS = 3;

/** What one update reports (all 0 when no row was trained). */
interface UpdateStats {
  kl: number;
  entropy: number;
  clipFrac: number;
  loss: number;
  gradNorm: number;
  tokensPerS: number;
}

const NO_UPDATE: UpdateStats = { kl: 0, entropy: 0, clipFrac: 0, loss: 0, gradNorm: 0, tokensPerS: 0 };

export class RlTrainer {
  readonly model: ModelConfig;
  readonly task: AnyTask;
  readonly tok: Tokenizer;
  readonly params: Params;
  /** The frozen starting policy (KL reference); never trained. */
  readonly ref: Params;
  readonly opt: AdamW;
  readonly phase = 'rl' as const;
  /** Global step: startStep + rlStep. */
  step: number;
  rlStep = 0;
  readonly startStep: number;
  baseline: number | null = null;
  readonly clock = new Clock();
  private pool: unknown[] | null = null;
  private emitRollouts = true;

  constructor(
    readonly cfg: RunConfig,
    private readonly init: RlInit = {},
  ) {
    this.tok = init.tokenizer ?? new Tokenizer();
    this.model = modelConfigOf(cfg, this.tok);
    this.task = init.task ?? getTask(cfg.task.name);
    const start = startWeights(cfg, this.model, init.snapshot?.params ?? init.params);
    this.params = makeParams(this.model, start);
    this.ref = makeParams(this.model, init.snapshot?.ref ?? start);
    const r = cfg.rl;
    this.opt = adamW(this.model, this.params, rlOptim(r));
    this.startStep = init.snapshot?.startStep ?? init.startStep ?? 0;
    if (init.snapshot) {
      this.opt.load(init.snapshot.optimizer);
      // Older RL snapshots lack the count: every RL step took `epochs` updates.
      this.opt.step = init.snapshot.optStep ?? init.snapshot.rlStep * r.epochs;
      this.rlStep = init.snapshot.rlStep;
      this.baseline = init.snapshot.baseline;
    }
    this.step = this.startStep + this.rlStep;
    this.rewardSpec = parseRewardSpec(r.reward);
    if (this.rewardSpec && !init.rewardModel) throw new Error(`rl.reward ${r.reward}: the reward model is not loaded (pass it as rewardModel)`);
  }

  private readonly rewardSpec: ReturnType<typeof parseRewardSpec>;

  /**
   * The problems of RL step `s` (P of them; `n` for a resampling round > 0): a pure function of
   * the seed, the step and the round.
   */
  problemsAt(s: number, round = 0, n = this.cfg.rl.prompts): unknown[] {
    const { seed } = this.cfg.train;
    const tc = this.cfg.task.config;
    const rng = new Rng(round === 0 ? hashInts(seed, 7, s) : hashInts(seed, 7, s, round));
    const out: unknown[] = [];
    if (this.cfg.rl.pool > 0) {
      // A fixed pool (rl.pool = train.trainSize: the very problems SFT saw, so gains are not new data).
      this.pool ??= distinctProblems(this.task, tc, seed, 'train', this.cfg.rl.pool);
      for (let i = 0; i < n; i++) out.push(this.pool[rng.int(this.pool.length)]);
    } else {
      for (let i = 0; i < n; i++) out.push(problemAt(this.task, tc, seed, 'train', 1_000_000_000 + rng.int(1_000_000_000)));
    }
    return out;
  }

  /** Sample G completions for each problem of step `s` (round `round`, `n` problems) and score them. */
  async rollout(s: number, round = 0, n = this.cfg.rl.prompts): Promise<Rollouts> {
    const { group: G, temperature, scheme } = this.cfg.rl;
    const tc = this.cfg.task.config;
    const problems = this.problemsAt(s, round, n);
    const prompts = problems.map((p) => this.task.prompt(p, tc) as string);
    const encoded = prompts.map((p) => encodePrompt(this.tok, p));
    const rows = (xs: readonly unknown[]) => xs.flatMap((x) => Array.from({ length: G }, () => x));
    const promptTokens = rows(encoded) as number[][];
    const seed = this.cfg.train.seed;
    const rng = new Rng(round === 0 ? hashInts(seed, 8, s) : hashInts(seed, 8, s, round));
    const env = envOf(this.task);
    if (env) return episodeRollouts(await sampleEpisodes(this, env, tc, rows(problems), { temperature, topK: 0, rng, scheme }), problems, this.tok);
    const c = await sampleAndVerify(this, this.task, tc, rows(problems), promptTokens, { temperature, topK: 0, rng, scheme });
    let rewards = c.verdicts.map((v) => v.reward);
    if (this.rewardSpec) {
      // A learned reward: the RM's score at the last completion token, plus the verifier's with +SCHEME.
      const rm = await this.init.rewardModel!.scoreRows(promptTokens, c.tokens);
      rewards = rewards.map((v, i) => rm[i]! + (this.rewardSpec!.scheme ? v : 0));
    }
    return { problems, prompts, promptTokens, ...c, rewards };
  }

  /**
   * One RL step: sample and score, advantages, loss and `epochs` updates, report. Returns the
   * step's metrics and every rollout as a record.
   */
  async trainStep(): Promise<{ metrics: RlStepEvent; records: RolloutRecord[]; trajectories: TrajectoryRecord[] }> {
    const r = this.cfg.rl;
    const G = r.group;
    const lr = lrAt(this.opt.cfg, this.opt.step);
    // Sample G completions per prompt and score them with the verifier.
    const { ro, discarded, zeroFirst, resampled } = await this.sampleGroups(this.rlStep);
    // Advantages per completion; zeroVar 'skip' leaves the all-equal groups out of the update.
    const adv = computeAdvantages(r.algo, ro.rewards, G, this.baseline, r.baselineMomentum);
    this.baseline = r.algo === 'reinforce' ? adv.baseline : null;
    const skip = r.zeroVar === 'skip';
    const rows = ro.tokens.map((_, i) => i).filter((i) => !(skip && adv.zeroVar[Math.floor(i / G)]));
    // Loss and update.
    const u = rows.length ? await this.update(ro, rows, adv.advantages) : NO_UPDATE;
    this.rlStep++;
    this.step = this.startStep + this.rlStep;
    // Report: rollout statistics over everything sampled this step (resampled-away groups
    // included): all are draws of the current policy on random prompts, so they estimate its
    // behaviour; the trained batch alone would be biased toward mixed groups.
    const { sampled, ...stats } = rolloutStats([ro, ...discarded]);
    const metrics: RlStepEvent = {
      type: 'rl_step',
      phase: 'rl',
      step: this.step,
      rl_step: this.rlStep,
      ...stats,
      zero_var_share: zeroFirst.filter(Boolean).length / zeroFirst.length,
      skipped_groups: skip ? adv.zeroVar.filter(Boolean).length : 0,
      resampled_groups: resampled,
      zero_var_after: adv.zeroVar.filter(Boolean).length / adv.zeroVar.length,
      kl: u.kl,
      entropy: u.entropy,
      clip_frac: u.clipFrac,
      loss: u.loss,
      grad_norm: u.gradNorm,
      lr,
      ...(ro.trajectories ? Object.fromEntries(Object.entries(episodeMeans([ro, ...discarded].flatMap((d) => d.trajectories!))).map(([k, v]) => [`mean_${k}`, v])) : {}),
      sample_tokens_per_s: sampled / Math.max(ro.sampleSeconds, 1e-9),
      update_tokens_per_s: u.tokensPerS,
      elapsed_s: this.clock.seconds(),
      ...this.rewardStats([ro, ...discarded]),
    };
    const advantage = (i: number, g: number) => (skip && adv.zeroVar[g] ? 0 : adv.advantages[i]!);
    // An environment's rollouts are trajectory records (every turn marked), a task's rollout records.
    if (ro.trajectories) return { metrics, records: [], trajectories: this.trajectoryRecords([ro, ...discarded]) };
    return { metrics, records: this.records(ro, discarded, advantage), trajectories: [] };
  }

  /** With a learned reward: the RM's mean score and the verifier's mean reward, side by side (reward hacking shows as the first rising while the second falls). */
  private rewardStats(batches: Rollouts[]): Pick<RlStepEvent, 'rm_score_mean' | 'verifier_reward_mean'> {
    if (!this.rewardSpec) return {};
    const verifier = batches.flatMap((b) => b.verdicts.map((v) => v.reward));
    const rm = batches.flatMap((b) => b.rewards).map((r, i) => r - (this.rewardSpec!.scheme ? verifier[i]! : 0));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
    return { rm_score_mean: mean(rm), verifier_reward_mean: mean(verifier) };
  }

  /**
   * The rollouts of RL step `s`. With rl.zeroVar 'resample' (DAPO's dynamic sampling), groups
   * whose rewards are all equal are replaced by groups of fresh prompts, up to RESAMPLE_ROUNDS
   * rounds; the replaced groups come back as `discarded`, kept as evidence, not dropped.
   */
  private async sampleGroups(s: number): Promise<{ ro: Rollouts; discarded: Rollouts[]; zeroFirst: boolean[]; resampled: number }> {
    const G = this.cfg.rl.group;
    const ro = await this.rollout(s);
    // The share of zero-variance groups in the first draw: the signal the policy gives by itself.
    const zeroFirst = zeroVarianceGroups(ro.rewards, G);
    const discarded: Rollouts[] = [];
    let resampled = 0;
    if (this.cfg.rl.zeroVar === 'resample') {
      for (let round = 1; round <= RESAMPLE_ROUNDS; round++) {
        const zero = zeroVarianceGroups(ro.rewards, G).flatMap((z, g) => (z ? [g] : []));
        if (!zero.length) break;
        const more = await this.rollout(s, round, zero.length);
        ro.sampleSeconds += more.sampleSeconds;
        discarded.push(swapGroups(ro, zero, more, G));
        resampled += zero.length;
      }
    }
    return { ro, discarded, zeroFirst, resampled };
  }

  /**
   * `epochs` AdamW steps on rlLoss over rows `rows` of `ro`. Synchronous tfjs work runs in tidy
   * scopes; the reported scalars are read back once, at the end.
   */
  private async update(ro: Rollouts, rows: number[], advantages: ArrayLike<number>): Promise<UpdateStats> {
    const r = this.cfg.rl;
    const tu = performance.now();
    // Sequence-mean weights count the model's tokens only (an environment's replies are not trained).
    const w = sequenceWeights(r.algo, rows.map((i) => modelTokens(ro, i)), this.task.maxCompletionLength(this.cfg.task.config) + 1);
    const u = updateBatch(ro, rows, advantages, w, this.model.blockSize, this.tok.pad);
    const shape: [number, number] = [u.B, u.T];
    const t = {
      inputs: tf.tensor2d(u.inputs, shape, 'int32'),
      targets: tf.tensor2d(u.targets, shape, 'int32'),
      mask: tf.tensor2d(u.mask, shape),
      old: tf.tensor2d(u.old, shape),
      aw: tf.tensor2d(u.aw, shape),
      wm: tf.tensor2d(u.wm, shape),
    };
    const refLogp = tf.tidy(() => tokenLogprobs(this.ref, this.model, t.inputs, t.targets, r.temperature, false).logp);
    const epochs: tf.Scalar[][] = []; // per epoch: loss, gradNorm, applied, kl, entropy, clipFrac
    for (let e = 0; e < r.epochs; e++) {
      let parts!: RlLossOutput;
      const out = tf.tidy(() =>
        this.opt.minimize(() => {
          const { logp, entropy } = tokenLogprobs(this.params, this.model, t.inputs, t.targets, r.temperature, true);
          parts = rlLoss({ logp, oldLogp: t.old, refLogp, entropy: entropy!, advWeight: t.aw, weight: t.wm, mask: t.mask }, r);
          for (const x of [parts.kl, parts.entropy, parts.clipFrac]) tf.keep(x);
          return parts.loss;
        }),
      );
      // `applied` says what loss and gradNorm already say (the optimizer skips non-finite steps).
      epochs.push([out.loss, out.gradNorm, out.applied, parts.kl, parts.entropy, parts.clipFrac]);
    }
    // KL and entropy of the first epoch (the policy that sampled); the rest of the last.
    const [first, last] = [epochs[0]!, epochs.at(-1)!];
    const packed = tf.tidy(() => tf.stack([first[3]!, first[4]!, last[5]!, last[0]!, last[1]!]));
    const [kl, entropy, clipFrac, loss, gradNorm] = await packed.data();
    packed.dispose();
    for (const x of [...epochs.flat(), refLogp, ...Object.values(t)]) x.dispose();
    const tokensPerS = (u.B * u.T * r.epochs) / ((performance.now() - tu) / 1000);
    return { kl: kl!, entropy: entropy!, clipFrac: clipFrac!, loss: loss!, gradNorm: gradNorm!, tokensPerS };
  }

  /** The step's rollouts as records; groups replaced by resampling carry no advantage. */
  private records(ro: Rollouts, discarded: Rollouts[], advantage: (i: number, g: number) => number): RolloutRecord[] {
    const r = this.cfg.rl;
    const tc = this.cfg.task.config;
    const ctx = {
      G: r.group,
      step: this.step,
      seed: this.cfg.train.seed,
      algo: r.algo,
      scheme: r.scheme,
      task: this.task,
      difficulty: tc,
      level: (p: unknown) => levelOf(this.task, p, tc),
      ...(this.init.run ? { run: this.init.run } : {}),
    };
    return [
      ...rolloutRecords(ro, { ...ctx, advantage }),
      ...discarded.flatMap((d, k) => rolloutRecords(d, { ...ctx, advantage: () => 0, discardedTag: `-discarded${k + 1}` })),
    ];
  }

  /** An environment's rollouts as trajectory records, ids like the task rollouts' (discarded groups tagged). */
  private trajectoryRecords(batches: Rollouts[]): TrajectoryRecord[] {
    const G = this.cfg.rl.group;
    const run = this.init.run;
    const provenance = { source: 'model' as const, ...(run ? { run } : {}), step: this.step, seed: this.cfg.train.seed };
    return batches.flatMap((b, k) =>
      b.trajectories!.map((t, i) => {
        const id = `${run ?? 'run'}-rl${this.step}${k ? `-discarded${k}` : ''}-g${Math.floor(i / G)}-s${i % G}`;
        return toTrajectoryRecord(this.task.name, this.cfg.task.config, b.problems[Math.floor(i / G)], t, id, provenance);
      }),
    );
  }

  get phaseStep(): number {
    return this.rlStep;
  }

  get phaseSteps(): number {
    return this.cfg.rl.steps;
  }

  /** Train until cfg.rl.steps RL steps (or the signal), evaluating and reporting on the way. */
  run(sink: EventSink, o: RunOptions & { rollouts?: boolean; /** Evaluate the starting policy first (default true; false when the caller just did). */ evalAtStart?: boolean } = {}): Promise<RunEnd> {
    this.emitRollouts = o.rollouts !== false;
    return runLoop(this, sink, { ...o, evalAtStart: o.evalAtStart !== false });
  }

  /** One step of the run loop: train, report the metrics and (unless turned off) the rollouts. */
  async advance(sink: EventSink): Promise<boolean[]> {
    const { metrics, records, trajectories } = await this.trainStep();
    await sink(metrics);
    if (this.emitRollouts) {
      for (const rec of records) await sink({ type: 'rollout', phase: 'rl', step: this.step, record: rec });
      for (const rec of trajectories) await sink({ type: 'trajectory', phase: 'rl', step: this.step, record: rec });
    }
    const finite = Number.isFinite(metrics.loss) && Number.isFinite(metrics.grad_norm);
    if (!finite) await sink({ type: 'warning', phase: 'rl', step: this.step, message: `non-finite loss (${metrics.loss}) or gradient norm (${metrics.grad_norm}): update skipped` });
    return [finite];
  }

  /** RL reads its scalars back every step: nothing is held back. */
  async flush(): Promise<boolean[]> {
    return [];
  }

  evalProblems(): unknown[] {
    return heldOutProblems(this.task, this.cfg);
  }

  async evaluateAndReport(sink: EventSink): Promise<EvalSummary> {
    return evaluateAndReport(this, this.evalProblems(), sink, { phase: 'rl', step: this.step, elapsed: () => this.clock.seconds() });
  }

  async snapshot(): Promise<RlSnapshot> {
    return {
      step: this.step,
      params: await paramArrays(this.params),
      optimizer: await this.opt.state(),
      rlStep: this.rlStep,
      optStep: this.opt.step,
      startStep: this.startStep,
      baseline: this.baseline,
      ref: await paramArrays(this.ref),
    };
  }

  dispose(): void {
    disposeParams(this.params);
    disposeParams(this.ref);
    this.opt.dispose();
  }
}
