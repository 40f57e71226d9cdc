// The `reasonlab` CLI end to end: user mistakes exit 2 with one line and touch nothing; a run
// writes config, metrics, samples and a checkpoint; resume and eval read it back.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', 'bin', 'reasonlab.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'reasonlab-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const TINY = ['--task', 'addition', '--digits', '1', '--preset', 'nano', '--backend', 'cpu', '--eval.n', '8', '--eval.every', '0', '--logEvery', '5'];

describe('reasonlab CLI', () => {
  it.each([
    [['train', '--out', 'X', '--task', 'nope'], /unknown task "nope"/],
    [['train', '--out', 'X', '--steps', 'abc'], /--steps: expected a number/],
    [['train', '--out', 'X', '--bogus', '1'], /unknown setting --bogus/],
    [['train', '--out', 'X', '--digits', '99'], /digits must be an integer in \[1, 12\]/],
    [['train', '--out', 'X', '--backend', 'tpu'], /--backend must be one of/],
    [['train'], /--out runs\/NAME is required/],
    [['eval', '--run', 'X'], /has no checkpoint/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('rejects %j with exit 2 and one line', (args, msg) => {
    const out = join(tmp, `never-${args.join('_').replace(/[^a-z0-9_]/gi, '')}`);
    const r = cli(...args.map((a) => (a === 'X' ? out : a)));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err.trim().split('\n').filter((l) => l.startsWith('reasonlab:'))).toHaveLength(1);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    expect(existsSync(out)).toBe(false);
  });

  it('refuses an unwritable --out', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const r = cli('train', '--out', join(file, 'sub'), ...TINY, '--steps', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot write to --out/);
  });

  const run = join(tmp, 'run1');
  it('trains, writes the run files, never overwrites, resumes and evaluates', () => {
    let r = cli('train', '--out', run, ...TINY, '--steps', '10');
    expect(r.err).toMatch(/step 10\/10/);
    expect(r.code).toBe(0);
    for (const f of ['config.json', 'metrics.jsonl', 'samples.jsonl', 'checkpoint/config.json', 'checkpoint/model.safetensors', 'checkpoint/tokenizer.json', 'checkpoint/optimizer.safetensors', 'checkpoint/trainer.json']) {
      expect(existsSync(join(run, f)), f).toBe(true);
    }
    const rows = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = rows.filter((x) => x.type === 'step');
    expect(steps.map((s) => s.step)).toEqual([5, 10]);
    for (const s of steps) {
      expect(s.phase).toBe('sft');
      expect(Number.isFinite(s.loss) && s.loss > 0, 'loss').toBe(true);
      expect(s.lr, 'lr').toBeGreaterThan(0);
      expect(s.tokens_per_s, 'tokens_per_s').toBeGreaterThan(0);
    }
    const evals = rows.filter((x) => x.type === 'eval');
    expect(evals).toHaveLength(1);
    // 1-digit addition has 3 distinct test problems: each accuracy is a count of them over 3.
    expect(evals[0].n).toBe(3);
    for (const acc of [evals[0].greedy_acc, evals[0].sampled_acc]) {
      expect(acc).toBeGreaterThanOrEqual(0);
      expect(acc).toBeLessThanOrEqual(1);
      expect(acc * 3).toBeCloseTo(Math.round(acc * 3), 9);
    }
    for (const s of steps) expect(Number.isFinite(s.loss) && s.loss > 0 && s.tokens_per_s > 0, JSON.stringify(s)).toBe(true);
    const samples = readFileSync(join(run, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(samples[0].verdict.checks.length).toBeGreaterThan(0);
    const hf = JSON.parse(readFileSync(join(run, 'checkpoint/config.json'), 'utf8'));
    expect(hf.model_type).toBe('gpt2');

    // A second run into the same folder is refused and changes nothing.
    const before = statSync(join(run, 'checkpoint/model.safetensors')).mtimeMs;
    r = cli('train', '--out', run, ...TINY, '--steps', '10');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/already holds a run/);
    expect(statSync(join(run, 'checkpoint/model.safetensors')).mtimeMs).toBe(before);

    // Resume to step 15.
    r = cli('train', '--resume', '--out', run, '--steps', '15', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/step 10 -> 15/);
    const trainer = JSON.parse(readFileSync(join(run, 'checkpoint/trainer.json'), 'utf8'));
    expect(trainer.step).toBe(15);

    r = cli('eval', '--run', run, '--n', '8', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/greedy accuracy\s+\d+\.\d%/);
  }, 300_000);

  it('--curriculum auto shows the level, writes it to metrics and trainer.json, and resumes at it', () => {
    const out = join(tmp, 'cur');
    // Threshold 0: up one level at every scheduled evaluation (steps 2 and 4).
    const args = ['--task', 'addition', '--digits', '3', '--preset', 'nano', '--backend', 'cpu', '--eval.n', '4', '--eval.samples', '0', '--logEvery', '1'];
    let r = cli('train', '--out', out, ...args, '--steps', '4', '--eval.every', '2', '--curriculum', 'auto', '--curriculumThreshold', '0');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/curriculum auto: digits 1 -> digits 2 -> digits 3/);
    expect(r.err).toMatch(/step 1\/4 \| level 1\/3 \(digits 1\)/);
    expect(r.err).toMatch(/curriculum @2: .* moving up to level 2\/3 \(digits 2\)/);
    expect(r.err).toMatch(/eval @2 .*\| at level 1\/3 \(digits 1\): \d+\.\d% fully right \(n=4\)/);
    const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.filter((x) => x.type === 'step').map((x) => x.level)).toEqual([0, 0, 1, 1]);
    expect(rows.filter((x) => x.type === 'eval').map((x) => [x.step, x.level, x.level_label])).toEqual([[2, 0, 'digits 1'], [4, 1, 'digits 2']]);
    expect(JSON.parse(readFileSync(join(out, 'checkpoint/trainer.json'), 'utf8')).curriculum).toEqual({ level: 2, decided_at: 4 });
    r = cli('train', '--resume', '--out', out, '--steps', '5', '--backend', 'cpu');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/resuming at curriculum level 3\/3 \(digits 3\)/);
    expect(r.err).toMatch(/step 5\/5 \| level 3\/3/);
    r = cli('train', '--out', join(tmp, 'cur-bad'), ...args, '--curriculum', 'auto', '--eval.every', '0');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/train\.curriculum auto moves up at evaluations, so it needs eval\.every > 0/);
  }, 300_000);

  it('reports a corrupt checkpoint in one line naming the file', () => {
    const bad = join(tmp, 'run1', 'checkpoint', 'model.safetensors');
    if (!existsSync(bad)) return; // covered by the test above failing
    writeFileSync(bad, 'garbage');
    const r = cli('eval', '--run', run, '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/model\.safetensors/);
  }, 60_000);
});

