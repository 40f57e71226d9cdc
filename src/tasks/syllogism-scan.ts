// The syllogism task's `scan` format: terms renamed to letters, premises in fixed 3-char slots, and a
// trace that scans the premises pass by pass, writing down every fact it derives about a term
// relative to the question's subject A. Every token is one copy, one lookup or one small operation.
//
// Prompt. The question's terms are A (subject) and B (predicate); the other terms get C, D, ... in
// order of first appearance in the premises (presented order, which the generator shuffles, so the
// names say nothing about the answer). A premise is `X(Y` (all X are Y: X ⊂ Y) or `X#Y` (no X is Y);
// there are exactly chainLength + distractors slots, unused ones `---`, joined by ','; then `;A(B?=`.
//   all wug dax. no dax fep. all wug fep?   ->   `A(C,C#B,---;A(B?=`   (3 slots)
// Facts about a term T: a "all A are T", b "all T are A", i "some A are T" (follows from a and from
// b), o "some A are not T". A has a, b and i from the start. Rules, for X(Y: Y gets a and i from X
// (A ⊆ X ⊆ Y; the A's in X are in Y); X gets b and o from Y (X ⊆ Y ⊆ A; if all A were X they would
// be Y). For X#Y: if X has i, Y gets o (those A's are X, so not Y), and the other way round.
// Trace. A pass takes the slots in order. A premise X(Y writes `XpqYrs`: p is Y if X has a, q is Y if
// X has i, r is X if Y has b, s is x (X in lower case) if Y has o, each '.' otherwise; X#Y writes
// `X.qY.s`: q is y if X has i, s is x if Y has i. So each fact is written as the letter it is about,
// in the slot of its kind (lower case: o), and a term has a fact iff its letter was ever written
// there (a: p; i: q, r or A; b: r or A; o: lower case anywhere). An unused slot writes `------`.
// There are exactly as many passes as slots, joined by ','; then `B` and `+` if B has a (yes), `-`
// if it has o (no), `.` otherwise (unknown).
//   `A(C,C#B,---;A(B?=`  ->  `ACCC..C.bB..------,ACCC..C.bB..------,ACCC..C.bB..------,B-`  no
// Why (docs/EXPERIMENTS.md): a 3-layer model learns a trace fast when every token is a copy from a
// fixed place, or a lookup keyed by the token(s) just written, or a small operation; a walk that
// must guess which premise comes next (the `trace` format) and multi-character names are not. Here
// X and Y are copies from a fixed slot, and p, q (r, s) ask whether X (Y), written just before, was
// ever written in some kind of slot: an existence lookup, which no later write can make stale.
// Measured (nano, lr 3e-3 cosine to 1e-4, 1000 steps, 200 held-out problems): this format 50.5% fully
// right (42% at step 700, still rising); most first errors at # premises (57% of them, on 18% of the
// slots) and in s, whose o-lookup must match X against x. Drafts that wrote each term's whole label
// (one letter for the set of its facts) after every occurrence, so that a lookup had to find the
// latest of several growing labels: `XYxy` 27%, `XxYyz` 55%, `XxYyXz` 44.5%, nearly all errors in
// those lookups. Fixed slots and a fixed number of passes give every problem of one level one layout.
// Exactness. Every rule is a valid inference, so a for B means yes and o for B means no. Complete
// within the passes: yes has an up-chain A ⊆ .. ⊆ B, no has a witness Z ⊆ .. ⊆ A, Z ⊆ .. ⊆ P, no P Q,
// B ⊆ .. ⊆ Q (see syllogism.ts); in a shortest one the chains use distinct premises (a shared one
// would make the premises themselves inconsistent, or give a shorter witness), so the facts follow
// a path of at most #premises premise steps, and each pass advances it at least one step. The number
// of passes is the number of slots. `scanGold` also checks the result against the exact checker
// and throws if they ever disagree.

import type { Premise, SyllogismAnswer, SyllogismProblem } from './syllogism-logic.ts';
import { decide } from './syllogism-logic.ts';

