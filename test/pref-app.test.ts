// The app's simulated rater and "Train on my ratings" (cpu, a store in memory): the pure rules of
// records/rate-train.ts (readiness, the minimum's message, a simulated record), then the worker's
// calls: a simulated rater stores valid, reproducible records continuing the run's rating stream;
// DPO below the minimum is refused with what to do; DPO on enough ratings runs the CLI's trainer
// as a new run whose rows, checkpoint and summary are stored, with no tensor leaked.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import { dpoReadiness, MIN_DPO_PAIRS, notReadyMessage, simulatedRecord, appRater } from '../src/records/rate-train.ts';
import { validatePreference, type PreferenceRecord } from '../src/records/preference.ts';
import type { TrainEvent } from '../src/train/events.ts';
import { PairSampler } from '../src/worker/pairs.ts';
import type { DpoSession } from '../src/worker/dpo-session.ts';
import { prefApi } from '../src/worker/pref-api.ts';
import type { RunSummary, SessionUpdate } from '../src/worker/protocol.ts';
import type { RunStore, StoredCheckpoint } from '../src/worker/store.ts';
import { useBackend } from './helpers/backend.ts';
import { freshCheckpoint } from './helpers/checkpoint.ts';
import { DPO_CHARTS } from '../src/ui/charts.ts';
import { DEMOS } from '../src/ui/demos.ts';
import { APP_DPO_LRS } from '../src/records/rate-train.ts';
import type { PrefEvalEvent, PrefStepEvent } from '../src/train/pref-events.ts';

const cfg = applyOverrides(DEFAULT_CONFIG, { task: 'addition', digits: 2, nLayer: 1, nHead: 2, nEmbd: 16, batchSize: 4, seed: 3 });

/** The store calls the pref API and a DPO session make, over runs in memory. */
function memStore(ck: StoredCheckpoint) {
  const runs = new Map<string, RunSummary>([['run-a', { id: 'run-a', name: 'run a', cfg, savedStep: ck.step, state: 'done' } as RunSummary]]);
  const cks = new Map<string, StoredCheckpoint>([['run-a', ck]]);
  const prefs = new Map<string, PreferenceRecord[]>();
  const events = new Map<string, TrainEvent[]>();
  const store = {
    get: async (id: string) => runs.get(id),
    getCheckpoint: async (id: string) => cks.get(id),
    preferences: async (id: string) => [...(prefs.get(id) ?? [])],
    addPreferences: async (id: string, rs: PreferenceRecord[]) => void prefs.set(id, [...(prefs.get(id) ?? []), ...rs]),
    putRun: async (r: RunSummary) => void runs.set(r.id, r),
    saveCheckpoint: async (c: StoredCheckpoint, ev: TrainEvent[], s: RunSummary) => {
      cks.set(c.runId, c);
      events.set(c.runId, [...(events.get(c.runId) ?? []), ...ev]);
      runs.set(s.id, s);
    },
  } as unknown as RunStore;
  return { store, runs, cks, prefs, events };
}

describe('rate-train rules', () => {
  it('counts decided pairs and ties, and says how many more are needed', () => {
    const recs = [...Array(10).fill({ tie: false }), ...Array(4).fill({ tie: true })];
    expect(dpoReadiness(recs)).toEqual({ decided: 10, ties: 4, needed: MIN_DPO_PAIRS - 10, ready: false });
    expect(dpoReadiness(Array(MIN_DPO_PAIRS).fill({ tie: false })).ready).toBe(true);
    expect(notReadyMessage({ decided: 10, ties: 4 })).toBe(`DPO needs at least ${MIN_DPO_PAIRS} decided pairs (ties carry no preference); this run has 10 decided and 4 tie(s): rate ${MIN_DPO_PAIRS - 10} more, or let a simulated rater rate some`);
  });

  it('refuses an unknown rater and a bad style character by name', () => {
    expect(() => appRater('prefers-long', 0, 1)).toThrow(/unknown simulated rater "prefers-long"/);
    expect(() => appRater('prefers-style:ab', 0, 1)).toThrow(/X must be one printable ASCII character/);
    expect(() => appRater('prefers-correct', 0.7, 1)).toThrow(/--noise must be a number in \[0, 0.5\]/);
  });
});

