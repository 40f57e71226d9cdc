// The shipped datasets/ regenerate bit for bit (sha256 in the manifest), every record is valid
// and passes its verifier, and no test problem appears in train or val (by canonical form).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonl } from '../src/records/jsonl.ts';
import { datasetPlan, datasetText } from '../src/records/datasets.ts';
import { TASKS } from '../src/tasks/registry.ts';

const DIR = join(import.meta.dirname, '..', 'datasets');
const man = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('shipped datasets', () => {
  it('the manifest lists every task and split of the plan', () => {
    expect(Object.keys(man.tasks).sort()).toEqual(Object.keys(TASKS).sort());
    for (const f of datasetPlan()) expect(man.tasks[f.task].files[f.split].n).toBe(f.n);
  });

  it.each(datasetPlan().map((f) => [f.file, f] as const))('%s regenerates bit for bit and matches its sha256', (_, f) => {
    const onDisk = readFileSync(join(DIR, f.file), 'utf8');
    const entry = man.tasks[f.task].files[f.split];
    expect(sha(onDisk)).toBe(entry.sha256);
    expect(sha(datasetText(f))).toBe(entry.sha256);
  });

  it.each(Object.keys(TASKS))('%s: every record is valid and its gold completion verifies; test is disjoint from train/val', (name) => {
    const task = TASKS[name]!;
    const canon: Record<string, Set<string>> = {};
    for (const split of ['train', 'val', 'test']) {
      const file = join(DIR, name, `${split}.jsonl`);
      const { rows, bad } = parseJsonl(readFileSync(file, 'utf8'), file, { skipBad: false });
      expect(bad).toHaveLength(0);
      canon[split] = new Set();
      for (const row of rows) {
        if (row.kind !== 'record') throw new Error(`${file}:${row.line}: not a record`);
        const r = row.record;
        expect(r.provenance.split).toBe(split);
        const v = task.verify(r.problem, r.completion!, r.difficulty);
        expect(v.correct, `${file}:${row.line}`).toBe(true);
        canon[split]!.add(task.canonical(r.problem));
      }
    }
    for (const c of canon.test!) {
      expect(canon.train!.has(c)).toBe(false);
      expect(canon.val!.has(c)).toBe(false);
    }
  });
});
