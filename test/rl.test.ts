// The RL stage (src/train/rl.ts) on toy tasks passed as objects (RlInit.task): the loss gradient
// raises the log-prob of positive-advantage completions and lowers the negative ones, KL to the
// start policy is 0 on the first step, a trivially learnable reward is learned from a random init,
// no tensors leak across steps, a seed reproduces a run, zero-variance groups are skipped exactly,
// and rollouts are reported as full records. Also RunDir.appendRotating (rollouts.jsonl rotation).

import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir } from '../src/cli/rundir.ts';
import { applyOverrides, DEFAULT_CONFIG, type RunConfig } from '../src/config.ts';
import { encodePrompt } from '../src/data/batch.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { forward, tokenLogprobs, type Params } from '../src/model/gpt.ts';
import { Rng } from '../src/rng.ts';
import { finishVerdict } from '../src/tasks/format.ts';
import type { AnyTask } from '../src/tasks/types.ts';
import { computeAdvantages } from '../src/train/advantages.ts';
import type { RlStepEvent, TrainEvent } from '../src/train/events.ts';
import { RlTrainer } from '../src/train/rl.ts';
import { useBackend } from './helpers/backend.ts';

interface Toy {
  n: number;
}

/**
 * A toy task: prompt "say X:", completions of at most 4 characters, reward 1 when `ok` holds.
 * Problems are numbers (so the train/test splits and distinct problems work as for real tasks).
 */
function toyTask(ok: (p: Toy, completion: string) => boolean): AnyTask {
  return {
    name: 'toy',
    version: 1,
    description: 'toy reward for RL tests',
    defaults: {},
    curriculum: [],
    knobs: {},
    options: {},
    generate: (rng: Rng): Toy => ({ n: rng.int(1_000_000) }),
    canonical: (p: Toy) => String(p.n),
    prompt: () => 'say X:',
    gold: () => ({ trace: '', answer: 'X' }),
    maxPromptLength: () => 6,
    maxCompletionLength: () => 4,
    level: () => 'toy',
    verify: (p: Toy, completion: string, _cfg: unknown, opts: { truncated?: boolean; scheme?: string } = {}) => {
      const good = ok(p, completion);
      return finishVerdict(
        [
          { name: 'format', passed: true, detail: '' },
          { name: 'outcome', passed: good, detail: good ? '' : `got ${JSON.stringify(completion)}` },
        ],
        completion.slice(0, 1) || null,
        good,
        null,
        opts,
      );
    },
  };
}

/** Reward 1 when the completion starts with X (chance ~1% for a random 103-token policy). */
const sayX = toyTask((_p, c) => c.startsWith('X'));
/** Reward 1 for about half the completions (first character code even): many of both signs. */
const evenFirst = toyTask((_p, c) => c.length > 0 && c.charCodeAt(0) % 2 === 0);

/** A nano custom model (1 layer, 2 heads, width 16); the task name only sizes the context. */
function rlConfig(o: Record<string, unknown> = {}): RunConfig {
  return applyOverrides(DEFAULT_CONFIG, {
    task: 'addition',
    digits: 1,
    nLayer: 1,
    nHead: 2,
    nEmbd: 16,
    seed: 1,
    'rl.prompts': 4,
    'rl.group': 4,
    'rl.warmupSteps': 0,
    'rl.temperature': 1,
    'eval.n': 4,
    'eval.samples': 0,
    'eval.every': 0,
    ...o,
  });
}

/** Summed log-prob (at `temperature`) of each completion given its prompt, recomputed from scratch. */
async function sequenceLogprobs(params: Params, mc: ModelConfig, prompts: number[][], completions: Int32Array[], temperature: number): Promise<number[]> {
  const B = prompts.length;
  const T = mc.blockSize;
  const inputs = new Int32Array(B * T);
  const targets = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const seq = [...prompts[b]!, ...completions[b]!];
    for (let j = 0; j < seq.length - 1; j++) {
      inputs[b * T + j] = seq[j]!;
      targets[b * T + j] = seq[j + 1]!;
      if (j >= prompts[b]!.length - 1) mask[b * T + j] = 1;
    }
  }
  const s = tf.tidy(() => {
    const { logp } = tokenLogprobs(params, mc, tf.tensor2d(inputs, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), temperature, false);
    return tf.sum(tf.mul(logp, tf.tensor2d(mask, [B, T])), 1);
  });
  const v = Array.from(await s.data());
  s.dispose();
  return v;
}

