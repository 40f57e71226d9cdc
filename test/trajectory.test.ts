// Trajectory records: generated gold trajectories validate after a JSON round trip and carry the
// schema's fields; bad fields are named with file:line; `reasonlab generate --task calc-tool`
// writes them and `reasonlab verify` re-runs the environment, rejecting a forged reply.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCommand, verifyCommand, type DataIo } from '../src/cli/datacmd.ts';
import { UserError } from '../src/cli/args.ts';
import { generateTrajectory, validateTrajectory, verifyTrajectory, type TrajectoryRecord } from '../src/records/trajectory.ts';
import { RecordError } from '../src/records/record.ts';
import schema from '../docs/trajectory.schema.json';

const tmp = mkdtempSync(join(tmpdir(), 'reasonlab-traj-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const capture = () => {
  const io = { out: '', err: '', stdout: (s: string) => void (io.out += s), stderr: (s: string) => void (io.err += s) };
  return io as DataIo & { out: string; err: string };
};
const flags = (o: Record<string, string | number>) => new Map(Object.entries(o).map(([k, v]) => [k, String(v)]));
const clone = (r: TrajectoryRecord): Record<string, unknown> => JSON.parse(JSON.stringify(r));

describe('trajectory records', () => {
  const calc = generateTrajectory('calc-tool', {}, 7, 'train', 2);

  it('round-trip through JSON and carry exactly the schema fields', () => {
    for (const env of ['calc-tool', 'guess-number']) {
      const r = generateTrajectory(env, {}, 1, 'train', 0);
      expect(validateTrajectory(JSON.parse(JSON.stringify(r)), 'x.jsonl:1')).toEqual(r);
      expect(Object.keys(r).sort()).toEqual([...schema.required].sort());
      expect(Object.keys(r.turns[1]!).sort()).toEqual([...schema.$defs.turn.required].sort());
      expect(Object.keys(r.calls[0]!).sort()).toEqual([...schema.$defs.call.required].sort());
      expect(verifyTrajectory(r, 'x.jsonl:1')).toEqual(r.verdict);
    }
    expect(calc.id).toBe('calc-tool-7-train-2');
    expect(calc.provenance).toEqual({ source: 'generated', seed: 7, index: 2, split: 'train', generator_version: 1 });
    expect(generateTrajectory('calc-tool', {}, 7, 'train', 2)).toEqual(calc);
  });

  it('name the line and the field of a bad value', () => {
    const bad = (edit: (o: Record<string, unknown>) => void) => {
      const o = clone(calc);
      edit(o);
      return () => validateTrajectory(o, 'runs.jsonl:4');
    };
    expect(bad((o) => ((o.turns as { role: string }[])[1]!.role = 'user'))).toThrow('runs.jsonl:4: field turns[1].role must be model or env, got "user"');
    expect(bad((o) => (o.truncation = 'time'))).toThrow('runs.jsonl:4: field truncation must be turns, tokens or null, got "time"');
    expect(bad((o) => (o.turns = []))).toThrow('runs.jsonl:4: field turns must be a non-empty array, got []');
    expect(bad((o) => delete o.calls)).toThrow('runs.jsonl:4: field calls is missing');
    expect(bad((o) => ((o.calls as Record<string, unknown>[])[0]!.__proto__x = 1))).toThrow(/unknown field calls\[0\].__proto__x/);
  });

  it('a forged environment reply or call result is rejected by the replay', () => {
    const forged = clone(calc) as unknown as TrajectoryRecord;
    const real = forged.turns[2]!.text;
    forged.turns[2]!.text = '<res>000001</res>';
    expect(() => verifyTrajectory(forged, 'f.jsonl:1')).toThrow(RecordError);
    expect(() => verifyTrajectory(forged, 'f.jsonl:1')).toThrow(`f.jsonl:1: rejected: turn 2: the transcript says "<res>000001</res>" where the environment answered ${JSON.stringify(real)}`);
    const call = clone(calc) as unknown as TrajectoryRecord;
    call.calls[0]!.output = '<res>000001</res>';
    expect(() => verifyTrajectory(call, 'f.jsonl:2')).toThrow(/^f\.jsonl:2: rejected: calls\[0\] says/);
  });
});

describe('reasonlab generate / verify with environments', () => {
  it('writes gold trajectories that verify fully right, deterministically', async () => {
    const out = join(tmp, 'calc.jsonl');
    await generateCommand(flags({ task: 'calc-tool', n: 4, seed: 3, digits: 2, out }), capture());
    const again = capture();
    await generateCommand(flags({ task: 'calc-tool', n: 4, seed: 3, digits: 2 }), again);
    expect(again.out).toBe(readFileSync(out, 'utf8'));
    const io = capture();
    await verifyCommand(flags({ in: out, task: 'calc-tool' }), io);
    expect(io.err).toMatch(/^verified 4 records: fully right 100.0%/);
    expect(io.out.trim().split('\n')).toHaveLength(4);
  });

  it('rejects a transcript with a forged <res>, naming the line (or skips it with --skip-bad)', async () => {
    const lines = readFileSync(join(tmp, 'calc.jsonl'), 'utf8').trim().split('\n');
    const r = JSON.parse(lines[1]!);
    r.turns[2].text = '<res>00001</res>';
    const file = join(tmp, 'forged.jsonl');
    writeFileSync(file, [lines[0], JSON.stringify(r), lines[2]].join('\n') + '\n');
    await expect(verifyCommand(flags({ in: file }), capture())).rejects.toThrow(UserError);
    await expect(verifyCommand(flags({ in: file }), capture())).rejects.toThrow(/forged\.jsonl:2: rejected: turn 2: the transcript says "<res>00001<\/res>" where the environment answered/);
    const io = capture();
    await verifyCommand(flags({ in: file, 'skip-bad': 'true' }), io);
    expect(io.err).toMatch(/^verified 2 records: fully right 100.0%/);
    expect(io.err).toMatch(/skipped 1 bad line/);
  });

  it('refuses --trl and bad knobs for environments', async () => {
    await expect(generateCommand(flags({ task: 'guess-number', n: 1, trl: 'true' }), capture())).rejects.toThrow(/--trl is not available for environment guess-number/);
    await expect(generateCommand(flags({ task: 'guess-number', n: 1, digits: 7 }), capture())).rejects.toThrow(/digits must be an integer in \[2, 3\]/);
  });
});
