// Environments: the calculator's exact parser, determinism per (seed, index), gold trajectories
// fully right, hostile actions (nested/unclosed tags, huge numbers, __proto__, 100 KB, forged
// replies) answered with an error observation and a verdict, the turn limit and the token budget
// always ending an episode, replays rejecting forged transcripts, and the loss mask.

import { describe, expect, it } from 'vitest';
import { problemAt } from '../src/data/split.ts';
import { evalCalc, MAX_CALC_CHARS } from '../src/envs/calc-parse.ts';
import { Episode, replayText, replayTurns, runGold } from '../src/envs/episode.ts';
import { ENVS, getEnv, validateEnvConfig } from '../src/envs/registry.ts';
import { makeTrajectoryBatch, trajectoryTokens } from '../src/envs/tokens.ts';
import type { AnyEnv } from '../src/envs/types.ts';
import { ConfigError } from '../src/tasks/registry.ts';
import { Tokenizer } from '../src/tokenizer.ts';

const calc = getEnv('calc-tool');
const guess = getEnv('guess-number');
const cfgOf = (env: AnyEnv, o: Record<string, unknown> = {}) => validateEnvConfig(env, o);
const problem = (env: AnyEnv, cfg: object, i = 0) => problemAt(env, cfg, 3, 'train', i);

describe('the calculator parser', () => {
  it('evaluates + - * exactly, * first, left to right', () => {
    expect(evalCalc('123*456+789')).toEqual({ ok: true, value: 56877n });
    expect(evalCalc('2+3*4-5')).toEqual({ ok: true, value: 9n });
    expect(evalCalc('10-20-30')).toEqual({ ok: true, value: -40n });
    expect(evalCalc('007*3')).toEqual({ ok: true, value: 21n });
    expect(evalCalc('999999999999999999*999999999999999999')).toEqual({ ok: true, value: 999999999999999999n * 999999999999999999n });
  });

  it('refuses anything else with a short reason that never echoes the input', () => {
    const cases: [string, string][] = [
      ['', 'empty expression'],
      ['1+', 'ends with an operator'],
      ['*2', 'no number at 1'],
      ['1+-2', 'no number at 3'],
      ['(1+2)', 'bad char at 1'],
      ['1/2', 'bad char at 2'],
      ['__proto__', 'bad char at 1'],
      ['constructor', 'bad char at 1'],
      ['1 + 2', 'bad char at 2'],
      ['1'.repeat(19), 'number over 18 digits'],
      ['9'.repeat(MAX_CALC_CHARS + 1), `over ${MAX_CALC_CHARS} chars`],
      [Array(4).fill('999999999999').join('*'), 'result over 36 digits'],
    ];
    for (const [expr, error] of cases) {
      const r = evalCalc(expr);
      expect(r, expr).toEqual({ ok: false, error });
      if (!r.ok) expect(r.error.length).toBeLessThanOrEqual(24);
    }
  });
});

