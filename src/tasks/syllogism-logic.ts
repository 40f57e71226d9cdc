// The syllogism task's logic: problem types, the exact entailment checker (`decide`) and the
// walks that serve as traces (`shortestWalk` writes the gold one, `checkWalk` checks a written one).
// Semantics, exactness and the walk format are described at the top of syllogism.ts.

export interface Premise {
  kind: 'all' | 'no';
  x: string;
  y: string;
}

export interface SyllogismProblem {
  /** In presented order. */
  premises: Premise[];
  a: string;
  c: string;
}

export type SyllogismAnswer = 'yes' | 'no' | 'unknown';
export const ANSWERS: readonly SyllogismAnswer[] = ['yes', 'no', 'unknown'];

// ---------------------------------------------------------------- the exact checker

function allEdges(ps: readonly Premise[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const p of ps) if (p.kind === 'all') m.set(p.x, [...(m.get(p.x) ?? []), p.y]);
  return m;
}

/** {Y : x ≤ Y}, x included. */
export function upSet(ps: readonly Premise[], x: string): Set<string> {
  const edges = allEdges(ps);
  const seen = new Set<string>([x]);
  const stack = [x];
  while (stack.length) {
    for (const y of edges.get(stack.pop()!) ?? []) {
      if (!seen.has(y)) {
        seen.add(y);
        stack.push(y);
      }
    }
  }
  return seen;
}

export function termsOf(ps: readonly Premise[], extra: string[] = []): string[] {
  const s = new Set<string>(extra);
  for (const p of ps) {
    s.add(p.x);
    s.add(p.y);
  }
  return [...s];
}

/** Consistent with every term non-empty: no term's up-set holds both sides of a no-premise. */
export function consistent(ps: readonly Premise[]): boolean {
  const nos = ps.filter((p) => p.kind === 'no');
  if (nos.length === 0) return true;
  for (const z of termsOf(ps)) {
    const up = upSet(ps, z);
    for (const n of nos) if (up.has(n.x) && up.has(n.y)) return false;
  }
  return true;
}

/** The exact answer (see the header). Throws on inconsistent premises. */
export function decide(p: SyllogismProblem): SyllogismAnswer {
  if (!consistent(p.premises)) throw new Error('syllogism: inconsistent premises');
  if (upSet(p.premises, p.a).has(p.c)) return 'yes';
  if (!consistent([...p.premises, { kind: 'all', x: p.a, y: p.c }])) return 'no';
  return 'unknown';
}

// ---------------------------------------------------------------- walks (traces)

const premiseKey = (kind: string, x: string, y: string) => `${kind} ${x} ${y}`;

function premiseSet(ps: readonly Premise[]): Set<string> {
  const s = new Set<string>();
  for (const p of ps) {
    s.add(premiseKey(p.kind, p.x, p.y));
    if (p.kind === 'no') s.add(premiseKey('no', p.y, p.x));
  }
  return s;
}

/** Phases of a walk: 0 down before the no-link, 1 up, 2 down after the no-link. Yes walks use phase 1 only. */
type Move = { link: string; to: string; phase: number };

function moves(ps: readonly Premise[], cur: string, phase: number, goal: SyllogismAnswer): Move[] {
  const out: Move[] = [];
  for (const p of ps) {
    if (p.kind === 'all') {
      if (p.x === cur && phase <= 1) out.push({ link: `${p.x}-${p.y}`, to: p.y, phase: 1 });
      if (p.y === cur && goal === 'no' && phase !== 1) out.push({ link: `${p.x}-${p.y}`, to: p.x, phase });
    } else if (goal === 'no' && phase <= 1) {
      if (p.x === cur) out.push({ link: `${p.x}~${p.y}`, to: p.y, phase: 2 });
      if (p.y === cur) out.push({ link: `${p.y}~${p.x}`, to: p.x, phase: 2 });
    }
  }
  return out.sort((u, v) => (u.link < v.link ? -1 : u.link > v.link ? 1 : 0));
}

