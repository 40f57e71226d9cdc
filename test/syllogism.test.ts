// Syllogism task, word prompt (`trace` and `plain` formats): hand-written examples, every answer
// re-justified independently (a proof walk or a countermodel built here from scratch), gold
// completions across knobs, mutations with the right first_wrong_step, hostile completions,
// determinism, length bounds and the answer distribution. The default `scan` format has its own
// file (syllogism-scan.test.ts); this one pins format `trace` unless a test says otherwise.

import { describe, it, expect } from 'vitest';
import { Rng } from '../src/rng.ts';
import { renderCompletion, tokenLength } from '../src/tasks/format.ts';
import { syllogism, decide, checkWalk, type Premise, type SyllogismConfig, type SyllogismProblem } from '../src/tasks/syllogism.ts';
import { checkOf as check, expectAnswersRejected, expectDeterministic, expectEmptyThinkNoStepCredit, expectFormatBroken, expectGoldVerdict, expectPlainAscii, expectRewardSchemes, expectTruncatedPassesThrough, expectWrongAnswer, expectWrongAnswerPaidLess, expectWrongStepStillPaid, generateMany, hostileSuite, junkFrom } from './helpers/task.ts';

const cfgOf = (over: Partial<SyllogismConfig> = {}): SyllogismConfig => ({ ...syllogism.defaults, format: 'trace', ...over });
const CFG = cfgOf();
const goldText = (p: SyllogismProblem, cfg: SyllogismConfig = CFG) => renderCompletion(syllogism.gold(p, cfg), cfg.format === 'trace');
const all = (x: string, y: string): Premise => ({ kind: 'all', x, y });
const no = (x: string, y: string): Premise => ({ kind: 'no', x, y });
const prob = (premises: Premise[], a: string, c: string): SyllogismProblem => ({ premises, a, c });

const problems = (seed: number, n: number, cfg: SyllogismConfig) => generateMany(syllogism, seed, n, cfg);

// Worked example: wug ⊆ dax ⊆ fep, with a distractor.
const YES = prob([all('dax', 'fep'), no('kip', 'dax'), all('wug', 'dax')], 'wug', 'fep');
const v = (completion: string, opts?: { truncated?: boolean; scheme?: string }, p = YES) => syllogism.verify(p, completion, CFG, opts);
const GOOD = '<think>wug-dax,dax-fep</think><answer>yes</answer>';