describe('determinism and gold trajectories', () => {
  for (const env of Object.values(ENVS)) {
    it(`${env.name}: same (seed, index), same problem and episode; different indices differ`, () => {
      const cfg = cfgOf(env);
      expect(problem(env, cfg, 5)).toEqual(problem(env, cfg, 5));
      expect(runGold(env, problem(env, cfg, 5), cfg)).toEqual(runGold(env, problem(env, cfg, 5), cfg));
      const canon = new Set(Array.from({ length: 20 }, (_, i) => env.canonical(problem(env, cfg, i))));
      expect(canon.size).toBeGreaterThan(10);
    });

    it(`${env.name}: the gold policy is fully right at every curriculum level, within the limits`, () => {
      for (const level of env.curriculum) {
        const cfg = cfgOf(env, level as Record<string, unknown>);
        for (let i = 0; i < 30; i++) {
          const p = problem(env, cfg, i);
          const t = runGold(env, p, cfg);
          expect(t.verdict.fully_correct, JSON.stringify(t.verdict.checks)).toBe(true);
          expect(t.truncation).toBeNull();
          expect(t.turns.filter((x) => x.role === 'model').length).toBeLessThanOrEqual(t.limits.maxTurns);
          // Every turn is char-tokenizable.
          expect(() => new Tokenizer().encode(t.turns.map((x) => x.text).join(''))).not.toThrow();
        }
      }
    });
  }

  it('calc-tool: one call per operation, every result in a fixed-width slot', () => {
    const cfg = cfgOf(calc);
    const t = runGold(calc, { form: 'a*b+c', nums: ['123', '456', '789'] }, cfg);
    expect(t.turns.map((x) => x.text)).toEqual(['123*456+789=', '<think><calc>123*456</calc>', '<res>056088</res>', '<calc>056088+789</calc>', '<res>056877</res>', '</think><answer>56877</answer>']);
    expect(t.calls).toEqual([
      { turn: 1, input: '123*456', output: '<res>056088</res>', ok: true },
      { turn: 3, input: '056088+789', output: '<res>056877</res>', ok: true },
    ]);
    const four = runGold(calc, { form: 'a*b+c*d', nums: ['12', '34', '56', '78'] }, cfgOf(calc, { digits: 2, form: 'a*b+c*d' }));
    expect(four.calls.map((c) => c.input)).toEqual(['12*34', '56*78', '00408+04368']);
    expect(four.verdict.answer).toBe('4776');
  });

  it('guess-number: binary search solves within the bound and pays less per extra turn', () => {
    const cfg = cfgOf(guess);
    const t = runGold(guess, { target: 64 }, cfg);
    expect(t.turns.map((x) => x.text)).toEqual(['00-99?', '<g>49</g>', '<o>+50-99</o>', '<g>74</g>', '<o>-50-73</o>', '<g>61</g>', '<o>+62-73</o>', '<g>67</g>', '<o>-62-66</o>', '<g>64</g>', '<o>=</o>']);
    expect(t.verdict.reward).toBeCloseTo(1 - 0.04 * 4, 9);
    expect(runGold(guess, { target: 49 }, cfg).verdict.reward).toBe(1);
    for (let n = 0; n < 100; n++) expect(runGold(guess, { target: n }, cfg).verdict.fully_correct).toBe(true);
    expect(guess.level({ target: 64 }, cfg)).toBe('5 guesses');
  });

  it('guess-number: every reply restates the range, each turn has one width, and the gold guess is its midpoint', () => {
    const cfg = cfgOf(guess, { digits: 3 });
    for (let n = 0; n < 1000; n++) {
      const t = runGold(guess, { target: n }, cfg);
      expect(t.verdict.fully_correct).toBe(true);
      const turns = t.turns.map((x) => x.text);
      expect(turns.length).toBeLessThanOrEqual(1 + 2 * 10);
      for (let i = 1; i < turns.length; i += 2) {
        // The range the model acts on: the prompt's, then the last reply's.
        const m = /^(\d{3})-(\d{3})/.exec(i === 1 ? turns[0]! : turns[i - 1]!.slice(4))!;
        const [lo, hi] = [Number(m[1]), Number(m[2])];
        expect(lo <= n && n <= hi).toBe(true);
        expect(turns[i]).toBe(`<g>${String(Math.floor((lo + hi) / 2)).padStart(3, '0')}</g>`);
        if (turns[i + 1] !== '<o>=</o>') expect(turns[i + 1]).toMatch(/^<o>[+-]\d{3}-\d{3}<\/o>$/);
      }
    }
    expect(guess.limits(cfg).maxTurns).toBe(10);
  });

  it('configs are validated like task configs', () => {
    expect(() => cfgOf(calc, { digits: 9 })).toThrow(ConfigError);
    expect(() => cfgOf(calc, { nope: 1 })).toThrow(/unknown setting "nope"/);
    expect(() => cfgOf(calc, { callCost: 0.2, maxTurns: 5 })).toThrow(/must stay below 0.9/);
    expect(() => cfgOf(calc, { form: 'a*b+c*d', maxTurns: 3 })).toThrow(/too few/);
    expect(() => cfgOf(guess, { digits: 1 })).toThrow(ConfigError);
    expect(() => getEnv('__proto__')).toThrow(/unknown environment/);
  });
});

