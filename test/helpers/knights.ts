// Knights-and-knaves puzzles written the way the tests read them: a statement from its compact
// spelling (`b`, `&Ac`, `1ABC`), a puzzle from one statement per speaker.

import type { KnightsProblem, Statement } from '../../src/tasks/knights.ts';

/** A statement from its prompt spelling, e.g. `b`, `&Ac`, `1ABC`. */
export function st(text: string): Statement {
  const ops: Record<string, Statement['op']> = { '&': 'and', '|': 'or', '1': 'one' };
  const op = ops[text[0]!] ?? 'is';
  const lits = [...(op === 'is' ? text : text.slice(1))].map((c) => ({ who: 'ABCDE'.indexOf(c.toUpperCase()), knight: c === c.toUpperCase() }));
  return { op, lits };
}
export const puzzle = (...says: string[]): KnightsProblem => ({ says: says.map(st) });