const rlSteps = (ev: TrainEvent[]) => ev.filter((e): e is RlStepEvent => e.type === 'rl_step');

describe('tokenLogprobs', () => {
  it('equals log-softmax(forward() logits / T) at the targets, and its entropy', async () => {
    await useBackend('cpu');
    const t = new RlTrainer(rlConfig(), { task: evenFirst });
    const mc = t.model;
    const B = 2;
    const T = 8;
    const rng = new Rng(5);
    const inp = Int32Array.from({ length: B * T }, () => rng.int(mc.vocabSize));
    const tgt = Int32Array.from({ length: B * T }, () => rng.int(mc.vocabSize));
    for (const temperature of [1, 0.7, 2.5]) {
      const [got, gotH, want, wantH] = tf.tidy(() => {
        const inputs = tf.tensor2d(inp, [B, T], 'int32');
        const targets = tf.tensor2d(tgt, [B, T], 'int32');
        const { logp, entropy } = tokenLogprobs(t.params, mc, inputs, targets, temperature, true);
        const lp = tf.logSoftmax(tf.div(forward(t.params, mc, inputs), temperature)); // [B*T, V], rows b*T + t
        const picked = tf.sum(tf.mul(lp, tf.oneHot(tf.tensor1d(tgt, 'int32'), mc.vocabSize)), 1);
        const H = tf.neg(tf.sum(tf.mul(tf.exp(lp), lp), 1));
        return [logp.dataSync(), entropy!.dataSync(), picked.dataSync(), H.dataSync()];
      });
      expect(got.length).toBe(B * T);
      for (let i = 0; i < B * T; i++) {
        expect(Math.abs(got[i]! - want[i]!), `T=${temperature} logp at ${i}`).toBeLessThan(1e-5);
        expect(Math.abs(gotH[i]! - wantH[i]!), `T=${temperature} entropy at ${i}`).toBeLessThan(1e-5);
      }
    }
    t.dispose();
  });
});

describe('RlTrainer loss', () => {
  it('one step raises the log-prob of positive-advantage completions and lowers the negative ones', async () => {
    await useBackend('cpu');
    const cfg = rlConfig({ 'rl.prompts': 4, 'rl.group': 8, 'rl.lr': 1e-3, 'rl.algo': 'grpo' });
    const t = new RlTrainer(cfg, { task: evenFirst });
    // The rollouts of step 0 are a pure function of the seed: the same ones trainStep will use.
    const ro = await t.rollout(0);
    const adv = computeAdvantages('grpo', ro.rewards, 8, null).advantages;
    const before = await sequenceLogprobs(t.params, t.model, ro.promptTokens, ro.tokens, 1);
    // The recomputed log-probs match the sampler's (the ratio starts at 1).
    ro.logprobs.forEach((lp, i) => expect(before[i]!).toBeCloseTo(lp.reduce((a, b) => a + b, 0), 3));

    const { records } = await t.trainStep();
    expect(records.map((r) => r.completion)).toEqual(ro.tokens.map((x) => t.tok.decode(x)));
    records.forEach((r, i) => expect(r.advantage).toBeCloseTo(adv[i]!, 9));

    const after = await sequenceLogprobs(t.params, t.model, ro.promptTokens, ro.tokens, 1);
    const delta = after.map((a, i) => a - before[i]!);
    const pos = delta.filter((_, i) => adv[i]! > 0);
    const neg = delta.filter((_, i) => adv[i]! < 0);
    expect(pos.length).toBeGreaterThan(3);
    expect(neg.length).toBeGreaterThan(3);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(pos)).toBeGreaterThan(0);
    expect(sum(neg)).toBeLessThan(0);
    // The surrogate objective sum_i A_i * w_i * log pi(o_i) went up.
    const w = ro.tokens.map((x) => 1 / (x.length * ro.tokens.length));
    expect(sum(delta.map((d, i) => d * adv[i]! * w[i]!))).toBeGreaterThan(0);
    t.dispose();
  });

  it('KL to the start policy is 0 on the first step and grows after steps with a high lr', async () => {
    await useBackend('cpu');
    // kl and entropy coefficients on, so their branches of the loss run too.
    const t = new RlTrainer(rlConfig({ 'rl.lr': 3e-2, 'rl.kl': 0.05, 'rl.entropy': 0.01, 'rl.group': 8 }), { task: evenFirst });
    const kls: number[] = [];
    for (let s = 0; s < 4; s++) {
      const { metrics } = await t.trainStep();
      expect(Number.isFinite(metrics.loss)).toBe(true);
      expect(metrics.entropy).toBeGreaterThan(0);
      kls.push(metrics.kl);
    }
    expect(Math.abs(kls[0]!)).toBeLessThanOrEqual(1e-6);
    expect(kls[3]!).toBeGreaterThan(1e-4);
    t.dispose();
  });
});

