// Compared runs: each run has its own colour and its name in the chart legend, and the overlay
// survives a reload.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitFor, waitForBadge, waitForState } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

const RUN = 'backend=wasm&task=addition&digits=2&preset=nano&batchSize=16&steps=20&eval.every=10&eval.n=8';

/** The accuracy chart's legend: each series' label and its marker colour. */
async function legend(page: Page): Promise<{ label: string; color: string }[]> {
  return page.getByTestId('acc-chart').locator('.u-legend .u-series').evaluateAll((rows) =>
    rows.map((r) => {
      const m = r.querySelector('.u-marker') as HTMLElement | null;
      const cs = m ? getComputedStyle(m) : null;
      return { label: (r.querySelector('.u-label')?.textContent ?? '').trim(), color: cs ? cs.borderTopColor || cs.backgroundColor : '' };
    }),
  ).then((rows) => rows.filter((r) => r.label !== 'step' && r.label !== 'time (s)'));
}

async function train(page: Page) {
  await waitForBadge(page);
  await waitFor(page, 'Start enabled', async () => page.getByTestId('start-btn').isEnabled(), { timeout: 30_000 });
  await page.getByTestId('start-btn').click();
  await waitForState(page, ['done'], 240_000);
}

describe.skipIf(noBrowser)('compared runs', () => {
  const browser = useBrowser();

  it('each run has its own colour and name, and the overlay survives a reload', async () => {
    await withApp(browser(), 'overlay', `${RUN}&seed=1`, async ({ page, errors }) => {
      await train(page);
      const url = new URL(page.url());
      url.searchParams.set('seed', '2');
      await page.goto(url.toString());
      await train(page);
      const first = page.getByTestId('run-item').filter({ hasText: 'seed 1' });
      // (A controlled checkbox: it turns on once the run's metrics are loaded.)
      await first.locator('input[type="checkbox"]').click();
      const check = async () => {
        const rows = await waitFor(page, 'both runs in the legend', async () => {
          const l = await legend(page);
          return l.some((x) => x.label.includes('seed 1')) && l.some((x) => x.label.includes('seed 2'));
        }).then(() => legend(page));
        const a = rows.filter((x) => x.label.includes('seed 1'));
        const b = rows.filter((x) => x.label.includes('seed 2'));
        // One colour per run, and the two differ.
        expect(new Set(a.map((x) => x.color)).size).toBe(1);
        expect(new Set(b.map((x) => x.color)).size).toBe(1);
        expect(a[0]!.color).not.toBe(b[0]!.color);
        expect(a[0]!.color).not.toBe('');
        expect(b.every((x) => x.label.includes('(this run)'))).toBe(true);
        // Both runs draw the headline line.
        expect(a.some((x) => x.label.endsWith('greedy (fully right)'))).toBe(true);
        expect(b.some((x) => x.label.endsWith('greedy (fully right)'))).toBe(true);
        return rows;
      };
      const before = await check();
      console.log(`[e2e] legend: ${before.map((x) => `${x.label} = ${x.color}`).join(' | ')}`);
      await page.reload();
      await waitForBadge(page);
      await check();
      expect(await page.getByTestId('run-item').filter({ hasText: 'seed 1' }).locator('input[type="checkbox"]').isChecked()).toBe(true);
      expect(errors).toEqual([]);
    });
  });
});