describe('hand-written examples', () => {
  const cases: [string, SyllogismProblem, string, string][] = [
    ['chain', YES, 'wug-dax,dax-fep', 'yes'],
    ['one link', prob([all('wug', 'fep')], 'wug', 'fep'), 'wug-fep', 'yes'],
    ['A under P, P disjoint from C', prob([all('wug', 'dax'), no('dax', 'fep')], 'wug', 'fep'), 'wug-dax,dax~fep', 'no'],
    ['no-premise written the other way round', prob([all('wug', 'dax'), no('fep', 'dax')], 'wug', 'fep'), 'wug-dax,dax~fep', 'no'],
    ['C under Q, A disjoint from Q', prob([no('wug', 'kip'), all('fep', 'kip')], 'wug', 'fep'), 'wug~kip,fep-kip', 'no'],
    ['witness below A: zot ⊆ wug, zot disjoint from fep', prob([all('zot', 'wug'), no('zot', 'fep')], 'wug', 'fep'), 'zot-wug,zot~fep', 'no'],
    ['plain disjointness', prob([no('wug', 'fep')], 'wug', 'fep'), 'wug~fep', 'no'],
    ['converse', prob([all('fep', 'dax'), all('dax', 'wug')], 'wug', 'fep'), 'none', 'unknown'],
    ['undistributed middle', prob([all('wug', 'dax'), all('fep', 'dax')], 'wug', 'fep'), 'none', 'unknown'],
    ['broken chain (reversed link)', prob([all('wug', 'dax'), all('fep', 'dax')], 'wug', 'fep'), 'none', 'unknown'],
    ['C side points the wrong way', prob([all('wug', 'dax'), no('dax', 'kip'), all('kip', 'fep')], 'wug', 'fep'), 'none', 'unknown'],
    ['A ⊇ Z ⊆ C is not enough', prob([all('dax', 'wug'), all('dax', 'fep')], 'wug', 'fep'), 'none', 'unknown'],
    ['no premises at all', prob([], 'wug', 'fep'), 'none', 'unknown'],
    ['disjointness between A and C reversed through a superset of A', prob([all('wug', 'dax'), no('fep', 'kip')], 'wug', 'fep'), 'none', 'unknown'],
  ];
  for (const [name, p, trace, answer] of cases) {
    it(`${name}: ${answer}`, () => {
      expect(decide(p)).toBe(answer);
      expect(syllogism.gold(p, CFG)).toEqual({ trace, answer });
      expect(syllogism.verify(p, goldText(p), CFG).correct).toBe(true);
      expect(syllogism.gold(p, cfgOf({ format: 'plain' }))).toEqual({ trace: '', answer });
    });
  }

  it('prompt grammar', () => {
    expect(syllogism.prompt(YES, CFG)).toBe('all dax fep.no kip dax.all wug dax.all wug fep?=');
    expect(syllogism.prompt(prob([], 'wug', 'fep'), CFG)).toBe('all wug fep?=');
  });

  it('inconsistent premises are refused by the checker', () => {
    expect(() => decide(prob([all('wug', 'dax'), all('wug', 'fep'), no('dax', 'fep')], 'wug', 'zot'))).toThrow(/inconsistent/);
    expect(() => syllogism.gold(prob([no('wug', 'wug')], 'wug', 'fep'), CFG)).toThrow(/inconsistent/);
  });

  it('canonical ignores premise order and the direction of no-premises, but not the question', () => {
    const a = prob([all('wug', 'dax'), no('dax', 'fep')], 'wug', 'fep');
    const b = prob([no('fep', 'dax'), all('wug', 'dax')], 'wug', 'fep');
    expect(syllogism.canonical(a)).toBe(syllogism.canonical(b));
    expect(syllogism.gold(a, CFG)).toEqual(syllogism.gold(b, CFG));
    expect(syllogism.canonical(a)).not.toBe(syllogism.canonical(prob(a.premises, 'fep', 'wug')));
  });
});

// ---- an independent justification of every answer: a proof or a countermodel -------------------

/** Canonical model: term X is interpreted as {Z : Z reaches X by all-links}; closure by Floyd-Warshall. */
function canonicalModel(ps: Premise[], terms: string[]): Map<string, Set<string>> {
  const idx = new Map(terms.map((t, i) => [t, i]));
  const n = terms.length;
  const r = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j));
  for (const p of ps) if (p.kind === 'all') r[idx.get(p.x)!]![idx.get(p.y)!] = true;
  for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (r[i]![k] && r[k]![j]) r[i]![j] = true;
  return new Map(terms.map((t, j) => [t, new Set(terms.filter((_, i) => r[i]![j]))]));
}
function satisfies(m: Map<string, Set<string>>, ps: Premise[]): boolean {
  for (const s of m.values()) if (s.size === 0) return false;
  return ps.every((p) => {
    const x = m.get(p.x)!;
    const y = m.get(p.y)!;
    return p.kind === 'all' ? [...x].every((e) => y.has(e)) : [...x].every((e) => !y.has(e));
  });
}
function justify(p: SyllogismProblem, answer: string, trace: string): void {
  const terms = [...new Set([p.a, p.c, ...p.premises.flatMap((q) => [q.x, q.y])])];
  const m = canonicalModel(p.premises, terms);
  expect(satisfies(m, p.premises), 'premises are consistent').toBe(true);
  const aInC = [...m.get(p.a)!].every((e) => m.get(p.c)!.has(e));
  if (answer === 'yes' || answer === 'no') {
    // The trace is a sound proof (soundness of walks is argued in the task header).
    expect(checkWalk(p, trace, answer)).toBeNull();
  }
  if (answer !== 'yes') expect(aInC, 'a model where not all A are C').toBe(false);
  if (answer === 'unknown') {
    const ext = [...p.premises, all(p.a, p.c)];
    expect(satisfies(canonicalModel(ext, terms), p.premises), 'a model where all A are C').toBe(true);
  }
  if (answer === 'yes') expect(aInC).toBe(true);
}

