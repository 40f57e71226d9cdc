// Accuracy means fully right: the eval rates, the pass@k rows, the RL rollout statistics and
// records read back all count a right answer reached through a wrong step as answer-only, never as
// accurate. Verdicts come from the real addition verifier (scratchpad, 47+85 = 132).

import { describe, expect, it } from 'vitest';
import { validateRecord } from '../src/records/record.ts';
import { addition } from '../src/tasks/addition.ts';
import type { Verdict } from '../src/tasks/types.ts';
import { passKTable, type EvalItem } from '../src/train/eval.ts';
import { verdictRates, wrongSteps } from '../src/train/rates.ts';
import { rolloutStats, type Rollouts } from '../src/train/rollouts.ts';

const CFG = { ...addition.defaults, digits: 2, format: 'scratchpad' as const };
const P = { a: '47', b: '85' };
const verify = (c: string): Verdict => addition.verify(P, c, CFG);
const FULLY = verify('<think>7+5+0=12,4+8+1=13</think><answer>132</answer>');
const WRONG_STEP = verify('<think>7+5+0=12,4+8+0=12</think><answer>132</answer>');
const WRONG_ANSWER = verify('<think>7+5+0=12,4+8+1=13</think><answer>131</answer>');
const BROKEN = verify('<answer>132</answer>'); // no think block: format fails

describe('Verdict.fully_correct', () => {
  it('is every check passed; correct stays format + answer', () => {
    expect([FULLY.correct, FULLY.fully_correct]).toEqual([true, true]);
    expect([WRONG_STEP.correct, WRONG_STEP.fully_correct]).toEqual([true, false]);
    expect([WRONG_ANSWER.correct, WRONG_ANSWER.fully_correct]).toEqual([false, false]);
    expect([BROKEN.correct, BROKEN.fully_correct]).toEqual([false, false]);
    expect([FULLY, WRONG_STEP, WRONG_ANSWER, BROKEN].map(wrongSteps)).toEqual([false, true, false, false]);
  });
});

describe('eval rates', () => {
  it('a right answer with a wrong step counts in answer accuracy and wrong_steps_rate, not in accuracy', () => {
    expect(verdictRates([WRONG_STEP])).toEqual({ accuracy: 0, answer_accuracy: 1, wrong_steps_rate: 1, format_rate: 1, truncated_rate: 0 });
  });
  it('a fully right one counts in accuracy and answer accuracy, not in wrong_steps_rate', () => {
    expect(verdictRates([FULLY])).toEqual({ accuracy: 1, answer_accuracy: 1, wrong_steps_rate: 0, format_rate: 1, truncated_rate: 0 });
  });
  it('mixed: accuracy 1/4, answer accuracy 2/4 = accuracy + wrong_steps_rate; none is 0', () => {
    const r = verdictRates([FULLY, WRONG_STEP, WRONG_ANSWER, BROKEN]);
    expect(r).toEqual({ accuracy: 0.25, answer_accuracy: 0.5, wrong_steps_rate: 0.25, format_rate: 0.75, truncated_rate: 0 });
    expect(verdictRates([]).accuracy).toBe(0);
  });
});

describe('pass@k rows', () => {
  it('greedy counts fully right completions; the wrong-step one only in wrong_steps_rate', () => {
    const item = (verdict: Verdict): EvalItem => ({ prompt: '', completion: '', verdict });
    const problems = [P, P];
    const t = passKTable(addition, CFG, problems, [item(FULLY), item(WRONG_STEP)], new Int32Array([2, 0]), 2, [1]);
    expect(t.overall.greedy).toBe(0.5);
    expect(t.overall.wrong_steps_rate).toBe(0.5);
    expect(t.overall.passk).toEqual([0.5]);
  });
});

describe('RL rollout statistics', () => {
  it('accuracy is fully right, answer_acc is format + answer', () => {
    const verdicts = [FULLY, WRONG_STEP, WRONG_ANSWER, BROKEN];
    const ro: Rollouts = {
      problems: [],
      prompts: [],
      promptTokens: verdicts.map(() => [1]),
      tokens: verdicts.map(() => new Int32Array(3)),
      texts: verdicts.map(() => ''),
      logprobs: verdicts.map(() => new Float32Array(3)),
      truncated: verdicts.map(() => false),
      verdicts,
      rewards: verdicts.map((v) => v.reward),
      sampleSeconds: 0,
    };
    const s = rolloutStats([ro]);
    expect([s.accuracy, s.answer_acc, s.wrong_steps_rate]).toEqual([0.25, 0.5, 0.25]);
  });
});

describe('records read back', () => {
  const record = (verdict: Record<string, unknown>) => ({
    id: 'r1',
    task: 'addition',
    task_version: addition.version,
    difficulty: CFG,
    prompt: addition.prompt(P, CFG),
    completion: '',
    problem: P,
    gold: addition.gold(P, CFG),
    verdict,
    provenance: { source: 'user' },
  });
  it('a verdict written before fully_correct existed gets it from its checks', () => {
    const { fully_correct: _f, ...old } = WRONG_STEP;
    expect(validateRecord(record(old), 'x.jsonl:1').verdict?.fully_correct).toBe(false);
    const { fully_correct: _g, ...oldFull } = FULLY;
    expect(validateRecord(record(oldFull), 'x.jsonl:1').verdict?.fully_correct).toBe(true);
    expect(validateRecord(record({ ...WRONG_STEP }), 'x.jsonl:1').verdict?.fully_correct).toBe(false);
  });
});