describe('RlTrainer on a toy reward', () => {
  it('learns to start with X from a random init (wasm, grpo, group 8 x 8 prompts)', async () => {
    await useBackend('wasm');
    const cfg = rlConfig({ 'rl.prompts': 8, 'rl.group': 8, 'rl.lr': 3e-3, 'rl.algo': 'grpo' });
    const t = new RlTrainer(cfg, { task: sayX });
    const acc: number[] = [];
    let tensorsAt2 = 0;
    for (let s = 1; s <= 120; s++) {
      const { metrics } = await t.trainStep();
      acc.push(metrics.accuracy);
      if (s === 2) tensorsAt2 = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAt2); // no growth over 118 steps on wasm either
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(acc.slice(0, 10));
    const last = mean(acc.slice(-10));
    const crossed = acc.findIndex((a) => a > 0.8) + 1;
    console.log(`toy RL: accuracy first 10 steps ${first.toFixed(3)}, last 10 ${last.toFixed(3)}, first step > 0.8: ${crossed}`);
    expect(first).toBeLessThan(0.1); // near chance (1/103 per sample)
    expect(last).toBeGreaterThan(0.8);
    t.dispose();
  }, 240_000);
});

describe('RlTrainer bookkeeping', () => {
  it('keeps the tensor count flat across steps and evaluation (cpu)', async () => {
    await useBackend('cpu');
    const t = new RlTrainer(rlConfig({ 'eval.passk': '1,2', 'rl.epochs': 2, 'rl.kl': 0.1 }), { task: evenFirst });
    const counts: number[] = [];
    for (let s = 1; s <= 6; s++) {
      await t.trainStep();
      counts.push(tf.memory().numTensors);
    }
    const events: TrainEvent[] = [];
    const summary = await t.evaluateAndReport((e) => void events.push(e));
    expect(summary.passk?.ks).toEqual([1, 2]);
    expect(events.map((e) => e.type)).toEqual(['eval', 'passk']);
    expect(counts[5]).toBe(counts[1]);
    expect(tf.memory().numTensors).toBe(counts[1]);
    await t.trainStep();
    expect(tf.memory().numTensors).toBe(counts[1]);
    t.dispose();
  });

  it('is deterministic per seed on cpu: same rewards, losses and completions over 3 steps', async () => {
    await useBackend('cpu');
    const cfg = rlConfig({ 'rl.lr': 1e-2, seed: 7 });
    const trace = async () => {
      const t = new RlTrainer(cfg, { task: evenFirst });
      const out: unknown[] = [];
      for (let s = 0; s < 3; s++) {
        const { metrics, records } = await t.trainStep();
        out.push({
          reward: metrics.reward_mean,
          loss: metrics.loss,
          kl: metrics.kl,
          grad: metrics.grad_norm,
          rewards: records.map((r) => r.verdict.reward),
          completions: records.map((r) => r.completion),
        });
      }
      t.dispose();
      return out;
    };
    const a = await trace();
    const b = await trace();
    expect(b).toEqual(a);
    // the steps differ from each other (the rollouts move on with the step)
    expect((a[0] as { completions: string[] }).completions).not.toEqual((a[1] as { completions: string[] }).completions);
  });

  it("zeroVar 'skip' skips exactly the zero-variance groups; records carry the rollout", async () => {
    await useBackend('cpu');
    // n % 3 == 0: always right, n % 3 == 1: always wrong, otherwise the first character decides.
    const mixed = toyTask((p, c) => (p.n % 3 === 0 ? true : p.n % 3 === 1 ? false : c.length > 0 && c.charCodeAt(0) % 2 === 0));
    const G = 4;
    // reinforce: without the skip, zero-variance groups would get r - b != 0
    const t = new RlTrainer(rlConfig({ 'rl.prompts': 8, 'rl.group': G, 'rl.zeroVar': 'skip', 'rl.algo': 'reinforce' }), { task: mixed, run: 'runs/toy' });
    let zeroSeen = 0;
    let signalSeen = 0;
    for (let s = 1; s <= 2; s++) {
      const { metrics, records } = await t.trainStep();
      expect(records).toHaveLength(8 * G);
      const groups = Array.from({ length: 8 }, (_, g) => records.filter((r) => r.group === g));
      const zero = groups.map((rs) => rs.every((r) => r.verdict.reward === rs[0]!.verdict.reward));
      const nZero = zero.filter(Boolean).length;
      zeroSeen += nZero;
      signalSeen += 8 - nZero;
      expect(metrics.skipped_groups).toBe(nZero);
      expect(metrics.zero_var_share).toBe(nZero / 8);
      groups.forEach((rs, g) => {
        expect(rs.map((r) => r.sample)).toEqual([0, 1, 2, 3]);
        if (zero[g]) for (const r of rs) expect(r.advantage).toBe(0);
        else expect(rs.some((r) => r.advantage !== 0)).toBe(true);
      });
      for (const r of records) {
        expect(r.prompt).toBe('say X:');
        expect(typeof r.completion).toBe('string');
        expect(r.verdict.scheme).toBe('binary');
        expect(r.verdict.reward).toBe(r.verdict.correct ? 1 : 0);
        expect(r.logprob).toBeLessThan(0);
        expect(Number.isFinite(r.logprob)).toBe(true);
        expect(r.tokens).toBeGreaterThan(0);
        expect(r.task).toBe('toy');
        expect(r.level).toBe('toy');
        expect(r.id).toBe(`runs/toy-rl${s}-g${r.group}-s${r.sample}`);
        expect(r.provenance).toEqual({ source: 'model', run: 'runs/toy', step: s, seed: 1, algo: 'reinforce', scheme: 'binary' });
      }
    }
    // the data exercised both kinds of groups
    expect(zeroSeen).toBeGreaterThan(0);
    expect(signalSeen).toBeGreaterThan(0);
    t.dispose();
  });

  it("zeroVar 'resample' replaces all-equal groups by fresh prompts, keeps the replaced ones as discarded records, and is deterministic", async () => {
    await useBackend('cpu');
    const mixed = toyTask((p, c) => (p.n % 3 === 0 ? true : p.n % 3 === 1 ? false : c.length > 0 && c.charCodeAt(0) % 2 === 0));
    const G = 4;
    const cfg = rlConfig({ 'rl.prompts': 8, 'rl.group': G, 'rl.zeroVar': 'resample' });
    const run = async () => {
      const t = new RlTrainer(cfg, { task: mixed });
      const out = [];
      for (let s = 0; s < 2; s++) out.push(await t.trainStep());
      t.dispose();
      return out;
    };
    const a = await run();
    let resampled = 0;
    for (const { metrics, records } of a) {
      const kept = records.filter((r) => !r.discarded);
      const gone = records.filter((r) => r.discarded);
      expect(kept).toHaveLength(8 * G);
      expect(gone.length).toBe(metrics.resampled_groups * G);
      for (const r of gone) expect(r.advantage).toBe(0);
      // every discarded group had all-equal rewards
      for (const id of new Set(gone.map((r) => r.id.replace(/-s\d+$/, '')))) {
        const rs = gone.filter((r) => r.id.startsWith(id + '-s'));
        expect(new Set(rs.map((r) => r.verdict.reward)).size).toBe(1);
      }
      // the trained batch has no more zero-variance groups than the first draw
      expect(metrics.zero_var_after).toBeLessThanOrEqual(metrics.zero_var_share);
      // statistics cover everything sampled: kept + discarded
      expect(metrics.accuracy).toBeCloseTo(records.filter((r) => r.verdict.fully_correct).length / records.length, 12);
      expect(metrics.answer_acc).toBeCloseTo(records.filter((r) => r.verdict.correct).length / records.length, 12);
      resampled += metrics.resampled_groups;
    }
    expect(resampled).toBeGreaterThan(0);
    const b = await run();
    expect(b.map((x) => x.records.map((r) => [r.id, r.completion, r.advantage]))).toEqual(a.map((x) => x.records.map((r) => [r.id, r.completion, r.advantage])));
  });

  it('every estimator takes a finite step; PPO epochs report a clip fraction', async () => {
    await useBackend('cpu');
    for (const algo of ['grpo', 'drgrpo', 'rloo', 'reinforce'] as const) {
      const t = new RlTrainer(rlConfig({ 'rl.algo': algo, 'rl.epochs': 2, 'rl.lr': 3e-2 }), { task: evenFirst });
      const { metrics } = await t.trainStep();
      for (const k of ['loss', 'grad_norm', 'kl', 'entropy', 'clip_frac', 'reward_mean'] as const) expect(Number.isFinite(metrics[k]), `${algo} ${k}`).toBe(true);
      expect(metrics.kl, algo).toBe(0);
      expect(metrics.clip_frac, algo).toBeGreaterThanOrEqual(0);
      expect(metrics.clip_frac, algo).toBeLessThanOrEqual(1);
      // The second inner epoch, after a step at lr 3e-2, moved ratios past 1 +- 0.2 (measured 0.40-0.47).
      expect(metrics.clip_frac, algo).toBeGreaterThan(0);
      expect(t.baseline === null, algo).toBe(algo !== 'reinforce');
      t.dispose();
    }
    // One epoch: the ratio is pi/pi_old of the policy that sampled, 1 up to float error: never clipped.
    const one = new RlTrainer(rlConfig({ 'rl.epochs': 1, 'rl.lr': 3e-2 }), { task: evenFirst });
    expect((await one.trainStep()).metrics.clip_frac).toBe(0);
    one.dispose();
  });

  it("zeroVar 'skip' with every group zero-variance leaves the policy unchanged", async () => {
    await useBackend('cpu');
    // The entropy bonus has a gradient even where every advantage is 0: only skipping keeps the weights.
    const t = new RlTrainer(rlConfig({ 'rl.zeroVar': 'skip', 'rl.lr': 3e-2, 'rl.entropy': 0.1 }), { task: toyTask(() => false) });
    const before = await t.snapshot();
    const { metrics, records } = await t.trainStep();
    expect(metrics.skipped_groups).toBe(4);
    expect(metrics.zero_var_share).toBe(1);
    expect(metrics.loss).toBe(0);
    expect(records.every((r) => r.advantage === 0)).toBe(true);
    const after = await t.snapshot();
    for (const [name, w] of before.params) expect(after.params.get(name), name).toEqual(w);
    t.dispose();
  });

  it('run() emits phase, eval/passk, rl_step, rollout and done events with the global step', async () => {
    await useBackend('cpu');
    const t = new RlTrainer(rlConfig({ 'rl.steps': 2, 'eval.passk': '1,2', 'eval.every': 0 }), { task: evenFirst, startStep: 10 });
    const ev: TrainEvent[] = [];
    expect(await t.run((e) => void ev.push(e))).toBe('finished');
    expect(ev[0]).toMatchObject({ type: 'phase', phase: 'rl', step: 10 });
    expect(rlSteps(ev).map((e) => [e.step, e.rl_step])).toEqual([[11, 1], [12, 2]]);
    expect(ev.filter((e) => e.type === 'rollout')).toHaveLength(2 * 16);
    expect(ev.filter((e) => e.type === 'passk').map((e) => e.step)).toEqual([12]);
    expect(ev.at(-1)).toMatchObject({ type: 'done', phase: 'rl', step: 12, reason: 'finished' });
    t.dispose();
  });
});

