// The Rate panel's pure parts: the seeded display order, what each key records (shown_first
// included, a tie keeps the left completion as chosen), the panel reducer (queue, skip, undo puts
// the pair back, prefetch requests) and the JSONL export/import (file:line errors, valid lines kept,
// other tasks and duplicates refused, DPO rows without ties).

import { describe, expect, it } from 'vitest';
import { displayed, dpoJsonl, humanRecord, importPreferences, outcomeOf, preferencesJsonl, shownOrder, type RatePair } from '../src/records/human.ts';
import { parsePreferenceJsonl, validatePreference } from '../src/records/preference.ts';
import { generateRecord } from '../src/records/record.ts';
import { getTask } from '../src/tasks/registry.ts';
import { BATCH, initialRate, PREFETCH, rateReducer, toRequest, type RateState } from '../src/ui/rating.ts';

const gen = generateRecord('addition', { digits: 2 }, 7, 'train', 3);
const task = getTask('addition');
const gold = gen.completion!;
const wrong = gold.replace(/<answer>(\d+)<\/answer>/, (_m, a: string) => `<answer>${Number(a) + 1}</answer>`);

function pair(n: number, shownFirst: 'a' | 'b', a = gold, b = wrong): RatePair {
  return {
    source: {
      id: `run-x:step40:t1:n${n}`,
      n,
      task: 'addition',
      task_version: gen.task_version,
      difficulty: gen.difficulty,
      problem: gen.problem,
      prompt: gen.prompt,
      a: { completion: a, verdict: task.verify(gen.problem, a, gen.difficulty) },
      b: { completion: b, verdict: task.verify(gen.problem, b, gen.difficulty) },
    },
    shownFirst,
    provenance: { run: 'x', step: 40, checkpoint: 'app:run-x@step40', temperature: 1, seed: 5, split: 'train', index: n },
  };
}
const T = '2026-01-02T03:04:05.000Z';

describe('display order', () => {
  it('is a seeded coin per (seed, n): the same every time, and both sides come up', () => {
    const a = Array.from({ length: 200 }, (_, n) => shownOrder(11, n));
    expect(Array.from({ length: 200 }, (_, n) => shownOrder(11, n))).toEqual(a);
    const left = a.filter((x) => x === 'a').length;
    expect(left).toBeGreaterThan(70);
    expect(left).toBeLessThan(130);
    expect(Array.from({ length: 200 }, (_, n) => shownOrder(12, n))).not.toEqual(a);
  });

  it('displayed() puts the shown-first completion on the left', () => {
    expect(displayed(pair(0, 'a'))).toEqual([gold, wrong]);
    expect(displayed(pair(0, 'b'))).toEqual([wrong, gold]);
  });
});

describe('a key makes a record', () => {
  it('1 picks the left, 2 the right, whichever side a and b are on', () => {
    expect(outcomeOf('1', 'a')).toBe('a');
    expect(outcomeOf('1', 'b')).toBe('b');
    expect(outcomeOf('2', 'a')).toBe('b');
    expect(outcomeOf('2', 'b')).toBe('a');
    expect(outcomeOf('=', 'b')).toBe('tie');
    expect(outcomeOf('s', 'a')).toBeNull();
  });

  it('the chosen completion is the one on the pressed side; shown_first says where it was', () => {
    // b (wrong) on the left; pressing 1 chooses it.
    const r1 = humanRecord(pair(1, 'b'), '1', T)!;
    expect(r1).toMatchObject({ chosen: wrong, rejected: gold, tie: false, shown_first: 'chosen', rater: { id: 'human' } });
    expect(r1.verdicts.chosen!.fully_correct).toBe(false);
    expect(r1.verdicts.rejected!.fully_correct).toBe(true);
    expect(r1.provenance).toEqual({ run: 'x', step: 40, checkpoint: 'app:run-x@step40', temperature: 1, seed: 5, split: 'train', index: 1, time: T });
    const r2 = humanRecord(pair(1, 'b'), '2', T)!;
    expect(r2).toMatchObject({ chosen: gold, rejected: wrong, shown_first: 'rejected' });
    // Every human record is a valid preference record.
    for (const r of [r1, r2]) expect(validatePreference(JSON.parse(JSON.stringify(r)), 'r')).toEqual(r);
  });

  it('a tie keeps the left one as chosen (shown_first chosen); skip makes no record', () => {
    const t = humanRecord(pair(2, 'b'), '=', T)!;
    expect(t).toMatchObject({ tie: true, chosen: wrong, rejected: gold, shown_first: 'chosen' });
    expect(t.verdicts.chosen!.fully_correct).toBe(false);
    expect(humanRecord(pair(2, 'a'), '=', T)).toMatchObject({ tie: true, chosen: gold, shown_first: 'chosen' });
    expect(humanRecord(pair(2, 'a'), 's', T)).toBeNull();
  });
});

