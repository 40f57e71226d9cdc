// The RL objective: tokenLogprobs against the forward pass, rlLoss against its formula computed on
// the host, and one RlTrainer step moving log-probs the way the advantages say (positive up,
// negative down); KL to the start policy is 0 on the first step and grows after.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { forward, tokenLogprobs } from '../src/model/gpt.ts';
import { rlLoss } from '../src/model/loss.ts';
import { Rng } from '../src/rng.ts';
import { computeAdvantages } from '../src/train/advantages.ts';
import { RlTrainer } from '../src/train/rl.ts';
import { useBackend } from './helpers/backend.ts';
import { evenFirst, rlConfig, sequenceLogprobs } from './helpers/rl.ts';

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

describe('rlLoss', () => {
  // B = 3 sequences of T = 5 positions; the last two positions of row 0 are off the completion.
  const [B, T] = [3, 5];
  const rng = new Rng(11);
  const draw = (f: () => number) => Array.from({ length: B * T }, f);
  const mask = draw(() => 1).map((m, i) => (i === 3 || i === 4 ? 0 : m));
  const w = [0.1, 0.2, 0.05].flatMap((x) => Array(T).fill(x) as number[]).map((x, i) => x * mask[i]!);
  const adv = [1.5, -0.7, 0.3].flatMap((x) => Array(T).fill(x) as number[]);
  const host = {
    logp: draw(() => -0.2 - 2 * rng.float()),
    old: draw(() => -0.2 - 2 * rng.float()),
    ref: draw(() => -0.2 - 2 * rng.float()),
    H: draw(() => 3 * rng.float()),
    aw: w.map((x, i) => x * adv[i]!),
    w,
    mask,
  };
  const t2 = (xs: number[]) => tf.tensor2d(xs, [B, T]);

  /** The formula on the host, in float64. */
  function reference(c: { clip: number; kl: number; entropy: number }) {
    let obj = 0;
    let [kl, H, clipped, n] = [0, 0, 0, 0];
    for (let i = 0; i < B * T; i++) {
      const rho = Math.exp(host.logp[i]! - host.old[i]!);
      const lo = c.clip > 0 ? Math.min(Math.max(rho, 1 - c.clip), 1 + c.clip) : rho;
      obj += c.clip > 0 ? Math.min(rho * host.aw[i]!, lo * host.aw[i]!) : rho * host.aw[i]!;
      const d = host.ref[i]! - host.logp[i]!;
      const k3 = Math.exp(d) - d - 1;
      obj += -c.kl * k3 * host.w[i]! + c.entropy * host.H[i]! * host.w[i]!;
      kl += k3 * host.mask[i]!;
      H += host.H[i]! * host.mask[i]!;
      clipped += c.clip > 0 && Math.abs(rho - 1) > c.clip ? host.mask[i]! : 0;
      n += host.mask[i]!;
    }
    return [-obj, kl / n, H / n, clipped / n];
  }

  for (const c of [
    { clip: 0.2, kl: 0.05, entropy: 0.01 },
    { clip: 0, kl: 0, entropy: 0 },
  ]) {
    it(`matches its formula on the host (clip ${c.clip}, kl ${c.kl}, entropy ${c.entropy})`, async () => {
      await useBackend('cpu');
      const out = tf.tidy(() => {
        const x = { logp: t2(host.logp), oldLogp: t2(host.old), refLogp: t2(host.ref), entropy: t2(host.H), advWeight: t2(host.aw), weight: t2(host.w), mask: t2(host.mask) };
        const r = rlLoss(x, c);
        return tf.stack([r.loss, r.kl, r.entropy, r.clipFrac]);
      });
      const got = Array.from(await out.data());
      out.dispose();
      const want = reference(c);
      got.forEach((g, k) => expect(g, ['loss', 'kl', 'entropy', 'clipFrac'][k]).toBeCloseTo(want[k]!, 5));
      // The data exercise the clip: some ratios leave [0.8, 1.2], not all.
      if (c.clip > 0) expect(want[3]).toBeGreaterThan(0.2);
      if (c.clip > 0) expect(want[3]).toBeLessThan(0.9);
    });
  }
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
