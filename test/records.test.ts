// Records and JSONL: validation names file:line and the field; every task's generated record
// re-verifies as correct after a JSONL round trip; bad lines are never dropped silently; the
// generate/verify commands are deterministic, refuse to overwrite, and report wrong completions.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCommand, verifyCommand, type DataIo } from '../src/cli/datacmd.ts';
import { UserError } from '../src/cli/args.ts';
import { parseJsonl, toJsonl } from '../src/records/jsonl.ts';
import { generateRecord, RecordError, toTRL, validateRecord, type TaskRecord } from '../src/records/record.ts';
import { TASKS } from '../src/tasks/registry.ts';
import schema from '../docs/record.schema.json';

const tmp = mkdtempSync(join(tmpdir(), 'reasonlab-records-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function capture(): DataIo & { out: string; err: string } {
  const io = { out: '', err: '', stdout: (s: string) => void (io.out += s), stderr: (s: string) => void (io.err += s) };
  return io;
}
const flags = (o: Record<string, string | number>) => new Map(Object.entries(o).map(([k, v]) => [k, String(v)]));
const clone = (r: TaskRecord): Record<string, unknown> => JSON.parse(JSON.stringify(r));

describe('validateRecord', () => {
  const good = generateRecord('addition', { digits: 2 }, 7, 'train', 3);

  it('accepts generated records of every task (after a JSON round trip)', () => {
    for (const name of Object.keys(TASKS)) {
      const r = generateRecord(name, {}, 1, 'train', 0);
      expect(validateRecord(JSON.parse(JSON.stringify(r)), 'x.jsonl:1')).toEqual(r);
    }
  });

  it('has a stable id, no time stamp, and the fields the schema requires', () => {
    expect(good.id).toBe('addition-7-train-3');
    expect(good.provenance).toEqual({ source: 'generated', seed: 7, index: 3, split: 'train', generator_version: 1 });
    expect(Object.keys(good).sort()).toEqual([...schema.required].sort());
    expect(Object.keys(schema.$defs.provenance.properties)).toContain('time');
  });

  // [mutation, field named in the message, what the message says about it]
  const cases: [string, (r: Record<string, unknown>) => void, string][] = [
    ['id not a string', (r) => (r.id = 5), 'field id must be a non-empty string'],
    ['empty task', (r) => (r.task = ''), 'field task must be a non-empty string'],
    ['fractional task_version', (r) => (r.task_version = 1.5), 'field task_version must be an integer'],
    ['difficulty an array', (r) => (r.difficulty = [1]), 'field difficulty must be an object'],
    ['prompt missing', (r) => delete r.prompt, 'field prompt is missing'],
    ['completion a number', (r) => (r.completion = 3), 'field completion must be a string or null'],
    ['gold.answer missing', (r) => delete (r.gold as Record<string, unknown>).answer, 'field gold.answer must be a string'],
    ['problem a string', (r) => (r.problem = 'x'), 'field problem must be an object, an array or null'],
    ['verdict.correct a string', (r) => ((r.verdict as Record<string, unknown>).correct = 'yes'), 'field verdict.correct must be true or false'],
    ['verdict.checks[0].passed missing', (r) => delete ((r.verdict as { checks: Record<string, unknown>[] }).checks[0]!.passed), 'field verdict.checks[0].passed must be true or false'],
    ['verdict.reward NaN-ish', (r) => ((r.verdict as Record<string, unknown>).reward = null), 'field verdict.reward must be a finite number'],
    ['provenance.source unknown', (r) => ((r.provenance as Record<string, unknown>).source = 'web'), 'field provenance.source must be one of generated, model, user'],
    ['provenance.split unknown', (r) => ((r.provenance as Record<string, unknown>).split = 'dev'), 'field provenance.split must be one of train, val, test'],
    ['provenance.index negative', (r) => ((r.provenance as Record<string, unknown>).index = -1), 'field provenance.index must be an integer >= 0'],
    ['provenance.time not a time', (r) => ((r.provenance as Record<string, unknown>).time = 'yesterday'), 'field provenance.time must be an ISO 8601 time'],
    ['unknown provenance field', (r) => ((r.provenance as Record<string, unknown>).who = 'me'), 'unknown field provenance.who'],
    ['unknown top-level field', (r) => (r.extra = 1), 'unknown field extra'],
  ];
  it.each(cases)('rejects %s with where and field', (_what, mutate, msg) => {
    const r = clone(good);
    mutate(r);
    expect(() => validateRecord(r, 'data.jsonl:12')).toThrow(RecordError);
    expect(() => validateRecord(r, 'data.jsonl:12')).toThrow(`data.jsonl:12: ${msg}`);
  });

  it('rejects a non-object', () => {
    expect(() => validateRecord([1], 'f:2')).toThrow('f:2: a record must be a JSON object');
  });

  it('accepts a model record with a time stamp and a null verdict', () => {
    const r = { ...clone(good), verdict: null, provenance: { source: 'model', run: 'runs/a', step: 100, time: '2025-01-02T03:04:05Z' } };
    expect(validateRecord(r, 'f:1').provenance.run).toBe('runs/a');
  });
});

describe('generated records', () => {
  it.each(Object.keys(TASKS))('%s: gold completions verify as correct, train/val/test, after JSONL', (name) => {
    const rows = (['train', 'val', 'test'] as const).flatMap((split) => [0, 1, 2].map((i) => generateRecord(name, {}, 11, split, i)));
    const { rows: back } = parseJsonl(toJsonl(rows), 'gen.jsonl');
    const task = TASKS[name]!;
    for (const row of back) {
      if (row.kind !== 'record') throw new Error('expected a record');
      const r = row.record;
      expect(r.verdict?.correct, `${r.id}: ${JSON.stringify(r.verdict?.checks)}`).toBe(true);
      const again = task.verify(r.problem, r.completion!, r.difficulty);
      expect(again.correct, r.id).toBe(true);
      expect(r.prompt).toBe(task.prompt(r.problem, r.difficulty));
    }
  });

  it('exports TRL pairs', () => {
    const r = generateRecord('addition', { digits: 2 }, 1, 'train', 0);
    expect(toTRL(r)).toEqual({ prompt: r.prompt, completion: r.completion });
    expect(Object.keys(toTRL(r))).toEqual(['prompt', 'completion']);
    expect(toTRL({ ...r, completion: null }).completion).toBe(r.completion); // falls back to gold
    const { rows } = parseJsonl(toJsonl([toTRL(r)]), 'trl.jsonl');
    expect(rows).toEqual([{ line: 1, kind: 'trl', pair: toTRL(r) }]);
  });
});

describe('parseJsonl', () => {
  const r = generateRecord('addition', { digits: 2 }, 1, 'train', 0);
  const badSource = JSON.stringify({ ...r, provenance: { source: 'web' } });
  const text = [JSON.stringify(r), '', '{not json', JSON.stringify(toTRL(r)), badSource, '   ', JSON.stringify({ prompt: 'p', completion: 3 }), JSON.stringify(r)].join('\n') + '\n';

  it('without skipBad, throws at the first bad line with file:line', () => {
    expect(() => parseJsonl(text, 'd.jsonl')).toThrow(/^d\.jsonl:3: invalid JSON/);
  });

  it('with skipBad, keeps the good lines and lists every bad one with file:line and the field', () => {
    const { rows, bad } = parseJsonl(text, 'd.jsonl', { skipBad: true });
    expect(rows.map((x) => [x.line, x.kind])).toEqual([
      [1, 'record'],
      [4, 'trl'],
      [8, 'record'],
    ]);
    expect(bad.map((b) => b.line)).toEqual([3, 5, 7]);
    expect(bad[1]!.message).toBe('d.jsonl:5: field provenance.source must be one of generated, model, user, got "web"');
    expect(bad[2]!.message).toBe('d.jsonl:7: field completion must be a string, got 3');
    // Every non-blank line is either a row or a bad line: nothing dropped silently.
    expect(rows.length + bad.length).toBe(text.split('\n').filter((l) => l.trim() !== '').length);
  });

  it('handles CRLF and writes newline-terminated lines', () => {
    expect(parseJsonl(toJsonl([r, r]).replace(/\n/g, '\r\n'), 'w.jsonl').rows).toHaveLength(2);
    expect(toJsonl([{ a: 1 }, { b: 2 }])).toBe('{"a":1}\n{"b":2}\n');
    expect(toJsonl([])).toBe('');
  });
});

describe('generate and verify commands', () => {
  it('generate is deterministic: same arguments, byte-identical output', async () => {
    const a = capture();
    const b = capture();
    await generateCommand(flags({ task: 'multiplication', n: 5, seed: 3, split: 'val', digitsA: 2 }), a);
    await generateCommand(flags({ task: 'multiplication', n: 5, seed: 3, split: 'val', digitsA: 2 }), b);
    expect(a.out).toBe(b.out);
    expect(a.out.split('\n')).toHaveLength(6);
    const file = join(tmp, 'gen.jsonl');
    await generateCommand(flags({ task: 'multiplication', n: 5, seed: 3, split: 'val', digitsA: 2, out: file }), capture());
    expect(readFileSync(file, 'utf8')).toBe(a.out);
    const c = capture();
    await generateCommand(flags({ task: 'multiplication', n: 5, seed: 4, split: 'val', digitsA: 2 }), c);
    expect(c.out).not.toBe(a.out);
  });

  it('refuses an existing --out file and leaves it untouched', async () => {
    const file = join(tmp, 'exists.jsonl');
    writeFileSync(file, 'keep me\n');
    await expect(generateCommand(flags({ task: 'addition', n: 2, out: file }), capture())).rejects.toThrow(UserError);
    await expect(generateCommand(flags({ task: 'addition', n: 2, out: file }), capture())).rejects.toThrow(/already exists/);
    const inFile = join(tmp, 'in-for-exists.jsonl');
    await generateCommand(flags({ task: 'addition', n: 2, out: inFile }), capture());
    await expect(verifyCommand(flags({ in: inFile, out: file }), capture())).rejects.toThrow(/already exists/);
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  });

  it('rejects bad options as UserError or ConfigError', async () => {
    await expect(generateCommand(flags({ n: 2 }), capture())).rejects.toThrow(/--task is required/);
    await expect(generateCommand(flags({ task: 'addition', n: 2, split: 'dev' }), capture())).rejects.toThrow(/--split must be one of/);
    await expect(generateCommand(flags({ task: 'addition', n: 2, bogus: 1 }), capture())).rejects.toThrow(/unknown setting "bogus"/);
    await expect(verifyCommand(flags({ in: join(tmp, 'nope.jsonl') }), capture())).rejects.toThrow(/does not exist/);
    await expect(verifyCommand(flags({ in: 'x', scheme: 'lenient' }), capture())).rejects.toThrow(/--scheme must be one of/);
  });

  it('verify reports a corrupted completion as wrong, with the reason, in verdicts and summary', async () => {
    const gen = capture();
    await generateCommand(flags({ task: 'addition', n: 4, seed: 5, digits: 3, format: 'plain' }), gen);
    const lines = gen.out.trimEnd().split('\n');
    const rec = JSON.parse(lines[1]!) as TaskRecord;
    const wrong = String(Number(rec.gold.answer) + 1);
    rec.completion = `<answer>${wrong}</answer>`;
    lines[1] = JSON.stringify(rec);
    const file = join(tmp, 'corrupt.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');

    const io = capture();
    const out = join(tmp, 'verdicts.jsonl');
    expect(await verifyCommand(flags({ in: file, scheme: 'tinyzero', out }), io)).toBe(0);
    const verdicts = parseJsonlLoose(readFileSync(out, 'utf8'));
    expect(verdicts.map((v) => v.verdict.correct)).toEqual([true, false, true, true]);
    expect(verdicts[1]).toMatchObject({ id: rec.id, line: 2, task: 'addition' });
    expect(verdicts[1]!.verdict.reward).toBe(0.1); // tinyzero: answered but wrong
    const reason = `answer: expected ${rec.gold.answer}, got ${wrong}`;
    expect(verdicts[1]!.verdict.checks.find((c) => !c.passed)).toMatchObject({ name: 'answer', detail: `expected ${rec.gold.answer}, got ${wrong}` });
    expect(io.err).toContain('verified 4 records: fully right 75.0% (answer only 75.0%), format 100.0%, mean reward 0.775');
    expect(io.err).toContain(`1  ${reason}`);
  });

  it('verify: a TRL line cannot be verified; fatal without --skip-bad, listed and counted with it', async () => {
    const gen = capture();
    await generateCommand(flags({ task: 'addition', n: 2 }), gen);
    const rec = JSON.parse(gen.out.split('\n')[0]!) as TaskRecord;
    const file = join(tmp, 'mixed.jsonl');
    writeFileSync(file, gen.out + JSON.stringify(toTRL(rec)) + '\n{oops\n');
    await expect(verifyCommand(flags({ in: file }), capture())).rejects.toThrow(/mixed\.jsonl:3: cannot verify without a problem/);
    const io = capture();
    await verifyCommand(flags({ in: file, 'skip-bad': 'true' }), io);
    expect(io.out.trimEnd().split('\n')).toHaveLength(2);
    expect(io.err).toContain('verified 2 records: fully right 100.0%');
    expect(io.err).toContain('skipped 2 bad line(s)');
    expect(io.err).toMatch(/mixed\.jsonl:3: cannot verify without a problem[^]*mixed\.jsonl:4: invalid JSON/);
  });

  it('verify checks the task and its version', async () => {
    const gen = capture();
    await generateCommand(flags({ task: 'addition', n: 1 }), gen);
    const rec = JSON.parse(gen.out) as TaskRecord;
    const file = join(tmp, 'version.jsonl');
    writeFileSync(file, JSON.stringify({ ...rec, task_version: rec.task_version + 1 }) + '\n');
    await expect(verifyCommand(flags({ in: file }), capture())).rejects.toThrow(/version\.jsonl:1: record is of addition version/);
    await expect(verifyCommand(flags({ in: file, task: 'boolean' }), capture())).rejects.toThrow(/not --task boolean/);
    expect(existsSync(join(tmp, 'never.jsonl'))).toBe(false);
  });
});

function parseJsonlLoose(text: string): { id: string; line: number; task: string; verdict: { correct: boolean; reward: number; checks: { name: string; passed: boolean; detail: string }[] } }[] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
}