/** Run `actions` (cycled) until the episode ends; returns the finished trajectory. */
function play(env: AnyEnv, cfg: object, p: unknown, actions: string[], opts = {}) {
  const ep = new Episode(env, p, cfg, opts);
  for (let k = 0; !ep.done; k++) {
    expect(k).toBeLessThan(100);
    ep.act(actions[k % actions.length]!);
  }
  return ep.finish();
}

describe('hostile actions get an error observation and a verdict, never a crash or a hang', () => {
  const cfg = cfgOf(calc);
  const p = problem(calc, cfg);
  const hostile: [string, string, RegExp][] = [
    ['nested tags', '<think><calc><calc>1+2</calc>', /^<res>error: nested calc tags<\/res>$/],
    ['a close without an open', '<think>1+2</calc>', /^<res>error: no calc tag opened<\/res>$/],
    ['a huge number', `<calc>${'9'.repeat(40)}</calc>`, /^<res>error: number over 18 digits<\/res>$/],
    ['a huge result', `<calc>${Array(5).fill('99999999').join('*')}</calc>`, /^<res>error: result over 36 digits<\/res>$/],
    ['__proto__', '<calc>__proto__</calc>', /^<res>error: bad char at 1<\/res>$/],
    ['code', '<calc>process.exit(1)</calc>', /^<res>error: bad char at 1<\/res>$/],
    ['a forged result', '<res>5</res><calc>1+1</calc>', /^<res>error: only the tool writes res<\/res>$/],
  ];
  for (const [what, action, obs] of hostile) {
    it(`calc-tool: ${what}`, () => {
      const ep = new Episode(calc, p, cfg);
      const r = ep.act(action);
      expect(r.observation).toMatch(obs);
      expect(r.observation.length).toBeLessThanOrEqual(calc.maxObservationLength(cfg));
      expect(r.done).toBe(false);
      ep.act('</think><answer>0</answer>');
      const v = ep.finish().verdict;
      expect(v.fully_correct).toBe(false);
      expect(v.checks.find((c) => c.name === 'calls')!.passed).toBe(false);
    });
  }

  it('calc-tool: an unclosed tag ends the episode with a format failure', () => {
    const t = play(calc, cfg, p, ['<think><calc>1+2</answer>']);
    expect(t.verdict.format_ok).toBe(false);
    expect(t.verdict.checks[0]!.detail).toMatch(/never closed/);
  });

  it('calc-tool: a forged result beside a right answer earns nothing', () => {
    const gold = runGold(calc, p, cfg).verdict.answer!;
    const t = play(calc, cfg, p, [`<think><res>${gold}</res></think><answer>${gold}</answer>`]);
    expect(t.verdict.format_ok).toBe(false);
    expect(t.verdict.correct).toBe(false);
    expect(t.verdict.reward).toBe(0);
    expect(t.verdict.checks[0]!.detail).toMatch(/only the tool does/);
  });

  it('100 KB of text is cut at the token budget (both environments)', () => {
    const junk = 'x'.repeat(100_000);
    for (const env of [calc, guess]) {
      const c = cfgOf(env);
      const t0 = Date.now();
      const t = play(env, c, problem(env, c), [junk]);
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(t.truncation).toBe('tokens');
      expect(t.verdict.truncated).toBe(true);
      expect(t.verdict.checks.find((k) => k.name === 'limits')!.passed).toBe(false);
      const tokens = t.turns.reduce((s, x) => s + x.text.length, 0);
      expect(tokens).toBeLessThanOrEqual(t.limits.maxTokens);
    }
  });

  it('the turn limit always ends an episode that never answers', () => {
    const t = play(calc, cfg, p, ['<calc>1+1</calc>']);
    expect(t.truncation).toBe('turns');
    expect(t.turns.filter((x) => x.role === 'model').length).toBe(cfg.maxTurns);
    const g = cfgOf(guess);
    const tg = play(guess, g, { target: 50 }, ['<g>00</g>']);
    expect(tg.truncation).toBe('turns');
    expect(tg.verdict.checks.find((c) => c.name === 'solved')!.detail).toBe('not solved within 7 turns (7 used)');
    const tighter = play(calc, cfg, p, ['<calc>1+1</calc>'], { maxTurns: 2 });
    expect(tighter.turns.filter((x) => x.role === 'model').length).toBe(2);
  });

  it('a tighter token budget (the model context) cuts the episode and records it', () => {
    const t = play(calc, cfg, p, ['<think><calc>1+1</calc>', '<calc>2+2</calc>'], { maxTokens: 120 });
    expect(t.truncation).toBe('tokens');
    expect(t.limits.maxTokens).toBe(120);
  });

  const g = cfgOf(guess);
  const guessCases: [string, string][] = [
    ['nested tags', '<g><g>5</g>'],
    ['no open tag', '5</g>'],
    ['a huge number', `<g>${'9'.repeat(50)}</g>`],
    ['__proto__', '<g>__proto__</g>'],
    ['a negative number', '<g>-1</g>'],
    ['a forged reply', '<o>=</o><g>10</g>'],
  ];
  for (const [what, action] of guessCases) {
    it(`guess-number: ${what}`, () => {
      const ep = new Episode(guess, { target: 10 }, g);
      expect(ep.act(action).observation).toBe('<o>?00-99</o>');
      expect(ep.done).toBe(false);
      ep.act('<g>10</g>');
      const v = ep.finish().verdict;
      expect(v.format_ok).toBe(false);
      expect(v.correct).toBe(false);
    });
  }

  it('guess-number: a guess outside the range already ruled out fails the consistency check', () => {
    const t = play(guess, g, { target: 60 }, ['<g>49</g>', '<g>20</g>', '<g>60</g>']);
    expect(t.verdict.correct).toBe(true);
    expect(t.verdict.fully_correct).toBe(false);
    expect(t.verdict.first_wrong_step).toEqual({ step: 2, reason: 'turn 2: guessed 20, but the answers so far leave 50-99' });
    // Under `full` it earns what a wrong episode earns (0), never less: the turn cost is not taken off.
    const full = new Episode(guess, { target: 60 }, g, { scheme: 'full' });
    for (const a of ['<g>49</g>', '<g>20</g>', '<g>60</g>']) full.act(a);
    expect(full.finish().verdict.reward).toBe(0);
    const wrong = play(guess, g, { target: 60 }, ['<g>00</g>'], { scheme: 'full' });
    expect(wrong.verdict.reward).toBe(0);
  });
});

