// The RL stage: reward-weighted policy gradient against the tasks' verifiers. Each step takes P
// prompts, samples G completions each with the KV cache, scores them with the verifier and a reward
// scheme, turns rewards into advantages (GRPO, Dr. GRPO, RLOO or REINFORCE with a running-mean
// baseline) and takes `epochs` AdamW steps on the token-level objective over completion tokens:
//   min(rho*A, clip(rho, 1-eps, 1+eps)*A) - beta*KL_k3(pi || pi_start) + c_ent*H(pi)
// rho = pi/pi_old, with pi_old the sampling policy (softmax(logits / temperature)). Every rollout
// is reported as a record, failures included. Headless: shared by the CLI and the browser worker.

import * as tf from '@tensorflow/tfjs';
import { modelConfigOf, type RunConfig } from '../config.ts';
import { encodePrompt } from '../data/batch.ts';
import { distinctProblems, problemAt } from '../data/split.ts';
import type { ModelConfig } from '../model/config.ts';
import { disposeParams, initParamArrays, makeParams, paramArrays, paramSpecs, tokenLogprobs, type Params } from '../model/gpt.ts';
import { sample } from '../model/sample.ts';
import { hashInts, Rng } from '../rng.ts';
import { getTask, levelOf } from '../tasks/registry.ts';
import type { AnyTask } from '../tasks/types.ts';
import { Tokenizer } from '../tokenizer.ts';
import { computeAdvantages, sequenceWeights, zeroVarianceGroups } from './advantages.ts';
import type { EventSink, RlStepEvent, RolloutRecord } from './events.ts';
import { rolloutRecords, rolloutStats, swapGroups, updateBatch, type Rollouts } from './rollouts.ts';
import { AdamW, lrAt } from './optim.ts';
import { evaluateAndReport, heldOutProblems, type EvalSummary } from './report.ts';
import type { RunOptions, TrainerSnapshot } from './sft.ts';
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
}

