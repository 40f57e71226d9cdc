// The UI's reducer (src/ui/state.ts), its immutable RunData and the update feed, in Node: each
// worker update and user action gives the expected state, and the previous state is never changed
// (compared as a full fingerprint before and after every step).

import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, withDefaults } from '../src/run-config.ts';
import { runTotal } from '../src/runsteps.ts';
import { DEMOS } from '../src/ui/demos.ts';
import { UpdateFeed } from '../src/ui/feed.ts';
import { RunData } from '../src/ui/rundata.ts';
import { initialState, reducer, view, type Action, type UiState } from '../src/ui/state.ts';
import type { AppInfo, MetricBatch, ResolvedConfig, RunSummary, SampleRow, StatusUpdate, Update } from '../src/worker/protocol.ts';

const cfg = withDefaults(DEFAULT_CONFIG);

function status(p: Partial<StatusUpdate> = {}): StatusUpdate {
  return { runId: null, state: 'idle', step: 0, phase: 'sft', total: 0, message: null, savedStep: -1, stepMode: false, dataset: null, stepSeparator: ',', ...p };
}

/** A batch of `steps` step rows (loss = step / 10, tokens_per_s = 1000 + step) starting at `from`. */
function batch(runId: string, from: number, steps: number, p: Partial<MetricBatch> = {}): MetricBatch {
  const col = (f: (i: number) => number) => Float64Array.from({ length: steps }, (_, i) => f(from + i));
  return {
    runId,
    reset: false,
    series: { step: { n: steps, cols: { step: col((s) => s), loss: col((s) => s / 10), tokens_per_s: col((s) => 1000 + s) } } },
    samples: [],
    phases: [],
    warnings: [],
    ...p,
  };
}

function summary(id: string, p: Partial<RunSummary> = {}): RunSummary {
  return { id, name: `run ${id}`, created: 0, updated: 0, cfg, state: 'paused', step: 50, phase: 'sft', savedStep: 50, backend: 'wasm', lastAcc: null, datasetName: null, ...p };
}

const metrics = (b: MetricBatch): Update => ({ kind: 'metrics', batch: b });
const st = (p: Partial<StatusUpdate>): Update => ({ kind: 'status', status: status(p) });

/** Everything a state holds, as a string (RunData by its contents): equal before and after = not mutated. */
function fingerprint(s: UiState): string {
  return JSON.stringify(s, (_k, v: unknown) => {
    if (v instanceof RunData) return { id: v.id, name: v.name, tables: v.toJSON(), samples: v.samples, phases: v.phases, warnings: v.warnings };
    if (v instanceof Map) return [...v.entries()];
    return v;
  });
}

/** Apply `a` to `s`, checking that `s` is unchanged; returns the new state. */
function step(s: UiState, a: Action): UiState {
  const before = fingerprint(s);
  const next = reducer(s, a);
  expect(fingerprint(s)).toBe(before);
  return next;
}

/** A connected, idle app. */
function idle(): UiState {
  return step(initialState({ task: 'addition' }), { type: 'connected', status: status() });
}

