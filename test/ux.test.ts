// A newcomer's first minute (issue 11), in Node: config errors in the page's words, an upload of
// an unknown line form names the accepted forms with an example of the task, a rewarded rollout
// with a red steps check says what its reward scheme pays, the header's accuracy after a demo
// names every run, a stored run's total is the one it recorded, and the overlay and demo queue
// kept for a reload read back (and a broken value reads as nothing).

import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, withDefaults } from '../src/run-config.ts';
import { runTotal, storedTotal } from '../src/runsteps.ts';
import { pageText } from '../src/ui/client.ts';
import { DEMOS } from '../src/ui/demos.ts';
import { rewardNote } from '../src/ui/Inspector.tsx';
import { keptDemo, loadKept, saveKept } from '../src/ui/persist.ts';
import { initialState, reducer, view, type UiState } from '../src/ui/state.ts';
import { parseDataset } from '../src/worker/data.ts';
import { resolveParams } from '../src/worker/flat-config.ts';
import type { MetricBatch, RunSummary, SampleRow, StatusUpdate } from '../src/worker/protocol.ts';

const cfg = withDefaults(DEFAULT_CONFIG);

describe('messages in the page', () => {
  it('config errors name the setting, not a CLI flag, and drop the CLI help hint', () => {
    const msg = (p: Record<string, string>) => {
      try {
        resolveParams(p);
      } catch (e) {
        return pageText((e as Error).message);
      }
      throw new Error('expected an error');
    };
    expect(msg({ lr: 'abc' })).toBe('setting "lr": expected a number, got "abc"');
    const unknown = msg({ noSuchKey: '1' });
    expect(unknown).toBe('unknown setting "noSuchKey"');
    expect(msg({ task: 'nope' })).toMatch(/^unknown task "nope" \(known: addition/);
  });

  it('an upload of {"question","answer"} lines names both accepted forms, with an example line of the task', () => {
    const run = resolveParams({ task: 'addition', digits: '2' });
    let message = '';
    try {
      parseDataset('{"question":"1+1","answer":"2"}\n', 'qa.jsonl', run);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^qa\.jsonl:1: not a line format this reads \(this line has question, answer\)/);
    expect(message).toContain('full records');
    expect(message).toContain('{"prompt","completion"} pairs');
    const example = /for example: (\{.*\})$/.exec(message)?.[1];
    expect(example, message).toBeDefined();
    const pair = JSON.parse(example!) as { prompt: string; completion: string };
    expect(Object.keys(pair)).toEqual(['prompt', 'completion']);
    // The example itself is accepted.
    expect(parseDataset(`${example}\n`, 'ok.jsonl', run).examples).toHaveLength(1);
  });
});

function rollout(p: { reward: number; correct: boolean; steps: boolean }): SampleRow {
  const checks = [
    { name: 'format', passed: true, detail: '' },
    { name: 'steps', passed: p.steps, detail: '' },
    { name: 'answer', passed: p.correct, detail: '' },
  ];
  return { kind: 'rollout', step: 3, phase: 'rl', prompt: 'p', completion: 'c', verdict: { correct: p.correct, fully_correct: p.correct && p.steps, reward: p.reward, checks, first_wrong_step: null } as unknown as SampleRow['verdict'] };
}

describe('the rollout reward note', () => {
  it('a paid rollout with a red steps check says which checks the scheme pays', () => {
    expect(rewardNote(rollout({ reward: 1, correct: true, steps: false }), 'binary')).toBe('right answer, wrong steps: the binary reward pays the format and the answer only.');
    expect(rewardNote(rollout({ reward: 1, correct: true, steps: false }), 'tinyzero')).toBe('right answer, wrong steps: the tinyzero reward pays the answer only.');
  });
  it('no note when the rollout is fully right, wrong, or not paid in full', () => {
    expect(rewardNote(rollout({ reward: 1, correct: true, steps: true }), 'binary')).toBeNull();
    expect(rewardNote(rollout({ reward: 0, correct: false, steps: false }), 'binary')).toBeNull();
    expect(rewardNote(rollout({ reward: 0.75, correct: true, steps: false }), 'process')).toBeNull();
    expect(rewardNote({ ...rollout({ reward: 1, correct: true, steps: false }), kind: 'sample' }, 'binary')).toBeNull();
  });
});

function status(p: Partial<StatusUpdate> = {}): StatusUpdate {
  return { runId: null, state: 'idle', step: 0, phase: 'sft', total: 0, message: null, savedStep: -1, stepMode: false, dataset: null, stepSeparator: ',', ...p };
}
function summary(id: string, p: Partial<RunSummary> = {}): RunSummary {
  return { id, name: `run ${id}`, created: 0, updated: 0, cfg, state: 'done', step: 50, phase: 'sft', savedStep: 50, backend: 'wasm', lastAcc: null, datasetName: null, ...p };
}
const evalBatch = (runId: string, acc: number): MetricBatch => ({
  runId,
  reset: false,
  series: { eval: { n: 1, cols: { step: Float64Array.of(50), greedy_acc: Float64Array.of(acc) } } },
  samples: [],
  phases: [],
  warnings: [],
});

describe('the header after a demo', () => {
  it('names each run with its accuracy, not only the last run (which may be at 0%)', () => {
    const demo = DEMOS.find((d) => d.runs.length === 2)!;
    let s: UiState = reducer(initialState({}), { type: 'connected', status: status() });
    s = reducer(s, { type: 'demo', demo });
    s = reducer(s, { type: 'runs', runs: [summary('a', { name: 'winner' }), summary('b', { name: 'loser' })] });
    s = reducer(s, { type: 'worker', updates: [{ kind: 'status', status: status({ runId: 'a', state: 'running' }) }, { kind: 'metrics', batch: evalBatch('a', 0.9) }] });
    s = reducer(s, { type: 'worker', updates: [{ kind: 'status', status: status({ runId: 'a', state: 'done' }) }] });
    s = reducer(s, { type: 'worker', updates: [{ kind: 'status', status: status({ runId: 'b', state: 'running' }) }, { kind: 'metrics', batch: evalBatch('b', 0) }] });
    s = reducer(s, { type: 'worker', updates: [{ kind: 'status', status: status({ runId: 'b', state: 'done' }) }] });
    expect(view(s).accs).toEqual([
      { name: 'winner', acc: 0.9 },
      { name: 'loser', acc: 0 },
    ]);
    // A single run: its accuracy, unnamed.
    const one = reducer(reducer(initialState({}), { type: 'connected', status: status() }), { type: 'worker', updates: [{ kind: 'status', status: status({ runId: 'c', state: 'running' }) }, { kind: 'metrics', batch: evalBatch('c', 0.5) }] });
    expect(view(one).accs).toEqual([{ name: null, acc: 0.5 }]);
  });

  it('a stored run still marked running that this page does not train is unsettled (the list is read again)', () => {
    let s: UiState = reducer(initialState({}), { type: 'connected', status: status() });
    s = reducer(s, { type: 'runs', runs: [summary('a', { state: 'running' })] });
    expect(view(s).unsettled).toBe(true);
    s = reducer(s, { type: 'runs', runs: [summary('a', { state: 'interrupted' })] });
    expect(view(s).unsettled).toBe(false);
    s = reducer(s, { type: 'worker', updates: [{ kind: 'status', status: status({ runId: 'a', state: 'running' }) }] });
    s = reducer(s, { type: 'runs', runs: [summary('a', { state: 'running' })] });
    expect(view(s).unsettled).toBe(false);
  });
});

describe('totals and what a reload keeps', () => {
  it('a stored run reports the total it recorded (Switch to RL at step 58 of 200, then 200 RL steps: 258)', () => {
    const sftRl = { ...cfg, stage: 'sft+rl' as const, train: { ...cfg.train, steps: 200 }, rl: { ...cfg.rl, steps: 200 } };
    expect(runTotal(sftRl)).toBe(400);
    expect(storedTotal({ cfg: sftRl, total: 258 })).toBe(258);
    expect(storedTotal({ cfg: sftRl })).toBe(400);
    let s: UiState = reducer(initialState({}), { type: 'connected', status: status() });
    s = reducer(s, { type: 'runs', runs: [summary('a', { cfg: sftRl, total: 258, state: 'interrupted', phase: 'rl', step: 108, savedStep: 108 })] });
    s = reducer(s, { type: 'restored', run: s.runs[0]!, batch: evalBatch('a', 0.4) });
    expect(view(s).shown).toEqual({ step: 108, total: 258, phase: 'rl' });
  });

  const store = new Map<string, string>();
  (globalThis as { localStorage?: unknown }).localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
  afterEach(() => store.clear());

  it('the overlay ids and the demo queue read back; a broken value reads as nothing kept', () => {
    const demo = DEMOS.find((d) => d.runs.length === 2)!;
    saveKept({ compare: ['r1', 'r2'], demo: { id: demo.id, queue: [demo.runs[1]!.name] } });
    const k = loadKept();
    expect(k.compare).toEqual(['r1', 'r2']);
    expect(keptDemo(k)).toEqual({ demo, queue: [demo.runs[1]] });
    store.set('reasonlab.ui', '{broken');
    expect(loadKept()).toEqual({ compare: [], demo: null });
    store.set('reasonlab.ui', JSON.stringify({ compare: [1, 'x'], demo: { id: 'gone', queue: [] } }));
    expect(loadKept().compare).toEqual(['x']);
    expect(keptDemo(loadKept())).toBeNull();
  });
});