describe('RunDir.appendRotating', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reasonlab-rot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates at the size cap and keeps at most keep + 1 files, newest rows last', () => {
    const d = new RunDir(dir);
    const row = (i: number) => ({ i, pad: 'x'.repeat(20) });
    const lineBytes = JSON.stringify(row(10)).length + 1; // rows 10..99 have equal length
    const maxBytes = lineBytes * 3; // three rows per file
    for (let i = 10; i < 100; i++) d.appendRotating('rollouts.jsonl', row(i), maxBytes, 3);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['rollouts.1.jsonl', 'rollouts.2.jsonl', 'rollouts.3.jsonl', 'rollouts.jsonl']);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(maxBytes);
    const ids = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    // 90 rows, 3 per file: the live file holds the last 3, .1 the 3 before, ... (older ones dropped)
    expect(ids('rollouts.jsonl')).toEqual([97, 98, 99]);
    expect(ids('rollouts.1.jsonl')).toEqual([94, 95, 96]);
    expect(ids('rollouts.2.jsonl')).toEqual([91, 92, 93]);
    expect(ids('rollouts.3.jsonl')).toEqual([88, 89, 90]);

    // A new RunDir on the same folder picks up the live file's size from disk.
    const again = new RunDir(dir);
    again.appendRotating('rollouts.jsonl', row(10), maxBytes, 3);
    expect(ids('rollouts.jsonl')).toEqual([10]);
    expect(ids('rollouts.1.jsonl')).toEqual([97, 98, 99]);
    expect(existsSync(join(dir, 'rollouts.4.jsonl'))).toBe(false);
    expect(readdirSync(dir)).toHaveLength(4);
  });
});