describe('gold completions', () => {
  it('pass every check for many generated problems across all knob settings, and every answer is justified', () => {
    for (let chainLength = 1; chainLength <= 4; chainLength++) {
      for (let distractors = 0; distractors <= 4; distractors++) {
        for (const format of ['trace', 'plain'] as const) {
          const cfg = cfgOf({ chainLength, distractors, format });
          for (const p of problems(chainLength * 10 + distractors, 150, cfg)) {
            const g = syllogism.gold(p, cfg);
            const r = syllogism.verify(p, goldText(p, cfg), cfg);
            expectGoldVerdict(r, g.answer, syllogism.prompt(p, cfg));
            if (format === 'trace') justify(p, g.answer, g.trace);
            expect(check(r, 'steps') === undefined).toBe(format === 'plain');
          }
        }
      }
    }
  });

  it('answers are roughly uniform over 1,000 problems at the defaults, and at every chain length', () => {
    for (let chainLength = 1; chainLength <= 4; chainLength++) {
      const cnt: Record<string, number> = { yes: 0, no: 0, unknown: 0 };
      for (const p of problems(99 + chainLength, 1000, cfgOf({ chainLength }))) cnt[decide(p)]!++;
      for (const k of ['yes', 'no', 'unknown']) expect(cnt[k]!, `${k} at chainLength ${chainLength}`).toBeGreaterThan(250);
    }
  });

  it('generated problems: distinct 3-letter words, no self-links, no repeated pairs, requested premise count', () => {
    for (const p of problems(7, 1000, CFG)) {
      const n = p.premises.length;
      expect(n).toBeLessThanOrEqual(CFG.chainLength + CFG.distractors);
      expect(n).toBeGreaterThanOrEqual(CFG.chainLength - 1);
      expect(p.a).not.toBe(p.c);
      const pairs = new Set<string>();
      for (const q of p.premises) {
        expect(q.x).not.toBe(q.y);
        for (const w of [q.x, q.y]) expect(/^[a-z]{3}$/.test(w)).toBe(true);
        const key = [q.x, q.y].sort().join(' ');
        expect(pairs.has(key)).toBe(false);
        pairs.add(key);
      }
    }
  });
});