describe('RunData', () => {
  it('append returns a new RunData and leaves the old one as it was, also when two appends branch from it', () => {
    const a = RunData.empty('r1').append(batch('r1', 0, 3));
    const b = a.append(batch('r1', 3, 2));
    // React may call a reducer twice on the same state: the second append must not see the first.
    const c = a.append(batch('r1', 100, 1));
    expect(a.count('step')).toBe(3);
    expect(Array.from(a.col('step', 'step')!)).toEqual([0, 1, 2]);
    expect(Array.from(b.col('step', 'step')!)).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(c.col('step', 'step')!)).toEqual([0, 1, 2, 100]);
    expect(Array.from(b.col('step', 'step')!)).toEqual([0, 1, 2, 3, 4]);
    expect(b.last('step', 'loss')).toBeCloseTo(0.4);
    expect(b.tail('step', 'tokens_per_s', 2)).toEqual([1003, 1004]);
  });

  it('a column first seen later reads NaN before, a column missing from a batch reads NaN there; reset replaces all', () => {
    const a = RunData.empty('r1').append(batch('r1', 0, 2));
    const b = a.append({ ...batch('r1', 2, 1), series: { step: { n: 1, cols: { step: Float64Array.of(2), level: Float64Array.of(3) } } } });
    expect(Array.from(b.col('step', 'level')!)).toEqual([NaN, NaN, 3]);
    expect(Array.from(b.col('step', 'loss')!)).toEqual([0, 0.1, NaN]);
    expect(a.col('step', 'level')).toBeNull();
    expect(a.keys('step')).toEqual(['step', 'loss', 'tokens_per_s']);
    const r = b.append(batch('r1', 7, 1, { reset: true, warnings: ['w'] }));
    expect(Array.from(r.col('step', 'step')!)).toEqual([7]);
    expect(r.warnings).toEqual(['w']);
    expect(b.warnings).toEqual([]);
  });

  it('grows past its first buffers without losing rows', () => {
    let d = RunData.empty('r1');
    for (let i = 0; i < 30; i++) d = d.append(batch('r1', i * 20, 20));
    const steps = d.col('step', 'step')!;
    expect(steps.length).toBe(600);
    expect(steps.every((v, i) => v === i)).toBe(true);
  });
});

describe('the UI reducer: worker updates', () => {
  it('starts with no status (the worker owns the idle status) and takes the first one the worker gives', () => {
    const s0 = initialState({ digits: '2' });
    expect(s0.status).toBeNull();
    expect(view(s0).canStart).toBe(false);
    const s1 = step(s0, { type: 'connected', status: status({ stepSeparator: ';' }) });
    expect(s1.status?.state).toBe('idle');
    // A later answer to the same question does not overwrite the updates that came since.
    const s2 = step(step(s1, { type: 'worker', updates: [st({ runId: 'r1', state: 'running', step: 5 })] }), { type: 'connected', status: status() });
    expect(s2.status?.state).toBe('running');
  });

  it('a status of a new run and its metric batches give that run its RunData; the charts see new objects', () => {
    let s = idle();
    s = step(s, { type: 'worker', updates: [st({ runId: 'r1', state: 'starting' })] });
    expect(s.current?.id).toBe('r1');
    expect(s.current?.count('step')).toBe(0);
    const before = s.current;
    s = step(s, { type: 'worker', updates: [metrics(batch('r1', 1, 10)), st({ runId: 'r1', state: 'running', step: 10, total: 40 })] });
    expect(s.current).not.toBe(before);
    expect(s.current?.count('step')).toBe(10);
    expect(s.status).toMatchObject({ state: 'running', step: 10 });
    const v = view(s);
    expect(v.active).toBe(true);
    expect(v.shown).toEqual({ step: 10, total: 40, phase: 'sft' });
    expect(v.tps).toBe(1000 + 5.5); // median of steps 1..10 -> last 10
    expect(v.canStart).toBe(false);
  });

  it('metrics of another run replace the current RunData', () => {
    let s = step(idle(), { type: 'worker', updates: [metrics(batch('r1', 0, 3))] });
    s = step(s, { type: 'worker', updates: [metrics(batch('r2', 0, 1))] });
    expect(s.current?.id).toBe('r2');
    expect(s.current?.count('step')).toBe(1);
  });

  it('the dataset comes in the status: a restarted worker leaves none behind', () => {
    let s = step(idle(), { type: 'worker', updates: [st({ dataset: { name: 'good.jsonl', task: 'addition', count: 2 } })] });
    expect(s.status?.dataset?.name).toBe('good.jsonl');
    s = step(s, { type: 'workerRestarted' });
    expect(s.status).toBeNull();
    s = step(s, { type: 'connected', status: status() });
    expect(s.status?.dataset).toBeNull();
  });

  it('the error banner shows a paused or failed run\'s message, the app\'s own banner first', () => {
    let s = step(idle(), { type: 'worker', updates: [st({ runId: 'r1', state: 'paused', message: 'storage is full' })] });
    expect(view(s).errorMsg).toBe('storage is full');
    s = step(s, { type: 'banner', message: 'could not pause: no run' });
    expect(view(s).errorMsg).toBe('could not pause: no run');
    s = step(s, { type: 'banner', message: null });
    s = step(s, { type: 'worker', updates: [st({ runId: 'r1', state: 'running', message: 'old' })] });
    expect(view(s).errorMsg).toBeNull();
  });

  it('the step separator is the worker\'s for a live run, the stored task\'s for a restored run', () => {
    const info = { tasks: [{ name: 'addition', stepSeparator: ',' }, { name: 'knights-knaves', stepSeparator: '|' }] } as unknown as AppInfo;
    let s = step(step(idle(), { type: 'described', info }), { type: 'worker', updates: [st({ runId: 'r1', state: 'running', stepSeparator: '|' })] });
    expect(view(s).stepSep).toBe('|');
    s = step(step(idle(), { type: 'described', info }), { type: 'runs', runs: [summary('k1', { cfg: { ...cfg, task: { name: 'knights-knaves', config: {} } } })] });
    s = step(s, { type: 'restored', run: s.runs[0]!, batch: batch('k1', 0, 1) });
    expect(view(s).stepSep).toBe('|');
  });
});

