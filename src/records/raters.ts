// Simulated raters: deterministic rules that judge two completions of one prompt, for the CLI,
// tests and demos, plus the pair builder shared with the human Rate panel. Every rule ranks
// correctness first (a person who wants short or styled thoughts still wants right answers), then
// its own key; equal keys are a tie. Noise flips a win into a loss with probability `noise`, drawn
// from hash(seed, pair number), so a pair's outcome does not depend on batching. Pure: no tfjs.

import { parseCompletion, tokenLength } from '../tasks/format.ts';
import type { Verdict } from '../tasks/types.ts';
import { hashInts, Rng } from '../rng.ts';
import { MAX_NOISE, PREFERENCE_KIND, type PreferenceProvenance, type PreferenceRecord, type Rater } from './preference.ts';

/** One sampled completion with its verifier verdict (null: not verified). */
export interface Candidate {
  completion: string;
  verdict: Verdict | null;
}

export type Outcome = 'a' | 'b' | 'tie';

export interface SimulatedRater {
  /** 'simulated:NAME', as stored in records. */
  id: string;
  name: string;
  noise: number;
  seed: number;
  /** The rule without noise: > 0 when `a` is better, < 0 when `b` is, 0 for a tie. */
  compare(a: Candidate, b: Candidate): number;
}

export class RaterError extends Error {
  override name = 'RaterError';
}

/** Named characters for prefers-style (the tokenizer has printable ASCII and newline only). */
const STYLE_CHARS: Record<string, string> = { newline: '\n', space: ' ' };
export const RATER_NAMES = ['prefers-correct', 'prefers-short-thoughts', 'prefers-style:X'] as const;
const HELP =
  'known: prefers-correct (fully right beats not), prefers-short-thoughts (then the shorter <think> wins), ' +
  'prefers-style:X (then more of the character X wins; X is one printable character, newline or space)';

/**
 * Correctness as a key, compared before any rule's own: fully right, then the answer right, then
 * the format right. Throws when a verdict is missing, since a simulated rater cannot guess it.
 */
function correctness(c: Candidate): number {
  const v = c.verdict;
  if (!v) throw new RaterError('a simulated rater needs both verdicts (verify the completions before rating)');
  return (v.fully_correct ? 4 : 0) + (v.correct ? 2 : 0) + (v.format_ok ? 1 : 0);
}

/**
 * Tokens inside the <think> block. A completion whose layout cannot be parsed counts its whole
 * length as thought (unparsable text is not a short thought); no think block counts 0.
 */
export function thoughtLength(completion: string): number {
  const p = parseCompletion(completion, false);
  if (p.problems.length > 0) return tokenLength(completion);
  return p.think === null ? 0 : tokenLength(p.think);
}

/** Occurrences of the one-character string `ch` in `text`. */
export function countChar(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);

function rule(name: string): (a: Candidate, b: Candidate) => number {
  if (name === 'prefers-correct') return (a, b) => sign(correctness(a) - correctness(b));
  if (name === 'prefers-short-thoughts') {
    return (a, b) => sign(correctness(a) - correctness(b)) || sign(thoughtLength(b.completion) - thoughtLength(a.completion));
  }
  if (name.startsWith('prefers-style:')) {
    const x = name.slice('prefers-style:'.length);
    const ch = STYLE_CHARS[x] ?? x;
    if (!(ch === '\n' || (ch.length === 1 && ch >= ' ' && ch <= '~'))) {
      throw new RaterError(`rater prefers-style:${x}: X must be one printable ASCII character, newline or space, got ${JSON.stringify(x)}`);
    }
    return (a, b) => sign(correctness(a) - correctness(b)) || sign(countChar(a.completion, ch) - countChar(b.completion, ch));
  }
  throw new RaterError(`unknown simulated rater "${name}" (${HELP})`);
}

/**
 * Parse `simulated:NAME` (the `simulated:` prefix is optional) into a rater. `noise` is the flip
 * probability in [0, 0.5]; `seed` seeds the noise. Throws RaterError naming what is wrong.
 */
export function parseRater(spec: string, noise = 0, seed = 0): SimulatedRater {
  if (spec === 'human') throw new RaterError('"human" is not a simulated rater: human ratings come from the Rate panel');
  const name = spec.startsWith('simulated:') ? spec.slice('simulated:'.length) : spec;
  if (name === '') throw new RaterError(`rater "${spec}" has no name (${HELP})`);
  if (!(typeof noise === 'number' && noise >= 0 && noise <= MAX_NOISE)) {
    throw new RaterError(`--noise must be a number in [0, ${MAX_NOISE}] (the chance a judgement is flipped), got ${noise}`);
  }
  if (!Number.isSafeInteger(seed)) throw new RaterError(`rater seed must be an integer, got ${seed}`);
  return { id: `simulated:${name}`, name, noise, seed, compare: rule(name) };
}

/**
 * The rater's judgement of pair number `n`: the rule's, flipped (a <-> b) with probability
 * `noise`. A tie stays a tie. One draw per pair from Rng(hash(seed, n)).
 */
export function judge(r: SimulatedRater, a: Candidate, b: Candidate, n: number): Outcome {
  const flip = new Rng(hashInts(r.seed, n)).float() < r.noise;
  const c = r.compare(a, b);
  if (c === 0) return 'tie';
  return c > 0 !== flip ? 'a' : 'b';
}

/** One prompt with its two sampled completions and the task data needed to re-verify them. */
export interface PairSource {
  id: string;
  /** The pair's number in the rater's stream (noise is drawn from hash(seed, n)). */
  n: number;
  task: string;
  task_version: number;
  difficulty: Record<string, unknown>;
  problem: unknown;
  prompt: string;
  a: Candidate;
  b: Candidate;
}

/** The record of a judged pair; a tie keeps a as `chosen` (the order shown). */
export function pairRecord(s: PairSource, outcome: Outcome, rater: Rater, provenance: PreferenceProvenance, shownFirst?: 'a' | 'b'): PreferenceRecord {
  const [c, r] = outcome === 'b' ? [s.b, s.a] : [s.a, s.b];
  const rec: PreferenceRecord = {
    kind: PREFERENCE_KIND,
    id: s.id,
    task: s.task,
    task_version: s.task_version,
    difficulty: s.difficulty,
    problem: s.problem,
    prompt: s.prompt,
    chosen: c.completion,
    rejected: r.completion,
    tie: outcome === 'tie',
    verdicts: { chosen: c.verdict, rejected: r.verdict },
    rater,
    provenance,
  };
  if (shownFirst) rec.shown_first = (shownFirst === 'a') === (outcome !== 'b') ? 'chosen' : 'rejected';
  return rec;
}

/** Judge every source with a simulated rater. Pure: same sources and rater, same records. */
export function buildPairs(sources: readonly PairSource[], rater: SimulatedRater, provenance: PreferenceProvenance): PreferenceRecord[] {
  const stored: Rater = { id: rater.id, noise: rater.noise, seed: rater.seed };
  return sources.map((s) => pairRecord(s, judge(rater, s.a, s.b, s.n), stored, provenance));
}