/** Resampling rounds of rl.zeroVar = 'resample' (each redraws only the still all-equal groups). */
export const RESAMPLE_ROUNDS = 3;

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
  private pool: unknown[] | null = null;
  private t0 = performance.now();

  constructor(
    readonly cfg: RunConfig,
    private readonly init: RlInit = {},
  ) {
    this.tok = init.tokenizer ?? new Tokenizer();
    this.model = modelConfigOf(cfg, this.tok);
    this.task = init.task ?? getTask(cfg.task.name);
    const start = init.snapshot?.params ?? init.params ?? initParamArrays(this.model, new Rng(hashInts(cfg.train.seed, 1)));
    this.params = makeParams(this.model, start);
    this.ref = makeParams(this.model, init.snapshot?.ref ?? start);
    const r = cfg.rl;
    const decay = new Set(paramSpecs(this.model).filter((s) => s.decay).map((s) => s.name));
    this.opt = new AdamW(
      { ...cfg.train, lr: r.lr, minLr: r.lr, warmupSteps: r.warmupSteps, totalSteps: Math.max(r.steps, 1), weightDecay: 0 },
      this.params,
      (n) => decay.has(n),
    );
    this.startStep = init.snapshot?.startStep ?? init.startStep ?? 0;
    if (init.snapshot) {
      this.opt.load(init.snapshot.optimizer);
      // Older RL snapshots lack the count: every RL step took `epochs` updates.
      this.opt.step = init.snapshot.optStep ?? init.snapshot.rlStep * r.epochs;
      this.rlStep = init.snapshot.rlStep;
      this.baseline = init.snapshot.baseline;
    }
    this.step = this.startStep + this.rlStep;
  }

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
    const promptTokens: number[][] = [];
    for (const p of prompts) {
      const enc = encodePrompt(this.tok, p);
      for (let g = 0; g < G; g++) promptTokens.push(enc);
    }
    const t = performance.now();
    const res = await sample(this.params, this.model, promptTokens, {
      maxNewTokens: this.task.maxCompletionLength(tc) + 1,
      temperature,
      topK: 0,
      eosId: this.tok.eos,
      rng: new Rng(round === 0 ? hashInts(this.cfg.train.seed, 8, s) : hashInts(this.cfg.train.seed, 8, s, round)),
    });
    const sampleSeconds = (performance.now() - t) / 1000;
    const completions = res.tokens.map((toks) => this.tok.decode(toks));
    const verdicts = completions.map((c, i) => this.task.verify(problems[Math.floor(i / G)], c, tc, { truncated: res.truncated[i]!, scheme }));
    return {
      problems,
      prompts,
      promptTokens,
      tokens: res.tokens,
      completions,
      logprobs: res.logprobs,
      truncated: res.truncated,
      verdicts,
      rewards: verdicts.map((v) => v.reward),
      sampleSeconds,
    };
  }

  /**
   * One RL step: rollouts, advantages, `epochs` updates. Returns the step's metrics and the
   * rollouts as records. Synchronous tfjs work is in tidy scopes; scalars are read once, at the end.
   */
  async trainStep(): Promise<{ metrics: RlStepEvent; records: RolloutRecord[] }> {
    const r = this.cfg.rl;
    const G = r.group;
    const s = this.rlStep;
    const ro = await this.rollout(s);
    const N = ro.tokens.length;
    // The share of zero-variance groups in the first draw: the signal the policy gives by itself.
    const zeroFirst = zeroVarianceGroups(ro.rewards, G);
    // DAPO-style dynamic sampling: replace all-equal groups by groups of fresh prompts, up to
    // RESAMPLE_ROUNDS rounds. The replaced groups are kept (as discarded records), not dropped.
    const discarded: Rollouts[] = [];
    let resampled = 0;
    if (r.zeroVar === 'resample') {
      for (let round = 1; round <= RESAMPLE_ROUNDS; round++) {
        const zero = zeroVarianceGroups(ro.rewards, G).flatMap((z, g) => (z ? [g] : []));
        if (!zero.length) break;
        const more = await this.rollout(s, round, zero.length);
        ro.sampleSeconds += more.sampleSeconds;
        discarded.push(swapGroups(ro, zero, more, G));
        resampled += zero.length;
      }
    }
    const adv = computeAdvantages(r.algo, ro.rewards, G, this.baseline, r.baselineMomentum);
    this.baseline = r.algo === 'reinforce' ? adv.baseline : null;
    const skip = r.zeroVar === 'skip';
    const rows: number[] = [];
    for (let i = 0; i < N; i++) if (!(skip && adv.zeroVar[Math.floor(i / G)])) rows.push(i);

    const lr = lrAt(this.opt.cfg, this.opt.step);
    let loss = 0;
    let gradNorm = 0;
    let kl = 0;
    let entropy = 0;
    let clipFrac = 0;
    let updateTps = 0;
    const tu = performance.now();
    if (rows.length) {
      const w = sequenceWeights(r.algo, rows.map((i) => ro.tokens[i]!.length), this.task.maxCompletionLength(this.cfg.task.config) + 1);
      const u = updateBatch(ro, rows, adv.advantages, w, this.model.blockSize, this.tok.pad);
      const { B, T } = u;
      const shape: [number, number] = [B, T];
      const t = {
        inputs: tf.tensor2d(u.inputs, shape, 'int32'),
        targets: tf.tensor2d(u.targets, shape, 'int32'),
        mask: tf.tensor2d(u.mask, shape),
        old: tf.tensor2d(u.old, shape),
        aw: tf.tensor2d(u.aw, shape),
        wm: tf.tensor2d(u.wm, shape),
      };
      const refLogp = tf.tidy(() => tokenLogprobs(this.ref, this.model, t.inputs, t.targets, r.temperature, false).logp);
      const kept: tf.Scalar[] = [];
      for (let e = 0; e < r.epochs; e++) {
        let aux: tf.Scalar[] = [];
        const out = tf.tidy(() =>
          this.opt.minimize(() => {
            const { logp, entropy: H } = tokenLogprobs(this.params, this.model, t.inputs, t.targets, r.temperature, true);
            const ratio = tf.exp(tf.sub(logp, t.old));
            const unclipped = tf.mul(ratio, t.aw);
            const surr = r.clip > 0 ? tf.minimum(unclipped, tf.mul(tf.clipByValue(ratio, 1 - r.clip, 1 + r.clip), t.aw)) : unclipped;
            let objective: tf.Tensor = tf.sum(surr);
            const d = tf.sub(refLogp, logp);
            const k3 = tf.sub(tf.sub(tf.exp(d), d), 1);
            if (r.kl > 0) objective = tf.sub(objective, tf.mul(r.kl, tf.sum(tf.mul(k3, t.wm))));
            if (r.entropy > 0) objective = tf.add(objective, tf.mul(r.entropy, tf.sum(tf.mul(H!, t.wm))));
            const nTok = tf.maximum(tf.sum(t.mask), 1);
            const tokenMean = (x: tf.Tensor) => tf.div(tf.sum(tf.mul(x, t.mask)), nTok) as tf.Scalar;
            const clipped = r.clip > 0 ? tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), r.clip), 'float32') : tf.zerosLike(ratio);
            aux = [tokenMean(k3), tokenMean(H!), tokenMean(clipped)].map((x) => tf.keep(x));
            return tf.neg(objective) as tf.Scalar;
          }),
        );
        // Metrics of the first epoch's KL/entropy (the policy that sampled); clip fraction of the last.
        if (e === 0) kept.push(aux[0]!, aux[1]!);
        else aux.slice(0, 2).forEach((x) => x.dispose());
        // `applied` says what loss/gradNorm already say (the optimizer skips non-finite steps).
        out.applied.dispose();
        if (e === r.epochs - 1) kept.push(aux[2]!, out.loss, out.gradNorm);
        else {
          aux[2]!.dispose();
          out.loss.dispose();
          out.gradNorm.dispose();
        }
      }
      const packed = tf.tidy(() => tf.stack(kept));
      const vals = await packed.data();
      packed.dispose();
      for (const x of [...kept, refLogp, ...Object.values(t)]) x.dispose();
      [kl, entropy, clipFrac, loss, gradNorm] = [vals[0]!, vals[1]!, vals[2]!, vals[3]!, vals[4]!];
      updateTps = (B * T * r.epochs) / ((performance.now() - tu) / 1000);
    }

    // Rollout statistics over everything sampled this step (resampled-away groups included): all
    // are draws of the current policy on random prompts, so they estimate its behaviour; the
    // trained batch alone would be biased toward mixed groups.
    const { sampled, ...stats } = rolloutStats([ro, ...discarded]);
    this.rlStep++;
    this.step = this.startStep + this.rlStep;
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
      kl,
      entropy,
      clip_frac: clipFrac,
      loss,
      grad_norm: gradNorm,
      lr,
      sample_tokens_per_s: sampled / Math.max(ro.sampleSeconds, 1e-9),
      update_tokens_per_s: updateTps,
      elapsed_s: (performance.now() - this.t0) / 1000,
    };
    const tc = this.cfg.task.config;
    const ctx = {
      G,
      step: this.step,
      seed: this.cfg.train.seed,
      algo: r.algo,
      scheme: r.scheme,
      task: this.task,
      difficulty: tc,
      level: (p: unknown) => levelOf(this.task, p, tc),
      ...(this.init.run ? { run: this.init.run } : {}),
    };
    const records = [
      ...rolloutRecords(ro, { ...ctx, advantage: (i, g) => (skip && adv.zeroVar[g] ? 0 : adv.advantages[i]!) }),
      // Groups replaced by resampling: all-equal rewards, no advantage, kept as evidence.
      ...discarded.flatMap((d, k) => rolloutRecords(d, { ...ctx, advantage: () => 0, discardedTag: `-discarded${k + 1}` })),
    ];
    return { metrics, records };
  }

  /** Train until cfg.rl.steps RL steps (or the signal), evaluating and reporting on the way. */
  async run(sink: EventSink, o: RunOptions & { rollouts?: boolean; /** Evaluate the starting policy first (default true; false when the caller just did). */ evalAtStart?: boolean } = {}): Promise<'finished' | 'stopped' | 'diverged'> {
    const { steps } = this.cfg.rl;
    const evalEvery = this.cfg.eval.every;
    this.t0 = performance.now();
    await sink({ type: 'phase', phase: 'rl', step: this.step });
    let reason: 'finished' | 'stopped' | 'diverged' = 'finished';
    let badRun = 0;
    if (this.rlStep === 0 && evalEvery > 0 && o.evalAtStart !== false) await this.evaluateAndReport(sink);
    while (this.rlStep < steps) {
      if (o.signal?.aborted) {
        reason = 'stopped';
        break;
      }
      const { metrics, records } = await this.trainStep();
      await sink(metrics);
      if (o.rollouts !== false) for (const rec of records) await sink({ type: 'rollout', phase: 'rl', step: this.step, record: rec });
      if (!Number.isFinite(metrics.loss) || !Number.isFinite(metrics.grad_norm)) {
        badRun++;
        await sink({ type: 'warning', phase: 'rl', step: this.step, message: `non-finite loss (${metrics.loss}) or gradient norm (${metrics.grad_norm}): update skipped` });
        if (badRun >= this.cfg.train.maxBadSteps) {
          reason = 'diverged';
          break;
        }
      } else badRun = 0;
      if (evalEvery > 0 && this.rlStep % evalEvery === 0 && this.rlStep < steps) await this.evaluateAndReport(sink);
      if (o.onCheckpoint && o.checkpointEvery && this.rlStep % o.checkpointEvery === 0 && this.rlStep < steps) await o.onCheckpoint(this.step);
    }
    if (reason !== 'diverged') await this.evaluateAndReport(sink);
    if (o.onCheckpoint) await o.onCheckpoint(this.step);
    await sink({ type: 'done', phase: 'rl', step: this.step, reason, elapsed_s: (performance.now() - this.t0) / 1000 });
    return reason;
  }

  evalProblems(): unknown[] {
    return heldOutProblems(this.task, this.cfg);
  }

  async evaluateAndReport(sink: EventSink): Promise<EvalSummary> {
    return evaluateAndReport(this, this.evalProblems(), sink, { phase: 'rl', step: this.step, elapsed: () => (performance.now() - this.t0) / 1000 });
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