describe('the DPO charts and the preference demo', () => {
  it('every DPO chart line is a field of the rows DpoTrainer writes', () => {
    const step: Record<keyof PrefStepEvent, 0> = { type: 0, stage: 0, step: 0, loss: 0, accuracy: 0, margin: 0, grad_norm: 0, lr: 0, elapsed_s: 0 };
    const ev: Record<keyof PrefEvalEvent, 0> = { type: 0, stage: 0, step: 0, heldout_pairs: 0, heldout_decided: 0, heldout_accuracy: 0, heldout_margin: 0, train_pairs: 0, train_accuracy: 0, train_margin: 0, n: 0, greedy_acc: 0, len_mean: 0, think_len_mean: 0, think_len_right_mean: 0, kl_seq: 0, elapsed_s: 0 };
    const fields: Record<string, object> = { pref_step: step, pref_eval: ev };
    const lines = DPO_CHARTS.flatMap((c) => c.lines);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const l of lines) expect(Object.keys(fields[l.type] ?? {})).toContain(l.key);
  });

  it('the preference demo names a valid rater and DPO settings the form offers', () => {
    const d = DEMOS.find((x) => x.id === 'prefs-dpo')!;
    expect(d.prefs).toBeDefined();
    expect(() => appRater(d.prefs!.rater, d.prefs!.noise, 1)).not.toThrow();
    expect(d.prefs!.pairs).toBeGreaterThanOrEqual(MIN_DPO_PAIRS);
    for (const s of d.prefs!.dpo) expect(APP_DPO_LRS as readonly number[]).toContain(s.lr);
    // The blurb states what was measured on addition, including that the length lesson did not show.
    expect(d.blurb).toMatch(/does not show on addition/);
  });
});

