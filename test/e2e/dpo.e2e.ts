// "Train on my ratings": after a short addition run, a simulated rater rates 40 pairs (the Rate
// panel's counter continues after them and a person rates two more by keyboard), then DPO trains
// for 10 steps as a new run: the header says DPO, the DPO charts gain evaluation points (margin,
// pair accuracy, task accuracy, KL, length), the Runs list names where the run came from, a reload
// keeps it listed with its checkpoint and its charts; a reload in the middle of a second DPO run
// lists it as interrupted with nothing saved and Resume off; no console errors. Screenshots of the DPO
// charts and the Rate panel in .cache/e2e/dpo/.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TINY_RUN, waitFor, waitForBadge, waitForState } from './helpers/app.ts';
import { ROOT } from './helpers/server.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

const attr = async (page: Page, testId: string, name: string) => Number(await page.getByTestId(testId).getAttribute(name));
const runId = async (page: Page) => (await page.evaluate('window.__reasonlab?.runId ?? null')) as string | null;

describe.skipIf(noBrowser)('Train on my ratings (DPO in the app)', () => {
  const browser = useBrowser();

  it('simulated rater rates 40 pairs, the user rates on, DPO trains as a new run with live charts and survives a reload', async () => {
    await withApp(browser(), 'dpo', `backend=wasm&${TINY_RUN}`, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForState(page, ['done'], 240_000);
      const sftId = await runId(page);

      // Below the minimum the button is off and the line says how many are needed.
      await waitFor(page, 'the DPO readiness line', async () => (await attr(page, 'dpo-ready', 'data-decided')) === 0);
      expect(await page.getByTestId('dpo-train').isDisabled()).toBe(true);
      expect(await page.getByTestId('dpo-ready').innerText()).toMatch(/0 decided, 0 ties \(left out\) · DPO needs 16 decided/);

      await page.getByTestId('sim-rater').selectOption('prefers-short-thoughts');
      await page.getByTestId('sim-count').selectOption('40');
      await page.getByTestId('sim-rate').click();
      const note = page.getByTestId('sim-note');
      await waitFor(page, 'the simulated rater', async () => /rated 40 pairs/.test(await note.innerText()), { timeout: 180_000 });
      const [, decided, ties] = /(\d+) decided, (\d+) ties/.exec(await note.innerText())!.map(Number);
      expect(decided! + ties!).toBe(40);
      await waitFor(page, 'readiness after the rater', async () => (await attr(page, 'dpo-ready', 'data-decided')) === decided);
      expect(decided).toBeGreaterThanOrEqual(16);

      // The person takes over: the counter continues after the simulated ratings.
      await page.getByTestId('rate-open').click();
      await page.getByTestId('rate-pair').waitFor({ timeout: 120_000 });
      await waitFor(page, '40 stored', async () => (await attr(page, 'rate-counter', 'data-stored')) === 40);
      for (const k of ['1', '2']) {
        const id = await page.getByTestId('rate-pair').getAttribute('data-pair-id');
        await page.keyboard.press(k);
        await waitFor(page, 'the next pair', async () => (await page.getByTestId('rate-pair').getAttribute('data-pair-id')) !== id, { timeout: 60_000 });
      }
      await waitFor(page, '42 stored', async () => (await attr(page, 'rate-counter', 'data-stored')) === 42);
      const shots = resolve(ROOT, '.cache/e2e/dpo');
      mkdirSync(shots, { recursive: true });
      await page.getByTestId('rate-panel').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: resolve(shots, 'rate-panel.png') });

      await page.getByTestId('dpo-steps').selectOption('10');
      await waitFor(page, 'Train enabled', async () => !(await page.getByTestId('dpo-train').isDisabled()));
      await page.getByTestId('dpo-train').click();
      await waitFor(page, 'the DPO run to start', async () => (await runId(page)) !== sftId, { timeout: 60_000 });
      const dpoId = await runId(page);
      await waitFor(page, 'the header to say DPO', async () => /DPO/.test(await page.getByTestId('step-counter').innerText()), { timeout: 60_000 });
      await waitForState(page, ['done'], 240_000);
      // Evaluations at DPO steps 0, 5 and 10.
      await waitFor(page, 'margin points', async () => (await attr(page, 'dpo-margin-chart', 'data-points')) >= 3, { timeout: 30_000 });
      for (const id of ['dpo-margin', 'dpo-pairs', 'dpo-task', 'dpo-kl', 'dpo-length']) {
        expect(await page.getByTestId(`${id}-chart`).locator('.chart-empty').count()).toBe(0);
      }
      const item = page.getByTestId('runs-list').locator(`[data-run-id="${dpoId}"]`);
      await waitFor(page, 'the DPO run listed as done', async () => (await item.getAttribute('data-state')) === 'done', { timeout: 30_000 });
      expect(await item.getAttribute('data-saved-step')).toBe('10');
      expect(await item.innerText()).toMatch(/DPO from ".*" step 40 on \d+ ratings · done · checkpoint at DPO step 10/);
      expect(await item.getByTestId('resume-run-btn').isDisabled()).toBe(true);
      await page.getByTestId('dpo-margin-chart').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: resolve(shots, 'dpo-charts.png') });

      // A reload: the DPO run is listed with its checkpoint, and its charts come back.
      await page.reload();
      await waitForBadge(page);
      const again = page.getByTestId('runs-list').locator(`[data-run-id="${dpoId}"]`);
      await again.waitFor({ timeout: 30_000 });
      expect(await again.getAttribute('data-saved-step')).toBe('10');
      await waitFor(page, 'the restored DPO charts', async () => (await page.getByTestId('dpo-margin-chart').count()) === 1, { timeout: 30_000 });

      // A reload in the middle of a DPO run: it is listed as interrupted, nothing saved, Resume off.
      await page.getByTestId('runs-list').locator(`[data-run-id="${sftId}"]`).getByTestId('resume-run-btn').click();
      await waitFor(page, 'the SFT run open again', async () => (await runId(page)) === sftId && (await page.evaluate('window.__reasonlab?.state')) === 'done', { timeout: 60_000 });
      await waitFor(page, 'Train enabled again', async () => !(await page.getByTestId('dpo-train').isDisabled()), { timeout: 30_000 });
      await page.getByTestId('dpo-steps').selectOption('100');
      await page.getByTestId('dpo-train').click();
      await waitFor(page, 'the second DPO run', async () => ![sftId, dpoId].includes(await runId(page)), { timeout: 60_000 });
      const cut = await runId(page);
      await waitFor(page, 'a few DPO steps', async (x) => x.state === 'running' && x.step >= 2, { timeout: 120_000 });
      await page.reload();
      await waitForBadge(page);
      const cutItem = page.getByTestId('runs-list').locator(`[data-run-id="${cut}"]`);
      await waitFor(page, 'the cut DPO run listed as interrupted', async () => (await cutItem.count()) === 1 && (await cutItem.getAttribute('data-state')) === 'interrupted', { timeout: 30_000 });
      expect(await cutItem.innerText()).toMatch(/interrupted · nothing saved: train on the ratings again/);
      expect(await cutItem.getByTestId('resume-run-btn').isDisabled()).toBe(true);
      expect(errors).toEqual([]);
    });
  });
});
