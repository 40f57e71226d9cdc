// Environments in training: the SFT batches of gold trajectories and the RL update batch of
// sampled episodes train on the model's tokens only (changing the environment's tokens' targets
// leaves the loss unchanged; their RL weights are 0; sequence weights count model tokens), and a
// short `reasonlab train --task calc-tool --stage sft+rl` writes its rollouts as trajectory records.

import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Batch } from '../src/data/batch.ts';
import { guessNumber } from '../src/envs/guess.ts';
import { validateEnvConfig } from '../src/envs/registry.ts';
import type { ModelConfig } from '../src/model/config.ts';
import { disposeParams, makeParams, maskedLoss, tokenLogprobs } from '../src/model/gpt.ts';
import { rlLoss } from '../src/model/loss.ts';
import { validateTrajectory, verifyTrajectory } from '../src/records/trajectory.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { episodeRollouts, goldTrajectoryBatch } from '../src/train/env-data.ts';
import type { EpisodeRow } from '../src/train/episodes.ts';
import { runGold } from '../src/envs/episode.ts';
import { trajectoryTokens } from '../src/envs/tokens.ts';
import { modelTokens, updateBatch } from '../src/train/rollouts.ts';
import { useBackend } from './helpers/backend.ts';
import { randomArrays } from './helpers/model.ts';

beforeAll(async () => {
  await useBackend('cpu');
});

const tok = new Tokenizer();
const mc: ModelConfig = { nLayer: 1, nHead: 2, nEmbd: 16, blockSize: 192, vocabSize: tok.vocabSize };
const cfg = validateEnvConfig(guessNumber, {});

/** `targets` with every position whose mask is 0 set to another token. */
function scramble(targets: Int32Array, mask: Float32Array): Int32Array {
  return targets.map((t, i) => (mask[i] === 0 ? (t + 17) % tok.vocabSize : t));
}

describe('loss mask on environment tokens', () => {
  it('SFT: the gold batch targets model turns only; other targets do not change the loss', async () => {
    const b: Batch = goldTrajectoryBatch(guessNumber, cfg, tok, { seed: 1, step: 0, batchSize: 4, trainSize: 0, blockSize: mc.blockSize, maxTokens: mc.blockSize - 1 });
    const text = (row: number, m: number) => tok.decode(Array.from(b.targets.slice(row * b.T, (row + 1) * b.T)).filter((_, t) => b.mask[row * b.T + t] === m));
    expect(text(0, 1)).toMatch(/^(<g>\d\d<\/g>)+$/); // the model's guesses, nothing else
    expect(text(0, 0)).toContain('<o>'); // the replies are in the sequence but not targets
    const params = makeParams(mc, randomArrays(mc, 1));
    const loss = (targets: Int32Array) =>
      tf.tidy(() => maskedLoss(params, mc, tf.tensor2d(b.inputs, [b.B, b.T], 'int32'), tf.tensor2d(targets, [b.B, b.T], 'int32'), tf.tensor2d(b.mask, [b.B, b.T])).dataSync()[0]!);
    expect(loss(scramble(b.targets, b.mask))).toBe(loss(b.targets));
    expect(loss(scramble(b.targets, b.mask.map((m) => 1 - m)))).not.toBe(loss(b.targets));
    disposeParams(params);
  });

  it('RL: replies get no mask, weight or advantage; sequence weights count model tokens; the loss ignores their targets', async () => {
    const params = makeParams(mc, randomArrays(mc, 4));
    const problems = [{ target: 3 }, { target: 60 }];
    const G = 2;
    // Gold episodes as if sampled (an untrained model rarely closes a guess, so it sees no reply).
    const rowsOf = problems.flatMap((p) => [p, p]).map((p): EpisodeRow => {
      const trajectory = runGold(guessNumber, p, cfg);
      const t = trajectoryTokens(tok, trajectory.turns, trajectory.truncation);
      const promptLength = t.turnStarts[1]!;
      return { trajectory, ids: t.ids, mask: t.mask, logprobs: t.mask.map((m) => -0.5 * m), modelTokens: t.mask.reduce((a, x) => a + x, 0), promptLength };
    });
    const ro = episodeRollouts({ rows: rowsOf, sampleSeconds: 0 }, problems, tok);
    expect(ro.tokens.length).toBe(problems.length * G);
    const rows = [0, 1, 2, 3];
    const u = updateBatch(ro, rows, [1, -1, 0.5, -0.5], [0.1, 0.2, 0.3, 0.4], mc.blockSize, tok.pad);
    let replies = 0;
    rows.forEach((i, b) => {
      const pl = ro.promptTokens[i]!.length;
      ro.masks![i]!.forEach((m, k) => {
        const at = b * u.T + pl - 1 + k;
        expect(u.mask[at]).toBe(m);
        if (m === 0) {
          replies++;
          expect([u.aw[at], u.wm[at], u.old[at]]).toEqual([0, 0, 0]);
        }
      });
      expect(u.mask.slice(b * u.T, (b + 1) * u.T).reduce((a, x) => a + x, 0)).toBe(modelTokens(ro, i));
    });
    expect(modelTokens(ro, 0)).toBeLessThanOrEqual(ro.tokens[0]!.length);
    const loss = (targets: Int32Array) =>
      tf.tidy(() => {
        const sh: [number, number] = [u.B, u.T];
        const tg = tf.tensor2d(targets, sh, 'int32');
        const { logp, entropy } = tokenLogprobs(params, mc, tf.tensor2d(u.inputs, sh, 'int32'), tg, 1, true);
        const out = rlLoss({ logp, oldLogp: tf.tensor2d(u.old, sh), refLogp: logp, entropy: entropy!, advWeight: tf.tensor2d(u.aw, sh), weight: tf.tensor2d(u.wm, sh), mask: tf.tensor2d(u.mask, sh) }, { clip: 0.2, kl: 0.1, entropy: 0.01 });
        return [out.loss.dataSync()[0]!, out.entropy.dataSync()[0]!];
      });
    expect(replies, "reply tokens in the update batch").toBeGreaterThan(0);
    expect(loss(scramble(u.targets, u.mask))).toEqual(loss(u.targets));
    disposeParams(params);
  });
});