describe('the UI reducer: user actions', () => {
  it('restore shows a stored run only while idle with nothing on screen', () => {
    let s = step(idle(), { type: 'runs', runs: [summary('old')] });
    s = step(s, { type: 'restored', run: s.runs[0]!, batch: batch('old', 0, 5) });
    expect(s.restoredId).toBe('old');
    expect(s.current?.name).toBe('run old');
    const v = view(s);
    expect(v.restoredRun?.id).toBe('old');
    expect(v.shown).toEqual({ step: 50, total: runTotal(cfg), phase: 'sft' });
    // A run started meanwhile wins.
    const live = step(idle(), { type: 'worker', updates: [st({ runId: 'r1', state: 'running' })] });
    expect(step(live, { type: 'restored', run: summary('old'), batch: batch('old', 0, 5) })).toBe(live);
  });

  it('start clears the shown run, resume shows the resumed one and drops it from the comparison', () => {
    let s = step(idle(), { type: 'compareAdd', id: 'a', name: 'A', batch: batch('a', 0, 2) });
    s = step(s, { type: 'compareAdd', id: 'b', name: 'B', batch: batch('b', 0, 2) });
    expect([...s.compare.keys()]).toEqual(['a', 'b']);
    s = step(s, { type: 'resuming', id: 'a' });
    expect(s.current?.id).toBe('a');
    expect([...s.compare.keys()]).toEqual(['b']);
    s = step(s, { type: 'starting' });
    expect(s.current).toBeNull();
    s = step(s, { type: 'compareDrop', id: 'b' });
    expect(s.compare.size).toBe(0);
  });

  it('deleting the restored run takes it off screen', () => {
    let s = step(idle(), { type: 'runs', runs: [summary('old')] });
    s = step(s, { type: 'restored', run: summary('old'), batch: batch('old', 0, 1) });
    s = step(s, { type: 'deleted', id: 'old' });
    expect(s.restoredId).toBeNull();
    expect(s.current).toBeNull();
  });

  it('a demo queues its runs: when one is done it joins the comparison and the next is due', () => {
    const demo = DEMOS.find((d) => d.runs.length >= 2)!;
    let s = step(idle(), { type: 'demo', demo });
    expect(s.demo).toBe(demo);
    expect(s.params).toEqual(demo.runs[0]!.params);
    expect(s.queue).toEqual(demo.runs.slice(1));
    s = step(s, { type: 'starting' });
    s = step(s, { type: 'worker', updates: [st({ runId: 'r1', state: 'running' }), metrics(batch('r1', 0, 3))] });
    s = step(s, { type: 'worker', updates: [st({ runId: 'r1', state: 'done' })] });
    expect(s.next).toEqual(demo.runs[1]);
    expect(s.queue).toEqual(demo.runs.slice(2));
    expect([...s.compare.keys()]).toEqual(['r1']);
    expect(s.current).toBeNull();
    // Another `done` of the same run does not start anything more.
    const again = step(step(s, { type: 'starting' }), { type: 'worker', updates: [st({ runId: 'r1', state: 'done' })] });
    expect(again.next).toBeNull();
    // A plain start ends the demo.
    s = step(s, { type: 'demo', demo: null });
    expect(s).toMatchObject({ demo: null, queue: [], next: null });
  });

  it('settings, config errors, backend, runs, data errors and the x axis', () => {
    const resolved = { cfg, params: { digits: '3' }, taskKeys: ['digits'], blockSize: 32, paramCount: 1000 } as unknown as ResolvedConfig;
    let s = step(idle(), { type: 'params', params: { digits: 'x' } });
    s = step(s, { type: 'cfgError', error: 'digits must be a number' });
    expect(s).toMatchObject({ params: { digits: 'x' }, cfgError: 'digits must be a number', resolved: null });
    s = step(s, { type: 'resolved', resolved });
    expect(s).toMatchObject({ params: { digits: '3' }, cfgError: null });
    s = step(s, { type: 'resolved', resolved, error: 'settings in the link: bad (using the defaults)' });
    expect(s.cfgError).toMatch(/using the defaults/);
    s = step(s, { type: 'cfgError', error: 'x' });
    expect(view(s).canStart).toBe(false);
    s = step(step(s, { type: 'resolved', resolved }), { type: 'backendErr', error: 'no wasm' });
    expect(view(s).errorMsg).toBe('no backend: no wasm');
    s = step(s, { type: 'backend', backend: { name: 'wasm', adapter: null, software: false, skipped: [], threads: 2, threadsNote: null } });
    expect(s.backendErr).toBeNull();
    expect(view(s).canStart).toBe(true);
    s = step(step(s, { type: 'dataErr', error: 'broken.jsonl:2: invalid JSON' }), { type: 'xMode', mode: 'time' });
    expect(s).toMatchObject({ dataErr: 'broken.jsonl:2: invalid JSON', xMode: 'time' });
  });

  it('samples and warnings of a batch reach the RunData', () => {
    const sample = { kind: 'sample', step: 10, phase: 'sft', prompt: '1+2=', completion: '3', verdict: { correct: true } } as unknown as SampleRow;
    const s = step(idle(), { type: 'worker', updates: [metrics(batch('r1', 0, 1, { samples: [sample], warnings: ['step 1: w'], phases: [{ phase: 'rl', step: 1 }] }))] });
    expect(s.current?.samples).toEqual([sample]);
    expect(s.current?.warnings).toEqual(['step 1: w']);
    expect(s.current?.phases).toEqual([{ phase: 'rl', step: 1 }]);
  });
});

describe('UpdateFeed', () => {
  it('hands over a change of run state at once and everything else together on the next tick', () => {
    const got: Update[][] = [];
    let tick: (() => void) | null = null;
    const feed = new UpdateFeed((us) => got.push(us), (f) => (tick = f));
    feed.push(st({ runId: 'r1', state: 'running', step: 1 }));
    expect(got.length).toBe(1);
    feed.push(st({ runId: 'r1', state: 'running', step: 2 }));
    feed.push(metrics(batch('r1', 0, 1)));
    feed.push(st({ runId: 'r1', state: 'running', step: 3 }));
    expect(got.length).toBe(1);
    tick!();
    expect(got.length).toBe(2);
    expect(got[1]!.map((u) => u.kind)).toEqual(['status', 'metrics', 'status']);
    // A pending flush from before clear() hands over nothing.
    feed.push(metrics(batch('r1', 1, 1)));
    const stale = tick!;
    feed.clear();
    stale();
    expect(got.length).toBe(2);
  });
});