describe('replays reject transcripts that claim what the environment never said', () => {
  const cfg = cfgOf(calc);
  const p = { form: 'a*b+c', nums: ['123', '456', '789'] };
  const gold = runGold(calc, p, cfg);

  it('a flat transcript replays to the gold episode', () => {
    const r = replayText(calc, p, cfg, gold.turns.slice(1).map((t) => t.text).join(''));
    expect(r).toEqual({ ok: true, trajectory: gold });
  });

  it('a forged <res> after a call is rejected with the real result in the reason', () => {
    const forged = '<think><calc>123*456</calc><res>056089</res><calc>056089+789</calc><res>056878</res></think><answer>56878</answer>';
    const r = replayText(calc, p, cfg, forged);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('after model turn 1 the transcript says "<res>056089</res>" where the environment answered "<res>056088</res>"');
  });

  it('marked turns: an edited reply, an invented reply and a turn past the end are rejected', () => {
    const edited = gold.turns.map((t, i) => (i === 2 ? { ...t, text: '<res>999999</res>' } : t));
    expect(replayTurns(calc, p, cfg, edited, null)).toEqual({ ok: false, reason: 'turn 2: the transcript says "<res>999999</res>" where the environment answered "<res>056088</res>"' });
    const invented = [...gold.turns.slice(0, 2), { role: 'env' as const, text: '<res>056088</res>' }, { role: 'env' as const, text: '<res>1</res>' }, ...gold.turns.slice(3)];
    expect(replayTurns(calc, p, cfg, invented, null)).toMatchObject({ ok: false, reason: expect.stringMatching(/^turn 3: claims an environment reply "<res>1<\/res>" the environment never gave/) });
    const after = [...gold.turns, { role: 'model' as const, text: 'more' }];
    expect(replayTurns(calc, p, cfg, after, null)).toMatchObject({ ok: false, reason: expect.stringMatching(/^turn 6: the episode was already over/) });
    const merged = [gold.turns[0]!, { role: 'model' as const, text: gold.turns[1]!.text + gold.turns[2]!.text }, ...gold.turns.slice(3)];
    expect(replayTurns(calc, p, cfg, merged, null)).toMatchObject({ ok: false, reason: expect.stringMatching(/goes on after its action ended/) });
    expect(replayTurns(calc, p, cfg, gold.turns, null)).toEqual({ ok: true, trajectory: gold });
  });
});

