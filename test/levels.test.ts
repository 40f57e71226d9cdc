// Difficulty levels for per-level pass@k: a task's own `level`, else the step count of its gold
// trace split on the task's step separator.

import { describe, expect, it } from 'vitest';
import { problemAt } from '../src/data/split.ts';
import { getTask, levelOf, validateTaskConfig } from '../src/tasks/registry.ts';

const problems = (name: string, n: number, over: Record<string, unknown> = {}) => {
  const task = getTask(name);
  const cfg = validateTaskConfig(task, over);
  return { task, cfg, ps: Array.from({ length: n }, (_, i) => problemAt(task, cfg, 1, 'test', i)) };
};

describe('levelOf', () => {
  it('falls back to the step count of the gold trace, split on the task separator (hand-written traces)', () => {
    // A stand-in task whose gold trace is the problem itself, so each expected level is written by
    // hand here rather than recomputed with the rule under test.
    const stub = (sep?: string) => ({ ...getTask('boolean'), level: undefined, stepSeparator: sep, gold: (p: unknown) => ({ trace: p as string, answer: '' }) });
    const cases: [string | undefined, string, string][] = [
      [undefined, '', '0 steps'],
      [undefined, 'a=1', '1 step'],
      [undefined, 'a=1,b=0,c=1', '3 steps'],
      [undefined, 'a;b;c', '1 step'], // the default separator is ','
      [';', 'a;b;c', '3 steps'],
      [';', 'a,b', '1 step'],
    ];
    for (const [sep, trace, want] of cases) expect(levelOf(stub(sep) as never, trace, {}), `${sep} ${trace}`).toBe(want);
  });

  it('gives boolean and syllogism (no level of their own) several levels over their step-varying formats', () => {
    // (boolean's default circuit format draws full trees: one step count per depth; syllogism's
    // default scan format has one layout per level; their rewrite / trace formats vary)
    for (const name of ['boolean', 'syllogism']) {
      const { task, cfg, ps } = problems(name, 200, { format: name === 'boolean' ? 'rewrite' : 'trace' });
      expect(task.level).toBeUndefined();
      const levels = new Set(ps.map((p) => levelOf(task, p, cfg)));
      expect(levels.size, name).toBeGreaterThan(1);
      for (const l of levels) expect(l).toMatch(/^[1-9]\d* steps?$/);
    }
  });

  it("uses the task's own level where it has one, and knights-knaves splits its steps on ';'", () => {
    const { task, cfg, ps } = problems('addition', 50);
    for (const p of ps as { a: string; b: string }[]) {
      const n = Math.max(p.a.length, p.b.length);
      expect(levelOf(task, p, cfg)).toBe(`${n} digit${n === 1 ? '' : 's'}`);
    }
    const k = getTask('knights-knaves');
    expect(k.stepSeparator).toBe(';');
    const kp = problems('knights-knaves', 5, { format: 'cases' });
    for (const p of kp.ps) {
      expect(levelOf(k, p, kp.cfg)).toBe('3 people');
      expect(k.gold(p, { ...kp.cfg, format: 'table' }).trace.split(';')).toHaveLength(16); // the default: 5 rows per speaker and the verdict
      // The case analysis: `A`, a step per statement taken, `a`, ...: at least 6 steps for 3 people
      // (a branch that contradicts at once takes 2, the other at least 4).
      const steps = k.gold(p, kp.cfg).trace.split(';');
      expect(steps.length).toBeGreaterThanOrEqual(6);
      expect(steps[0]).toBe('A');
      expect(steps).toContain('a');
      expect(k.gold(p, { ...kp.cfg, format: 'enum' }).trace.split(';')).toHaveLength(8); // one case per assignment of 3 people
    }
  });
});
