// Human ratings from the app's Rate panel, as pure functions: which completion is shown first
// (drawn from the seeded Rng, so a pair's order is reproducible and stored as `shown_first`), what
// a key means (1 = left, 2 = right, = = tie, s = skip), the record a rating makes, and the JSONL
// export (preference records, or TRL DPO rows) and import (validated, bad lines listed by
// file:line and field, valid lines always kept). No tfjs, no DOM: the worker and the UI share it.

import { hashInts, Rng } from '../rng.ts';
import type { BadLine } from './jsonl.ts';
import { toJsonl } from './jsonl.ts';
import { parsePreferenceJsonl, toDPO, type PreferenceProvenance, type PreferenceRecord } from './preference.ts';
import { pairRecord, type Outcome, type PairSource } from './raters.ts';

/** A pair ready to rate: the sampled pair, the side shown first (left, key 1) and where it came from. */
export interface RatePair {
  source: PairSource;
  shownFirst: 'a' | 'b';
  /** Everything but `time`, which is the moment of the rating. */
  provenance: PreferenceProvenance;
}

/** The keys of the Rate panel. Undo is not a rating: the panel handles it apart. */
export type RateKey = '1' | '2' | '=' | 's';

/** Salt of the display-order stream, so it is independent of the sampling noise of the same pair. */
const ORDER_SALT = 0x0de7;

/** Which of a pair's two completions is shown first (left, key 1): a seeded coin per (seed, n). */
export function shownOrder(seed: number, n: number): 'a' | 'b' {
  return new Rng(hashInts(seed, n, ORDER_SALT)).float() < 0.5 ? 'a' : 'b';
}

/** The two completions in display order: [left (key 1), right (key 2)]. */
export function displayed(p: RatePair): [string, string] {
  const { a, b } = p.source;
  return p.shownFirst === 'a' ? [a.completion, b.completion] : [b.completion, a.completion];
}

/** A key as an outcome over (a, b); null for skip. */
export function outcomeOf(key: RateKey, shownFirst: 'a' | 'b'): Outcome | null {
  if (key === 's') return null;
  if (key === '=') return 'tie';
  const left = key === '1';
  return left === (shownFirst === 'a') ? 'a' : 'b';
}

/**
 * The preference record of a human rating (null for a skip). `time` is the ISO time of the
 * rating. A tie keeps the left completion as `chosen`, so `shown_first` is `chosen` then.
 */
export function humanRecord(p: RatePair, key: RateKey, time: string): PreferenceRecord | null {
  const outcome = outcomeOf(key, p.shownFirst);
  if (outcome === null) return null;
  // pairRecord keeps `a` as chosen on a tie; put the left one in `a` so a tie reads as shown.
  const src = outcome === 'tie' && p.shownFirst === 'b' ? { ...p.source, a: p.source.b, b: p.source.a } : p.source;
  const first = outcome === 'tie' ? 'a' : p.shownFirst;
  return pairRecord(src, outcome, { id: 'human' }, { ...p.provenance, time }, first);
}

/** The stored ratings as preference JSONL. */
export const preferencesJsonl = (records: readonly PreferenceRecord[]): string => toJsonl(records);

/** The stored ratings as TRL DPO JSONL ({prompt, chosen, rejected}); ties are left out and counted. */
export function dpoJsonl(records: readonly PreferenceRecord[]): { text: string; rows: number; ties: number } {
  const { rows, ties } = toDPO(records);
  return { text: toJsonl(rows), rows: rows.length, ties };
}

export interface ImportResult {
  /** Valid new records, in file order. */
  records: PreferenceRecord[];
  /** Valid lines whose id is already stored (or repeated in the file): kept once, not twice. */
  duplicates: number;
  /** Every refused line, "file:line: field ..." (malformed, or of another task than the run's). */
  bad: BadLine[];
}

/**
 * Read an uploaded preference JSONL for a run of `task`: every valid line of that task is kept,
 * each bad line is listed with file:line and the field, ids already in `known` are not added again.
 */
export function importPreferences(text: string, file: string, task: string, known: ReadonlySet<string>): ImportResult {
  const parsed = parsePreferenceJsonl(text, file, { skipBad: true });
  const bad = [...parsed.bad];
  // parsePreferenceJsonl returns the good records in order without line numbers: recover them.
  const lines = goodLines(text, parsed.bad);
  const seen = new Set(known);
  const records: PreferenceRecord[] = [];
  let duplicates = 0;
  parsed.records.forEach((r, i) => {
    const line = lines[i]!;
    if (r.task !== task) {
      bad.push({ line, message: `${file}:${line}: field task is "${r.task}", but this run trains ${task}: rate or import pairs of the run's task` });
    } else if (seen.has(r.id)) duplicates++;
    else {
      seen.add(r.id);
      records.push(r);
    }
  });
  bad.sort((x, y) => x.line - y.line);
  return { records, duplicates, bad };
}

/** The 1-based numbers of the non-blank lines not in `bad`, in order (the parser's good lines). */
function goodLines(text: string, bad: readonly BadLine[]): number[] {
  const badSet = new Set(bad.map((b) => b.line));
  const out: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() !== '' && !badSet.has(i + 1)) out.push(i + 1);
  });
  return out;
}
