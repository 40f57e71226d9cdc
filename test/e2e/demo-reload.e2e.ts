// A reload in the middle of a two-run demo: the page says so, Resume continues the demo's first
// run, and when it ends the queued second run starts on its own, with the first overlaid.
import { describe, expect, it } from 'vitest';
import { waitFor, waitForBadge, waitForStep } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

describe.skipIf(noBrowser)('a demo across a reload', () => {
  const browser = useBrowser();

  it('keeps the queued run: a note says so, and it starts after the resumed run ends', async () => {
    await withApp(browser(), 'demo-reload', 'backend=wasm', async ({ page, errors }) => {
      await waitForBadge(page);
      await page.locator('[data-testid="demo-preset"][data-demo="addition-traces"]').click();
      // Past the first checkpoint (step 50) of the first run.
      await waitForStep(page, 55, 180_000);
      await page.reload();
      await waitForBadge(page);
      const note = page.getByTestId('notice');
      await note.waitFor({ timeout: 20_000 });
      const text = await note.innerText();
      expect(text).toMatch(/interrupted the demo "Traces vs answer-only/);
      expect(text).toMatch(/"addition · answer-only" starts when it ends/);
      expect(await page.getByTestId('demo-note').isVisible()).toBe(true);
      const first = page.getByTestId('run-item').filter({ hasText: 'addition · traces' });
      await first.getByTestId('resume-run-btn').click();
      await waitFor(page, 'the first run resumed', (s) => s.state === 'running', { timeout: 60_000 });
      const firstId = (await page.evaluate(() => (window as unknown as { __reasonlab: { runId: string } }).__reasonlab.runId)) as string;
      // Its 600 steps end, and the queued run starts by itself.
      await waitFor(
        page,
        'the queued second run',
        async () => {
          const h = (await page.evaluate(() => (window as unknown as { __reasonlab: { runId: string | null; state: string | null } }).__reasonlab)) as { runId: string | null; state: string | null };
          return h.runId !== null && h.runId !== firstId && h.state === 'running';
        },
        { timeout: 300_000 },
      );
      await waitFor(page, 'the second run in the list', async () => (await page.getByTestId('run-item').filter({ hasText: 'addition · answer-only' }).count()) === 1, { timeout: 30_000 });
      // The finished first run is overlaid in the accuracy chart.
      const labels = await page.getByTestId('acc-chart').locator('.u-legend .u-label').allInnerTexts();
      expect(labels.some((l) => l.startsWith('addition · traces:'))).toBe(true);
      await page.getByTestId('stop-btn').click();
      await waitFor(page, 'stopped', (s) => s.state === 'stopped', { timeout: 60_000 });
      expect(errors).toEqual([]);
    });
  });
});