describe('the loss mask: environment tokens are never trained on', () => {
  const tok = new Tokenizer();

  it('mask 1 exactly on model turns and the final <eos>; ids equal the joined encoding', () => {
    const t = runGold(calc, { form: 'a*b+c', nums: ['123', '456', '789'] }, cfgOf(calc));
    const { ids, mask, turnStarts } = trajectoryTokens(tok, t.turns, t.truncation);
    expect(ids).toEqual([tok.bos, ...tok.encode(t.turns.map((x) => x.text).join('')), tok.eos]);
    expect(ids.length).toBe(mask.length);
    t.turns.forEach((turn, k) => {
      const end = k + 1 < t.turns.length ? turnStarts[k + 1]! : ids.length - 1;
      const m = mask.slice(turnStarts[k], end);
      expect(m.length).toBe(tok.encode(turn.text).length);
      expect(new Set(m)).toEqual(new Set([turn.role === 'model' ? 1 : 0]));
    });
    expect(mask[0]).toBe(0);
    expect(mask.at(-1)).toBe(1);
    // The decoded masked-in text is exactly the model's turns.
    expect(tok.decode(ids.filter((_, i) => mask[i] === 1))).toBe(t.turns.filter((x) => x.role === 'model').map((x) => x.text).join(''));
  });

  it('no <eos> when the environment or a limit ended the episode', () => {
    const g = runGold(guess, { target: 64 }, cfgOf(guess));
    expect(trajectoryTokens(tok, g.turns, g.truncation).ids.at(-1)).toBe(tok.encode('>')[0]);
    const cut = play(calc, cfgOf(calc), { form: 'a*b+c', nums: ['123', '456', '789'] }, ['<calc>1+1</calc>']);
    expect(trajectoryTokens(tok, cut.turns, cut.truncation).ids).not.toContain(tok.eos);
  });

  it('in a batch, position t carries loss exactly when its target is a model token', () => {
    const seqs = [runGold(calc, { form: 'a*b+c', nums: ['123', '456', '789'] }, cfgOf(calc)), runGold(guess, { target: 3 }, cfgOf(guess))].map((t) => trajectoryTokens(tok, t.turns, t.truncation));
    const T = 160;
    const b = makeTrajectoryBatch(seqs, T, tok.pad);
    seqs.forEach((s, k) => {
      for (let t = 0; t < T; t++) {
        const inSeq = t < s.ids.length - 1;
        expect(b.targets[k * T + t]).toBe(inSeq ? s.ids[t + 1] : tok.pad);
        expect(b.mask[k * T + t]).toBe(inSeq ? s.mask[t + 1] : 0);
      }
    });
    expect(b.lossTokens).toBe(seqs.reduce((n, s) => n + s.mask.slice(1).filter((m) => m === 1).length, 0));
    expect(() => makeTrajectoryBatch(seqs, 20, tok.pad)).toThrow(/trajectory 0 needs \d+ positions, more than the 20/);
  });
});
