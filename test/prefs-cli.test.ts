// The preference commands end to end from the CLI on a tiny model: `prefs` writes judged pairs with
// provenance (and TRL DPO rows), `verify` re-verifies them, `train --stage rm` writes an RM folder,
// `--stage dpo` a policy with its metrics, RL is paid by the RM (`--reward rm:RM`), and bad input
// (missing --prefs, a folder that is no RM, a file with no usable pairs) exits 2 with one line.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePreferenceJsonl } from '../src/records/preference.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'reasonlab.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'reasonlab-prefs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, ...(args[0] === 'verify' ? [] : ['--backend', 'cpu'])], { encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const rows = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const ok = (r: ReturnType<typeof cli>) => expect(r.code, r.err).toBe(0);

describe('reasonlab preference commands', () => {
  const sft = join(tmp, 'sft');
  const prefs = join(tmp, 'prefs.jsonl');
  const rm = join(tmp, 'rm');

  it('prefs: judged pairs with provenance, TRL rows, and verify re-verifies them', () => {
    ok(cli('train', '--out', sft, '--task', 'addition', '--digits', '1', '--preset', 'nano', '--steps', '6', '--eval.n', '4', '--eval.every', '0', '--curriculum', 'off'));
    ok(cli('prefs', '--from', sft, '--rater', 'simulated:prefers-short-thoughts', '--noise', '0.1', '--n', '24', '--temperature', '1.5', '--seed', '3', '--out', prefs));
    const { records, bad } = parsePreferenceJsonl(readFileSync(prefs, 'utf8'), prefs);
    expect(bad).toEqual([]);
    expect(records.filter((r) => !r.tie).length).toBeGreaterThan(4); // garbage of different lengths: decided pairs
    expect(records).toHaveLength(24);
    expect(records[0]!.rater).toEqual({ id: 'simulated:prefers-short-thoughts', noise: 0.1, seed: 3 });
    expect(records[0]!.provenance).toMatchObject({ run: sft, step: 6, temperature: 1.5, seed: 3, split: 'train', index: 0 });
    expect(records.every((r) => r.verdicts.chosen !== null && r.verdicts.rejected !== null)).toBe(true);
    const trl = join(tmp, 'dpo-rows.jsonl');
    ok(cli('prefs', '--in', prefs, '--trl', '--out', trl));
    const t = rows(trl);
    expect(t).toHaveLength(records.filter((r) => !r.tie).length);
    expect(Object.keys(t[0]!).sort()).toEqual(['chosen', 'prompt', 'rejected']);
    const v = cli('verify', '--in', prefs);
    ok(v);
    expect(v.err).toMatch(/verified 48 completions/);
    expect(v.err).toMatch(/pairs: 24 \(\d+ ties\)/);
    // A forged verdict is caught with file:line and the field.
    const forged = readFileSync(prefs, 'utf8').split('\n');
    const r0 = JSON.parse(forged[0]!);
    r0.verdicts.rejected.fully_correct = !r0.verdicts.rejected.fully_correct;
    forged[0] = JSON.stringify(r0);
    const ff = join(tmp, 'forged.jsonl');
    writeFileSync(ff, forged.join('\n'));
    const f = cli('verify', '--in', ff);
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/forged\.jsonl:1: field verdicts\.rejected: stored fully_correct/);
  });

  it('train --stage rm writes an RM folder with the head, meta and held-out pair metrics', () => {
    ok(cli('train', '--stage', 'rm', '--prefs', prefs, '--from', sft, '--out', rm, '--steps', '3', '--batchSize', '4', '--heldout', '0.3', '--eval.every', '2'));
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'reward_head.safetensors', 'reward_model.json']) expect(existsSync(join(rm, 'checkpoint', f)), f).toBe(true);
    const evals = rows(join(rm, 'metrics.jsonl')).filter((e) => e.type === 'pref_eval');
    expect(evals.map((e) => e.step)).toEqual([0, 2, 3]);
    expect(evals[0]!.heldout_pairs).toBeGreaterThan(0);
    expect(typeof evals[0]!.heldout_accuracy).toBe('number');
    expect(rows(join(rm, 'metrics.jsonl')).filter((e) => e.type === 'pref_step')).toHaveLength(3);
  });

  it('train --stage dpo writes a policy and margin, accuracy, KL and length rows', () => {
    const d = join(tmp, 'dpo');
    ok(cli('train', '--stage', 'dpo', '--prefs', prefs, '--from', sft, '--out', d, '--steps', '2', '--batchSize', '4', '--dpo.beta', '0.1', '--eval.n', '4'));
    const evals = rows(join(d, 'metrics.jsonl')).filter((e) => e.type === 'pref_eval');
    expect(evals).toHaveLength(2);
    for (const k of ['heldout_margin', 'train_accuracy', 'greedy_acc', 'len_mean', 'think_len_mean', 'kl_seq']) expect(typeof evals[1]![k], k).toBe('number');
    expect(evals[0]!.kl_seq as number).toBeCloseTo(0, 4);
    ok(cli('eval', '--run', d, '--n', '4'));
  });

  it('RL paid by the reward model logs its score beside the verifier', () => {
    const r = join(tmp, 'rl-rm');
    ok(cli('train', '--stage', 'rl', '--from', sft, '--out', r, '--steps', '1', '--rl.prompts', '2', '--rl.group', '2', '--reward', `rm:${rm}`, '--rl.kl', '0.1', '--eval.n', '4'));
    const steps = rows(join(r, 'metrics.jsonl')).filter((e) => e.type === 'rl_step');
    expect(steps).toHaveLength(1);
    expect(typeof steps[0]!.rm_score_mean).toBe('number');
    expect(typeof steps[0]!.verifier_reward_mean).toBe('number');
  });

  it.each([
    [['train', '--stage', 'rm', '--from', 'SFT', '--out', 'X'], /--stage rm needs --prefs/],
    [['train', '--stage', 'dpo', '--prefs', 'PREFS', '--out', 'X'], /--stage dpo needs --from RUN/],
    [['train', '--stage', 'rm', '--prefs', 'PREFS', '--from', 'SFT', '--out', 'X', '--dpo.beta', '1'], /DPO's beta/],
    [['train', '--stage', 'rm', '--prefs', 'EMPTY', '--from', 'SFT', '--out', 'X'], /no usable preference pairs; 1 bad line\(s\), the first: .*empty\.jsonl:1/],
    [['train', '--stage', 'rm', '--prefs', 'ALIEN', '--from', 'SFT', '--out', 'X'], /alien\.jsonl:2: field chosen: .*does not match this checkpoint's tokenizer/],
    [['train', '--stage', 'rl', '--from', 'SFT', '--out', 'X', '--reward', 'rm:SFT'], /is not a reward model: .*reward_head\.safetensors is missing/],
    [['train', '--stage', 'rl', '--from', 'SFT', '--out', 'X', '--reward', 'sft'], /rl.reward must be empty/],
    [['prefs', '--from', 'SFT', '--rater', 'simulated:prefers-tall', '--n', '2', '--out', 'X'], /unknown simulated rater "prefers-tall"/],
  ])('rejects %j with exit 2 and one line, writing nothing', (args, msg) => {
    const empty = join(tmp, 'empty.jsonl');
    writeFileSync(empty, '{"kind":"preference"}\n');
    // A pair whose text this checkpoint's tokenizer cannot encode (a character outside its vocabulary).
    const alien = join(tmp, 'alien.jsonl');
    const lines = readFileSync(prefs, 'utf8').trim().split('\n');
    const r1 = JSON.parse(lines[1]!);
    r1.chosen += '\u00e9';
    writeFileSync(alien, [lines[0], JSON.stringify(r1), ...lines.slice(2)].join('\n') + '\n');
    const out = join(tmp, `never-${args.join('_').replace(/[^a-z0-9_]/gi, '').slice(0, 60)}`);
    const sub = { X: out, SFT: sft, PREFS: prefs, EMPTY: empty, ALIEN: alien } as Record<string, string>;
    const r = cli(...args.map((a) => a.replace(/^(rm:)?(X|SFT|PREFS|EMPTY|ALIEN)$/, (_m, pre: string | undefined, k: string) => (pre ?? '') + sub[k]!)));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err.trim().split('\n').filter((l) => l.startsWith('reasonlab:'))).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
