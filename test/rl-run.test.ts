// RL runs across processes and prompts: a run stopped, saved to files and loaded continues exactly
// as an uninterrupted one; rl.pool draws prompts from the SFT pool or fresh problems.

import { describe, expect, it } from 'vitest';
import type { RlStepEvent, TrainEvent } from '../src/train/events.ts';
import { RlTrainer } from '../src/train/rl.ts';
import { useBackend } from './helpers/backend.ts';
import { rlConfig } from './helpers/rl.ts';

describe('RL resume', () => {
  it('stop after 2 RL steps, save to files, load, continue = the uninterrupted 4-step run (cpu, reinforce baseline, warmup, KL)', async () => {
    await useBackend('cpu');
    const { snapshotFromFiles, snapshotToFiles } = await import('../src/train/snapshot.ts');
    const { Tokenizer } = await import('../src/tokenizer.ts');
    const cfg = rlConfig({ 'rl.algo': 'reinforce', 'rl.lr': 1e-2, 'rl.warmupSteps': 3, 'rl.kl': 0.1, 'rl.epochs': 2, 'rl.steps': 4, 'eval.every': 0 });
    const rows = (ev: TrainEvent[]) => ev.filter((e): e is RlStepEvent => e.type === 'rl_step').map((e) => [e.step, e.reward_mean, e.loss, e.kl, e.lr]);
    const full: TrainEvent[] = [];
    const a = new RlTrainer(cfg, { startStep: 10 });
    await a.run((e) => void full.push(e), { rollouts: false });
    a.dispose();

    const part: TrainEvent[] = [];
    const ctl = new AbortController();
    const b = new RlTrainer(cfg, { startStep: 10 });
    await b.run((e) => {
      part.push(e);
      if (e.type === 'rl_step' && e.rl_step === 2) ctl.abort();
    }, { signal: ctl.signal, rollouts: false });
    const files = snapshotToFiles(await b.snapshot(), cfg, b.model, b.tok);
    b.dispose();
    expect(files['ref.safetensors']).toBeInstanceOf(Uint8Array);
    const tj = JSON.parse(files['trainer.json']) as { phase: string; rl: { step: number; start_step: number } };
    expect(tj.phase).toBe('rl');
    expect(tj.rl).toMatchObject({ step: 2, start_step: 10 });
    const inputs = { config: files['config.json'], safetensors: files['model.safetensors'], tokenizer: files['tokenizer.json'], optimizer: files['optimizer.safetensors'], trainer: files['trainer.json'] };
    expect(() => snapshotFromFiles(inputs, 'mem')).toThrow(/ref\.safetensors/);
    const loaded = snapshotFromFiles({ ...inputs, ref: files['ref.safetensors']! }, 'mem');
    const c = new RlTrainer(loaded.cfg, { snapshot: { ...loaded.snapshot, ...loaded.rl! }, tokenizer: Tokenizer.fromJSON(loaded.tokenizer) });
    expect([c.rlStep, c.step]).toEqual([2, 12]);
    await c.run((e) => void part.push(e), { rollouts: false, evalAtStart: false });
    c.dispose();
    expect(rows(part)).toEqual(rows(full));
  });
});

describe('RL prompts', () => {
  it('rl.pool 0 draws fresh problems; rl.pool N draws only from the first N distinct train problems (the SFT pool)', async () => {
    await useBackend('cpu');
    const { distinctProblems } = await import('../src/data/split.ts');
    const { getTask } = await import('../src/tasks/registry.ts');
    const fresh = new RlTrainer(rlConfig({ digits: 3, 'rl.prompts': 16 }));
    const pooled = new RlTrainer(rlConfig({ digits: 3, 'rl.prompts': 16, 'rl.pool': 5 }));
    try {
      const task = getTask('addition');
      const canon = (ps: unknown[]) => ps.map((p) => task.canonical(p));
      const pool = new Set(canon(distinctProblems(task, pooled.cfg.task.config, pooled.cfg.train.seed, 'train', 5)));
      const drawn = [0, 1, 2].flatMap((s) => canon(pooled.problemsAt(s)));
      expect(drawn.every((c) => pool.has(c))).toBe(true);
      const freshDrawn = [0, 1, 2].flatMap((s) => canon(fresh.problemsAt(s)));
      expect(new Set(freshDrawn).size).toBeGreaterThan(20);
      expect(canon(fresh.problemsAt(1))).toEqual(canon(fresh.problemsAt(1))); // a pure function of the step
    } finally {
      fresh.dispose();
      pooled.dispose();
    }
  });
});
