// Charts with 10,000+ points per line while a run trains: a stored run of 12,000 logged steps
// (written into the app's IndexedDB from the page, shaped like a real run's events) is overlaid
// while a live run trains, so every live update redraws 12,000-point lines. Measured twice, 20 s
// each, alone and overlaid: the overlay adds little main-thread CPU (lines are thinned to 2,000
// points and prepared once per stored run); long tasks are logged beside it.
import { describe, expect, it } from 'vitest';
import { longTaskBudget, longTasksSince, mainThreadMeter, pageNow, waitFor, waitForBadge, waitForState } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

const N = 12_000;

/** Page-side: copy the stored run `id` as a synthetic run of N logged steps (and an eval every 100). */
const WRITE_LONG_RUN = `(async ([id, n]) => {
  const db = await new Promise((res, rej) => { const r = indexedDB.open('reasonlab'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const get = (store, key) => new Promise((res, rej) => { const r = db.transaction(store).objectStore(store).get(key); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const all = (store) => new Promise((res, rej) => { const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  const run = await get('runs', id);
  const chunks = (await all('events')).filter((c) => c.runId === id);
  const evs = chunks.flatMap((c) => c.events);
  const step = evs.find((e) => e.type === 'step');
  const ev = evs.find((e) => e.type === 'eval');
  const events = [];
  for (let s = 1; s <= n; s++) {
    events.push({ ...step, step: s, loss: 2 / Math.sqrt(s) + 0.05 * Math.sin(s), tokens_per_s: 10000 + 3000 * Math.sin(s / 7), elapsed_s: s / 20 });
    if (ev && s % 100 === 0) events.push({ ...ev, step: s, greedy_acc: Math.min(1, s / n), elapsed_s: s / 20 });
  }
  const newId = 'run-long-' + n;
  const tx = db.transaction(['runs', 'events'], 'readwrite');
  tx.objectStore('runs').put({ ...run, id: newId, name: 'synthetic ' + n + ' steps', step: n, updated: run.updated - 1000 });
  tx.objectStore('events').put({ runId: newId, seq: 0, step: n, events });
  await new Promise((res, rej) => { tx.oncomplete = res; tx.onerror = () => rej(tx.error); });
  return { newId, events: events.length, stepKeys: Object.keys(step).length };
})`;

describe.skipIf(noBrowser)('long runs in the charts', () => {
  const browser = useBrowser();

  it('a live run with a 12,000-step run overlaid keeps the main thread free', async () => {
    const base = 'backend=wasm&task=addition&digits=2&preset=nano&batchSize=16&eval.n=8';
    await withApp(browser(), 'long-series', `${base}&steps=20&eval.every=10&seed=1`, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForState(page, ['done'], 120_000);
      const id = (await page.evaluate(() => (window as unknown as { __reasonlab: { runId: string } }).__reasonlab.runId)) as string;
      const wrote = (await page.evaluate(`${WRITE_LONG_RUN}(${JSON.stringify([id, N])})`)) as { newId: string; events: number };
      expect(wrote.events).toBeGreaterThan(N);
      // A live run, with the long run overlaid.
      const url = new URL(page.url());
      url.searchParams.set('steps', '2000');
      url.searchParams.set('eval.every', '50');
      await page.goto(url.toString());
      await waitForBadge(page);
      await waitFor(page, 'Start enabled', async () => page.getByTestId('start-btn').isEnabled(), { timeout: 30_000 });
      await page.getByTestId('start-btn').click();
      await waitForState(page, ['running'], 60_000);
      /** Long tasks and main-thread time over 20 s of training. */
      const measure = async (what: string) => {
        const meter = await mainThreadMeter(page);
        const t0 = await pageNow(page);
        const step0 = (await page.evaluate(() => (window as unknown as { __reasonlab: { step: number } }).__reasonlab.step)) as number;
        await page.waitForTimeout(20_000); // the measured window: the run trains, the page redraws
        const tasks = await longTasksSince(page, t0);
        const main = await meter.read();
        await meter.stop();
        const step1 = (await page.evaluate(() => (window as unknown as { __reasonlab: { step: number } }).__reasonlab.step)) as number;
        const worst = Math.max(0, ...tasks.map((t) => t.duration));
        console.log(`[e2e] ${what}: 20 s of training (steps ${step0} -> ${step1}): ${tasks.length} long tasks, worst ${Math.round(worst)} ms; main thread busy ${main.task_s.toFixed(2)} s, CPU ${main.cpu_s.toFixed(2)} s`);
        expect(step1).toBeGreaterThan(step0);
        return { count: tasks.length, worst, cpu: main.cpu_s };
      };
      const alone = await measure('no overlay');
      const long = page.getByTestId('run-item').filter({ hasText: `synthetic ${N} steps` });
      await long.locator('input[type="checkbox"]').click();
      await waitFor(page, 'the overlay drawn', async () => (await page.getByTestId('loss-chart').locator('.u-legend .u-label').allInnerTexts()).some((l) => l.startsWith(`synthetic ${N}`)), { timeout: 30_000 });
      const overlaid = await measure(`a ${N}-step run overlaid`);
      // Main-thread CPU time is the measure that holds on a shared machine: long tasks are wall
      // time, and at a load of ~10 on 2 cores the run alone already shows ~10 in 20 s (logged
      // above). The overlay may add at most 50 ms of main-thread CPU per second of training.
      expect(overlaid.cpu - alone.cpu).toBeLessThan(1.0);
      const budget = longTaskBudget(20);
      if (overlaid.count > budget.maxCount) console.log(`[e2e] long tasks over the idle-machine budget (${budget.maxCount}): alone ${alone.count}, overlaid ${overlaid.count}`);
      await page.getByTestId('stop-btn').click();
      await waitForState(page, ['stopped'], 60_000);
      expect(errors).toEqual([]);
    });
  });
});
