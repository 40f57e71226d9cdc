// `npx tsx test/e2e/env-screenshots.ts`: the inspector showing environment trajectories, for
// docs/screenshots/ (not part of `npm test`; about 10 minutes on 2 shared cores):
//   inspector-calc-tool.png      held-out calc-tool episodes after 400 SFT steps
//   rollouts-calc-tool.png       its RL rollouts (2 GRPO steps), trajectories as recorded
//   inspector-guess-number.png   held-out guess-number episodes (3 digits) after 400 SFT steps
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { waitForBadge, waitForState } from './helpers/app.ts';
import { openApp } from './helpers/chromium.ts';
import { startShots } from './helpers/shots.ts';

const { out: OUT, server, browser, close } = await startShots(process.env.SHOTS_DIR ?? 'docs/screenshots');

/** Train `query` to the end, then picture each panel with its top just below the sticky top bar. */
async function shoot(browser: Browser, url: string, query: string, shots: { panel: string; file: string }[]): Promise<void> {
  const app = await openApp(browser, url, query, { viewport: { width: 1280, height: 900 } });
  const { page } = app;
  await waitForBadge(page);
  await page.getByTestId('start-btn').click();
  await waitForState(page, ['done'], 1_200_000);
  for (const s of shots) {
    const panel = page.getByTestId(s.panel);
    await panel.getByTestId('trajectory').first().waitFor();
    await panel.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 56));
    await page.screenshot({ path: resolve(OUT, s.file) });
  }
  if (app.errors.length) console.warn(`page errors:\n  ${app.errors.join('\n  ')}`);
  await app.close();
}

// ONLY=calc-tool or ONLY=guess-number takes one environment's pictures.
const only = process.env.ONLY;
try {
  if (!only || only === 'calc-tool') await shoot(browser, server.url, 'backend=wasm&task=calc-tool&preset=nano&seed=1&stage=sft%2Brl&steps=400&eval.every=400&eval.n=16&rl.steps=2&rl.prompts=4&rl.group=4', [
    { panel: 'inspector', file: 'inspector-calc-tool.png' },
    { panel: 'rollouts', file: 'rollouts-calc-tool.png' },
  ]);
  if (!only || only === 'guess-number') await shoot(browser, server.url, 'backend=wasm&task=guess-number&digits=3&preset=nano&seed=1&steps=400&eval.every=400&eval.n=16', [{ panel: 'inspector', file: 'inspector-guess-number.png' }]);
  console.log(`screenshots written to ${OUT}`);
} finally {
  await close();
}
