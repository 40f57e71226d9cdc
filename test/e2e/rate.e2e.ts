// The Rate panel: after a short addition run, rate pairs by keyboard (1, 2, =, s, undo), then 40
// more at a human pace (50 ratings in a row); the time from each keypress to the next pair on
// screen is measured in the page (keydown -> the animation frame that shows a new pair id). After
// a reload the ratings are still stored; the export is valid preference JSONL (human rater,
// shown_first, verdicts), the DPO export leaves the ties out; an import adds only its new valid
// lines and names the bad one by file:line; verdicts are never on screen.
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parsePreferenceJsonl } from '../../src/records/preference.ts';
import { TINY_RUN, waitFor, waitForBadge, waitForState } from './helpers/app.ts';
import { ROOT } from './helpers/server.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

/**
 * Page-side probe: each keydown starts a clock (the event's time) that stops in the first
 * animation frame whose DOM shows another pair (just before that frame is painted).
 */
const PROBE_JS = `(() => {
  const w = window;
  w.__rate = { lat: [], waiting: 0 };
  const id = () => document.querySelector('[data-testid="rate-pair"]')?.getAttribute('data-pair-id') ?? null;
  window.addEventListener('keydown', (e) => {
    const from = id();
    const t0 = e.timeStamp;
    w.__rate.waiting++;
    const tick = () => {
      const now = id();
      if (now !== null && now !== from) { w.__rate.lat.push(performance.now() - t0); w.__rate.waiting--; }
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, true);
})()`;

const counter = async (page: Page) => {
  const c = page.getByTestId('rate-counter');
  return { stored: Number(await c.getAttribute('data-stored')), skipped: Number(await c.getAttribute('data-skipped')) };
};

/** Press a key and wait until the next pair is on screen (the probe has timed it). */
async function press(page: Page, key: string): Promise<void> {
  const n = (await page.evaluate('window.__rate.lat.length')) as number;
  await page.keyboard.press(key);
  await page.waitForFunction(`window.__rate.lat.length > ${n}`, undefined, { timeout: 60_000 });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

async function download(page: Page, testId: string): Promise<string> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFile(await d.path(), 'utf8');
}

