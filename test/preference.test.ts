// Preference records and simulated raters: validation names file:line and the field, bad lines are
// kept apart from good ones, verdicts are recomputed from the stored problem, the DPO export
// leaves ties out, and each rater's rule, noise rate and determinism hold.

import { describe, expect, it } from 'vitest';
import { makePairBatch, PairError } from '../src/data/pairs.ts';
import { generateRecord } from '../src/records/record.ts';
import { toJsonl } from '../src/records/jsonl.ts';
import { parsePreferenceJsonl, reverifyPreference, toDPO, validatePreference, type PreferenceRecord } from '../src/records/preference.ts';
import { buildPairs, countChar, judge, pairRecord, parseRater, RaterError, thoughtLength, type Candidate, type PairSource } from '../src/records/raters.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { Verdict } from '../src/tasks/types.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import schema from '../docs/preference.schema.json';

const gen = generateRecord('addition', { digits: 2 }, 7, 'train', 3);
const task = getTask('addition');
const verify = (text: string) => task.verify(gen.problem, text, gen.difficulty);
const gold = gen.completion!;
const wrongText = gold.replace(/<answer>(\d+)<\/answer>/, (_m, a: string) => `<answer>${Number(a) + 1}</answer>`);
const right: Candidate = { completion: gold, verdict: verify(gold) };
const wrong: Candidate = { completion: wrongText, verdict: verify(wrongText) };
const prov = { run: 'runs/a', step: 200, checkpoint: 'runs/a/ckpt-200', temperature: 1 };

function source(a: Candidate, b: Candidate, n = 0): PairSource {
  return { id: `p${n}`, n, task: gen.task, task_version: gen.task_version, difficulty: gen.difficulty, problem: gen.problem, prompt: gen.prompt, a, b };
}
const clone = (r: PreferenceRecord): Record<string, unknown> => JSON.parse(JSON.stringify(r));

/** A verdict with only the fields the raters read set (the rest as a verifier would). */
function v(fully: boolean, correct = fully, format = true): Verdict {
  return { correct, fully_correct: fully, format_ok: format, truncated: false, answer: '1', checks: [], first_wrong_step: null, reward: correct ? 1 : 0, scheme: 'binary' };
}

describe('preference records', () => {
  const rec = buildPairs([source(wrong, right)], parseRater('simulated:prefers-correct', 0, 1), prov)[0]!;

  it('a simulated pair has the schema fields, validates after a JSON round trip and re-verifies', () => {
    expect(rec).toMatchObject({ kind: 'preference', chosen: gold, rejected: wrongText, tie: false, rater: { id: 'simulated:prefers-correct', noise: 0, seed: 1 } });
    expect(Object.keys(rec).sort()).toEqual([...schema.required].sort());
    expect(validatePreference(JSON.parse(JSON.stringify(rec)), 'p.jsonl:1')).toEqual(rec);
    const again = reverifyPreference(rec, 'p.jsonl:1');
    expect(again.chosen).toEqual(rec.verdicts.chosen);
    expect(again.rejected.fully_correct).toBe(false);
    expect(rec.verdicts.chosen!.fully_correct).toBe(true);
  });

  const cases: [string, (r: Record<string, unknown>) => void, string][] = [
    ['wrong kind', (r) => (r.kind = 'record'), 'field kind must be "preference"'],
    ['tie missing', (r) => delete r.tie, 'field tie is missing'],
    ['chosen a number', (r) => (r.chosen = 3), 'field chosen must be a string'],
    ['bad shown_first', (r) => (r.shown_first = 'left'), 'field shown_first must be "chosen" or "rejected"'],
    ['bad chosen verdict', (r) => ((r.verdicts as { chosen: Record<string, unknown> }).chosen.correct = 'yes'), 'field verdicts.chosen.correct must be true or false'],
    ['verdicts.extra', (r) => ((r.verdicts as Record<string, unknown>).extra = null), 'unknown field verdicts.extra'],
    ['unknown rater', (r) => ((r.rater as Record<string, unknown>).id = 'bob'), 'field rater.id must be "human" or "simulated:NAME"'],
    ['noise above 0.5', (r) => ((r.rater as Record<string, unknown>).noise = 0.7), 'field rater.noise must be a number in [0, 0.5]'],
    ['human with noise', (r) => (r.rater = { id: 'human', noise: 0.1 }), 'field rater.noise must be absent for a human rater'],
    ['no checkpoint', (r) => delete (r.provenance as Record<string, unknown>).checkpoint, 'field provenance.checkpoint is missing'],
    ['negative temperature', (r) => ((r.provenance as Record<string, unknown>).temperature = -1), 'field provenance.temperature must be a finite number >= 0'],
    ['bad time', (r) => ((r.provenance as Record<string, unknown>).time = 'noon'), 'field provenance.time must be an ISO 8601 time'],
  ];
  it.each(cases)('rejects %s with where and field', (_what, mutate, msg) => {
    const r = clone(rec);
    mutate(r);
    expect(() => validatePreference(r, 'prefs.jsonl:4')).toThrow(`prefs.jsonl:4: ${msg}`);
  });

  it('accepts a human pair with a time and shown_first', () => {
    const h = pairRecord(source(right, wrong), 'a', { id: 'human' }, { ...prov, time: '2025-05-01T10:00:00Z' }, 'b');
    expect(h.shown_first).toBe('rejected');
    expect(validatePreference(clone(h), 'f:1')).toEqual(h);
  });

  it('a malformed file: file:line:field errors, the valid lines kept', () => {
    const bad = { ...clone(rec), tie: 'no' };
    const text = [JSON.stringify(rec), '{oops', JSON.stringify(bad), '', JSON.stringify(rec)].join('\n');
    expect(() => parsePreferenceJsonl(text, 'prefs.jsonl')).toThrow(/^prefs\.jsonl:2: invalid JSON/);
    const { records, bad: lines } = parsePreferenceJsonl(text, 'prefs.jsonl', { skipBad: true });
    expect(records).toEqual([rec, rec]);
    expect(lines.map((b) => b.message)).toEqual([expect.stringMatching(/^prefs\.jsonl:2: invalid JSON/), 'prefs.jsonl:3: field tie must be true or false, got "no"']);
  });

  it('re-verification refuses a prompt that does not match the problem, and an unknown task', () => {
    expect(() => reverifyPreference({ ...rec, prompt: rec.prompt + ' ' }, 'p:9')).toThrow('p:9: field prompt does not match the problem');
    expect(() => reverifyPreference({ ...rec, task: 'chess' }, 'p:9')).toThrow(/p:9: unknown task "chess"/);
    expect(() => reverifyPreference({ ...rec, problem: null }, 'p:9')).toThrow('p:9: cannot verify without a problem');
  });

  it('exports TRL DPO rows, ties left out and counted', () => {
    const tie = pairRecord(source(right, right), 'tie', { id: 'human' }, prov);
    const { rows, ties } = toDPO([rec, tie, rec]);
    expect(ties).toBe(1);
    expect(rows).toEqual([{ prompt: rec.prompt, chosen: gold, rejected: wrongText }, { prompt: rec.prompt, chosen: gold, rejected: wrongText }]);
    expect(Object.keys(rows[0]!)).toEqual(['prompt', 'chosen', 'rejected']);
    expect(toJsonl(rows).split('\n')).toHaveLength(3);
  });
});

