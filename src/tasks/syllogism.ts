// Syllogism chains over nonsense words. Premises are "all X Y" (every X is a Y) and "no X Y" (no
// X is a Y); the question "all A C?" is answered yes / no / unknown.
//
// Semantics. Terms are non-empty sets. "all X Y" means X ⊆ Y; "no X Y" means X ∩ Y = ∅ (symmetric).
// Write X ≤ Y when Y is reachable from X by all-links (reflexive, transitive). Premises are
// consistent iff no term Z has both sides of a no-premise in its up-set {Y : Z ≤ Y}; generated
// problems are always consistent (gold() throws on inconsistent ones).
//   yes      iff the premises entail A ⊆ C        iff A ≤ C.
//   no       iff they entail "not all A are C"     iff premises + "all A C" are inconsistent.
//   unknown  otherwise.
// Exactness (canonical model): interpret each term X as {Z : Z ≤ X}. It satisfies every all-link,
// every term is non-empty (X ∈ X), and it satisfies every no-link exactly when the premises are
// consistent. So for consistent premises A ⊆ C fails in the canonical model unless A ≤ C, and a
// model with A ⊆ C exists iff premises + "all A C" are consistent (take that set's canonical model).
// The checker (`decide`, in syllogism-logic.ts) implements exactly these two tests.
//
// Formats. `scan` (the default since version 2, syllogism-scan.ts): terms renamed to letters, fixed
// premise slots, and a trace that labels every term pass by pass with what is proven about it
// relative to A. `plain`: the word prompt below and the answer alone. `trace` (version 1's default):
// the word prompt and a walk from A to C over premises, written as links separated by ','.
//   "x-y"  the premise "all x y";   "x~y"  the premise "no x y" (or "no y x"), crossed from x to y.
// A link is walked up (x-y from x to y) or down (x-y from y to x). For yes the walk goes only up,
// A ... C. For no it has the shape  down* up* ~ down*:  A ⊇ .. ⊇ Z ⊆ .. ⊆ P, P ∩ Q = ∅, Q ⊇ .. ⊇ C;
// if all A were C then Z ⊆ P ∩ Q would be empty, so not all A are C. Such a walk exists iff the
// answer is no (its endpoints are the Z, P, Q of the inconsistency of premises + "all A C"). The
// walk stops the first time it reaches its goal. For unknown the trace is "none" ("none" before an
// answer yes or no is a wrong step). The gold walk is the shortest, with ties broken by link text,
// so equal problems give equal golds.
// Word prompt (trace, plain): premises joined by '.', then the question: "all wug dax.no dax fep.all wug fep?=".
// Words are 3 lowercase letters, consonant-vowel-consonant, drawn from the rng.

import type { Rng } from '../rng.ts';
import { exactAnswerCheck, finishVerdict, formatCheck, parseCompletion } from './format.ts';
import type { Check, Gold, Task, Verdict } from './types.ts';
import { ANSWERS, checkWalk, consistent, decide, shortestWalk, termsOf, type Premise, type SyllogismAnswer, type SyllogismProblem } from './syllogism-logic.ts';
import { checkScan, scanCompletionLength, scanGold, scanPrompt, scanPromptLength, scanTraceText } from './syllogism-scan.ts';

export { ANSWERS, checkWalk, consistent, decide, shortestWalk, upSet, type Premise, type SyllogismAnswer, type SyllogismProblem } from './syllogism-logic.ts';

export interface SyllogismConfig {
  /** Links in the core chain (1-4). */
  chainLength: number;
  /** Extra premises that do not change the answer (0-4). */
  distractors: number;
  /** scan: letters, fixed slots, labels pass by pass; trace: a walk over the word premises; plain: the answer alone. */
  format: 'scan' | 'trace' | 'plain';
}

const FORMATS = ['scan', 'trace', 'plain'] as const;
const CONSONANTS = 'bcdfghjklmnprstvwz';
const VOWELS = 'aeiou';
const WORD_LEN = 3;

// ---------------------------------------------------------------- generation

function freshWord(rng: Rng, used: Set<string>): string {
  for (;;) {
    const w = rng.choice([...CONSONANTS]) + rng.choice([...VOWELS]) + rng.choice([...CONSONANTS]);
    if (!used.has(w)) {
      used.add(w);
      return w;
    }
  }
}

const all = (x: string, y: string): Premise => ({ kind: 'all', x, y });
const no = (x: string, y: string): Premise => ({ kind: 'no', x, y });

/** Up-chain t[0] ⊆ t[1] ⊆ ... as premises. */
const chainOf = (t: string[]): Premise[] => t.slice(1).map((y, i) => all(t[i]!, y));