describe('mutations', () => {
  const NO = prob([all('wug', 'dax'), all('dax', 'zot'), no('zot', 'fep')], 'wug', 'fep');
  const vn = (c: string) => syllogism.verify(NO, c, CFG);

  it('gold of the no example', () => {
    expect(goldText(NO)).toBe('<think>wug-dax,dax-zot,zot~fep</think><answer>no</answer>');
  });

  it('a wrong answer: format ok, outcome wrong, reward 0', () => {
    for (const a of ['no', 'unknown']) {
      expectWrongAnswer(v(`<think>wug-dax,dax-fep</think><answer>${a}</answer>`), `expected yes, got ${a}`);
    }
  });

  it('a wrong step (not a premise): step 2', () => {
    // Documented: steps do not gate `correct`.
    expectWrongStepStillPaid(v('<think>wug-dax,dax-zot</think><answer>yes</answer>'), { step: 2, reason: 'step 2: all dax zot is not a premise' });
  });

  it('a step that does not connect: step 1', () => {
    expect(v('<think>dax-fep,wug-dax</think><answer>yes</answer>').first_wrong_step).toEqual({ step: 1, reason: 'step 1: dax-fep does not continue the walk at wug' });
  });

  it('a link walked backwards in a yes proof: step 2', () => {
    const p = prob([all('wug', 'dax'), all('fep', 'dax')], 'wug', 'zot');
    expect(checkWalk(p, 'wug-dax,fep-dax', 'yes')?.step).toBe(2);
  });

  it('a missing step: step 2 missing, and an empty think: step 1 missing', () => {
    expect(v('<think>wug-dax</think><answer>yes</answer>').first_wrong_step).toEqual({ step: 2, reason: 'missing step 2: the walk ends at dax, not at fep' });
    expect(v('<think></think><answer>yes</answer>').first_wrong_step?.step).toBe(1);
    expect(vn('<think>wug-dax,dax-zot</think><answer>no</answer>').first_wrong_step).toEqual({ step: 3, reason: 'missing step 3: the walk ends at zot before a no-link, not at fep' });
  });

  it('an extra step after reaching C: step 3', () => {
    const r = v('<think>wug-dax,dax-fep,dax-fep</think><answer>yes</answer>');
    expect(r.first_wrong_step).toEqual({ step: 3, reason: 'extra step 3: the walk already reached fep' });
  });

  it('no walks: a no-link in a yes proof, a made-up no-link, two no-links, going down after up', () => {
    expect(v('<think>wug-dax,dax~kip</think><answer>yes</answer>').first_wrong_step?.reason).toMatch(/a no-link cannot prove/);
    expect(vn('<think>wug-dax,dax~fep</think><answer>no</answer>').first_wrong_step).toEqual({ step: 2, reason: 'step 2: no dax fep is not a premise' });
    const p = prob([no('wug', 'dax'), no('dax', 'fep')], 'wug', 'fep');
    expect(checkWalk(p, 'wug~dax,dax~fep', 'no')).toEqual({ step: 2, reason: 'step 2: a second no-link' });
    const q = prob([all('wug', 'dax'), all('zot', 'dax'), no('zot', 'fep')], 'wug', 'fep');
    expect(decide(q)).toBe('unknown');
    expect(checkWalk(q, 'wug-dax,zot-dax,zot~fep', 'no')?.step).toBe(2);
  });

  it('an alternative valid walk is accepted; a no-premise may be crossed from either side', () => {
    const p = prob([all('wug', 'dax'), all('dax', 'fep'), all('wug', 'kip'), all('kip', 'fep')], 'wug', 'fep');
    expect(syllogism.gold(p, CFG).trace).toBe('wug-dax,dax-fep');
    expect(syllogism.verify(p, '<think>wug-kip,kip-fep</think><answer>yes</answer>', CFG).first_wrong_step).toBeNull();
    expect(vn('<think>wug-dax,dax-zot,fep~zot</think><answer>no</answer>').first_wrong_step?.step).toBe(3);
  });

  it('unknown: the trace must be "none"', () => {
    const p = prob([all('wug', 'dax'), all('fep', 'dax')], 'wug', 'fep');
    expect(syllogism.verify(p, '<think>none</think><answer>unknown</answer>', CFG).correct).toBe(true);
    const r = syllogism.verify(p, '<think>wug-dax</think><answer>unknown</answer>', CFG);
    expect(r.first_wrong_step).toEqual({ step: 1, reason: 'step 1: expected none (no derivation), got "wug-dax"' });
    expect(v('<think>none</think><answer>yes</answer>').first_wrong_step?.step).toBe(1);
  });

  it('steps with spaces or odd link syntax: that step is wrong', () => {
    expect(v('<think>wug-dax, dax-fep</think><answer>yes</answer>').first_wrong_step?.step).toBe(2);
    for (const s of ['wug--dax', 'wug-dax-fep', 'wug', '-dax', 'WUG-DAX', 'wug>dax']) {
      expect(v(`<think>${s}</think><answer>yes</answer>`).first_wrong_step?.step, s).toBe(1);
    }
  });

  it('a broken tag: format fails, not correct', () => {
    expectFormatBroken(v, ['<think>wug-dax,dax-fep</think><answer>yes</answer', '<think>wug-dax,dax-fep<answer>yes</answer>', 'think>wug-dax,dax-fep</think><answer>yes</answer>', '<answer>yes</answer>']);
  });

  it('answer padding is trimmed; case and synonyms are not accepted', () => {
    expect(v('<think>wug-dax,dax-fep</think><answer> yes </answer>').correct).toBe(true);
    const answers = ['Yes', 'YES', 'y', 'true', 'yes.', 'yes no', 'yes/no/unknown'];
    expectAnswersRejected((a) => v(`<think>wug-dax,dax-fep</think><answer>${a}</answer>`), answers, /is not yes, no or unknown/);
  });
});

