// Training in the worker, per backend: the step counter advances, the accuracy chart gains
// points, the inspector shows verdicts, pause/resume hold and release the run, and the main
// thread stays responsive (long tasks counted). Speeds go to .cache/e2e/metrics.json.
import { describe, expect, it } from 'vitest';
import {
  exportedMetrics,
  longTaskBudget,
  longTasksSince,
  mainThreadMeter,
  median,
  pageNow,
  snapshot,
  tokensPerSecond,
  waitFor,
  waitForBadge,
  waitForState,
  waitForStep,
} from './helpers/app.ts';
import { recordMetric } from './helpers/metrics.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

/**
 * Per backend: the run's size. Measured in this headless chromium on 2 cores (nano, B=32, T=64):
 * wasm ~0.3 s/step, webgl ~1.9 s, cpu ~3.6 s, webgpu on SwiftShader ~19 s (and ~2 s even at
 * B=4, plus ~10 s of shader compilation in the first step). So webgpu and cpu train a few small
 * steps; every run still crosses at least two evaluations.
 */
const RUNS: { backend: 'webgpu' | 'webgl' | 'wasm' | 'cpu'; query: string; steps: number; evalEvery: number }[] = [
  { backend: 'webgpu', query: 'task=addition&digits=2&preset=nano&seed=1&batchSize=4&eval.n=4', steps: 4, evalEvery: 2 },
  { backend: 'webgl', query: 'task=addition&digits=2&preset=nano&seed=1&batchSize=8&eval.n=4', steps: 6, evalEvery: 3 },
  { backend: 'wasm', query: 'task=addition&digits=2&preset=nano&seed=1&batchSize=16&eval.n=8', steps: 12, evalEvery: 4 },
  { backend: 'cpu', query: 'task=addition&digits=2&preset=nano&seed=1&batchSize=4&eval.n=4', steps: 4, evalEvery: 2 },
];

