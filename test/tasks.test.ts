// Contract of every registered task: gold completions pass their own verifier, use only the shared
// vocabulary, fit the declared length bounds, and are deterministic per seed; the trainer can
// build a batch for each task at its default knobs.

import { describe, expect, it } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, modelConfigOf } from '../src/run-config.ts';
import { makeBatch } from '../src/data/batch.ts';
import { problemAt } from '../src/data/split.ts';
import { renderCompletion, tokenLength } from '../src/tasks/format.ts';
import { TASKS, validateTaskConfig } from '../src/tasks/registry.ts';
import { Tokenizer } from '../src/tokenizer.ts';

const tok = new Tokenizer();

describe.each(Object.keys(TASKS))('task %s', (name) => {
  const task = TASKS[name]!;
  const cfg = validateTaskConfig(task, {});

  it('gold completions verify, tokenize, and fit the declared bounds', () => {
    for (let i = 0; i < 300; i++) {
      const p = problemAt(task, cfg, 7, 'train', i);
      const prompt = task.prompt(p, cfg);
      const g = task.gold(p, cfg);
      const completion = renderCompletion(g, g.trace.length > 0);
      expect(tok.encode(prompt).length).toBeLessThanOrEqual(task.maxPromptLength(cfg));
      expect(tok.encode(completion).length).toBe(tokenLength(completion));
      expect(tokenLength(completion)).toBeLessThanOrEqual(task.maxCompletionLength(cfg));
      const v = task.verify(p, completion, cfg);
      expect(v.correct, `${prompt} ${completion}: ${JSON.stringify(v.checks)}`).toBe(true);
      expect(v.reward).toBe(1);
      expect(v.first_wrong_step).toBeNull();
    }
  });

  it('is deterministic per (seed, index) and rejects an empty completion', () => {
    for (let i = 0; i < 20; i++) {
      const a = problemAt(task, cfg, 3, 'test', i);
      const b = problemAt(task, cfg, 3, 'test', i);
      expect(task.canonical(a)).toBe(task.canonical(b));
      const v = task.verify(a, '', cfg);
      expect(v.correct).toBe(false);
      expect(v.format_ok).toBe(false);
    }
  });

  it('trains: the run config derives a context that holds every example', () => {
    const rc = applyOverrides(DEFAULT_CONFIG, { task: name, preset: 'nano' });
    const mc = modelConfigOf(rc, tok);
    const examples = Array.from({ length: 64 }, (_, i) => {
      const p = problemAt(task, rc.task.config, 1, 'train', i);
      const g = task.gold(p, rc.task.config);
      return { prompt: task.prompt(p, rc.task.config), completion: renderCompletion(g, g.trace.length > 0) };
    });
    const b = makeBatch(tok, examples, mc.blockSize);
    expect(b.lossTokens).toBeGreaterThan(64);
  });
});

describe.each(Object.keys(TASKS))('curriculum of %s', (name) => {
  const task = TASKS[name]!;
  it('every level is a valid config whose gold completions verify, and lengths grow', () => {
    expect(task.curriculum.length).toBeGreaterThanOrEqual(3);
    let prev = 0;
    for (const level of task.curriculum) {
      const cfg = validateTaskConfig(task, level as Record<string, unknown>);
      const len = task.maxPromptLength(cfg) + task.maxCompletionLength(cfg);
      expect(len).toBeGreaterThanOrEqual(prev);
      prev = len;
      for (let i = 0; i < 20; i++) {
        const p = problemAt(task, cfg, 11, 'train', i);
        const g = task.gold(p, cfg);
        expect(task.verify(p, renderCompletion(g, g.trace.length > 0), cfg).correct).toBe(true);
      }
    }
  });
});