describe('reasonlab train on an environment', () => {
  it('a few steps of sft+rl on calc-tool write rollouts as trajectory records (failures included) that re-run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envtrain-'));
    const out = join(dir, 'run');
    try {
      const BIN = resolve(__dirname, '../src/cli/main.ts');
      const TSX = resolve(__dirname, '../node_modules/tsx/dist/cli.mjs');
      const args = ['train', '--task', 'calc-tool', '--stage', 'sft+rl', '--out', out, '--backend', 'cpu', '--preset', 'custom', '--nLayer', '1', '--nHead', '2', '--nEmbd', '16'];
      args.push('--steps', '2', '--rl.steps', '2', '--rl.prompts', '2', '--rl.group', '2', '--eval.n', '3', '--eval.every', '0', '--batchSize', '4');
      const r = spawnSync(process.execPath, [TSX, BIN, ...args], { encoding: 'utf8', timeout: 180_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(join(out, 'checkpoint-sft'))).toBe(true);
      const lines = readFileSync(join(out, 'rollouts.jsonl'), 'utf8').trim().split('\n');
      expect(lines.length).toBe(2 * 2 * 2); // 2 steps x 2 prompts x 2 samples
      for (const [i, line] of lines.entries()) {
        const rec = validateTrajectory(JSON.parse(line), `rollouts.jsonl:${i + 1}`);
        expect(rec.environment).toBe('calc-tool');
        expect(rec.provenance.source).toBe('model');
        expect(rec.turns[0]!.role).toBe('env');
        expect(rec.verdict!.fully_correct).toBe(false); // an untrained model: failures are kept
        expect(verifyTrajectory(rec, `rollouts.jsonl:${i + 1}`).reward).toBe(rec.verdict!.reward);
      }
      const metrics = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      const evals = metrics.filter((m) => m.type === 'eval');
      expect(evals.length).toBeGreaterThanOrEqual(2);
      for (const e of evals) expect(typeof e.mean_turns).toBe('number');
      expect(metrics.filter((m) => m.type === 'rl_step').every((m) => typeof m.mean_turns === 'number')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 200_000);
});