describe.skipIf(noBrowser)('training in the worker', () => {
  const browser = useBrowser();

  for (const run of RUNS) {
    it(`trains on ${run.backend}: steps advance, the accuracy chart gains points, the inspector shows verdicts`, async () => {
      const query = `backend=${run.backend}&${run.query}&steps=${run.steps}&eval.every=${run.evalEvery}`;
      await withApp(browser(), `train-${run.backend}`, query, async ({ page, errors }) => {
        const badge = await waitForBadge(page);
        expect(badge.toLowerCase().startsWith(run.backend)).toBe(true);
        const before = await snapshot(page);
        const points0 = Number.isFinite(before.accPoints) ? before.accPoints : 0;

        await page.getByTestId('start-btn').click();
        // ('done' too: a fast backend may finish between two polls.)
        await waitForState(page, ['running', 'done'], 120_000);
        const t0 = await pageNow(page);
        const meter = await mainThreadMeter(page);

        // The counter advances past the first evaluation and the chart gains a point from it.
        await waitForStep(page, run.evalEvery + 1, 240_000);
        const mid = await waitFor(page, 'acc-chart gaining a point', (s) => s.accPoints > points0, { timeout: 240_000 });
        expect(mid.step).toBeGreaterThan(0);

        const done = await waitForState(page, ['done'], 480_000);
        const t1 = await pageNow(page);
        const main = await meter.read();
        await meter.stop();
        const runS = (t1 - t0) / 1000;
        expect(done.step).toBe(run.steps);
        expect(done.accPoints).toBeGreaterThanOrEqual(points0 + Math.floor(run.steps / run.evalEvery));
        expect((done.hook as { backend?: string } | null)?.backend).toBe(run.backend);

        // The inspector shows the evaluation samples with the verifier's verdicts.
        const rows = page.getByTestId('inspector').getByTestId('sample-row');
        await rows.first().waitFor({ timeout: 30_000 });
        const verdicts = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-correct')));
        expect(verdicts.length).toBeGreaterThan(0);
        for (const v of verdicts) expect(v === 'true' || v === 'false').toBe(true);

        // Speed: the app shows tokens/s live; its metrics export has it per logged step. The
        // first step (tfjs kernel / shader compilation) is left out of the median.
        const shown = await tokensPerSecond(page);
        expect(shown, 'the page shows a training speed').not.toBeNull();
        const metrics = await exportedMetrics(page);
        const tpsSteps = metrics.step?.tokens_per_s ?? [];
        expect(tpsSteps.length).toBeGreaterThan(0);
        const tps = median(tpsSteps.length > 1 ? tpsSteps.slice(1) : tpsSteps);

        const longTasks = await longTasksSince(page, t0);
        const mainCpuShare = main.cpu_s / runS;
        recordMetric({
          backend: run.backend,
          badge,
          query,
          steps: done.step,
          run_s: Number(runS.toFixed(1)),
          tokens_per_s_median: Math.round(tps),
          tokens_per_s_per_step: tpsSteps.map(Math.round),
          long_tasks_after_start: longTasks.length,
          long_task_ms: longTasks.map((t) => Math.round(t.duration)),
          main_thread_busy_s: Number(main.task_s.toFixed(2)),
          main_thread_cpu_s: Number(main.cpu_s.toFixed(2)),
        });
        console.log(
          `[e2e] ${run.backend}: ${done.step} steps in ${runS.toFixed(1)} s, median ${Math.round(tps)} tokens/s; main thread: ` +
            `${longTasks.length} long tasks after start (max ${Math.round(Math.max(0, ...longTasks.map((t) => t.duration)))} ms), ` +
            `${main.cpu_s.toFixed(2)} s CPU (${(mainCpuShare * 100).toFixed(0)}% of the run)`,
        );
        // Training runs in the worker, the main thread only draws: it uses a small share of one
        // core (it would be ~100% if training ran on it) and has few, short long tasks.
        expect(mainCpuShare).toBeLessThan(0.5);
        const budget = longTaskBudget(runS);
        expect(longTasks.length, `long tasks: ${JSON.stringify(longTasks)}`).toBeLessThanOrEqual(budget.maxCount);
        for (const t of longTasks) expect(t.duration).toBeLessThan(budget.maxMs);
        expect(errors).toEqual([]);
      });
    });
  }

  it('the main thread stays free during a longer run: few long tasks (> 50 ms), none of 250 ms', async () => {
    // wasm is the fastest backend here: the most steps, chart points and inspector rows per
    // second, so the most drawing work for the main thread.
    const query = 'backend=wasm&task=addition&digits=2&preset=nano&seed=5&steps=250&eval.every=25&eval.n=16';
    await withApp(browser(), 'long-tasks', query, async ({ page, errors }) => {
      await waitForBadge(page);
      const atLoad = await longTasksSince(page, 0);
      await page.getByTestId('start-btn').click();
      await waitForState(page, ['running'], 60_000);
      const t0 = await pageNow(page);
      const meter = await mainThreadMeter(page);
      const done = await waitForState(page, ['done'], 300_000);
      const runS = ((await pageNow(page)) - t0) / 1000;
      const main = await meter.read();
      await meter.stop();
      const longTasks = await longTasksSince(page, t0);
      recordMetric({
        backend: 'wasm-long-run',
        query,
        steps: done.step,
        eval_points: done.accPoints,
        run_s: Number(runS.toFixed(1)),
        long_tasks_during_load: atLoad.length,
        long_tasks_after_start: longTasks.length,
        long_task_ms: longTasks.map((t) => Math.round(t.duration)),
        main_thread_cpu_s: Number(main.cpu_s.toFixed(2)),
      });
      console.log(
        `[e2e] long run (wasm, ${done.step} steps, ${done.accPoints} evals, ${runS.toFixed(1)} s): ${atLoad.length} long tasks during page load, ` +
          `${longTasks.length} after the start ${JSON.stringify(longTasks.map((t) => Math.round(t.duration)))}; main thread CPU ${main.cpu_s.toFixed(2)} s`,
      );
      expect(done.step).toBe(250);
      const budget = longTaskBudget(runS);
      expect(longTasks.length, `long tasks: ${JSON.stringify(longTasks)}`).toBeLessThanOrEqual(budget.maxCount);
      for (const t of longTasks) expect(t.duration).toBeLessThan(budget.maxMs);
      expect(main.cpu_s / runS).toBeLessThan(0.5);
      expect(errors).toEqual([]);
    });
  });

  it('pause holds the step counter, step advances exactly one step, resume continues', async () => {
    await withApp(browser(), 'pause-resume', 'backend=wasm&task=addition&digits=2&preset=nano&seed=2&batchSize=16&steps=400&eval.every=1000&eval.n=4', async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForStep(page, 3, 120_000);
      // Time per step, measured here, sizes the "nothing happens" window below.
      const a = await snapshot(page);
      const ta = Date.now();
      const b = await waitForStep(page, a.step + 2, 60_000);
      const msPerStep = (Date.now() - ta) / Math.max(1, b.step - a.step);

      await page.getByTestId('pause-btn').click();
      const paused = await waitForState(page, ['paused'], 60_000);
      // Paused: over a window of ~10 steps' time (at least 1.5 s) the counter does not move.
      const window = Math.min(10_000, Math.max(1_500, 10 * msPerStep));
      const seen = new Set<number>();
      const tEnd = Date.now() + window;
      while (Date.now() < tEnd) {
        const s = await snapshot(page);
        seen.add(s.step);
        expect(s.state).toBe('paused');
        await page.waitForTimeout(200);
      }
      expect([...seen]).toEqual([paused.step]);

      // Single-step while paused: exactly one more step, still paused.
      const stepBtn = page.getByTestId('step-btn');
      if (await stepBtn.count()) {
        await stepBtn.click();
        const one = await waitForStep(page, paused.step + 1, 60_000);
        expect(one.step).toBe(paused.step + 1);
        await waitForState(page, ['paused'], 30_000);
      }
      const held = (await snapshot(page)).step;

      await page.getByTestId('resume-btn').click();
      await waitForState(page, ['running'], 30_000);
      await waitForStep(page, held + 3, 60_000);

      await page.getByTestId('stop-btn').click();
      const stopped = await waitForState(page, ['stopped'], 60_000);
      expect(stopped.step).toBeGreaterThanOrEqual(held + 3);
      expect(errors).toEqual([]);
    });
  });
});