describe.skipIf(noBrowser)('Rate panel', () => {
  const browser = useBrowser();

  it('rates 50 pairs by keyboard with undo, keeps them over a reload, exports valid preference and DPO JSONL', async () => {
    await withApp(browser(), 'rate', `backend=wasm&${TINY_RUN}`, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForState(page, ['done'], 240_000);
      await page.evaluate(PROBE_JS);
      const panel = page.getByTestId('rate-panel');
      await page.getByTestId('rate-open').click();
      const t0 = Date.now();
      await page.getByTestId('rate-pair').waitFor({ timeout: 120_000 });
      const firstPairMs = Date.now() - t0;
      await waitFor(page, 'three pairs prefetched', async () => /3 ready/.test(await page.getByTestId('rate-counter').innerText()), { timeout: 60_000 });

      // 14 keys, 10 ratings: 1 2 = s 1 u 2 1 2 = 1 2 s 1 (u takes back the 1 before it).
      for (const k of ['1', '2', '=', 's']) await press(page, k);
      const rated = await page.getByTestId('rate-pair').getAttribute('data-pair-id');
      await press(page, '1');
      expect(await page.getByTestId('rate-pair').getAttribute('data-pair-id')).not.toBe(rated);
      // Undo brings the rated pair back on screen.
      await press(page, 'u');
      expect(await page.getByTestId('rate-pair').getAttribute('data-pair-id')).toBe(rated);
      for (const k of ['2', '1', '2', '=', '1', '2', 's', '1']) await press(page, k);
      await waitFor(page, '10 ratings counted', async () => (await counter(page)).stored === 10);
      expect(await counter(page)).toEqual({ stored: 10, skipped: 2 });
      const scripted = (await page.evaluate('window.__rate.lat')) as number[];

      // The panel never shows the verifier's verdicts.
      const text = await panel.innerText();
      expect(text).not.toMatch(/fully right|right answer|wrong answer|✓|✗|reward/);

      const shots = resolve(ROOT, '.cache/e2e/rate');
      mkdirSync(shots, { recursive: true });
      await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: resolve(shots, 'rate-1280.png') });

      // 40 more at a human pace (400 ms to read each pair): 50 ratings in a row.
      for (let i = 0; i < 40; i++) {
        await page.waitForTimeout(400);
        await press(page, i % 3 === 0 ? '2' : '1');
      }
      await waitFor(page, '50 ratings counted', async () => (await counter(page)).stored === 50);
      const all = (await page.evaluate('window.__rate.lat')) as number[];
      const paced = all.slice(scripted.length);
      const stats = (xs: number[]) => ({ n: xs.length, median_ms: Math.round(pct(xs, 0.5)), p95_ms: Math.round(pct(xs, 0.95)), max_ms: Math.round(Math.max(...xs)), over_100ms: xs.filter((x) => x > 100).length });
      const report = { first_pair_ms: firstPairMs, back_to_back: stats(scripted), human_pace: stats(paced) };
      console.log(`[e2e] rate latency (keypress -> next pair shown): ${JSON.stringify(report)}`);
      writeFileSync(resolve(shots, 'latency.json'), JSON.stringify({ ...report, scripted_ms: scripted.map(Math.round), paced_ms: paced.map(Math.round) }, null, 1));
      // Pleasant: at a human pace the next pair is ready before the key (one frame, not a sample).
      expect(pct(paced, 0.5)).toBeLessThan(100);

      await page.setViewportSize({ width: 400, height: 800 });
      await panel.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: resolve(shots, 'rate-400.png') });
      await page.setViewportSize({ width: 1280, height: 800 });

      // After a reload the 50 ratings are still stored with the run.
      await page.reload();
      await waitForBadge(page);
      await page.getByTestId('runs-list').getByTestId('run-item').first().waitFor({ timeout: 30_000 });
      await page.getByTestId('rate-open').click();
      await page.getByTestId('rate-counter').waitFor();
      await waitFor(page, 'the stored ratings after the reload', async () => (await counter(page)).stored === 50, { timeout: 30_000 });

      const jsonl = await download(page, 'rate-export');
      const { records, bad } = parsePreferenceJsonl(jsonl, 'export.jsonl', { skipBad: true });
      expect(bad).toEqual([]);
      expect(records).toHaveLength(50);
      expect(new Set(records.map((r) => r.id)).size).toBe(50);
      for (const r of records) {
        expect(r.rater).toEqual({ id: 'human' });
        expect(r.shown_first === 'chosen' || r.shown_first === 'rejected').toBe(true);
        expect(r.verdicts.chosen).not.toBeNull();
        expect(r.provenance).toMatchObject({ temperature: 1, split: 'train' });
        expect(Date.parse(r.provenance.time!)).toBeGreaterThan(0);
      }
      expect(records.filter((r) => r.tie)).toHaveLength(2);
      // Ratings are stored in the order given, and the ones rated after the reload continue the stream.
      const idx = records.map((r) => r.provenance.index!);
      expect(new Set(idx).size).toBe(50);
      const dpo = (await download(page, 'rate-export-dpo')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(dpo).toHaveLength(48);
      expect(Object.keys(dpo[0]!)).toEqual(['prompt', 'chosen', 'rejected']);

      // Import: a file of the export (all known), one new valid line and one broken line.
      const fresh = JSON.stringify({ ...records[0]!, id: 'imported-1' });
      const upload = `${jsonl}${fresh}\n{"kind":"preference"\n`;
      await page.getByTestId('rate-import').setInputFiles({ name: 'mine.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(upload) });
      const note = page.getByTestId('rate-note');
      await note.waitFor({ timeout: 30_000 });
      await waitFor(page, 'the import note', async () => /mine\.jsonl: 1 ratings added/.test(await note.innerText()), { timeout: 30_000 });
      const noteText = await note.innerText();
      expect(noteText).toMatch(/1 ratings added, 50 already stored, 1 lines refused:/);
      expect(noteText).toMatch(/mine\.jsonl:52: invalid JSON/);
      await waitFor(page, '51 stored', async () => (await counter(page)).stored === 51);
      expect(errors).toEqual([]);
    });
  });
});
