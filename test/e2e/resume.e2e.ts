// Runs live in IndexedDB: after a reload the run is listed and resumes from its last checkpoint,
// not from step 0.
import { describe, expect, it } from 'vitest';
import { snapshot, waitFor, waitForBadge, waitForState, waitForStep } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

describe.skipIf(noBrowser)('runs survive a reload (IndexedDB)', () => {
  const browser = useBrowser();

  it('after a reload the run is in runs-list and resume-run-btn continues from its checkpoint step', async () => {
    const query = 'backend=wasm&task=addition&digits=2&preset=nano&seed=3&batchSize=16&steps=200&eval.every=5&eval.n=4';
    await withApp(browser(), 'reload-resume', query, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      // Past the first evaluation (checkpoints are saved with it at the latest), then pause so
      // the newest state is saved too.
      await waitForStep(page, 7, 180_000);
      await page.getByTestId('pause-btn').click();
      const paused = await waitForState(page, ['paused'], 60_000);
      expect(paused.step).toBeGreaterThanOrEqual(7);

      await page.reload();
      await waitForBadge(page);
      const item = page.getByTestId('runs-list').getByTestId('run-item');
      await item.first().waitFor({ timeout: 30_000 });
      expect(await item.count()).toBe(1);
      const itemText = await item.first().innerText();
      // The listed run tells which step it can resume from.
      const savedStep = Number(
        (await item.first().getAttribute('data-step')) ?? (await item.first().getAttribute('data-saved-step')) ?? /step\D{0,3}(\d+)/i.exec(itemText)?.[1] ?? NaN,
      );
      expect(savedStep, `run-item: ${itemText}`).toBeGreaterThan(0);
      expect(savedStep).toBeLessThanOrEqual(paused.step);

      await item.first().getByTestId('resume-run-btn').click();
      // The counter restarts at the checkpoint step, never 0, and then advances.
      const first = await waitFor(page, 'step-counter after resume', (s) => Number.isFinite(s.step) && s.step > 0 && s.state !== 'idle', { timeout: 120_000 });
      expect(first.step).toBeGreaterThanOrEqual(savedStep);
      console.log(`[e2e] paused at step ${paused.step}; after the reload the run lists checkpoint step ${savedStep}; resumed at step ${first.step}`);
      await waitForStep(page, Math.max(first.step, savedStep) + 2, 120_000);
      const s = await snapshot(page);
      expect(['running', 'paused', 'done']).toContain(s.state);
      // The chart holds the points of before the reload too (eval every 5 steps, >= 1 before).
      expect(s.accPoints).toBeGreaterThanOrEqual(1);
      expect(errors).toEqual([]);
    });
  });
  it('a reload in the middle of a run (no pause) resumes from the last periodic checkpoint', async () => {
    const query = 'backend=wasm&task=addition&digits=2&preset=nano&seed=8&batchSize=16&steps=300&eval.every=25&eval.n=4';
    await withApp(browser(), 'reload-running', query, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      // Past the app's periodic checkpoint (every 50 steps), still running.
      const before = await waitForStep(page, 60, 180_000);
      await page.reload();
      await waitForBadge(page);
      const item = page.getByTestId('runs-list').getByTestId('run-item').first();
      await item.waitFor({ timeout: 30_000 });
      const savedStep = Number(await item.getAttribute('data-saved-step'));
      expect(savedStep).toBeGreaterThan(0);
      expect(savedStep).toBeLessThanOrEqual(before.step);
      await item.getByTestId('resume-run-btn').click();
      const first = await waitFor(page, 'the resumed run', (s) => s.state === 'running' && s.step > 0, { timeout: 120_000 });
      expect(first.step).toBeGreaterThanOrEqual(savedStep);
      const later = await waitForStep(page, first.step + 3, 120_000);
      console.log(`[e2e] reloaded while running at step ${before.step}; checkpoint step ${savedStep}; resumed at ${first.step}`);
      expect(later.accPoints).toBeGreaterThanOrEqual(2);
      await page.getByTestId('stop-btn').click();
      await waitForState(page, ['stopped'], 60_000);
      expect(errors).toEqual([]);
    });
  });
});