const BIT = { a: 1, b: 2, i: 4, o: 8 } as const;
/** A term's facts (bits) -> one character, for tests of the fixed point; only these occur. */
const LABEL_CHAR = new Map<number, string>([
  [0, '.'],
  [BIT.i, 'i'],
  [BIT.a | BIT.i, 'a'],
  [BIT.b | BIT.i, 'b'],
  [BIT.a | BIT.b | BIT.i, 'e'],
  [BIT.o, 'o'],
  [BIT.i | BIT.o, 'm'],
  [BIT.b | BIT.i | BIT.o, 'p'],
]);
const NAMES = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const FILLER_SLOT = '---';
const FILLER_STEP = '------';
/** Characters per trace step, and per prompt slot. */
export const STEP_WIDTH = 6;
const SLOT_WIDTH = 3;

/** Letters for the problem's terms: A, B for the question, then C, D, ... by first appearance. */
export function letterNames(p: SyllogismProblem): Map<string, string> {
  const names = new Map<string, string>([[p.a, 'A']]);
  const add = (w: string) => {
    if (names.has(w)) return;
    const letter = NAMES[names.size];
    if (letter === undefined) throw new Error(`syllogism: more than ${NAMES.length} terms cannot be named by letters`);
    names.set(w, letter);
  };
  add(p.c);
  for (const q of p.premises) {
    add(q.x);
    add(q.y);
  }
  return names;
}

function checkSlots(p: SyllogismProblem, slots: number): void {
  if (p.premises.length > slots) {
    throw new Error(`syllogism scan format: ${p.premises.length} premises do not fit ${slots} slots (chainLength + distractors); raise the knobs`);
  }
}

/** The prompt slots: `X(Y` / `X#Y` per premise in presented order, then `---` up to `slots`. */
export function scanSlots(p: SyllogismProblem, slots: number): string[] {
  checkSlots(p, slots);
  const n = letterNames(p);
  const out = p.premises.map((q) => `${n.get(q.x)}${q.kind === 'all' ? '(' : '#'}${n.get(q.y)}`);
  while (out.length < slots) out.push(FILLER_SLOT);
  return out;
}

export const scanPrompt = (p: SyllogismProblem, slots: number): string => `${scanSlots(p, slots).join(',')};A(B?=`;

/** Prompt length: the slots and their commas, ';', `A(B?=`. */
export const scanPromptLength = (slots: number): number => slots * SLOT_WIDTH + (slots - 1) + 1 + 5;

/** What the subject's label gives the object (bit sets): for X(Y a and i; for X#Y, o if X has i. */
const up = (kind: Premise['kind'], lx: number) => (kind === 'all' ? lx & (BIT.a | BIT.i) : lx & BIT.i ? BIT.o : 0);
/** What the object's label gives the subject: for X(Y b (so i) and o; for X#Y, o if Y has i. */
const down = (kind: Premise['kind'], ly: number) => (kind === 'all' ? (ly & (BIT.b | BIT.o)) | (ly & BIT.b ? BIT.i : 0) : ly & BIT.i ? BIT.o : 0);

function labelChar(bits: number): string {
  const c = LABEL_CHAR.get(bits);
  if (c === undefined) throw new Error(`syllogism: label bits ${bits} cannot occur with consistent premises`);
  return c;
}

export interface ScanGold {
  /** One array of 6-character steps per pass. */
  passes: string[][];
  /** `B` and `+` (yes), `-` (no) or `.` (unknown). */
  conclusion: string;
  answer: SyllogismAnswer;
  /** Every named term's final label, in letter order (for tests of the fixed point). */
  labels: string;
}

/**
 * The gold scan: as many passes as slots (`passes` overrides that, for tests; the answer check
 * is then skipped, since too few passes may stop short); throws if the answer differs from `decide`.
 */
