// `npm run screenshots:first`: a newcomer's first minute, for docs/screenshots/ (not part of
// `npm test`), from the built app in headless chromium, at 1280x800 and at 400x800:
//   first-load.png / first-load-narrow.png   the page as it opens, nothing stored
//   main-training.png / narrow.png           about 40 s into the first demo (two runs compared)
//   inspector.png                            the sample inspector at that moment
// No settings in the link: what a newcomer opens (auto picks the backend).
import { resolve } from 'node:path';
import { waitFor, waitForBadge } from './helpers/app.ts';
import { openApp } from './helpers/chromium.ts';
import { startShots } from './helpers/shots.ts';

const { out: OUT, server, browser, close } = await startShots(process.env.SCREENSHOT_DIR ?? 'docs/screenshots');
try {
  const app = await openApp(browser, server.url, '', { viewport: { width: 1280, height: 800 } });
  const { page } = app;
  await waitForBadge(page);
  await page.getByTestId('runs-list').waitFor();
  await page.screenshot({ path: resolve(OUT, 'first-load.png') });
  await page.setViewportSize({ width: 400, height: 800 });
  await page.waitForTimeout(300); // the charts re-layout to the new width (ResizeObserver)
  await page.screenshot({ path: resolve(OUT, 'first-load-narrow.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('demo-preset').first().click();
  const t0 = Date.now();
  await waitFor(page, 'the demo trains', (s) => s.state === 'running', { timeout: 60_000 });
  await waitFor(page, '40 s of training', () => Date.now() - t0 > 40_000, { timeout: 120_000 });
  await page.screenshot({ path: resolve(OUT, 'main-training.png') });
  await page.setViewportSize({ width: 400, height: 800 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: resolve(OUT, 'narrow.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  const inspector = page.getByTestId('inspector');
  await inspector.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 56));
  await page.screenshot({ path: resolve(OUT, 'inspector.png') });
  if (app.errors.length) console.warn(`page errors:\n  ${app.errors.join('\n  ')}`);
  await app.close();
  console.log(`screenshots written to ${OUT}`);
} finally {
  await close();
}
