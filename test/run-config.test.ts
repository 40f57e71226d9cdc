// Run config: `--key value` overrides (bare, dotted, task knobs, presets), rejection of unknown keys
// and bad values with messages that name the key, and the derived model context length.

import { describe, it, expect } from 'vitest';
import { applyOverrides, DEFAULT_CONFIG, modelConfigOf, rlOptim, sequenceLength, validateRunConfig, type RunConfig } from '../src/run-config.ts';
import { PRESETS } from '../src/model/config.ts';
import { ConfigError } from '../src/tasks/registry.ts';
import { addition, type AdditionConfig } from '../src/tasks/addition.ts';
import { renderCompletion } from '../src/tasks/format.ts';
import { makeBatch } from '../src/data/batch.ts';
import { Tokenizer } from '../src/tokenizer.ts';

const apply = (o: Record<string, unknown>) => applyOverrides(DEFAULT_CONFIG, o);

/** Expect a ConfigError whose message matches every pattern. */
function rejects(o: Record<string, unknown>, ...patterns: (RegExp | string)[]): void {
  let err: unknown;
  try {
    apply(o);
  } catch (e) {
    err = e;
  }
  expect(err, `overrides ${JSON.stringify(o)} were accepted`).toBeInstanceOf(ConfigError);
  const msg = (err as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
}

describe('defaults', () => {
  it('DEFAULT_CONFIG validates and applying no overrides is the identity', () => {
    expect(() => validateRunConfig(structuredClone(DEFAULT_CONFIG))).not.toThrow();
    const c = apply({});
    expect(c.model).toEqual(DEFAULT_CONFIG.model);
    expect(c.train).toEqual(DEFAULT_CONFIG.train);
    expect(c.task.config).toEqual(addition.defaults);
  });

  it('applyOverrides never mutates its base', () => {
    const before = structuredClone(DEFAULT_CONFIG);
    apply({ lr: '1e-3', preset: 'nano', 'model.nLayer': '2', digits: '5' });
    expect(DEFAULT_CONFIG).toEqual(before);
  });
});

describe('applyOverrides: accepted forms', () => {
  it('bare key resolves to its section and parses the number', () => {
    expect(apply({ lr: '1e-3' }).train.lr).toBe(0.001);
    expect(apply({ steps: '20' }).train.steps).toBe(20);
    expect(apply({ temperature: '0.5' }).eval.temperature).toBe(0.5);
    expect(apply({ lr: 0.002 }).train.lr).toBe(0.002); // numbers from URL/JSON pass as is
  });

  it('dotted keys', () => {
    expect(apply({ 'train.lr': '2e-3' }).train.lr).toBe(0.002);
    const c = apply({ 'model.nLayer': '2' });
    expect(c.model.nLayer).toBe(2);
    expect(apply({ 'eval.n': '10' }).eval.n).toBe(10);
  });

  it('task knobs, bare or dotted, are numbers in the task config', () => {
    expect(apply({ digits: '2' }).task.config.digits).toBe(2);
    expect(apply({ 'task.digits': '4' }).task.config.digits).toBe(4);
    expect(apply({ format: 'reversed' }).task.config.format).toBe('reversed');
    expect(apply({ task: 'addition', digits: '2' }).task.config.digits).toBe(2);
  });

  it('task knobs are validated together, whatever their order', () => {
    const c = apply({ minDigits: '4', digits: '5' });
    expect([c.task.config.minDigits, c.task.config.digits]).toEqual([4, 5]);
  });

  it('preset switches all three sizes and names the preset', () => {
    const c = apply({ preset: 'nano' });
    expect(c.model.preset).toBe('nano');
    expect({ nLayer: c.model.nLayer, nHead: c.model.nHead, nEmbd: c.model.nEmbd }).toEqual(PRESETS.nano);
    expect(apply({ 'model.preset': 'mini' }).model.nEmbd).toBe(PRESETS.mini.nEmbd);
  });

  it('setting a size makes the preset "custom" (whatever the key order); blockSize does not', () => {
    for (const o of [{ preset: 'nano', 'model.nLayer': '2' }, { 'model.nLayer': '2', preset: 'nano' }]) {
      const c = apply(o);
      expect(c.model.preset).toBe('custom');
      expect([c.model.nLayer, c.model.nHead, c.model.nEmbd]).toEqual([2, PRESETS.nano.nHead, PRESETS.nano.nEmbd]);
    }
    expect(apply({ nEmbd: '64', nHead: '4' }).model.preset).toBe('custom');
    expect(apply({ 'model.blockSize': '64' }).model.preset).toBe(DEFAULT_CONFIG.model.preset);
  });
});

describe('applyOverrides: rejected input (ConfigError naming the key)', () => {
  it('unknown keys, bare, dotted, or in the task', () => {
    rejects({ foo: '1' }, '--foo');
    rejects({ 'train.foo': '1' }, 'train.foo');
    rejects({ 'model.foo.bar': '1' }, 'model.foo.bar');
    rejects({ 'optim.lr': '1' }, 'optim.lr');
    rejects({ 'task.foo': '1' }, '"foo"');
    rejects({ 'train.totalSteps.x': '1' }, 'train.totalSteps.x');
  });

  it('prototype-ish keys are unknown, not silently applied', () => {
    const o = JSON.parse('{"__proto__": "1"}') as Record<string, unknown>;
    rejects(o, '__proto__');
    rejects({ constructor: '1' }, 'constructor');
    rejects({ toString: '1' }, 'toString');
    rejects({ 'model.__proto__': '1' }, '__proto__');
    rejects({ 'train.hasOwnProperty': '1' }, 'hasOwnProperty');
  });

  it('bad numbers', () => {
    rejects({ lr: 'abc' }, '--lr', 'expected a number', '"abc"');
    rejects({ lr: '' }, '--lr');
    rejects({ lr: '1e-3x' }, '--lr');
    rejects({ 'train.steps': 'NaN' }, 'train.steps');
    rejects({ steps: '1.5' }, 'train.steps must be an integer');
    rejects({ lr: '-1' }, 'train.lr');
    rejects({ batchSize: '0' }, 'train.batchSize');
    rejects({ 'model.nHead': '5' }, 'divisible');
  });

  it('switching to an unknown task', () => {
    rejects({ task: 'nope' }, 'unknown task "nope"', 'addition');
    rejects({ 'task.name': 'nope' }, 'unknown task "nope"');
  });

  it('unknown preset', () => {
    rejects({ preset: 'huge' }, '"huge"', 'nano');
  });

  it('blockSize too small for the task', () => {
    const need = sequenceLength(apply({}));
    rejects({ 'model.blockSize': '8' }, 'model.blockSize 8 is too short', `needs ${need} tokens`);
    rejects({ 'model.blockSize': String(need - 1) }, 'too short');
    expect(apply({ 'model.blockSize': String(need) }).model.blockSize).toBe(need);
    // A larger task needs more context: the check runs after the task knobs are applied.
    rejects({ 'model.blockSize': String(need), digits: '4' }, 'too short');
  });

  it('out-of-range task knob, with the range in the message', () => {
    rejects({ digits: '13' }, 'digits', '[1, 12]', '"13"');
    rejects({ 'task.digits': '0' }, '[1, 12]');
    rejects({ digits: '2.5' }, 'an integer');
    rejects({ digits: 'three' }, 'digits');
    rejects({ format: 'bogus' }, 'format must be one of scratchpad, plain, reversed');
  });

  it('minDigits > digits', () => {
    rejects({ minDigits: '3', digits: '2' }, 'minDigits (3) must be <= digits (2)');
  });

  it('a bare key present in two sections is ambiguous', () => {
    const base = structuredClone(DEFAULT_CONFIG) as RunConfig;
    (base.eval as unknown as Record<string, unknown>).lr = 1;
    let err: unknown;
    try {
      applyOverrides(base, { lr: '1e-3' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/--lr is ambiguous: say --train\.lr or --eval\.lr/);
  });
});

describe('modelConfigOf', () => {
  const tok = new Tokenizer();

  it('derives blockSize as the smallest multiple of 8 >= sequenceLength, for every digits and format', () => {
    for (const format of ['scratchpad', 'plain', 'reversed']) {
      for (let digits = 1; digits <= 12; digits++) {
        const cfg = apply({ digits: String(digits), format });
        const need = sequenceLength(cfg);
        const m = modelConfigOf(cfg, tok);
        expect(m.blockSize % 8).toBe(0);
        expect(m.blockSize).toBeGreaterThanOrEqual(need);
        expect(m.blockSize).toBeLessThan(need + 8);
        expect(m.vocabSize).toBe(103);
        expect([m.nLayer, m.nHead, m.nEmbd]).toEqual([cfg.model.nLayer, cfg.model.nHead, cfg.model.nEmbd]);
      }
    }
  });

  it('works on DEFAULT_CONFIG as exported (its task config is {}: defaults must fill in, not give NaN)', () => {
    const viaOverrides = apply({});
    expect(sequenceLength(DEFAULT_CONFIG)).toBe(sequenceLength(viaOverrides));
    expect(modelConfigOf(DEFAULT_CONFIG, tok).blockSize).toBe(modelConfigOf(viaOverrides, tok).blockSize);
  });

  it('uses an explicit blockSize as given', () => {
    expect(modelConfigOf(apply({ 'model.blockSize': '100' })).blockSize).toBe(100);
  });

  it('sequenceLength is exactly what the worst-case training example needs', () => {
    for (const format of ['scratchpad', 'plain', 'reversed'] as const) {
      for (const digits of [1, 3, 12]) {
        const cfg = apply({ digits: String(digits), format });
        const tc = cfg.task.config as unknown as AdditionConfig;
        const nines = '9'.repeat(digits);
        const p = { a: nines, b: nines };
        const ex = { prompt: addition.prompt(p, tc), completion: renderCompletion(addition.gold(p, tc), format === 'scratchpad') };
        const T = sequenceLength(cfg);
        expect(() => makeBatch(tok, [ex], T)).not.toThrow();
        expect(() => makeBatch(tok, [ex], T - 1)).toThrow(/needs/);
        expect(() => makeBatch(tok, [ex], modelConfigOf(cfg, tok).blockSize)).not.toThrow();
      }
    }
  });
});

// --- The RL stage's settings: stage, the rl section, bare-key resolution, pass@k lists. ---
// (imports of this section kept here, beside the tests that use them)
import { DEFAULT_RL, parsePassK, withDefaults } from '../src/run-config.ts';

describe('RL settings', () => {
  it('with --stage rl, bare --steps/--lr/--temperature/--warmupSteps mean the rl.* ones', () => {
    const c = apply({ stage: 'rl', steps: '7', lr: '3e-3', temperature: '0.6', warmupSteps: '2' });
    expect(c.stage).toBe('rl');
    expect([c.rl.steps, c.rl.lr, c.rl.temperature, c.rl.warmupSteps]).toEqual([7, 0.003, 0.6, 2]);
    expect([c.train.steps, c.train.lr, c.eval.temperature, c.train.warmupSteps]).toEqual([
      DEFAULT_CONFIG.train.steps, DEFAULT_CONFIG.train.lr, DEFAULT_CONFIG.eval.temperature, DEFAULT_CONFIG.train.warmupSteps,
    ]);
    // the stage decides whatever the order of the keys
    expect(apply({ steps: '9', stage: 'rl' }).rl.steps).toBe(9);
    // the other phase stays reachable by its dotted name
    const d = apply({ stage: 'rl', 'train.lr': '2e-3', 'eval.temperature': '0.3' });
    expect([d.train.lr, d.eval.temperature, d.rl.lr]).toEqual([0.002, 0.3, DEFAULT_RL.lr]);
  });

  it.each([undefined, 'sft', 'sft+rl'])('with --stage %s, bare keys mean train.* / eval.*', (stage) => {
    const c = apply({ ...(stage ? { stage } : {}), steps: '7', lr: '3e-3', temperature: '0.6' });
    expect(c.stage).toBe(stage ?? 'sft');
    expect([c.train.steps, c.train.lr, c.eval.temperature]).toEqual([7, 0.003, 0.6]);
    expect(c.rl).toEqual(DEFAULT_RL);
    // rl-only keys need no prefix in any stage; rl.* always works
    const d = apply({ ...(stage ? { stage } : {}), algo: 'rloo', group: '4', 'rl.steps': '3', 'rl.lr': '1e-3' });
    expect([d.rl.algo, d.rl.group, d.rl.steps, d.rl.lr]).toEqual(['rloo', 4, 3, 0.001]);
  });

  it.each([
    [{ stage: 'ppo' }, '--stage', /unknown stage "ppo"/],
    [{ 'rl.algo': 'ppo' }, 'rl.algo', /grpo, drgrpo, rloo, reinforce/],
    [{ 'rl.steps': '1.5' }, 'rl.steps'],
    [{ 'rl.steps': '-1' }, 'rl.steps'],
    [{ 'rl.prompts': '0' }, 'rl.prompts'],
    [{ 'rl.group': '0' }, 'rl.group'],
    [{ 'rl.group': '257' }, 'rl.group'],
    [{ 'rl.algo': 'rloo', 'rl.group': '1' }, 'rl.group', /rloo/],
    [{ 'rl.temperature': '0' }, 'rl.temperature'],
    [{ 'rl.scheme': 'bogus' }, 'rl.scheme', /binary/],
    [{ 'rl.lr': '0' }, 'rl.lr'],
    [{ 'rl.warmupSteps': '-2' }, 'rl.warmupSteps'],
    [{ 'rl.clip': '1' }, 'rl.clip'],
    [{ 'rl.epochs': '0' }, 'rl.epochs'],
    [{ 'rl.epochs': '17' }, 'rl.epochs'],
    [{ 'rl.kl': '-0.1' }, 'rl.kl'],
    [{ 'rl.entropy': '2' }, 'rl.entropy'],
    [{ 'rl.zeroVar': 'drop' }, 'rl.zeroVar', /keep, skip/],
    [{ 'rl.baselineMomentum': '1' }, 'rl.baselineMomentum'],
    [{ 'rl.rolloutsMB': '-1' }, 'rl.rolloutsMB'],
    [{ 'rl.lr': 'abc' }, '--rl.lr', /expected a number/],
    [{ 'rl.bogus': '1' }, '--rl.bogus', /unknown setting/],
    [{ 'eval.passk': '1,0' }, 'eval.passk'],
    [{ 'eval.passk': '1,x' }, 'eval.passk'],
    [{ 'eval.passk': '1,8', 'eval.passkN': '4' }, 'eval.passkN'],
  ] as [Record<string, unknown>, string, RegExp?][])('rejects %j with a ConfigError naming %s', (o, field, extra) => {
    if (extra) rejects(o, field, extra);
    else rejects(o, field);
  });

  it('parsePassK sorts and dedupes; "" is off', () => {
    expect(parsePassK('16, 1,4,1')).toEqual([1, 4, 16]);
    expect(parsePassK('')).toEqual([]);
    expect(parsePassK('  ')).toEqual([]);
    expect(apply({ 'eval.passk': '1,4', 'eval.passkN': '8' }).eval).toMatchObject({ passk: '1,4', passkN: 8 });
  });

  it('withDefaults fills an old config that lacks stage and rl (and partial sections)', () => {
    const old = structuredClone(DEFAULT_CONFIG) as Partial<RunConfig>;
    delete old.stage;
    delete old.rl;
    old.train = { ...DEFAULT_CONFIG.train, steps: 123 };
    const frozen = structuredClone(old);
    const c = withDefaults(old as RunConfig);
    expect(old).toEqual(frozen); // not mutated
    expect(c.stage).toBe('sft');
    expect(c.rl).toEqual(DEFAULT_RL);
    expect(c.train.steps).toBe(123);
    expect(() => validateRunConfig(c)).not.toThrow();
    // a partial rl section keeps its values and gains the rest
    const p = withDefaults({ ...(old as RunConfig), rl: { algo: 'rloo', group: 4 } as RunConfig['rl'] });
    expect(p.rl).toEqual({ ...DEFAULT_RL, algo: 'rloo', group: 4 });
    // an old eval section without passk gains it
    const { passk: _p, passkN: _n, ...oldEval } = DEFAULT_CONFIG.eval;
    expect(withDefaults({ ...(old as RunConfig), eval: oldEval as RunConfig['eval'] }).eval).toEqual(DEFAULT_CONFIG.eval);
    // overrides apply on top of an old config
    expect(applyOverrides(old as RunConfig, { stage: 'rl', steps: '5' }).rl.steps).toBe(5);
  });
});

describe('the RL optimizer section', () => {
  it('gives the RL phase its own AdamW settings: constant lr after warmup, no weight decay, the SFT betas by default', () => {
    const r = DEFAULT_CONFIG.rl;
    // What the RL trainer used before it had a section (spreading train), for the default config.
    const before = { ...DEFAULT_CONFIG.train, lr: r.lr, minLr: r.lr, warmupSteps: r.warmupSteps, totalSteps: r.steps, weightDecay: 0 };
    const o = rlOptim(r);
    for (const k of ['lr', 'minLr', 'warmupSteps', 'totalSteps', 'weightDecay', 'beta1', 'beta2', 'eps', 'gradClip'] as const) expect(o[k], k).toBe(before[k]);
    expect(rlOptim({ ...r, steps: 0 }).totalSteps).toBe(1);
  });

  it('keeps --rl.gradClip and --gradClip apart, and validates the RL settings', () => {
    const sftrl = applyOverrides(DEFAULT_CONFIG, { stage: 'sft+rl', gradClip: '0.5', 'rl.gradClip': '2', 'rl.beta2': '0.95' });
    expect([sftrl.train.gradClip, sftrl.rl.gradClip, sftrl.rl.beta2, sftrl.train.beta2]).toEqual([0.5, 2, 0.95, DEFAULT_CONFIG.train.beta2]);
    // A bare key under --stage rl means the RL phase.
    expect(applyOverrides(DEFAULT_CONFIG, { stage: 'rl', gradClip: '3' }).rl.gradClip).toBe(3);
    expect(() => validateRunConfig(applyOverrides(DEFAULT_CONFIG, { 'rl.beta1': '1' }))).toThrow(/rl\.beta1 and rl\.beta2 must be in \[0, 1\)/);
    expect(() => validateRunConfig(applyOverrides(DEFAULT_CONFIG, { 'rl.weightDecay': '-0.1' }))).toThrow(/rl\.weightDecay must be in \[0, 1\), got -0\.1/);
  });
});