describe('the panel reducer', () => {
  const filled = (): RateState => rateReducer(rateReducer(initialRate(3, 10), { type: 'asked', count: 4 }), { type: 'arrived', pairs: [10, 11, 12, 13].map((n) => pair(n, 'a')), asked: 4 });

  it('asks for a batch when fewer than PREFETCH pairs are ready, and not while one is on the way', () => {
    const s0 = initialRate(0, 0);
    expect(toRequest(s0)).toBe(BATCH);
    const asked = rateReducer(s0, { type: 'asked', count: BATCH });
    expect(asked.next).toBe(BATCH);
    expect(toRequest(asked)).toBe(0);
    const s = filled();
    expect(s.queue.length - 1).toBe(PREFETCH);
    expect(toRequest(s)).toBe(0);
    const after = rateReducer(s, { type: 'rated', record: null });
    expect(toRequest(after)).toBe(BATCH);
  });

  it('rating moves to the next pair and counts; skip counts apart; undo brings the pair back', () => {
    let s = filled();
    const rec = humanRecord(s.queue[0]!, '1', T)!;
    s = rateReducer(s, { type: 'rated', record: rec });
    expect(s.queue[0]!.source.n).toBe(11);
    expect(s.stored).toBe(4);
    s = rateReducer(s, { type: 'rated', record: null });
    expect(s.queue[0]!.source.n).toBe(12);
    expect([s.stored, s.skipped]).toEqual([4, 1]);
    s = rateReducer(s, { type: 'undone' });
    // The last *rating* (pair 10) is back on screen; the skip stays a skip.
    expect(s.queue.map((p) => p.source.n)).toEqual([10, 12, 13]);
    expect([s.stored, s.skipped, s.done.length]).toEqual([3, 1, 0]);
    // Nothing left to undo: no change.
    expect(rateReducer(s, { type: 'undone' })).toBe(s);
  });

  it('rating with nothing on screen changes nothing', () => {
    const s = initialRate();
    expect(rateReducer(s, { type: 'rated', record: null })).toBe(s);
  });
});

describe('export and import', () => {
  const recs = [humanRecord(pair(0, 'a'), '1', T)!, humanRecord(pair(1, 'b'), '=', T)!, humanRecord(pair(2, 'a'), '2', T)!];

  it('the JSONL export reads back as the same records', () => {
    const text = preferencesJsonl(recs);
    expect(text.split('\n')).toHaveLength(4);
    expect(parsePreferenceJsonl(text, 'p.jsonl').records).toEqual(recs);
  });

  it('the DPO export has prompt/chosen/rejected rows and leaves ties out', () => {
    const d = dpoJsonl(recs);
    expect([d.rows, d.ties]).toEqual([2, 1]);
    const rows = d.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows.map((r) => Object.keys(r))).toEqual([['prompt', 'chosen', 'rejected'], ['prompt', 'chosen', 'rejected']]);
    expect(rows[0]).toEqual({ prompt: gen.prompt, chosen: gold, rejected: wrong });
    expect(rows[1]).toEqual({ prompt: gen.prompt, chosen: wrong, rejected: gold });
  });

  it('import keeps every valid line, names file:line and field of each bad one, and skips known ids and other tasks', () => {
    const lines = preferencesJsonl(recs).trim().split('\n');
    const noTie = JSON.parse(lines[2]!) as Record<string, unknown>;
    delete noTie.tie;
    const other = { ...(JSON.parse(lines[1]!) as Record<string, unknown>), id: 'other-task', task: 'multiplication' };
    const text = [lines[0], '{not json', '', lines[1], JSON.stringify(noTie), JSON.stringify(other), lines[1]].join('\n') + '\n';
    const r = importPreferences(text, 'mine.jsonl', 'addition', new Set());
    expect(r.records.map((x) => x.id)).toEqual([recs[0]!.id, recs[1]!.id]);
    expect(r.duplicates).toBe(1);
    expect(r.bad.map((b) => b.line)).toEqual([2, 5, 6]);
    expect(r.bad[0]!.message).toMatch(/^mine\.jsonl:2: invalid JSON/);
    expect(r.bad[1]!.message).toMatch(/^mine\.jsonl:5: .*field tie is missing/);
    expect(r.bad[2]!.message).toMatch(/^mine\.jsonl:6: field task is "multiplication", but this run trains addition/);
    // Already stored ids are not added again.
    const again = importPreferences(text, 'mine.jsonl', 'addition', new Set([recs[0]!.id]));
    expect(again.records.map((x) => x.id)).toEqual([recs[1]!.id]);
    expect(again.duplicates).toBe(2);
  });
});
