// The worker's pair sampler (cpu): two completions per prompt from a run's stored checkpoint, each
// with its verdict, numbered in the run's rating stream (problem redrawn from the provenance), the
// same pairs for the same request, a human rating of each a valid preference record, the weights
// loaded once per checkpoint step, and clear errors for bad requests and a run without checkpoint.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import { problemAt } from '../src/data/split.ts';
import { humanRecord } from '../src/records/human.ts';
import { validatePreference } from '../src/records/preference.ts';
import { getTask } from '../src/tasks/registry.ts';
import { PairSampler } from '../src/worker/pairs.ts';
import type { RunSummary } from '../src/worker/protocol.ts';
import type { RunStore, StoredCheckpoint } from '../src/worker/store.ts';
import { useBackend } from './helpers/backend.ts';
import { freshCheckpoint } from './helpers/checkpoint.ts';

const cfg = applyOverrides(DEFAULT_CONFIG, { task: 'addition', digits: 2, nLayer: 1, nHead: 2, nEmbd: 16, batchSize: 4, seed: 3 });

/** The two reads the sampler makes of the store, over one run in memory. */
function fakeStore(ck: StoredCheckpoint | undefined, counter: { reads: number }): RunStore {
  const summary = { id: 'run-a', name: 'run a', cfg, savedStep: ck?.step ?? -1 } as RunSummary;
  return {
    get: async (id: string) => (id === 'run-a' ? summary : undefined),
    getCheckpoint: async () => {
      counter.reads++;
      return ck;
    },
  } as unknown as RunStore;
}

describe('PairSampler (cpu)', () => {
  let ck: StoredCheckpoint;
  beforeAll(async () => {
    await useBackend('cpu');
    ck = await freshCheckpoint(cfg);
  });

  it('samples two verified completions per prompt of the rating stream, deterministically', async () => {
    const counter = { reads: 0 };
    const store = fakeStore(ck, counter);
    const s = new PairSampler();
    const before = tf.memory().numTensors;
    const pairs = await s.sample(store, 'run-a', 5, 3, 1);
    expect(pairs.map((p) => p.source.n)).toEqual([5, 6, 7]);
    const task = getTask('addition');
    for (const p of pairs) {
      const prov = p.provenance;
      expect(prov).toMatchObject({ run: 'run a', step: 0, checkpoint: 'app:run-a@step0', temperature: 1, split: 'train', index: p.source.n });
      // The provenance draws the same problem again.
      expect(problemAt(task, p.source.difficulty, prov.seed!, 'train', prov.index!)).toEqual(p.source.problem);
      expect(p.source.prompt).toBe(task.prompt(p.source.problem as never, p.source.difficulty));
      for (const c of [p.source.a, p.source.b]) {
        expect(typeof c.completion).toBe('string');
        expect(c.verdict).toEqual(task.verify(p.source.problem as never, c.completion, p.source.difficulty, { truncated: c.verdict!.truncated }));
      }
      expect(['a', 'b']).toContain(p.shownFirst);
      const rec = humanRecord(p, '2', '2026-01-01T00:00:00.000Z')!;
      expect(validatePreference(JSON.parse(JSON.stringify(rec)), 'r')).toEqual(rec);
    }
    // An untrained model at T=1 writes different completions for the two sides of some pair.
    expect(pairs.some((p) => p.source.a.completion !== p.source.b.completion)).toBe(true);
    const again = await s.sample(store, 'run-a', 5, 3, 1);
    expect(again).toEqual(pairs);
    // The weights were read once; sampling left no tensors behind and dispose frees the weights.
    expect(counter.reads).toBe(1);
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses bad requests and a run without a checkpoint, saying what to do', async () => {
    const s = new PairSampler();
    const store = fakeStore(ck, { reads: 0 });
    await expect(s.sample(store, 'run-a', -1, 2, 1)).rejects.toThrow(/pair number must be a whole number >= 0/);
    await expect(s.sample(store, 'run-a', 0, 0, 1)).rejects.toThrow(/ask for 1 to 16 pairs/);
    await expect(s.sample(store, 'run-a', 0, 2, 0)).rejects.toThrow(/temperature must be in \(0, 5\]/);
    await expect(s.sample(store, 'run-b', 0, 2, 1)).rejects.toThrow(/run run-b is not stored/);
    await expect(s.sample(fakeStore(undefined, { reads: 0 }), 'run-a', 0, 2, 1)).rejects.toThrow(/no saved checkpoint yet/);
  });
});
