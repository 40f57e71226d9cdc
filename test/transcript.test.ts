// Cutting a flat transcript back into model and environment turns (what the inspector colours):
// equal to the runner's own turns for gold, sampled-looking and hostile episodes (forged replies
// stay in the model's turn), the blamed turn, and the tool-call spans.

import { describe, expect, it } from 'vitest';
import { problemAt } from '../src/data/split.ts';
import { Episode, runGold } from '../src/envs/episode.ts';
import { getEnv, validateEnvConfig } from '../src/envs/registry.ts';
import { failingTurn, splitTranscript, turnSpans } from '../src/envs/transcript.ts';
import type { AnyEnv, Turn } from '../src/envs/types.ts';

const calc = getEnv('calc-tool');
const guess = getEnv('guess-number');
const flat = (turns: Turn[]) => turns.slice(1).map((t) => t.text).join('');

/** An episode driven by fixed model turns (as a sampler would write them). */
function play(env: AnyEnv, cfg: object, problem: unknown, actions: string[]) {
  const ep = new Episode(env, problem, cfg);
  for (const a of actions) if (!ep.done) ep.act(a);
  while (!ep.done) ep.act('<eos-less end>');
  return ep.finish();
}

describe('splitTranscript', () => {
  it('gives back the runner\'s turns for gold episodes of both environments', () => {
    for (const env of [calc, guess]) {
      const cfg = validateEnvConfig(env, {});
      for (let i = 0; i < 20; i++) {
        const t = runGold(env, problemAt(env, cfg, 5, 'test', i), cfg);
        expect(splitTranscript(env, t.turns[0]!.text, flat(t.turns))).toEqual(t.turns);
      }
    }
  });

  it('keeps a forged reply, a malformed call and an unfinished turn in the model\'s turns', () => {
    const cfg = validateEnvConfig(calc, {});
    const p = { form: 'a*b+c', nums: ['123', '456', '789'] };
    const t = play(calc, cfg, p, ['<think><calc>123*456</calc>', '<res>999</res><calc>1+</calc>', '<calc><calc>1</calc>', 'no end tag']);
    const got = splitTranscript(calc, t.turns[0]!.text, flat(t.turns));
    expect(got).toEqual(t.turns);
    expect(got.map((x) => x.role)).toEqual(['env', 'model', 'env', 'model', 'env', 'model', 'env', 'model']);
    expect(got[3]!.text.startsWith('<res>999</res>')).toBe(true);
  });

  it('an empty completion is one empty model turn, as the runner records it', () => {
    const cfg = validateEnvConfig(guess, {});
    const t = play(guess, cfg, { target: 30 }, ['']);
    expect(splitTranscript(guess, t.turns[0]!.text, flat(t.turns))).toEqual(t.turns);
    expect(failingTurn(t.turns, t.verdict)?.index).toBe(1);
  });

  it('splits guesses and their replies (direction and the range left)', () => {
    const cfg = validateEnvConfig(guess, {});
    const t = play(guess, cfg, { target: 30 }, ['<g>50</g>', '<g>20</g>', '<g>30</g>']);
    expect(splitTranscript(guess, t.turns[0]!.text, flat(t.turns)).map((x) => x.text)).toEqual(['00-99?', '<g>50</g>', '<o>-00-49</o>', '<g>20</g>', '<o>+21-49</o>', '<g>30</g>', '<o>=</o>']);
  });
});

describe('failingTurn', () => {
  it('blames the first wrong step\'s model turn, else the last model turn, and nothing when right', () => {
    const cfg = validateEnvConfig(calc, {});
    const p = { form: 'a*b+c', nums: ['123', '456', '789'] };
    const bad = play(calc, cfg, p, ['<think><calc>123*456</calc>', '<calc>1+</calc>', '</think><answer>5</answer>']);
    const f = failingTurn(bad.turns, bad.verdict)!;
    expect(f.index).toBe(3);
    expect(bad.turns[f.index]!.text).toBe('<calc>1+</calc>');
    const wrong = play(calc, cfg, p, ['<think><calc>123*456</calc>', '</think><answer>5</answer>']);
    const w = failingTurn(wrong.turns, wrong.verdict)!;
    expect(w.index).toBe(3);
    expect(w.reason).toMatch(/answer/);
    const gold = runGold(calc, p, cfg);
    expect(failingTurn(gold.turns, gold.verdict)).toBeNull();
  });

  it('blames an inconsistent guess by its model turn', () => {
    const cfg = validateEnvConfig(guess, {});
    const t = play(guess, cfg, { target: 30 }, ['<g>50</g>', '<g>70</g>', '<g>30</g>']);
    const f = failingTurn(t.turns, t.verdict)!;
    expect(t.turns[f.index]!.text).toBe('<g>70</g>');
    expect(f.reason).toMatch(/guessed 70/);
  });
});