export function scanGold(p: SyllogismProblem, slots: number, passes = slots): ScanGold {
  const rendered = scanSlots(p, slots);
  const label = new Map<string, number>([['A', BIT.a | BIT.b | BIT.i]]);
  const get = (t: string) => label.get(t) ?? 0;
  const steps: string[][] = [];
  for (let pass = 0; pass < passes; pass++) {
    steps.push(
      rendered.map((slot, k) => {
        if (slot === FILLER_SLOT) return FILLER_STEP;
        const [x, y, kind] = [slot[0]!, slot[2]!, p.premises[k]!.kind];
        // Both directions read the facts from before this step: Y's new ones come from X's, X's
        // from Y's.
        const [fx, fy] = [get(x), get(y)];
        const has = (f: number, bit: number, out: string) => (f & bit ? out : '.');
        const step =
          kind === 'all'
            ? x + has(fx, BIT.a, y) + has(fx, BIT.i, y) + y + has(fy, BIT.b, x) + has(fy, BIT.o, x.toLowerCase())
            : x + '.' + has(fx, BIT.i, y.toLowerCase()) + y + '.' + has(fy, BIT.i, x.toLowerCase());
        label.set(y, fy | up(kind, fx));
        label.set(x, fx | down(kind, fy));
        return step;
      }),
    );
  }
  const lb = get('B');
  const answer: SyllogismAnswer = lb & BIT.a ? 'yes' : lb & BIT.o ? 'no' : 'unknown';
  const exact = decide(p);
  if (passes >= slots && answer !== exact) throw new Error(`syllogism scan: the labels say ${answer}, the checker ${exact} (${JSON.stringify(p)})`);
  const labels = [...letterNames(p).values()].map((t) => labelChar(get(t))).join('');
  return { passes: steps, conclusion: 'B' + (answer === 'yes' ? '+' : answer === 'no' ? '-' : '.'), answer, labels };
}

export const scanTraceText = (g: ScanGold): string => [...g.passes.map((s) => s.join('')), g.conclusion].join(',');

/** Completion length: tags (4 tokens), the passes, their commas, the conclusion, the longest answer. */
export const scanCompletionLength = (slots: number): number => 4 + slots * slots * STEP_WIDTH + slots + 2 + 'unknown'.length;

const show = (s: string) => JSON.stringify(s.slice(0, 40)) + (s.length > 40 ? '...' : '');

/**
 * The first step where a written scan differs from the gold one (null when it matches), and the
 * step count for the 'process' share. Steps are numbered through the passes (slots per pass), the
 * conclusion last. The think block is split on ','; its first `passes` parts are cut into 6-char
 * steps and the next part is the conclusion, so a missing or extra character shows at its step.
 */
export function checkScan(gold: ScanGold, think: string): { firstWrong: { step: number; reason: string } | null; stepsTotal: number } {
  const slots = gold.passes.length;
  const want = [...gold.passes.flat(), gold.conclusion];
  const where = (i: number) => (i < slots * slots ? `pass ${Math.floor(i / slots) + 1}, slot ${(i % slots) + 1}` : 'conclusion');
  const parts = think.length ? think.split(',', want.length + 2) : [];
  const got: string[] = [];
  parts.forEach((part, i) => {
    if (i >= slots) got.push(part);
    else for (let at = 0; at < part.length && got.length <= want.length; at += STEP_WIDTH) got.push(part.slice(at, at + STEP_WIDTH));
  });
  const stepsTotal = Math.max(want.length, got.length);
  for (let i = 0; i < stepsTotal; i++) {
    if (got[i] === want[i]) continue;
    const reason =
      got[i] === undefined
        ? `missing step ${i + 1} (${where(i)}): expected ${want[i]}`
        : want[i] === undefined
          ? `extra step ${i + 1}: ${show(got[i]!)}`
          : `step ${i + 1} (${where(i)}): expected ${want[i]}, got ${show(got[i]!)}`;
    return { firstWrong: { step: i + 1, reason }, stepsTotal };
  }
  return { firstWrong: null, stepsTotal };
}