describe('hostile completions: none crash, none paid as correct', () => {
  const junk = junkFrom(new Rng(5));
  const T = 'wug-dax,dax-fep';
  const hostile: [string, string][] = [
    ['empty', ''],
    ['whitespace', '   \n\t '],
    ['several answer blocks', `<think>${T}</think><answer>yes</answer><answer>yes</answer>`],
    ['answers for every option', `<think>${T}</think><answer>no</answer><answer>yes</answer><answer>unknown</answer>`],
    ['all options stuffed into one answer', `<think>${T}</think><answer>yes no unknown</answer>`],
    ['all options, comma separated', `<think>${T}</think><answer>yes,no,unknown</answer>`],
    ['answer nested in think', `<think>${T}<answer>yes</answer></think><answer>yes</answer>`],
    ['think nested in answer', `<answer><think>${T}</think>yes</answer>`],
    ['two thinks', `<think><think>${T}</think><answer>yes</answer>`],
    ['stray close tag in answer', `<think>${T}</think><answer>yes</think></answer>`],
    ['huge number', `<think>${T}</think><answer>${'9'.repeat(5000)}</answer>`],
    ['__proto__', `<think>__proto__-constructor</think><answer>__proto__</answer>`],
    ['constructor', `<think>constructor~toString</think><answer>constructor</answer>`],
    ['hasOwnProperty', `<think>${T}</think><answer>hasOwnProperty</answer>`],
    ['code', `<think>${T}</think><answer>process.exit(1)</answer>`],
    ['eval-ish', `<think>${T}</think><answer>\${1+1}</answer>`],
    ['NUL and control characters', `<think>${T}</think><answer>yes\u0000\u0007\u001b[31m</answer>`],
    ['zero-width space', `<think>${T}</think><answer>y\u200bes</answer>`],
    ['lone surrogate', `<think>${T}</think><answer>yes\ud800</answer>`],
    ['100 KB garbage', junk(100_000)],
    ['100 KB garbage in think, wrong answer', `<think>${junk(100_000)}</think><answer>no</answer>`],
    ['100 KB answer', `<think>${T}</think><answer>${'yes'.repeat(33_000)}</answer>`],
    ['100 KB of commas as steps', `<think>${','.repeat(100_000)}</think><answer>unknown</answer>`],
    ['100 K repeated tags', '<answer>'.repeat(12_500)],
    ['reversed tags', '</answer>yes<answer>'],
  ];
  hostileSuite(hostile, v);

  it('100 KB of a valid cycle in the think block is fast and its reason stays short', () => {
    const p = prob([all('wug', 'dax'), all('dax', 'wug'), all('dax', 'fep')], 'wug', 'fep');
    const t0 = performance.now();
    const r = syllogism.verify(p, `<think>${'wug-dax,dax-wug,'.repeat(6000)}</think><answer>no</answer>`, CFG);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.correct).toBe(false);
    expect(r.first_wrong_step!.reason.length).toBeLessThan(200);
  });
});

describe('rewards and flags', () => {
  it('binary and tinyzero', () => {
    expectRewardSchemes(v, { good: GOOD, wrong: '<think>wug-dax,dax-fep</think><answer>no</answer>', unanswered: '<think>wug-dax,dax-fep</think>' });
  });

  it('truncated passes through', () => {
    expectTruncatedPassesThrough(v, GOOD, '<think>wug-dax,dax-fep</think><answer>ye');
  });

  it('plain format: the answer alone passes; no steps check', () => {
    const cfg = cfgOf({ format: 'plain' });
    expect(syllogism.verify(YES, '<answer>yes</answer>', cfg).correct).toBe(true);
    expect(syllogism.verify(YES, '<answer>no</answer>', cfg).correct).toBe(false);
    expect(check(syllogism.verify(YES, '<answer>yes</answer>', cfg), 'steps')).toBeUndefined();
  });
});

