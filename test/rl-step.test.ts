// RlTrainer.trainStep's bookkeeping on toy tasks: no tensors leak across steps, a seed reproduces
// a run, zero-variance groups are skipped or resampled exactly, every estimator takes a finite
// step, rollouts are reported as full records, and run() emits its events with the global step.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../src/train/events.ts';
import { RlTrainer } from '../src/train/rl.ts';
import { useBackend } from './helpers/backend.ts';
import { evenFirst, mixedToy, rlConfig, rlSteps, toyTask } from './helpers/rl.ts';

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
    const G = 4;
    // reinforce: without the skip, zero-variance groups would get r - b != 0
    const t = new RlTrainer(rlConfig({ 'rl.prompts': 8, 'rl.group': G, 'rl.zeroVar': 'skip', 'rl.algo': 'reinforce' }), { task: mixedToy, run: 'runs/toy' });
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
    const G = 4;
    const cfg = rlConfig({ 'rl.prompts': 8, 'rl.group': G, 'rl.zeroVar': 'resample' });
    const run = async () => {
      const t = new RlTrainer(cfg, { task: mixedToy });
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
