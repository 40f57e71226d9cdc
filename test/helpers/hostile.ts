// Shared assertion of the hostile-completion suites: a completion is never paid as correct under
// any reward scheme (nor in full under any: 'process' once paid gold steps before a junk answer
// 1.0), verification stays fast, and every message stays short (messages are logged and shown in
// the UI whatever the model wrote).

import { expect } from 'vitest';
import { reward, SCHEMES } from '../../src/tasks/rewards.ts';
import type { Verdict } from '../../src/tasks/types.ts';

/** The most a scheme pays (a right answer with right steps). */
const fullPay = (scheme: string) => reward(scheme, { format_ok: true, answered: true, outcome_ok: true, step_fraction: 1 });

export function expectNeverPaid(verify: (scheme: string) => Verdict): void {
  for (const scheme of SCHEMES) {
    const t0 = performance.now();
    const r = verify(scheme);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.scheme).toBe(scheme);
    expect(r.correct).toBe(false);
    expect(r.fully_correct).toBe(false);
    expect(r.reward).toBeLessThan(fullPay(scheme));
    if (scheme === 'binary') expect(r.reward).toBe(0);
    for (const c of r.checks) {
      expect(c.detail.length, c.name).toBeLessThan(400);
      expect(c.detail.length, c.name).toBeGreaterThan(0);
    }
    if (r.first_wrong_step) expect(r.first_wrong_step.reason.length).toBeLessThan(400);
  }
}