describe('simulated raters', () => {
  it('parses specs and names the known raters on a bad one', () => {
    expect(parseRater('simulated:prefers-short-thoughts', 0.1, 3)).toMatchObject({ id: 'simulated:prefers-short-thoughts', noise: 0.1, seed: 3 });
    expect(parseRater('prefers-style:newline').id).toBe('simulated:prefers-style:newline');
    expect(() => parseRater('simulated:prefers-long')).toThrow(RaterError);
    expect(() => parseRater('simulated:prefers-long')).toThrow(/unknown simulated rater "prefers-long" \(known: prefers-correct/);
    expect(() => parseRater('simulated:')).toThrow(/has no name/);
    expect(() => parseRater('prefers-style:ab')).toThrow(/X must be one printable ASCII character/);
    expect(() => parseRater('prefers-correct', 0.6)).toThrow('--noise must be a number in [0, 0.5]');
    expect(() => parseRater('human')).toThrow(/not a simulated rater/);
  });

  it('prefers-correct: fully right beats answer-right-steps-wrong beats wrong beats broken format; equal is a tie', () => {
    const r = parseRater('prefers-correct');
    const c = (x: Verdict): Candidate => ({ completion: 'x', verdict: x });
    expect(judge(r, c(v(true)), c(v(false, true)), 0)).toBe('a');
    expect(judge(r, c(v(false, false)), c(v(false, true)), 0)).toBe('b');
    expect(judge(r, c(v(false, false, false)), c(v(false, false, true)), 0)).toBe('b');
    expect(judge(r, c(v(true)), { completion: 'other', verdict: v(true) }, 0)).toBe('tie');
    expect(() => judge(r, { completion: 'x', verdict: null }, c(v(true)), 0)).toThrow(/needs both verdicts/);
  });

  it('prefers-short-thoughts: correctness first, then fewer think tokens (tags count one token)', () => {
    expect(thoughtLength('<think>1+2=3</think><answer>3</answer>')).toBe(5);
    expect(thoughtLength('<answer>3</answer>')).toBe(0);
    expect(thoughtLength('<think>abc')).toBe(4); // unparsable: the whole completion counts
    const r = parseRater('prefers-short-thoughts');
    const short: Candidate = { completion: '<think>ab</think><answer>3</answer>', verdict: v(true) };
    const long: Candidate = { completion: '<think>abcd</think><answer>3</answer>', verdict: v(true) };
    const shortWrong: Candidate = { completion: '<think>a</think><answer>4</answer>', verdict: v(false) };
    expect(judge(r, long, short, 0)).toBe('b');
    expect(judge(r, short, long, 0)).toBe('a');
    expect(judge(r, long, shortWrong, 0)).toBe('a'); // a short wrong thought does not win
    expect(judge(r, short, { ...short }, 0)).toBe('tie');
  });

  it('prefers-style:newline picks a layout the verifier accepts and does not check', () => {
    const styled = gold.replace('</think><answer>', '</think>\n<answer>');
    expect(countChar(styled, '\n')).toBe(1);
    const sv = verify(styled);
    expect(sv.fully_correct).toBe(true); // the verifier cannot tell the two apart...
    expect(sv.reward).toBe(right.verdict!.reward);
    const r = parseRater('simulated:prefers-style:newline');
    expect(judge(r, right, { completion: styled, verdict: sv }, 0)).toBe('b'); // ...the rater can
    expect(judge(r, wrong, { completion: wrongText.replace('</think>', '</think>\n'), verdict: verify(wrongText) }, 0)).toBe('b');
    expect(judge(r, right, { completion: wrongText + '\n', verdict: wrong.verdict }, 0)).toBe('a'); // correctness first
  });

  it('noise flips the stated share of wins, never turns a tie into a win, and is deterministic per (seed, n)', () => {
    const r = parseRater('prefers-correct', 0.2, 5);
    const outs = Array.from({ length: 4000 }, (_, n) => judge(r, right, wrong, n));
    const flipped = outs.filter((o) => o === 'b').length / outs.length;
    expect(flipped).toBeGreaterThan(0.18);
    expect(flipped).toBeLessThan(0.22);
    expect(Array.from({ length: 4000 }, (_, n) => judge(r, right, wrong, n))).toEqual(outs);
    expect(Array.from({ length: 50 }, (_, n) => judge(r, right, right, n)).every((o) => o === 'tie')).toBe(true);
    const other = Array.from({ length: 4000 }, (_, n) => judge(parseRater('prefers-correct', 0.2, 6), right, wrong, n));
    expect(other).not.toEqual(outs);
    expect(Array.from({ length: 100 }, (_, n) => judge(parseRater('prefers-correct', 0, 5), right, wrong, n)).every((o) => o === 'a')).toBe(true);
  });

  it('buildPairs is pure: same sources, same records; a pair does not depend on its batch', () => {
    const srcs = Array.from({ length: 30 }, (_, n) => source(n % 2 ? right : wrong, n % 2 ? wrong : right, n));
    const r = parseRater('prefers-correct', 0.3, 9);
    const all = buildPairs(srcs, r, prov);
    expect(buildPairs(srcs, r, prov)).toEqual(all);
    expect(buildPairs(srcs.slice(10), r, prov)).toEqual(all.slice(10));
    const flips = all.filter((p) => p.chosen === wrongText).length;
    expect(flips).toBeGreaterThan(0);
    expect(flips).toBeLessThan(30);
    for (const p of all) expect(p.verdicts.chosen!.fully_correct).toBe(p.chosen === gold);
  });
});

describe('pair batches', () => {
  const tok = new Tokenizer();
  const r = parseRater('prefers-correct');
  const pairs = buildPairs([source(wrong, right, 0), source(right, right, 1)], r, prov);
  const T = tok.encode(gen.prompt).length + Math.max(tok.encode(gold).length, tok.encode(wrongText).length) + 1;

  it('two aligned batches, the tie mask and each row\'s last completion position', () => {
    const b = makePairBatch(tok, pairs, T);
    expect([b.chosen.B, b.rejected.B, b.chosen.T]).toEqual([2, 2, T]);
    expect(Array.from(b.tie)).toEqual([0, 1]);
    const last = 1 + tok.encode(gen.prompt).length + tok.encode(gold).length - 1; // <bos> prompt completion: last token's index
    expect(b.lastChosen[0]).toBe(last);
    expect(b.chosen.inputs[last]).toBe(tok.encode(gold).at(-1));
    expect(b.chosen.targets[last]).toBe(tok.eos);
  });

  it('refuses a pair the tokenizer cannot encode, one too long for the context, and zero pairs', () => {
    const foreign = { ...pairs[0]!, chosen: pairs[0]!.chosen.replace('<answer>', '<answer>\u00e9') };
    expect(() => makePairBatch(tok, [pairs[1]!, foreign], T, (i) => `prefs.jsonl:${i + 1}`)).toThrow(
      /^prefs\.jsonl:2: field chosen: character "\u00e9" .* is not in the vocabulary; the pair does not match this checkpoint's tokenizer$/,
    );
    expect(() => makePairBatch(tok, pairs, T - 1, (i) => `p:${i + 7}`)).toThrow(/^p:7: the chosen completion: .*needs \d+ positions, more than the \d+ of the context/);
    expect(() => makePairBatch(tok, [], T)).toThrow(PairError);
    expect(() => makePairBatch(tok, [], T)).toThrow(/no usable pairs/);
  });
});
