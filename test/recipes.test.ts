// Task recipes (src/recipes.ts) and the learning benchmark's pure part (src/bench/learn.ts): every
// task has a valid recipe with a target, the CLI and the app start from it and flags override it;
// metrics rows turn into thresholds reached, a table row and a curve.

import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../src/config.ts';
import { curveSvg, firstReached, learningTable, parseMetrics, THRESHOLDS, type LearnResult } from '../src/bench/learn.ts';
import { RECIPES, recipeConfig } from '../src/recipes.ts';
import { TASKS } from '../src/tasks/registry.ts';
import { ENVS } from '../src/envs/registry.ts';
import { resolveParams } from '../src/worker/params.ts';

describe('recipes', () => {
  it('every task and environment has a recipe that validates, with a target', () => {
    expect(Object.keys(RECIPES).sort()).toEqual([...Object.keys(TASKS), ...Object.keys(ENVS)].sort());
    for (const [name, r] of Object.entries(RECIPES)) {
      const cfg = recipeConfig(name);
      expect(cfg.task.name).toBe(name);
      expect(cfg.train.steps, name).toBe(Number(r.settings['train.steps']));
      expect(cfg.train.lr, name).toBe(Number(r.settings.lr));
      expect(cfg.model.preset, name).toBe(r.settings.preset);
      expect(r.target.acc).toBeGreaterThan(0);
      expect(r.target.minutes).toBeGreaterThan(0);
    }
  });

  it('flags override the recipe, the way the CLI applies them', () => {
    const base = recipeConfig('boolean');
    const cfg = applyOverrides(base, { task: 'boolean', lr: '1e-3', preset: 'micro', steps: '10' });
    expect([cfg.train.lr, cfg.model.preset, cfg.train.steps]).toEqual([1e-3, 'micro', 10]);
    expect(cfg.train.warmupSteps).toBe(base.train.warmupSteps); // untouched settings stay the recipe's
  });

  it("the app's defaults are the task's recipe (the task picker switches recipes)", () => {
    for (const name of Object.keys(RECIPES)) {
      const cfg = resolveParams({ task: name });
      const r = recipeConfig(name);
      expect([cfg.train.lr, cfg.train.steps, cfg.model.preset, cfg.eval.every], name).toEqual([r.train.lr, r.train.steps, r.model.preset, r.eval.every]);
    }
    expect(resolveParams({ task: 'boolean', lr: '5e-4' }).train.lr).toBe(5e-4);
  });
});

describe('learning benchmark summary', () => {
  const rows = [
    { type: 'step', phase: 'sft', step: 10, tokens_per_s: 100 },
    { type: 'step', phase: 'sft', step: 20, tokens_per_s: 300 },
    { type: 'step', phase: 'sft', step: 30, tokens_per_s: 200 },
    { type: 'eval', phase: 'sft', step: 10, elapsed_s: 5, greedy_acc: 0.2, greedy_answer_acc: 0.6 },
    { type: 'eval', phase: 'sft', step: 20, elapsed_s: 10, greedy_acc: 0.92, greedy_answer_acc: 0.95 },
    { type: 'eval', phase: 'sft', step: 30, elapsed_s: 70, greedy_acc: 0.96, greedy_answer_acc: 0.97 },
    { type: 'eval', phase: 'rl', step: 40, elapsed_s: 80, greedy_acc: 1, greedy_answer_acc: 1 },
  ];
  const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

  it('reads the SFT eval rows and the median tokens/s', () => {
    const m = parseMetrics(text);
    expect(m.evals.map((e) => e.step)).toEqual([10, 20, 30]);
    expect(m.tokensPerS).toBe(200);
  });

  it('the first evaluation at or above each threshold', () => {
    const { evals } = parseMetrics(text);
    expect(firstReached(evals, THRESHOLDS)).toEqual([
      { threshold: 0.5, step: 20, seconds: 10 },
      { threshold: 0.9, step: 20, seconds: 10 },
      { threshold: 0.95, step: 30, seconds: 70 },
    ]);
    expect(firstReached(evals.slice(0, 1), THRESHOLDS)).toEqual([]);
  });

  it('table row: met only when the target accuracy came within the target time', () => {
    const { evals, tokensPerS } = parseMetrics(text);
    const r = (acc: number, minutes: number): LearnResult => ({
      task: 't', config: 'nano', target: { acc, minutes }, reached: firstReached(evals, THRESHOLDS), thresholds: THRESHOLDS,
      final: evals[2]!, best: 0.96, tokensPerS, points: evals, params: 95_000,
    });
    expect(learningTable([r(0.95, 2)])).toMatch(/\| t \| nano \(95k\) \| ≥ 95\.0% in 2 min \| 10 s \(step 20\) \| 10 s \(step 20\) \| 1m10s \(step 30\) \| 96\.0% at 1m10s \(step 30\) \| 97\.0% \| - \| 200 \| yes \(1m10s\) \|/);
    expect(learningTable([r(0.95, 1)])).toMatch(/\| no \|$/);
    const svg = curveSvg(r(0.95, 2));
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('fully right');
    expect((svg.match(/<path /g) ?? []).length).toBe(2); // fully right and answer-only
  });
});
