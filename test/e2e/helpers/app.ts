// Reading and driving the app through its test contract (data-testid values and
// window.__reasonlab). Every wait is on a condition; a run that reaches the `error` state makes
// the wait fail at once with the app's own error text.
import type { Page } from 'playwright-core';

export type RunState = 'idle' | 'starting' | 'running' | 'paused' | 'stopped' | 'done' | 'error';

/** A small, fast run: 2-digit addition on the nano model, evaluated every 10 steps on 16 problems. */
export const TINY_RUN = 'task=addition&digits=2&preset=nano&steps=40&eval.every=10&eval.n=16&seed=1';

export interface Snapshot {
  state: string | null;
  step: number;
  accPoints: number;
  badge: string;
  error: string;
  hook: unknown;
}

/**
 * One read of everything the tests look at. Page-side code is a string: tsx (the screenshots
 * script) compiles named inner functions with a `__name` helper that does not exist in the page.
 */
const SNAPSHOT_JS = `(() => {
  const q = (id) => document.querySelector('[data-testid="' + id + '"]');
  const num = (v) => (v == null || v === '' ? NaN : Number(v));
  const banner = q('error-banner');
  return {
    state: q('run-state')?.getAttribute('data-state') ?? null,
    step: num(q('step-counter')?.getAttribute('data-step')),
    accPoints: num(q('acc-chart')?.getAttribute('data-points')),
    badge: q('backend-badge')?.textContent ?? '',
    error: banner ? (banner.textContent ?? '') : '',
    hook: window.__reasonlab ?? null,
  };
})()`;

export async function snapshot(page: Page): Promise<Snapshot> {
  return (await page.evaluate(SNAPSHOT_JS)) as Snapshot;
}

export class AppError extends Error {}

/**
 * Wait until `cond(snapshot)` holds, polling the page. Fails with the last snapshot when the time
 * runs out, and at once when the run state is `error` (unless `allowError`).
 */
export async function waitFor(
  page: Page,
  what: string,
  cond: (s: Snapshot) => boolean | Promise<boolean>,
  opts: { timeout?: number; allowError?: boolean } = {},
): Promise<Snapshot> {
  const timeout = opts.timeout ?? 120_000;
  const t0 = Date.now();
  let last: Snapshot | null = null;
  for (;;) {
    last = await snapshot(page);
    if (await cond(last)) return last;
    if (!opts.allowError && last.state === 'error') {
      throw new AppError(`while waiting for ${what}: the run failed (state=error): ${last.error || '(no error-banner text)'}`);
    }
    if (Date.now() - t0 > timeout) {
      throw new AppError(`timed out after ${timeout} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    // Polling interval of the condition check (not a sleep standing in for a condition).
    await page.waitForTimeout(100);
  }
}

export const waitForState = (page: Page, states: RunState[], timeout?: number) =>
  waitFor(page, `run-state in [${states.join(', ')}]`, (s) => states.includes(s.state as RunState), timeout === undefined ? {} : { timeout });

export const waitForStep = (page: Page, n: number, timeout?: number) =>
  waitFor(page, `step-counter >= ${n}`, (s) => s.step >= n, timeout === undefined ? {} : { timeout });

/** The backend badge once it names a backend (it may say "detecting…" first). */
export async function waitForBadge(page: Page, timeout = 60_000): Promise<string> {
  const s = await waitFor(page, 'backend-badge naming a backend', (x) => /webgpu|webgl|wasm|cpu/i.test(x.badge), { timeout });
  return s.badge.trim();
}

/** Long tasks (> 50 ms) observed on the page's main thread since `sinceMs` (performance.now()). */
export async function longTasksSince(page: Page, sinceMs: number): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(
    (since) => ((window as unknown as { __longtasks?: { start: number; duration: number }[] }).__longtasks ?? []).filter((t) => t.start >= since),
    sinceMs,
  );
}

export const pageNow = (page: Page) => page.evaluate(() => performance.now());

/** Training speed shown by the app, in tokens (positions) per second, or null when it shows none. */
export async function tokensPerSecond(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const hook = (window as unknown as { __reasonlab?: Record<string, unknown> }).__reasonlab ?? {};
    for (const k of ['tokensPerSec', 'tokensPerSecond', 'tokens_per_s', 'tokPerSec']) {
      const v = hook[k];
      if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v;
    }
    const el = document.querySelector('[data-testid="tokens-per-s"]');
    const v = Number(el?.getAttribute('data-value') ?? NaN);
    return Number.isFinite(v) && v > 0 ? v : null;
  });
}

/**
 * Main-thread time of the page from the DevTools protocol, counted from this call: busy wall
 * time (TaskDuration) and CPU time (ThreadTime), in seconds. Call `read()` for the totals so far.
 */
export async function mainThreadMeter(page: Page): Promise<{ read(): Promise<{ task_s: number; cpu_s: number }>; stop(): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const sample = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
    return { task_s: get('TaskDuration'), cpu_s: get('ThreadTime') };
  };
  const base = await sample();
  return {
    read: async () => {
      const now = await sample();
      return { task_s: now.task_s - base.task_s, cpu_s: now.cpu_s - base.cpu_s };
    },
    stop: () => cdp.detach(),
  };
}

/** The run's metrics through the app's own "metrics JSON" export: columns per event type. */
export async function exportedMetrics(page: Page): Promise<Record<string, Record<string, number[]>>> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'metrics JSON' }).click()]);
  const path = await download.path();
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, Record<string, number[]>>;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

/**
 * The main thread stays free while the worker trains: long tasks (> 50 ms) are rare, at most one
 * per 5 s of training (at least 2 allowed), and none reaches 250 ms. Long tasks are wall time, so
 * on a 2-core machine shared with the worker (and other jobs) a 20 ms render can read 50-60 ms;
 * the bound allows that, but not a render that is slow by itself (the React development build
 * gave ~3 long tasks per second, up to 450 ms).
 */
export function longTaskBudget(runS: number): { maxCount: number; maxMs: number } {
  return { maxCount: Math.max(2, Math.floor(runS / 5)), maxMs: 250 };
}
