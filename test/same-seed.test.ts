// Same seed, same numbers: the first RL steps and a short SFT run on cpu, pinned to the values the
// code gave before the RL step was split into sampleAndVerify, rlLoss and the shared run loop. A
// refactor that keeps behaviour keeps these bit for bit; a deliberate change of the numbers
// (a new objective, another sampling order) updates them and says so in its commit.

import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import type { AnyTask } from '../src/tasks/types.ts';
import type { TrainEvent } from '../src/train/events.ts';
import { RlTrainer } from '../src/train/rl.ts';
import { Trainer } from '../src/train/sft.ts';
import { useBackend } from './helpers/backend.ts';
import { evenFirst, mixedToy, rlConfig } from './helpers/rl.ts';

/** Per step: loss, grad_norm, kl, entropy, clip_frac, reward_mean, skipped, resampled, sum of advantages. */
const PINNED: [string, Record<string, unknown>, AnyTask, number[][]][] = [
  [
    'grpo, 2 PPO epochs, clip, KL and entropy terms',
    { 'rl.algo': 'grpo', 'rl.epochs': 2, 'rl.kl': 0.05, 'rl.entropy': 0.01, 'rl.clip': 0.2, 'rl.lr': 1e-2 },
    evenFirst,
    [
      [-0.15220218896865845, 0.6900574564933777, 0, 4.63158655166626, 0.23376622796058655, 0.375, 0, 0, -2.220446049250313e-16],
      [-0.12482476979494095, 0.6627395749092102, 0.004592807497829199, 4.625668525695801, 0.07500000298023224, 0.5, 0, 0, -2.220446049250313e-16],
      [-0.09315386414527893, 0.556252658367157, 0.01582329161465168, 4.616063594818115, 0.05000000074505806, 0.4375, 0, 0, 2.220446049250313e-16],
    ],
  ],
  [
    'reinforce baseline, resampling, KL, temperature 0.8',
    { 'rl.algo': 'reinforce', 'rl.prompts': 6, 'rl.zeroVar': 'resample', 'rl.kl': 0.1, 'rl.lr': 1e-2, 'rl.temperature': 0.8 },
    mixedToy,
    [
      [-7.450580596923828e-9, 0.44655391573905945, 0, 4.629793167114258, 0, 0.7638888888888888, 0, 12, 1.3322676295501878e-15],
      [-0.04109008610248566, 0.3578716218471527, 0.005765907000750303, 4.627326965332031, 0, 0.5454545454545454, 0, 5, 1.0000000000000013],
      [-0.16134005784988403, 0.3241366744041443, 0.011599349789321423, 4.624197483062744, 0, 0.6323529411764706, 0, 11, 3.900000000000002],
    ],
  ],
  [
    'drgrpo, skip, no clip, 2 epochs',
    { 'rl.algo': 'drgrpo', 'rl.prompts': 6, 'rl.zeroVar': 'skip', 'rl.clip': 0, 'rl.epochs': 2, 'rl.lr': 1e-2 },
    mixedToy,
    [
      [-0.08085999637842178, 0.5817723274230957, 0, 4.631634712219238, 0, 0.7083333333333334, 5, 0, 0],
      [-0.04663873463869095, 0.3636094927787781, 0.0032328874804079533, 4.629406929016113, 0, 0.6666666666666666, 4, 0, 0],
      [-0.033736083656549454, 0.436870813369751, 0.008691525086760521, 4.62668514251709, 0, 0.625, 5, 0, 0],
    ],
  ],
];

describe('same seed, same numbers (cpu)', () => {
  for (const [what, o, task, want] of PINNED) {
    it(`3 RL steps: ${what}`, async () => {
      await useBackend('cpu');
      const t = new RlTrainer(rlConfig(o), { task });
      const got: number[][] = [];
      for (let s = 0; s < 3; s++) {
        const { metrics: m, records } = await t.trainStep();
        got.push([m.loss, m.grad_norm, m.kl, m.entropy, m.clip_frac, m.reward_mean, m.skipped_groups, m.resampled_groups, records.reduce((a, r) => a + r.advantage, 0)]);
      }
      t.dispose();
      expect(got).toEqual(want);
    });
  }

  it('an SFT run: step losses, evaluations, checkpoints and the end, in order', async () => {
    await useBackend('cpu');
    const cfg = applyOverrides(DEFAULT_CONFIG, { task: 'addition', digits: 1, nLayer: 1, nHead: 2, nEmbd: 16, seed: 3, steps: 6, batchSize: 8, logEvery: 2, 'eval.n': 4, 'eval.samples': 0, 'eval.every': 3, 'eval.passk': '1,2' });
    const t = new Trainer(cfg);
    const ev: unknown[][] = [];
    const row = (e: TrainEvent) => [e.type, e.step, e.type === 'step' ? e.loss : e.type === 'eval' ? e.greedy_acc : e.type === 'done' ? e.reason : null, e.type === 'step' ? e.grad_norm : null];
    await t.run((e) => void ev.push(row(e)), { checkpointEvery: 4, onCheckpoint: async (s) => void ev.push(['ckpt', s, null, null]) });
    t.dispose();
    expect(ev).toEqual([
      ['phase', 0, null, null],
      ['step', 2, 4.631536483764648, 1.6963077783584595],
      ['eval', 3, 0, null],
      ['passk', 3, null, null],
      ['step', 4, 4.621805191040039, 1.6516166925430298],
      ['ckpt', 4, null, null],
      ['step', 6, 4.601168632507324, 1.60496187210083],
      ['eval', 6, 0, null],
      ['passk', 6, null, null],
      ['ckpt', 6, null, null],
      ['done', 6, 'finished', null],
    ]);
  });

  it('an RL run: evaluation first, steps with their rollouts, evaluations and checkpoints on schedule', async () => {
    await useBackend('cpu');
    const t = new RlTrainer(rlConfig({ 'rl.steps': 3, 'eval.every': 2, 'eval.passk': '1,2', 'rl.lr': 1e-2 }), { task: evenFirst, startStep: 6 });
    const ev: unknown[][] = [];
    const row = (e: TrainEvent) => [e.type, e.step, e.type === 'rl_step' ? e.loss : e.type === 'eval' ? e.greedy_acc : e.type === 'done' ? e.reason : null];
    await t.run((e) => void (e.type === 'rollout' ? (ev.at(-1)![3] = (ev.at(-1)![3] as number) + 1) : ev.push([...row(e), 0])), {
      checkpointEvery: 2,
      onCheckpoint: async (s) => void ev.push(['ckpt', s, null, 0]),
    });
    t.dispose();
    // The last column counts the rollout events that followed the row.
    expect(ev).toEqual([
      ['phase', 6, null, 0],
      ['eval', 6, 1, 0],
      ['passk', 6, null, 0],
      ['rl_step', 7, 6.984919309616089e-9, 16],
      ['rl_step', 8, -0, 16], // -0: the negated objective of an all-zero-advantage batch, as before
      ['eval', 8, 1, 0],
      ['passk', 8, null, 0],
      ['ckpt', 8, null, 0],
      ['rl_step', 9, -0, 16],
      ['eval', 9, 1, 0],
      ['passk', 9, null, 0],
      ['ckpt', 9, null, 0],
      ['done', 9, 'finished', 0],
    ]);
  });
});
