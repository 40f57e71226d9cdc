// RunDir.appendRotating: rollouts.jsonl rotates at its size cap and keeps a bounded number of old
// files, newest rows last, also when a new RunDir opens the same folder.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir } from '../src/cli/rundir.ts';

describe('RunDir.appendRotating', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reasonlab-rot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rotates at the size cap and keeps at most keep + 1 files, newest rows last', () => {
    const d = new RunDir(dir);
    const row = (i: number) => ({ i, pad: 'x'.repeat(20) });
    const lineBytes = JSON.stringify(row(10)).length + 1; // rows 10..99 have equal length
    const maxBytes = lineBytes * 3; // three rows per file
    for (let i = 10; i < 100; i++) d.appendRotating('rollouts.jsonl', row(i), maxBytes, 3);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['rollouts.1.jsonl', 'rollouts.2.jsonl', 'rollouts.3.jsonl', 'rollouts.jsonl']);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(maxBytes);
    const ids = (f: string) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
    // 90 rows, 3 per file: the live file holds the last 3, .1 the 3 before, ... (older ones dropped)
    expect(ids('rollouts.jsonl')).toEqual([97, 98, 99]);
    expect(ids('rollouts.1.jsonl')).toEqual([94, 95, 96]);
    expect(ids('rollouts.2.jsonl')).toEqual([91, 92, 93]);
    expect(ids('rollouts.3.jsonl')).toEqual([88, 89, 90]);

    // A new RunDir on the same folder picks up the live file's size from disk.
    const again = new RunDir(dir);
    again.appendRotating('rollouts.jsonl', row(10), maxBytes, 3);
    expect(ids('rollouts.jsonl')).toEqual([10]);
    expect(ids('rollouts.1.jsonl')).toEqual([97, 98, 99]);
    expect(existsSync(join(dir, 'rollouts.4.jsonl'))).toBe(false);
    expect(readdirSync(dir)).toHaveLength(4);
  });
});
