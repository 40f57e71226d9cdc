// The syllogism task's `scan` format: terms renamed to letters, premises in fixed 3-char slots, and a
// trace that scans the premises pass by pass, labelling every term with what is proven about it
// relative to the question's subject A. Every token is one copy, one lookup or one small operation.
//
// Prompt. The question's terms are A (subject) and B (predicate); the other terms get C, D, ... in
// order of first appearance in the premises (presented order, which the generator shuffles, so the
// names say nothing about the answer). A premise is `X(Y` (all X are Y: X ⊂ Y) or `X#Y` (no X is Y);
// there are exactly chainLength + distractors slots, unused ones `---`, joined by ','; then `;A(B?=`.
//   all wug dax. no dax fep. all wug fep?   ->   `A(C,C#B,---;A(B?=`   (3 slots)
// Labels. The label of a term T is the set of facts proven so far, one character:
//   a  all A are T          b  all T are A (so some A are T)     i  some A are T
//   o  some A are not T     e  a and b (A itself)                 m  i and o     p  b and o
//   .  nothing known        (a with o is impossible: the premises are consistent)
// A starts as e, every other term as '.'. Rules, for a premise X(Y: X gains b and o from Y (X ⊆ Y ⊆ A;
// if all A were X they would be Y); Y gains a and i from X (A ⊆ X ⊆ Y; the A's in X are in Y). For
// X#Y: if X has i, Y gains o (those A's are X, so not Y), and the other way round.
// Trace. A pass takes the slots in order; a premise slot writes `XxYyXz`: X and its current label x,
// Y and its new label y (Y's label and what x gives it), then X again and its new label z (x and
// what y gives it); an unused slot writes `------`. There are exactly as many passes as slots,
// joined by ','; then `B` and B's final label. Answer: yes if it holds a, no if o, else unknown.
//   `A(C,C#B,---;A(B?=`  ->  `AeCaAeCaBoCa------,AeCaAeCaBoCa------,AeCaAeCaBoCa------,Bo`  no
// Why (docs/EXPERIMENTS.md): a 3-layer model learns a trace fast when every token is a copy from a
// fixed place, or a lookup keyed by the token(s) just written, or a small operation; a walk that
// must guess which premise comes next (the `trace` format) and multi-character names are not. Here
// X and Y are copies from a fixed slot; every label follows its letter, so x is the label after the
// last X written before (A's is e before any), keyed by the X just written; y is the same lookup for
// Y plus a rule applied to x; z is a rule applied to x and y, no lookup. Fixed slots and a fixed
// number of passes give every problem of one level one layout. Measured drafts (nano, 1000 steps):
// `XYxy`, x reading two labels at once, 27% fully right, nearly all errors in x; `XxYyz`, z four
// places after its X, 55%, most errors in lookups of a label last written as a z.
// Exactness. Labels are sound (each rule is a valid inference), so a in B's label means yes and o
// means no. Complete within the passes: yes has an up-chain A ⊆ .. ⊆ B, no has a witness Z ⊆ .. ⊆ A,
// Z ⊆ .. ⊆ P, no P Q, B ⊆ .. ⊆ Q (see syllogism.ts); in a shortest one the chains use distinct
// premises (a shared one would make the premises themselves inconsistent, or give a shorter
// witness), so the derivation takes at most one premise per step of a path of at most #premises
// steps, and each pass advances it at least one step. The number of passes is the number of slots.
// `scanGold` also checks the result against the exact checker and throws if they ever disagree.

import type { Premise, SyllogismAnswer, SyllogismProblem } from './syllogism-logic.ts';
import { decide } from './syllogism-logic.ts';

const BIT = { a: 1, b: 2, i: 4, o: 8 } as const;
/** Label bits -> character; only these combinations occur (i follows from a and from b). */
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
  /** `B` and B's final label. */
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
        // `up` adds only a, i (or o for #) to y, which `down` ignores (or i, which the # rule
        // does not add), so z = x + down(y) is exactly x + down(Y's old label).
        const lx = get(x);
        const ly = get(y) | up(kind, lx);
        const lz = lx | down(kind, ly);
        label.set(y, ly);
        label.set(x, lz);
        return x + labelChar(lx) + y + labelChar(ly) + x + labelChar(lz);
      }),
    );
  }
  const lb = get('B');
  const answer: SyllogismAnswer = lb & BIT.a ? 'yes' : lb & BIT.o ? 'no' : 'unknown';
  const exact = decide(p);
  if (passes >= slots && answer !== exact) throw new Error(`syllogism scan: the labels say ${answer}, the checker ${exact} (${JSON.stringify(p)})`);
  const labels = [...letterNames(p).values()].map((t) => labelChar(get(t))).join('');
  return { passes: steps, conclusion: 'B' + labelChar(lb), answer, labels };
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
