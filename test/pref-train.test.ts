// The preference stages in process, on a tiny addition model: the held-out split and RM score
// positions, one DPO step raising the implicit margin on the trained pairs, the RM learning to rank,
// no tensor leaked per RM, DPO or RL-with-RM step, and RL paid by a learned reward (a scorer of
// length) rather than the verifier.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { modelConfigOf, parseRewardSpec } from '../src/run-config.ts';
import { encodePrompt } from '../src/data/batch.ts';
import { problemAt } from '../src/data/split.ts';
import { seqBatch, splitPairs, stepIndices } from '../src/data/pref-split.ts';
import { initParamArrays } from '../src/model/gpt.ts';
import { pairRecord } from '../src/records/raters.ts';
import { hashInts, Rng } from '../src/rng.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { getTask } from '../src/tasks/registry.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { DpoTrainer, thoughtMeans } from '../src/train/dpo.ts';
import { DEFAULT_PREF, type PrefConfig } from '../src/train/pref-loop.ts';
import { RlTrainer } from '../src/train/rl.ts';
import { RewardScorer, RmTrainer, type PlacedPair } from '../src/train/rm.ts';
import { useBackend } from './helpers/backend.ts';
import { rlConfig } from './helpers/rl.ts';

const tok = new Tokenizer();
const task = getTask('addition');
const runCfg = rlConfig();
const tc = runCfg.task.config;
const model = modelConfigOf(runCfg, tok);
const start = () => initParamArrays(model, new Rng(hashInts(1, 1)));

/** n pairs: the gold completion chosen over one with a wrong answer (the verifier's preference). */
function pairs(n: number): PlacedPair[] {
  return Array.from({ length: n }, (_, i) => {
    const p = problemAt(task, tc, 3, 'train', i);
    const g = task.gold(p, tc);
    const good = renderCompletion(g, true);
    const bad = renderCompletion({ ...g, answer: String((Number(g.answer) + 1) % 100) }, true);
    const v = (c: string) => task.verify(p, c, tc);
    const src = { id: `p${i}`, n: i, task: 'addition', task_version: task.version, difficulty: tc, problem: p, prompt: task.prompt(p, tc), a: { completion: good, verdict: v(good) }, b: { completion: bad, verdict: v(bad) } };
    return { record: pairRecord(src, 'a', { id: 'simulated:prefers-correct', noise: 0, seed: 0 }, { checkpoint: 'x', temperature: 1 }), where: `t.jsonl:${i + 1}` };
  });
}

const pc = (o: Partial<PrefConfig> = {}): PrefConfig => ({ ...DEFAULT_PREF, batchSize: 8, warmupSteps: 0, heldOut: 0.25, evalN: 4, ...o });

describe('preference data', () => {
  it('splits by prompt, deterministically, and draws a step batch per (seed, step)', () => {
    const ps = pairs(40).map((p) => p.record);
    const a = splitPairs(ps, 0.25);
    expect(a.train.length + a.heldOut.length).toBe(40);
    expect(a.heldOut.length).toBeGreaterThan(0);
    const held = new Set(a.heldOut.map((r) => r.prompt));
    expect(a.train.some((r) => held.has(r.prompt))).toBe(false);
    expect(splitPairs(ps, 0.25).heldOut.map((r) => r.id)).toEqual(a.heldOut.map((r) => r.id));
    expect(stepIndices(1, 5, 30, 8)).toEqual(stepIndices(1, 5, 30, 8));
    expect(stepIndices(1, 5, 30, 8)).not.toEqual(stepIndices(1, 6, 30, 8));
  });

  it('seqBatch reads the score at the last completion token before <eos>', () => {
    const s = seqBatch([[1, 10, 11], [1, 10]], [[20, 21, tok.eos], []], 8, tok.pad, tok.eos);
    expect(s.last[0]).toBe(4); // input at 4 is 21
    expect(s.inputs[4]).toBe(21);
    expect(s.last[1]).toBe(1); // empty completion: the last prompt token
    expect(Array.from(s.mask.slice(0, 8))).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
  });
});