describe('generation', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expectDeterministic((seed) => problems(seed, 300, CFG), 3, 4);
  });

  it('knob ranges and defaults', () => {
    expect(syllogism.defaults).toEqual({ chainLength: 3, distractors: 2, format: 'scan' });
    expect(syllogism.options.format).toEqual(['scan', 'trace', 'plain']);
    expect(syllogism.knobs.chainLength).toMatchObject({ min: 1, max: 4, integer: true });
    expect(syllogism.knobs.distractors).toMatchObject({ min: 0, max: 4, integer: true });
  });
});

describe('length bounds', () => {
  it('maxPromptLength / maxCompletionLength bound 2,000 problems at every knob setting; text is plain ASCII', () => {
    for (let chainLength = 1; chainLength <= 4; chainLength++) {
      for (let distractors = 0; distractors <= 4; distractors++) {
        const cfg = cfgOf({ chainLength, distractors });
        const maxP = syllogism.maxPromptLength(cfg);
        const maxC = syllogism.maxCompletionLength(cfg);
        const n = chainLength === CFG.chainLength && distractors === CFG.distractors ? 2000 : 400;
        for (const p of problems(500 + chainLength * 10 + distractors, n, cfg)) {
          const prompt = syllogism.prompt(p, cfg);
          const g = syllogism.gold(p, cfg);
          expect(tokenLength(prompt)).toBeLessThanOrEqual(maxP);
          expect(tokenLength(goldText(p, cfg))).toBeLessThanOrEqual(maxC);
          expect(tokenLength(goldText(p, cfgOf({ chainLength, distractors, format: 'plain' })))).toBeLessThanOrEqual(syllogism.maxCompletionLength(cfgOf({ chainLength, distractors, format: 'plain' })));
          for (const s of [prompt, g.trace, g.answer]) expectPlainAscii(s);
          expect(prompt.endsWith('?=')).toBe(true);
        }
      }
    }
    expect(syllogism.maxPromptLength(CFG) + syllogism.maxCompletionLength(CFG)).toBeLessThanOrEqual(125);
  });
});

describe('no reward pays a wrong answer in full', () => {
  const ps = problems(12, 60, CFG);
  it('the generated problems cover yes, no and unknown', () => {
    expect(new Set(ps.map((p) => syllogism.gold(p, CFG).answer))).toEqual(new Set(['yes', 'no', 'unknown']));
  });
  const next = { yes: 'no', no: 'unknown', unknown: 'yes' } as Record<string, string>;
  const prev = { yes: 'unknown', no: 'yes', unknown: 'no' } as Record<string, string>;
  it('the gold steps with either wrong answer earn strictly less than the right answer, under every scheme', () => {
    expectWrongAnswerPaidLess(syllogism, CFG, ps, (_p, g) => next[g.answer]!);
    expectWrongAnswerPaidLess(syllogism, CFG, ps, (_p, g) => prev[g.answer]!);
  });
  it('an empty think earns no step credit', () => {
    expectEmptyThinkNoStepCredit(syllogism, CFG, ps, (_p, g) => next[g.answer]!);
  });
  it('unknown: "none" before yes or no earns no step credit (it once earned the full process reward)', () => {
    const p = prob([all('wug', 'dax'), all('fep', 'dax')], 'wug', 'fep');
    for (const a of ['yes', 'no']) {
      const r = syllogism.verify(p, `<think>none</think><answer>${a}</answer>`, CFG, { scheme: 'process' });
      expect(r.first_wrong_step).toEqual({ step: 1, reason: `step 1: none (no derivation) cannot support the answer ${a}` });
      expect(r.reward).toBe(0);
    }
    expect(syllogism.verify(p, '<think>none</think><answer>unknown</answer>', CFG, { scheme: 'process' }).reward).toBe(1);
    // A malformed answer after "none": the walk check alone decides the steps (none is right here).
    expect(check(syllogism.verify(p, '<think>none</think><answer>maybe</answer>', CFG), 'steps')?.passed).toBe(true);
  });
});
