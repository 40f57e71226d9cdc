// The countdown `mixed` format: per generated problem a coin picks the search or the solution
// trace, so repeated draws of one puzzle teach two right thoughts of different lengths (the
// preference lesson, docs/EXPERIMENTS.md 13). Checked: every gold passes the search check in full,
// both kinds occur about half and half and within one puzzle, the problems are the search
// format's, the choice is deterministic per (seed, index), and the length bound covers both.

import { describe, it, expect } from 'vitest';
import { problemAt } from '../src/data/split.ts';
import { countdown, type CountdownProblem } from '../src/tasks/countdown.ts';
import { cfgOf, goldText, problems, roomy } from './helpers/countdown.ts';
import { checkOf, expectGoldVerdict, expectLengthBounds } from './helpers/task.ts';

const MIXED = cfgOf({ format: 'mixed' });
const at = (i: number, cfg = MIXED) => problemAt(countdown, cfg, 1, 'train', i) as CountdownProblem;

describe('countdown mixed format', () => {
  it('is an option, and the default stays search', () => {
    expect(countdown.options.format).toContain('mixed');
    expect(countdown.defaults.format).toBe('search');
  });

  it('draws the same problems as the search format (the coin does not move the stream)', () => {
    for (const [count, maxNumber] of [[3, 9], [4, 20]] as const) {
      const ps = problems(7, 200, roomy(count, maxNumber, 'mixed'));
      const strip = ps.map(({ numbers, target, expr }) => ({ numbers, target, expr }));
      expect(strip).toEqual(problems(7, 200, roomy(count, maxNumber, 'search')));
    }
    // problemAt rejects other splits' problems and draws again from the same stream: still equal.
    for (let i = 0; i < 200; i++) expect(countdown.prompt(at(i), MIXED)).toBe(countdown.prompt(at(i, cfgOf()), MIXED));
  });

  it('every gold is fully right under the search check, whichever trace the coin picked', () => {
    let direct = 0;
    for (let i = 0; i < 1000; i++) {
      const p = at(i);
      const g = countdown.gold(p, MIXED);
      const kind = p.direct ? 'solution' : 'search';
      expect(g).toEqual(countdown.gold(p, { ...MIXED, format: kind }));
      const r = countdown.verify(p, goldText(p, MIXED), MIXED);
      expectGoldVerdict(r, g.answer, `${countdown.prompt(p, MIXED)} ${goldText(p, MIXED)}`);
      // The verdict is the search format's: the detail says whether it is the gold search.
      expect(r).toEqual(countdown.verify(p, goldText(p, MIXED), cfgOf()));
      if (!p.direct) expect(checkOf(r, 'steps')?.detail).toMatch(/\(the gold trace\)$/);
      direct += +(p.direct === true);
    }
    expect(direct).toBeGreaterThan(430);
    expect(direct).toBeLessThan(570);
  });

  it('one puzzle drawn again gets both traces, of different lengths for some', () => {
    const byPrompt = new Map<string, Set<string>>();
    for (let i = 0; i < 2000; i++) {
      const p = at(i);
      const key = countdown.prompt(p, MIXED);
      if (!byPrompt.has(key)) byPrompt.set(key, new Set());
      byPrompt.get(key)!.add(countdown.gold(p, MIXED).trace);
    }
    const multi = [...byPrompt.values()].filter((s) => s.size > 1);
    expect(multi.length).toBeGreaterThan(100);
    expect(multi.filter((s) => new Set([...s].map((t) => t.length)).size > 1).length).toBeGreaterThan(50);
  });

  it('is deterministic per (seed, index), and the coin varies with the index', () => {
    const coins = Array.from({ length: 64 }, (_, i) => at(i).direct);
    expect(Array.from({ length: 64 }, (_, i) => at(i).direct)).toEqual(coins);
    expect(new Set(coins)).toEqual(new Set([true, false]));
    // Other formats carry no coin.
    expect(at(0, cfgOf()).direct).toBeUndefined();
  });

  it('maxCompletionLength bounds both traces', () => {
    for (const [count, maxNumber] of [[3, 9], [3, 20], [4, 20]] as const) {
      const cfg = roomy(count, maxNumber, 'mixed');
      const ps = problems(count * 100 + maxNumber, 1000, cfg);
      for (const format of ['search', 'solution'] as const) {
        expectLengthBounds(countdown, cfg, ps, (p) => goldText(p, { ...cfg, format }), `mixed ${count}/${maxNumber} ${format}`);
      }
      expect(countdown.maxCompletionLength(cfg)).toBe(Math.max(countdown.maxCompletionLength({ ...cfg, format: 'search' }), countdown.maxCompletionLength({ ...cfg, format: 'solution' })));
    }
  });
});
