// The curriculum: the levels of a run (pure), the auto move-up rule with stub accuracies, the
// mixed draw, config validation, and the Trainer wiring on the cpu backend: level fields in rows,
// level state through a snapshot and --resume, and no leaked tensors.

import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend.ts';
import { applyOverrides, DEFAULT_CONFIG } from '../src/run-config.ts';
import { curriculumLevels, mixedLevel, nextLevel, sequenceLengthOf } from '../src/train/curriculum.ts';
import type { EvalEvent, StepEvent, TrainEvent } from '../src/train/events.ts';
import { Trainer } from '../src/train/sft.ts';
import { snapshotFromFiles, snapshotToFiles } from '../src/train/snapshot.ts';
import { ConfigError, getTask, TASKS, validateTaskConfig } from '../src/tasks/registry.ts';
import { Tokenizer } from '../src/tokenizer.ts';
import { problemAt } from '../src/data/split.ts';

const addition = getTask('addition');
const boolean = getTask('boolean');
const cfgOf = (task: typeof addition, o: Record<string, unknown>) => validateTaskConfig(task, o);
const labels = (task: typeof addition, o: Record<string, unknown>, block?: number) => curriculumLevels(task, cfgOf(task, o), block).map((l) => l.label);

describe('curriculumLevels', () => {
  it('boolean depth 2: the easier entry, then the target', () => {
    const target = cfgOf(boolean, { depth: 2 });
    const lv = curriculumLevels(boolean, target);
    expect(lv.map((l) => l.label)).toEqual(['vars 2, depth 1', 'vars 3, depth 2']);
    expect(lv[0]!.config).toEqual({ ...target, vars: 2, depth: 1 });
    expect(lv[1]!.config).toEqual(target);
  });

  it('addition: the easier digit counts, then the target (also between entries)', () => {
    expect(labels(addition, { digits: 3 })).toEqual(['digits 1', 'digits 2', 'digits 3']);
    expect(labels(addition, { digits: 5 })).toEqual(['digits 1', 'digits 2', 'digits 3', 'digits 4', 'digits 5']);
    expect(labels(addition, { digits: 1 })).toEqual(['digits 1']);
    // The target's other knobs stay: the format of every level is the target's.
    for (const l of curriculumLevels(addition, cfgOf(addition, { digits: 3, format: 'plain' }))) expect(l.config.format).toBe('plain');
  });

  it('skips entries the task rejects and entries that do not fit the context', () => {
    // minDigits 3 makes {digits: 1} and {digits: 2} invalid configs.
    expect(labels(addition, { digits: 6, minDigits: 3 })).toEqual(['digits 3', 'digits 4', 'digits 6']);
    const two = sequenceLengthOf(addition, cfgOf(addition, { digits: 2 }));
    expect(labels(addition, { digits: 4 }, two)).toEqual(['digits 1', 'digits 2', 'digits 4']);
  });

  it.each(Object.keys(TASKS))('%s: every level of the defaults is valid, distinct, fits, and the last is the target', (name) => {
    const task = getTask(name);
    const target = validateTaskConfig(task, {});
    const lv = curriculumLevels(task, target);
    expect(lv.length).toBeGreaterThanOrEqual(1);
    expect(lv[lv.length - 1]!.config).toEqual(target);
    expect(new Set(lv.map((l) => JSON.stringify(l.config))).size).toBe(lv.length);
    for (const l of lv) {
      expect(() => validateTaskConfig(task, l.config)).not.toThrow();
      expect(sequenceLengthOf(task, l.config)).toBeLessThanOrEqual(sequenceLengthOf(task, target));
    }
  });
});

describe('auto: nextLevel', () => {
  it('moves up one level per evaluation when the stub accuracy reaches the threshold, never past the last', () => {
    // Stub held-out accuracy per (level, evaluation): level 0 is learned at the 2nd evaluation, level 1 at the 4th.
    const acc = (level: number, k: number) => (level === 0 ? [0.5, 0.9, 1, 1, 1, 1][k]! : level === 1 ? [0, 0, 0.2, 0.95, 1, 1][k]! : 1);
    let level = 0;
    const trace: number[] = [];
    for (let k = 0; k < 6; k++) {
      level = nextLevel(level, 3, acc(level, k), 0.9);
      trace.push(level);
    }
    expect(trace).toEqual([0, 1, 1, 2, 2, 2]);
    expect(nextLevel(0, 3, 0.8999, 0.9)).toBe(0);
    expect(nextLevel(0, 1, 1, 0.9)).toBe(0); // one level: nowhere to go
    expect(nextLevel(1, 3, 0, 0)).toBe(2); // threshold 0 moves at every evaluation
  });
});