/** The core premises for a target answer, `len` premises (or len-1 for a gap), and the question. */
function core(rng: Rng, len: number, target: SyllogismAnswer, used: Set<string>): SyllogismProblem {
  const words = (n: number) => Array.from({ length: n }, () => freshWord(rng, used));
  const noLink = (u: string, v: string) => (rng.int(2) ? no(u, v) : no(v, u));
  if (target === 'yes') {
    const t = words(len + 1);
    return { premises: chainOf(t), a: t[0]!, c: t[len]! };
  }
  if (target === 'no') {
    // Plain: A ⊆..⊆ P, no P Q, C ⊆..⊆ Q.  Witness (len >= 2): Z ⊆..⊆ A, Z ⊆..⊆ P, no P Q, C ⊆..⊆ Q.
    const rest = len - 1;
    if (len >= 2 && rng.int(3) === 0) {
      const d = rng.range(1, rest);
      const u = rng.range(0, rest - d);
      const cLen = rest - d - u;
      const down = words(d + 1); // down[0] = Z, down[d] = A
      const up = [down[0]!, ...words(u)];
      const cs = words(cLen + 1);
      return { premises: [...chainOf(down), ...chainOf(up), ...chainOf(cs), noLink(up[u]!, cs[cLen]!)], a: down[d]!, c: cs[0]! };
    }
    const aLen = rng.range(0, rest);
    const as = words(aLen + 1);
    const cs = words(rest - aLen + 1);
    return { premises: [...chainOf(as), ...chainOf(cs), noLink(as[aLen]!, cs[rest - aLen]!)], a: as[0]!, c: cs[0]! };
  }
  const kinds = len >= 2 ? 5 : 3;
  const kind = rng.int(kinds);
  if (kind === 0) {
    // A chain with one link reversed.
    const t = words(len + 1);
    const ps = chainOf(t);
    const i = rng.int(len);
    ps[i] = all(ps[i]!.y, ps[i]!.x);
    return { premises: ps, a: t[0]!, c: t[len]! };
  }
  if (kind === 1) {
    // A chain with one link missing.
    const t = words(len + 1);
    const ps = chainOf(t);
    ps.splice(rng.int(len), 1);
    return { premises: ps, a: t[0]!, c: t[len]! };
  }
  if (kind === 2) {
    // The chain runs from C to A (converse).
    const t = words(len + 1);
    return { premises: chainOf(t), a: t[len]!, c: t[0]! };
  }
  if (kind === 3) {
    // A and C under a common term (undistributed middle).
    const aLen = rng.range(1, len - 1);
    const as = words(aLen + 1);
    const cs = [...words(len - aLen), as[aLen]!];
    return { premises: [...chainOf(as), ...chainOf(cs)], a: as[0]!, c: cs[0]! };
  }
  // A ⊆..⊆ P, no P Q, Q ⊆..⊆ C (the C side points the wrong way).
  const aLen = rng.range(0, len - 2);
  const as = words(aLen + 1);
  const qs = words(len - 1 - aLen + 1);
  return { premises: [...chainOf(as), ...chainOf(qs), noLink(as[aLen]!, qs[0]!)], a: as[0]!, c: qs[qs.length - 1]! };
}

/** Premise slots of the scan format: the most premises a generated problem can have. */
const slotsOf = (cfg: SyllogismConfig) => cfg.chainLength + cfg.distractors;

const answerCheck = (raw: string | null, expected: string) =>
  exactAnswerCheck(raw, expected, (a) => (a === 'yes' || a === 'no' || a === 'unknown' ? null : `answer ${JSON.stringify(a.slice(0, 40))} is not yes, no or unknown`));

/** The scan format's verdict: layout, every step against the gold scan, the answer. */
function verifyScan(p: SyllogismProblem, completion: string, cfg: SyllogismConfig, opts: { truncated?: boolean; scheme?: string }): Verdict {
  const gold = scanGold(p, slotsOf(cfg));
  const parsed = parseCompletion(completion, true);
  const checks: Check[] = [formatCheck(parsed)];
  let firstWrong: Verdict['first_wrong_step'] = null;
  let stepsTotal: number | undefined;
  if (parsed.think !== null) {
    ({ firstWrong, stepsTotal } = checkScan(gold, parsed.think));
    checks.push({ name: 'steps', passed: firstWrong === null, detail: firstWrong ? firstWrong.reason : `${stepsTotal} steps ok` });
  }
  const { ans, outcomeOk, check } = answerCheck(parsed.answer, gold.answer);
  checks.push(check);
  return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
}

const samePair = (p: Premise, q: Premise) => (p.x === q.x && p.y === q.y) || (p.x === q.y && p.y === q.x);

function decideOrNull(p: SyllogismProblem): SyllogismAnswer | null {
  return consistent(p.premises) ? decide(p) : null;
}

