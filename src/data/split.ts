// Held-out splits by canonical form: a problem's split is a pure function of its canonical
// string, so test problems never appear in training, whatever the seed or the generator order.

import { hashString, Rng, hashInts } from '../rng.ts';
import type { AnyTask } from '../tasks/types.ts';

export type Split = 'train' | 'val' | 'test';

/** Per-mille shares of the val and test splits (the rest is train). */
export const SPLIT_PERMILLE = { val: 50, test: 50 } as const;

export function splitOf(canonical: string): Split {
  const h = hashString(canonical) % 1000;
  if (h < SPLIT_PERMILLE.test) return 'test';
  if (h < SPLIT_PERMILLE.test + SPLIT_PERMILLE.val) return 'val';
  return 'train';
}

/** Problem number `index` of the stream for (seed, split): deterministic per seed+index. Environments (src/envs/) draw theirs here too. */
export function problemAt(task: Pick<AnyTask, 'name' | 'generate' | 'canonical'>, cfg: object, seed: number, split: Split, index: number): unknown {
  // Rejection: draw candidates from a per-(seed, index) stream until one lands in `split`.
  const rng = new Rng(hashInts(seed, index, split === 'train' ? 0 : split === 'val' ? 1 : 2));
  for (let tries = 0; tries < 100_000; tries++) {
    const p = task.generate(rng, cfg);
    if (splitOf(task.canonical(p)) === split) return p;
  }
  throw new Error(`task ${task.name}: could not draw a ${split} problem (is the problem space too small?)`);
}

/**
 * `n` distinct problems of `split` (by canonical form), deterministic per seed. Returns fewer if
 * the split holds fewer distinct problems than asked (small problem spaces).
 */
export function distinctProblems(task: AnyTask, cfg: object, seed: number, split: Split, n: number): unknown[] {
  const seen = new Set<string>();
  const out: unknown[] = [];
  let misses = 0;
  for (let i = 0; out.length < n && misses < 20 * n + 1000; i++) {
    const p = problemAt(task, cfg, seed, split, i);
    const key = task.canonical(p);
    if (seen.has(key)) {
      misses++;
      continue;
    }
    seen.add(key);
    out.push(p);
  }
  return out;
}