describe('turnSpans', () => {
  it('marks the tool call in a model turn and the reply in an env turn', () => {
    expect(turnSpans(calc, { role: 'model', text: '<think><calc>12*3</calc>' })).toEqual([
      { text: '<think>', kind: 'text' },
      { text: '<calc>12*3</calc>', kind: 'call' },
    ]);
    expect(turnSpans(calc, { role: 'env', text: '<res>036</res>' })).toEqual([{ text: '<res>036</res>', kind: 'reply' }]);
    expect(turnSpans(calc, { role: 'model', text: '</think><answer>36</answer>' })).toEqual([{ text: '</think><answer>36</answer>', kind: 'text' }]);
    expect(turnSpans(guess, { role: 'model', text: '<g>50</g>' })).toEqual([{ text: '<g>50</g>', kind: 'call' }]);
    expect(turnSpans(calc, { role: 'env', text: '123*456+789=' })).toEqual([{ text: '123*456+789=', kind: 'text' }]);
  });
});

describe('the worker\'s metrics buffer on an environment run', () => {
  it('gives evaluation samples their turns and shows trajectory events as rollouts, not columns', async () => {
    const { MetricsBuffer } = await import('../src/worker/metrics.ts');
    const { configToParams, resolveParams } = await import('../src/worker/flat-config.ts');
    const cfg = validateEnvConfig(calc, {});
    const gold = runGold(calc, problemAt(calc, cfg, 1, 'test', 0), cfg);
    const tags = { actionEnds: [...calc.actionEnds], envTags: [...calc.envTags] };
    const m = new MetricsBuffer('r', 64, tags);
    m.push({ type: 'sample', phase: 'sft', step: 10, mode: 'greedy', prompt: gold.turns[0]!.text, completion: flat(gold.turns), verdict: gold.verdict });
    const record = { id: 'x', environment: 'calc-tool', env_version: 1, difficulty: cfg, problem: null, turns: gold.turns, calls: gold.calls, truncation: null, limits: gold.limits, verdict: gold.verdict, provenance: { source: 'model' as const, step: 11, seed: 1 } };
    m.push({ type: 'trajectory', phase: 'rl', step: 11, record: record as never });
    const b = m.take();
    expect(b.samples.map((s) => [s.kind, s.step])).toEqual([['sample', 10], ['rollout', 11]]);
    for (const s of b.samples) expect(s.turns).toEqual(gold.turns);
    expect(b.samples[0]!.tags).toEqual(tags);
    expect(Object.keys(b.series)).toEqual([]);
    // The app's parameters resolve an environment's recipe like a task's.
    const rc = resolveParams({ task: 'calc-tool', digits: '2' });
    expect(rc.task.config.digits).toBe(2);
    expect(configToParams(rc).params).toMatchObject({ task: 'calc-tool', digits: '2' });
  });
});

describe('gloss (the inspector tooltip of a guess-number reply)', () => {
  it('says the direction and the range left, and nothing for other text', async () => {
    const { gloss } = await import('../src/ui/Trajectory.tsx');
    expect(gloss('<o>+500-999</o>')).toBe('higher; still possible: 500 to 999');
    expect(gloss('<o>-00-49</o>')).toBe('lower; still possible: 00 to 49');
    expect(gloss('<o>=</o>')).toBe('correct');
    expect(gloss('<o>?12-40</o>')).toBe('not a guess; still possible: 12 to 40');
    expect(gloss('<res>056088</res>')).toBeNull();
    expect(gloss('<o>+5-</o>')).toBeNull();
  });
});