describe('RL resume', () => {
  it('stop after 2 RL steps, save to files, load, continue = the uninterrupted 4-step run (cpu, reinforce baseline, warmup, KL)', async () => {
    await useBackend('cpu');
    const { snapshotFromFiles, snapshotToFiles } = await import('../src/train/snapshot.ts');
    const { Tokenizer } = await import('../src/tokenizer.ts');
    const cfg = rlConfig({ 'rl.algo': 'reinforce', 'rl.lr': 1e-2, 'rl.warmupSteps': 3, 'rl.kl': 0.1, 'rl.epochs': 2, 'rl.steps': 4, 'eval.every': 0 });
    const rows = (ev: TrainEvent[]) => ev.filter((e): e is RlStepEvent => e.type === 'rl_step').map((e) => [e.step, e.reward_mean, e.loss, e.kl, e.lr]);
    const full: TrainEvent[] = [];
    const a = new RlTrainer(cfg, { startStep: 10 });
    await a.run((e) => void full.push(e), { rollouts: false });
    a.dispose();

    const part: TrainEvent[] = [];
    const ctl = new AbortController();
    const b = new RlTrainer(cfg, { startStep: 10 });
    await b.run((e) => {
      part.push(e);
      if (e.type === 'rl_step' && e.rl_step === 2) ctl.abort();
    }, { signal: ctl.signal, rollouts: false });
    const files = snapshotToFiles(await b.snapshot(), cfg, b.model, b.tok);
    b.dispose();
    expect(files['ref.safetensors']).toBeInstanceOf(Uint8Array);
    const tj = JSON.parse(files['trainer.json']) as { phase: string; rl: { step: number; start_step: number } };
    expect(tj.phase).toBe('rl');
    expect(tj.rl).toMatchObject({ step: 2, start_step: 10 });
    const inputs = { config: files['config.json'], safetensors: files['model.safetensors'], tokenizer: files['tokenizer.json'], optimizer: files['optimizer.safetensors'], trainer: files['trainer.json'] };
    expect(() => snapshotFromFiles(inputs, 'mem')).toThrow(/ref\.safetensors/);
    const loaded = snapshotFromFiles({ ...inputs, ref: files['ref.safetensors']! }, 'mem');
    const c = new RlTrainer(loaded.cfg, { snapshot: { ...loaded.snapshot, ...loaded.rl! }, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) });
    expect([c.rlStep, c.step]).toEqual([2, 12]);
    await c.run((e) => void part.push(e), { rollouts: false, evalAtStart: false });
    c.dispose();
    expect(rows(part)).toEqual(rows(full));
  });
});