describe('reward model and DPO stages', () => {
  it('RM: learns to rank the verifier-preferred pairs, no tensor leaked per step', async () => {
    await useBackend('cpu');
    const t = new RmTrainer(pc({ lr: 3e-3 }), model, tok, start(), pairs(40));
    const before = await t.pairMetrics(t.train);
    await t.trainStep();
    const n0 = tf.memory().numTensors;
    for (let s = 0; s < 14; s++) await t.trainStep();
    expect(tf.memory().numTensors).toBe(n0);
    await t.evaluate();
    expect(tf.memory().numTensors).toBe(n0);
    const after = await t.pairMetrics(t.train);
    expect(after.margin).toBeGreaterThan(before.margin);
    expect(after.accuracy).toBeGreaterThan(0.7);
    t.dispose();
  });

  it('DPO: the margin starts at 0 (policy = reference) and one step raises it; no leak', async () => {
    await useBackend('cpu');
    const t = new DpoTrainer(pc({ lr: 1e-2, evalN: 0 }), model, tok, start(), pairs(24), null);
    const m0 = await t.pairMetrics(t.train);
    expect(m0.margin).toBeCloseTo(0, 5);
    await t.trainStep();
    const m1 = await t.pairMetrics(t.train);
    expect(m1.margin).toBeGreaterThan(0);
    const n0 = tf.memory().numTensors;
    await t.trainStep();
    expect(tf.memory().numTensors).toBe(n0);
    t.dispose();
  });

  it('DPO evaluation reports task accuracy, lengths and a KL that is 0 at the start', async () => {
    await useBackend('cpu');
    const problems = Array.from({ length: 4 }, (_, i) => problemAt(task, tc, 9, 'test', i));
    const t = new DpoTrainer(pc({ evalN: 4 }), model, tok, start(), pairs(8), { task, config: tc, problems });
    const e = await t.evaluate();
    expect(e.n).toBe(4);
    expect(e.kl_seq).toBeCloseTo(0, 4);
    expect(e.len_mean).toBeGreaterThan(0);
    expect(e.greedy_acc).toBeGreaterThanOrEqual(0);
    t.dispose();
  });

  it('thoughtMeans: the mean thought over all completions and over the fully right ones (countdown: two right searches of different lengths)', () => {
    const cd = getTask('countdown');
    const cfg = { count: 3, maxNumber: 9, maxTrace: 60, format: 'search' };
    const p = { numbers: [2, 3, 4], target: 20, expr: { kind: 'num', value: 20 } };
    // The gold search (one dead end and a backtrack, 40 tokens), a direct one (12) and a wrong one (11).
    const texts = ['3*2=6,6+4=10,6*4=24,^,3+2=5,5+4=9,5*4=20', '3+2=5,5*4=20', '3+2=5,5+4=9'].map((t, i) => `<think>${t}</think><answer>${i < 2 ? '(3+2)*4' : '3+2+4'}</answer>`);
    const right = texts.map((t) => cd.verify(p, t, cfg).fully_correct);
    expect(right).toEqual([true, true, false]);
    const m = thoughtMeans(texts, right);
    expect(m.think_len_mean).toBeCloseTo((40 + 12 + 11) / 3, 9);
    expect(m.think_len_right_mean).toBeCloseTo((40 + 12) / 2, 9);
    expect(thoughtMeans(texts.slice(2), [false])).toEqual({ think_len_mean: 11 });
  });

  it('refuses zero usable pairs (all ties) with a clear error, not a NaN loss', async () => {
    await useBackend('cpu');
    const ties = pairs(4).map((p) => ({ ...p, record: { ...p.record, tie: true } }));
    expect(() => new DpoTrainer(pc(), model, tok, start(), ties, null)).toThrow(/all 4 pair\(s\) are ties/);
  });
});

describe('RL paid by a learned reward', () => {
  it('parses rl.reward', () => {
    expect(parseRewardSpec('')).toBeNull();
    expect(parseRewardSpec('rm:runs/a+b')).toEqual({ rm: 'runs/a+b', scheme: null });
    expect(parseRewardSpec('rm:runs/rm+binary')).toEqual({ rm: 'runs/rm', scheme: 'binary' });
    expect(() => parseRewardSpec('runs/rm')).toThrow(/rl.reward must be/);
  });

  it('rewards follow the reward model (a scorer of length), not the verifier; the verifier is still reported', async () => {
    await useBackend('cpu');
    const lengthScorer = { scoreRows: async (_p: readonly number[][], c: readonly ArrayLike<number>[]) => Float32Array.from(c, (x) => x.length) };
    const t = new RlTrainer(rlConfig({ 'rl.reward': 'rm:fake' }), { rewardModel: lengthScorer });
    const ro = await t.rollout(0);
    expect(ro.rewards).toEqual(ro.tokens.map((x) => x.length));
    const { metrics } = await t.trainStep();
    expect(metrics.rm_score_mean).toBeCloseTo(metrics.len_mean, 5);
    expect(metrics.reward_mean).toBeCloseTo(metrics.len_mean, 5);
    expect(metrics.verifier_reward_mean).toBeCloseTo(metrics.accuracy, 5);
    t.dispose();
    const mixed = new RlTrainer(rlConfig({ 'rl.reward': 'rm:fake+binary' }), { rewardModel: lengthScorer });
    const r2 = await mixed.rollout(0);
    expect(r2.rewards).toEqual(r2.tokens.map((x, i) => x.length + r2.verdicts[i]!.reward));
    mixed.dispose();
    expect(() => new RlTrainer(rlConfig({ 'rl.reward': 'rm:fake' }))).toThrow(/reward model is not loaded/);
  });

  it('a real RewardScorer pays RL rollouts without leaking tensors', async () => {
    await useBackend('cpu');
    const scorer = new RewardScorer(model, tok, start(), Float32Array.from({ length: model.nEmbd }, (_, i) => (i % 2 ? 0.1 : -0.1)));
    const t = new RlTrainer(rlConfig({ 'rl.reward': 'rm:x' }), { rewardModel: scorer });
    await t.trainStep();
    const n0 = tf.memory().numTensors;
    const { metrics } = await t.trainStep();
    expect(tf.memory().numTensors).toBe(n0);
    expect(Number.isFinite(metrics.rm_score_mean)).toBe(true);
    const prompt = encodePrompt(tok, '1+2=');
    const [a, b] = await scorer.scoreRows([prompt, prompt], [tok.encode('<think>x</think>'), tok.encode('<think>x</think>')]);
    expect(a).toBeCloseTo(b!, 6); // same sequence, same score (rows are independent)
    t.dispose();
    scorer.dispose();
  });
});