describe('simulated rater and DPO in the worker (cpu)', () => {
  let ck: StoredCheckpoint;
  beforeAll(async () => {
    await useBackend('cpu');
    ck = await freshCheckpoint(cfg);
  });

  const api = (m: ReturnType<typeof memStore>, sessions: DpoSession[], updates: SessionUpdate[] = []) =>
    prefApi({ store: async () => m.store, sampler: new PairSampler(), requireIdle: () => undefined, backendName: () => 'cpu', newId: () => 'run-dpo', emit: (u) => void updates.push(u), start: (s) => void sessions.push(s) });

  it('a simulated rater stores valid records continuing the stream, the same ones for the same pairs', async () => {
    const m = memStore(ck);
    const a = api(m, []);
    const r1 = await a.simulateRatings('run-a', 'prefers-short-thoughts', 0.1, 20, 1);
    expect(r1.added).toBe(20);
    expect(r1.decided + r1.ties).toBe(20);
    const r2 = await a.simulateRatings('run-a', 'prefers-short-thoughts', 0.1, 5, 1);
    const recs = m.prefs.get('run-a')!;
    expect(recs.map((r) => r.provenance.index)).toEqual([...Array(25).keys()]);
    expect(r2.decided + r2.ties).toBe(5);
    for (const r of recs) {
      expect(() => validatePreference(r, 'test')).not.toThrow();
      expect(r.rater.id).toBe('simulated:prefers-short-thoughts');
      expect(r.rater.noise).toBe(0.1);
      expect(r.provenance.time).toBeUndefined();
    }
    // Reproducible: a fresh store and sampler give the same records.
    const m2 = memStore(ck);
    await api(m2, []).simulateRatings('run-a', 'prefers-short-thoughts', 0.1, 20, 1);
    expect(m2.prefs.get('run-a')).toEqual(recs.slice(0, 20));
    await expect(a.simulateRatings('run-a', 'nope', 0, 5, 1)).rejects.toThrow(/unknown simulated rater/);
    await expect(a.simulateRatings('run-a', 'prefers-correct', 0, 0, 1)).rejects.toThrow(/1 to 500 pairs/);
  });

  it('simulatedRecord is the judge of raters.ts on the pair, without a time', async () => {
    const m = memStore(ck);
    const [p] = await new PairSampler().sample(m.store, 'run-a', 0, 1, 1);
    const r = appRater('prefers-correct', 0, 9);
    const rec = simulatedRecord(p!, r);
    expect(rec.id).toBe(p!.source.id);
    expect([p!.source.a.completion, p!.source.b.completion]).toContain(rec.chosen);
    expect(rec.provenance).toEqual(p!.provenance);
  });

  it('DPO is refused below the minimum and runs as a new run above it, with no tensor leaked', async () => {
    const m = memStore(ck);
    const sessions: DpoSession[] = [];
    const updates: SessionUpdate[] = [];
    const a = api(m, sessions, updates);
    await a.simulateRatings('run-a', 'prefers-short-thoughts', 0, 4, 1);
    await expect(a.trainOnRatings('run-a', { steps: 3, beta: 0.1, lr: 1e-4 })).rejects.toThrow(/DPO needs at least 16 decided pairs/);
    await expect(a.trainOnRatings('run-a', { steps: 0, beta: 0.1, lr: 1e-4 })).rejects.toThrow(/DPO steps must be a whole number/);
    await a.simulateRatings('run-a', 'prefers-short-thoughts', 0, 40, 1);
    const ready = await a.dpoReadiness('run-a');
    expect(ready.ready).toBe(true);
    const id = await a.trainOnRatings('run-a', { steps: 3, beta: 0.1, lr: 1e-3 });
    expect(id).toBe('run-dpo');
    expect(sessions).toHaveLength(1);
    await sessions[0]!.run();
    const run = m.runs.get('run-dpo')!;
    expect(run).toMatchObject({ state: 'done', savedStep: 3, step: 3, total: 3, pref: { stage: 'dpo', fromRun: 'run-a', fromStep: 0, pairs: ready.decided, ties: ready.ties, beta: 0.1, lr: 1e-3 } });
    expect(m.cks.get('run-dpo')!.step).toBe(3);
    const ev = m.events.get('run-dpo')! as unknown as { type: string; step: number; margin?: number; heldout_margin?: number; greedy_acc?: number }[];
    const steps = ev.filter((e) => e.type === 'pref_step');
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(steps.every((e) => Number.isFinite(e.margin))).toBe(true);
    const evals = ev.filter((e) => e.type === 'pref_eval');
    expect(evals[0]!.step).toBe(0);
    expect(evals.at(-1)!.step).toBe(3);
    expect(typeof evals.at(-1)!.greedy_acc).toBe('number');
    // The UI heard the run's status with its stage, and metric batches with the pref series.
    const statuses = updates.flatMap((u) => (u.kind === 'status' ? [u.status] : []));
    expect(statuses.at(-1)).toMatchObject({ runId: 'run-dpo', state: 'done', stage: 'dpo', savedStep: 3 });
    const series = new Set(updates.flatMap((u) => (u.kind === 'metrics' ? Object.keys(u.batch.series) : [])));
    expect(series.has('pref_step') && series.has('pref_eval')).toBe(true);
    // A second run (first-use caches warm): every tensor it made is freed when it ends.
    const before = tf.memory().numTensors;
    await a.trainOnRatings('run-a', { steps: 2, beta: 0.1, lr: 1e-3 });
    await sessions[1]!.run();
    expect(m.runs.get('run-dpo')).toMatchObject({ state: 'done', savedStep: 2 });
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);
});