describe('RL prompts', () => {
  it('rl.pool 0 draws fresh problems; rl.pool N draws only from the first N distinct train problems (the SFT pool)', async () => {
    await useBackend('cpu');
    const { distinctProblems } = await import('../src/data/split.ts');
    const { getTask } = await import('../src/tasks/registry.ts');
    const fresh = new RlTrainer(rlConfig({ digits: 3, 'rl.prompts': 16 }));
    const pooled = new RlTrainer(rlConfig({ digits: 3, 'rl.prompts': 16, 'rl.pool': 5 }));
    try {
      const task = getTask('addition');
      const canon = (ps: unknown[]) => ps.map((p) => task.canonical(p));
      const pool = new Set(canon(distinctProblems(task, pooled.cfg.task.config, pooled.cfg.train.seed, 'train', 5)));
      const drawn = [0, 1, 2].flatMap((s) => canon(pooled.problemsAt(s)));
      expect(drawn.every((c) => pool.has(c))).toBe(true);
      const freshDrawn = [0, 1, 2].flatMap((s) => canon(fresh.problemsAt(s)));
      expect(new Set(freshDrawn).size).toBeGreaterThan(20);
      expect(canon(fresh.problemsAt(1))).toEqual(canon(fresh.problemsAt(1))); // a pure function of the step
    } finally {
      fresh.dispose();
      pooled.dispose();
    }
  });
});