/** Shortest walk (breadth first, ties by link text) proving `goal`, or null. */
export function shortestWalk(p: SyllogismProblem, goal: 'yes' | 'no'): string[] | null {
  const start = { term: p.a, phase: goal === 'yes' ? 1 : 0 };
  const endPhase = goal === 'yes' ? 1 : 2;
  const key = (t: string, ph: number) => `${ph}|${t}`;
  const prev = new Map<string, { from: string; link: string } | null>([[key(start.term, start.phase), null]]);
  let frontier = [start];
  while (frontier.length) {
    const next: { term: string; phase: number }[] = [];
    for (const s of frontier) {
      for (const m of moves(p.premises, s.term, s.phase, goal)) {
        const k = key(m.to, m.phase);
        if (prev.has(k)) continue;
        prev.set(k, { from: key(s.term, s.phase), link: m.link });
        if (m.to === p.c && m.phase === endPhase) {
          const links: string[] = [];
          for (let at: string | undefined = k; at !== undefined; ) {
            const e = prev.get(at);
            if (!e) break;
            links.push(e.link);
            at = e.from;
          }
          return links.reverse();
        }
        next.push({ term: m.to, phase: m.phase });
      }
    }
    frontier = next;
  }
  return null;
}

/** Check a written walk against the premises; null when it is a valid proof of `goal`. */
export function checkWalk(p: SyllogismProblem, think: string, goal: SyllogismAnswer): { step: number; reason: string } | null {
  const show = (s: string) => JSON.stringify(s.slice(0, 40));
  if (goal === 'unknown') {
    return think === 'none' ? null : { step: 1, reason: `step 1: expected none (no derivation), got ${show(think)}` };
  }
  if (think.length === 0) return { step: 1, reason: `missing step 1 (walk must start at ${p.a})` };
  const premises = premiseSet(p.premises);
  const steps = think.split(',');
  let cur = p.a;
  let phase = goal === 'yes' ? 1 : 0;
  const endPhase = goal === 'yes' ? 1 : 2;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const n = i + 1;
    if (cur === p.c && phase === endPhase) return { step: n, reason: `extra step ${n}: the walk already reached ${p.c}` };
    const link = parseLink(s);
    if (!link) return { step: n, reason: `step ${n}: ${show(s)} is not a link x-y or x~y` };
    const { x, op, y } = link;
    if (op === '~') {
      if (goal === 'yes') return { step: n, reason: `step ${n}: a no-link cannot prove all ${p.a} ${p.c}` };
      if (!premises.has(premiseKey('no', x, y))) return { step: n, reason: `step ${n}: no ${x} ${y} is not a premise` };
      if (x !== cur) return { step: n, reason: `step ${n}: ${s} does not start at ${cur}` };
      if (phase === 2) return { step: n, reason: `step ${n}: a second no-link` };
      cur = y;
      phase = 2;
    } else {
      if (!premises.has(premiseKey('all', x, y))) return { step: n, reason: `step ${n}: all ${x} ${y} is not a premise` };
      if (x === cur && phase <= 1) {
        cur = y;
        phase = 1;
      } else if (y === cur && goal === 'no' && phase !== 1) {
        cur = x;
      } else {
        return { step: n, reason: `step ${n}: ${s} does not continue the walk at ${cur}${goal === 'no' && y === cur ? ' (no going down after going up)' : ''}` };
      }
    }
  }
  if (cur === p.c && phase === endPhase) return null;
  const n = steps.length + 1;
  return { step: n, reason: `missing step ${n}: the walk ends at ${cur}${goal === 'no' && phase !== 2 ? ' before a no-link' : ''}, not at ${p.c}` };
}

function isWord(s: string): boolean {
  if (s.length === 0 || s.length > 16) return false;
  for (const ch of s) if (ch < 'a' || ch > 'z') return false;
  return true;
}

function parseLink(s: string): { x: string; op: '-' | '~'; y: string } | null {
  if (s.length > 40) return null;
  let at = -1;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '-' || s[i] === '~') {
      if (at >= 0) return null;
      at = i;
    }
  }
  if (at < 0) return null;
  const x = s.slice(0, at);
  const y = s.slice(at + 1);
  return isWord(x) && isWord(y) ? { x, op: s[at] as '-' | '~', y } : null;
}