export const syllogism: Task<SyllogismProblem, SyllogismConfig> = {
  name: 'syllogism',
  version: 2,
  description: 'Chains of "all X Y" / "no X Y" over nonsense words: are all A C? yes, no or unknown.',
  defaults: { chainLength: 3, distractors: 2, format: 'scan' },
  curriculum: [{ chainLength: 1, distractors: 0 }, { chainLength: 2, distractors: 1 }, { chainLength: 3, distractors: 2 }, { chainLength: 4, distractors: 4 }],
  knobs: {
    chainLength: { min: 1, max: 4, integer: true, help: 'links in the core chain' },
    distractors: { min: 0, max: 4, integer: true, help: 'extra premises that keep the answer' },
  },
  options: { format: FORMATS },

  generate(rng, cfg) {
    const target = rng.choice(ANSWERS);
    const used = new Set<string>();
    const base = core(rng, cfg.chainLength, target, used);
    const premises = [...base.premises];
    for (let d = 0; d < cfg.distractors; d++) {
      const terms = termsOf(premises, [base.a, base.c]);
      for (let attempt = 0; attempt < 30; attempt++) {
        const r = rng.int(3);
        const x = r === 2 ? freshWord(rng, new Set(used)) : rng.choice(terms);
        const y = r === 1 ? freshWord(rng, new Set(used)) : rng.choice(terms);
        if (x === y) continue;
        const cand: Premise = rng.int(10) < 7 ? all(x, y) : no(x, y);
        if (premises.some((q) => samePair(q, cand))) continue;
        const trial = { premises: [...premises, cand], a: base.a, c: base.c };
        if (decideOrNull(trial) !== target) continue;
        premises.push(cand);
        used.add(x);
        used.add(y);
        break;
      }
    }
    return { premises: rng.shuffle(premises), a: base.a, c: base.c };
  },

  // The premises as a set ("no" is symmetric), then the question.
  canonical: (p) =>
    p.premises
      .map((q) => (q.kind === 'no' && q.y < q.x ? `no ${q.y} ${q.x}` : `${q.kind} ${q.x} ${q.y}`))
      .sort()
      .join('.') + `|${p.a} ${p.c}`,

  prompt: (p, cfg) =>
    cfg.format === 'scan' ? scanPrompt(p, slotsOf(cfg)) : [...p.premises.map((q) => `${q.kind} ${q.x} ${q.y}`), `all ${p.a} ${p.c}?=`].join('.'),

  gold(p, cfg): Gold {
    if (cfg.format === 'scan') {
      const g = scanGold(p, slotsOf(cfg));
      return { trace: scanTraceText(g), answer: g.answer };
    }
    const answer = decide(p);
    if (cfg.format === 'plain') return { trace: '', answer };
    if (answer === 'unknown') return { trace: 'none', answer };
    const walk = shortestWalk(p, answer);
    if (!walk) throw new Error(`syllogism: no ${answer} walk found (checker and walk disagree)`);
    return { trace: walk.join(','), answer };
  },

  // Scan: fixed slots, so every prompt has this length. Words: each premise is at most
  // "all xxx yyy." (4 + 2*WORD_LEN + 2 chars); the question "all xxx yyy?=".
  maxPromptLength: (cfg) => (cfg.format === 'scan' ? scanPromptLength(slotsOf(cfg)) : (cfg.chainLength + cfg.distractors) * (2 * WORD_LEN + 6) + 2 * WORD_LEN + 7),

  // A shortest walk uses each premise at most once (consistent premises), so it has at most
  // chainLength + distractors links of 2*WORD_LEN+1 chars, comma-separated; the longest answer is
  // "unknown" (7); plus 4 tags.
  // Scan: every trace has the same length (slots passes of slots 6-char steps); "unknown" is the
  // longest answer.
  maxCompletionLength(cfg) {
    if (cfg.format === 'scan') return scanCompletionLength(slotsOf(cfg));
    if (cfg.format === 'plain') return 2 + 7;
    const n = cfg.chainLength + cfg.distractors;
    return 4 + n * (2 * WORD_LEN + 1) + (n - 1) + 7;
  },

  verify(p, completion, cfg, opts = {}): Verdict {
    if (cfg.format === 'scan') return verifyScan(p, completion, cfg, opts);
    const gold = this.gold(p, cfg);
    const withTrace = cfg.format === 'trace';
    const parsed = parseCompletion(completion, withTrace);
    const checks: Check[] = [formatCheck(parsed)];
    let firstWrong: Verdict['first_wrong_step'] = null;

    let stepsTotal: number | undefined;
    const claimed = parsed.answer?.trim();
    if (withTrace && parsed.think !== null) {
      firstWrong = checkWalk(p, parsed.think, gold.answer as SyllogismAnswer);
      // "none" says no derivation exists, i.e. the answer unknown; it carries no reasoning beyond
      // that, so it is no valid step before a yes or no (else guessing yes after "none" on an
      // unknown problem earned the whole step share of the process reward).
      if (firstWrong === null && parsed.think === 'none' && (claimed === 'yes' || claimed === 'no')) {
        firstWrong = { step: 1, reason: `step 1: none (no derivation) cannot support the answer ${claimed}` };
      }
      const nSteps = gold.trace === 'none' ? 0 : gold.trace.split(',').length;
      stepsTotal = Math.max(nSteps, 1, parsed.think.length ? parsed.think.split(',').length : 0);
      checks.push({ name: 'steps', passed: firstWrong === null, detail: firstWrong ? firstWrong.reason : gold.answer === 'unknown' ? 'none, as expected' : `valid walk from ${p.a} to ${p.c} (gold has ${nSteps} links)` });
    }

    const { ans, outcomeOk, check } = answerCheck(parsed.answer, gold.answer);
    checks.push(check);

    return finishVerdict(checks, ans, outcomeOk, firstWrong, opts, stepsTotal);
  },
};