describe('reasonlab CLI: the RL stage', () => {
  const rl = join(tmp, 'sftrl');
  it('train --stage sft+rl writes both phases, rollouts and two checkpoints; eval --k prints pass@k; --from refuses a model override', () => {
    const rlArgs = ['--stage', 'sft+rl', '--steps', '10', '--batchSize', '8', '--rl.steps', '2', '--rl.prompts', '4', '--rl.group', '4', '--eval.passk', '1,2'];
    let r = cli('train', '--out', rl, ...TINY, ...rlArgs);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/RL: grpo, 4 prompts x 4 samples, 2 steps/);
    expect(r.err).toMatch(/pass@1 [\d.]+%\s+pass@2 [\d.]+%/);
    const rows = readFileSync(join(rl, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.filter((x) => x.type === 'phase').map((x) => [x.phase, x.step])).toEqual([['sft', 0], ['rl', 10]]);
    const rlRows = rows.filter((x) => x.type === 'rl_step');
    expect(rlRows.map((x) => [x.step, x.rl_step])).toEqual([[11, 1], [12, 2]]);
    for (const k of ['reward_mean', 'accuracy', 'zero_var_share', 'kl', 'entropy', 'loss', 'grad_norm', 'len_mean']) expect(rlRows[0][k], k).toBeTypeOf('number');
    const passk = rows.filter((x) => x.type === 'passk');
    expect(passk.map((x) => x.phase)).toEqual(['sft', 'rl']);
    for (const p of passk) {
      expect(p.ks).toEqual([1, 2]);
      expect(p.overall.passk).toHaveLength(2);
      expect(p.overall.passk[1]).toBeGreaterThanOrEqual(p.overall.passk[0]); // pass@k grows with k
      expect(p.by_level.length).toBeGreaterThan(0);
    }
    expect(rows.filter((x) => x.type === 'done').map((x) => x.phase)).toEqual(['sft', 'rl']);
    const rollouts = readFileSync(join(rl, 'rollouts.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rollouts).toHaveLength(2 * 4 * 4);
    expect(rollouts[0]).toMatchObject({ task: 'addition', group: 0, sample: 0, provenance: { source: 'model', run: rl, step: 11, algo: 'grpo', scheme: 'binary' } });
    for (const r of rollouts.slice(0, 4)) {
      expect(typeof r.prompt === 'string' && r.prompt.length > 0, 'prompt').toBe(true);
      expect(typeof r.completion, 'completion').toBe('string');
      expect(typeof r.verdict.correct, 'verdict.correct').toBe('boolean');
      expect(Number.isFinite(r.advantage), 'advantage').toBe(true);
      expect(r.logprob, 'logprob: a sum of log-probabilities').toBeLessThanOrEqual(0);
    }
    for (const f of ['checkpoint-sft/model.safetensors', 'checkpoint-sft/trainer.json', 'checkpoint/model.safetensors', 'checkpoint/trainer.json']) expect(existsSync(join(rl, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(rl, 'checkpoint-sft/trainer.json'), 'utf8')).step).toBe(10);
    expect(JSON.parse(readFileSync(join(rl, 'checkpoint/trainer.json'), 'utf8')).step).toBe(12);

    r = cli('eval', '--run', rl, '--n', '4', '--k', '1,2', '--backend', 'cpu');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/@ step 12 on 3 held-out addition problems \(the task config has only 3 distinct test problems; --n 4 asked for more\)/);
    expect(r.out).toMatch(/pass@k \(2 samples per problem/);
    expect(r.out).toMatch(/level\s+n\s+greedy\s+pass@1\s+pass@2/);
    expect(r.out).toMatch(/\n\s+all\s+\d+\s+[\d.]+%\s+[\d.]+%\s+[\d.]+%/); // 1-digit addition has only 3 distinct test problems

    const fromOut = join(tmp, 'rl-from');
    r = cli('train', '--stage', 'rl', '--from', rl, '--out', fromOut, '--nLayer', '2', '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--nLayer cannot change in an RL run from .*the checkpoint fixes the task and the model/);
    expect(r.err).not.toMatch(/\bat .*\.ts:\d+/);
    expect(existsSync(fromOut)).toBe(false);
  }, 300_000);
});