describe('mixed: mixedLevel', () => {
  it('draws every level about uniformly, deterministically per seed', () => {
    const counts = [0, 0, 0, 0];
    for (let s = 0; s < 200; s++) for (let b = 0; b < 20; b++) counts[mixedLevel(7, s, b, 4)]!++;
    for (const c of counts) expect(c).toBeGreaterThan(800); // 1000 expected each
    const draw = (seed: number) => Array.from({ length: 64 }, (_, i) => mixedLevel(seed, i >> 3, i & 7, 4));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(mixedLevel(7, 3, 2, 1)).toBe(0);
  });
});

describe('config', () => {
  const rejects = (o: Record<string, unknown>, msg: string | RegExp) => {
    let err: unknown;
    try {
      applyOverrides(DEFAULT_CONFIG, o);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(msg);
  };
  it('defaults to off / 0.9, accepts the modes, rejects bad values with the key named', () => {
    expect(applyOverrides(DEFAULT_CONFIG, {}).train).toMatchObject({ curriculum: 'off', curriculumThreshold: 0.9 });
    expect(applyOverrides(DEFAULT_CONFIG, { curriculum: 'auto', curriculumThreshold: '0.5' }).train).toMatchObject({ curriculum: 'auto', curriculumThreshold: 0.5 });
    expect(applyOverrides(DEFAULT_CONFIG, { 'train.curriculum': 'mixed' }).train.curriculum).toBe('mixed');
    rejects({ curriculum: 'easy' }, /train\.curriculum must be one of off, auto, mixed, got "easy"/);
    rejects({ curriculumThreshold: '1.5' }, /train\.curriculumThreshold must be in \[0, 1\]/);
    rejects({ curriculum: 'auto', 'eval.every': '0' }, /needs eval\.every > 0/);
    rejects({ curriculum: 'auto', 'eval.n': '0' }, /needs eval\.n > 0/);
  });
});

const tiny = (o: Record<string, unknown>) =>
  applyOverrides(DEFAULT_CONFIG, {
    task: 'addition', digits: 3, nLayer: 1, nHead: 2, nEmbd: 16, batchSize: 4, logEvery: 1, warmupSteps: 2, 'eval.n': 4, 'eval.samples': 0, ...o,
  });
const operandDigits = (prompt: string) => Math.max(...prompt.replace(/=$/, '').split('+').map((x) => x.length));

describe('Trainer with a curriculum (cpu)', () => {
  it('auto: batches come from the level; a scheduled evaluation tags the row and moves up; no leaked tensors', async () => {
    await initBackend('cpu');
    const t = new Trainer(tiny({ curriculum: 'auto', steps: 4, 'eval.every': 2 }));
    expect(t.levels.map((l) => l.label)).toEqual(['digits 1', 'digits 2', 'digits 3']);
    for (const ex of t.batchExamples(0)) expect(operandDigits(ex.prompt)).toBe(1);
    for (const ex of t.batchExamples(0, 1)) expect(operandDigits(ex.prompt)).toBeLessThanOrEqual(2);
    t.levelAccuracy = async () => ({ accuracy: 0.95, n: 50 }); // stub: the level is learned
    const ev: TrainEvent[] = [];
    const n0 = tf.memory().numTensors;
    await t.evaluateAndReport((e) => void ev.push(e)); // not scheduled: reports, never moves
    expect(t.level).toBe(0);
    t.step = 2;
    await t.evaluateAndReport((e) => void ev.push(e), { advance: true });
    expect(t.level).toBe(1);
    await t.evaluateAndReport((e) => void ev.push(e), { advance: true }); // same step: decided already
    expect(t.level).toBe(1);
    expect(tf.memory().numTensors).toBe(n0);
    const evals = ev.filter((e): e is EvalEvent => e.type === 'eval');
    expect(evals[0]).toMatchObject({ level: 0, level_label: 'digits 1', level_acc: 0.95, level_n: 50, n: 4 });
    expect(evals[2]).toMatchObject({ level: 1, level_label: 'digits 2' });
    expect(ev.filter((e) => e.type === 'curriculum')).toEqual([expect.objectContaining({ step: 2, from: 0, to: 1, label: 'digits 2', level_acc: 0.95, threshold: 0.9 })]);
    t.levelAccuracy = async () => ({ accuracy: 0.5, n: 50 }); // below the threshold: stays
    t.step = 4;
    await t.evaluateAndReport(() => {}, { advance: true });
    expect(t.level).toBe(1);
    t.dispose();
  });

  it('auto: the real level accuracy of an untrained model keeps the level; tensors stay flat', async () => {
    await initBackend('cpu');
    const t = new Trainer(tiny({ curriculum: 'auto', steps: 2, 'eval.every': 1 }));
    const n0 = tf.memory().numTensors;
    const { accuracy, n } = await t.levelAccuracy(0);
    expect(n).toBe(4); // min(eval.n 4, 100): 1-digit addition has only 3 test problems, so one validation problem tops it up
    expect(accuracy).toBeLessThan(0.9);
    const ev: TrainEvent[] = [];
    await t.run((e) => void ev.push(e));
    expect(tf.memory().numTensors).toBe(n0);
    expect(t.level).toBe(0);
    expect(ev.filter((e): e is StepEvent => e.type === 'step').map((e) => e.level)).toEqual([0, 0]);
    t.dispose();
  });

  it('mixed: every level appears in the batches, the same per seed; off batches are the task config stream', async () => {
    await initBackend('cpu');
    const t = new Trainer(tiny({ curriculum: 'mixed', batchSize: 16 }));
    const digits = (tr: Trainer, s: number) => tr.batchExamples(s).map((e) => operandDigits(e.prompt));
    const seen = new Set<number>();
    for (let s = 0; s < 8; s++) for (const d of digits(t, s)) seen.add(d);
    expect([...seen].sort()).toEqual([1, 2, 3]);
    const u = new Trainer(tiny({ curriculum: 'mixed', batchSize: 16 }));
    expect(u.batchExamples(5)).toEqual(t.batchExamples(5));
    // Off: the task config's own problem stream, exactly as before curricula existed.
    const off = new Trainer(tiny({ batchSize: 16 }));
    const tc = off.cfg.task.config;
    expect(off.batchExamples(5).map((e) => e.prompt)).toEqual(Array.from({ length: 16 }, (_, b) => addition.prompt(problemAt(addition, tc, 1, 'train', 5 * 16 + b), tc)));
    for (const x of [t, u, off]) x.dispose();
  });

  it('a resumed auto run continues at the same level with the losses of the uninterrupted run', async () => {
    await initBackend('cpu');
    // Threshold 0: up one level at every scheduled evaluation (steps 2 and 4), whatever the accuracy.
    const cfg = tiny({ curriculum: 'auto', curriculumThreshold: 0, steps: 8, 'eval.every': 2 });
    const rows = (ev: TrainEvent[]) => ev.filter((e): e is StepEvent => e.type === 'step').map((e) => [e.step, e.level, e.loss]);
    const full: TrainEvent[] = [];
    const a = new Trainer(cfg);
    await a.run((e) => void full.push(e));
    a.dispose();
    expect(rows(full).map((r) => r[1])).toEqual([0, 0, 1, 1, 2, 2, 2, 2]);

    const part: TrainEvent[] = [];
    const b = new Trainer(cfg);
    const ctl = new AbortController();
    await b.run((e) => {
      part.push(e);
      if (e.type === 'step' && e.step === 3) ctl.abort();
    }, { signal: ctl.signal });
    expect([b.step, b.level]).toEqual([3, 1]);
    const files = snapshotToFiles(await b.snapshot(), cfg, b.model, b.tok);
    b.dispose();
    expect(JSON.parse(files['trainer.json']).curriculum).toEqual({ level: 1, decided_at: 2 });
    const loaded = snapshotFromFiles(
      { config: files['config.json'], safetensors: files['model.safetensors'], tokenizer: files['tokenizer.json'], optimizer: files['optimizer.safetensors'], trainer: files['trainer.json'] },
      'mem',
    );
    const c = new Trainer(loaded.cfg, { snapshot: loaded.snapshot, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) });
    expect([c.step, c.level]).toEqual([3, 1]);
    await c.run((e) => void part.push(e));
    c.dispose();
    expect(rows(part)).toEqual(rows(full));
  });

  it('rejects a snapshot whose level is not one of the run', async () => {
    await initBackend('cpu');
    const cfg = tiny({ curriculum: 'auto', steps: 2, 'eval.every': 1 });
    const a = new Trainer(cfg);
    const snap = { ...(await a.snapshot()), curriculum: { level: 5, decidedAt: 1 } };
    expect(() => new Trainer(cfg, { snapshot: snap })).toThrow(/curriculum level 5 is not one of the run's 3 levels \(digits 1 \| digits 2 \| digits 3\)/);
    a.dispose();
  });
});
