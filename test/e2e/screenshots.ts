// `npm run screenshots`: pictures of the main views for docs/screenshots/, taken from the built
// app in headless chromium (not part of `npm test`).
//   main-training-250.png  1280x800 after ten evaluations (250 steps)
// (the first minute at 1280 and 400 wide, main-training.png, narrow.png and inspector.png: first-minute.ts)
//   runs-list.png        the stored runs after a reload
//   rate.png, rate-narrow.png  the Rate panel (1280x800, 400x800) on that run, after 3 ratings
//   rl-phase.png         an sft+rl run in its RL phase: shaded RL part, reward/KL/entropy charts
//   rollouts.png         the RL rollout browser (records with verdicts and advantages)
import { resolve } from 'node:path';
import { waitFor, waitForBadge, waitForState } from './helpers/app.ts';
import { openApp } from './helpers/chromium.ts';
import { startShots } from './helpers/shots.ts';

const { out: OUT, server, browser, close } = await startShots('docs/screenshots');
try {
  const query = process.argv[2] ?? 'backend=wasm&task=addition&digits=2&preset=nano&seed=1&steps=600&lr=6e-3&minLr=6e-4&warmupSteps=30&eval.every=25&eval.n=32';
  const app = await openApp(browser, server.url, query, { viewport: { width: 1280, height: 800 } });
  const { page } = app;
  await waitForBadge(page);
  await page.getByTestId('start-btn').click();
  await waitForState(page, ['running'], 120_000);
  // The README's nano settings: accuracy climbs within a few hundred steps.
  await waitFor(page, 'ten accuracy points', (s) => s.accPoints >= 10, { timeout: 400_000 });
  await page.screenshot({ path: resolve(OUT, 'main-training-250.png') });
  await page.getByTestId('pause-btn').click();
  await waitForState(page, ['paused'], 60_000);
  await page.reload();
  await waitForBadge(page);
  const list = page.getByTestId('runs-list');
  await list.getByTestId('run-item').first().waitFor();
  await page.screenshot({ path: resolve(OUT, 'runs-list.png') });
  await page.getByTestId('rate-open').click();
  await page.getByTestId('rate-pair').waitFor({ timeout: 120_000 });
  for (const k of ['1', '2', 's']) await page.keyboard.press(k);
  // Settled: the next pairs are prefetched again.
  await waitFor(page, 'pairs ready', async () => !/ 0 ready/.test(await page.getByTestId('rate-counter').innerText()), { timeout: 60_000 });
  const rate = page.getByTestId('rate-panel');
  await rate.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: resolve(OUT, 'rate.png') });
  await page.setViewportSize({ width: 400, height: 800 });
  await rate.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.screenshot({ path: resolve(OUT, 'rate-narrow.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  if (app.errors.length) console.warn(`page errors while taking screenshots:\n  ${app.errors.join('\n  ')}`);
  await app.close();

  // SFT on 100 problems (it plateaus), then GRPO on fresh prompts: docs/EXPERIMENTS.md, experiment 1.
  const rlQuery =
    'backend=wasm&stage=sft%2Brl&task=addition&digits=2&preset=nano&seed=1&steps=400&lr=6e-3&minLr=6e-4&warmupSteps=30&trainSize=100' +
    '&rl.steps=80&rl.lr=3e-4&rl.prompts=16&rl.group=8&eval.every=20&eval.n=64&eval.passk=1,4';
  const rl = await openApp(browser, server.url, rlQuery, { viewport: { width: 1280, height: 800 } });
  await waitForBadge(rl.page);
  await rl.page.getByTestId('start-btn').click();
  await waitForState(rl.page, ['done'], 900_000);
  await rl.page.screenshot({ path: resolve(OUT, 'rl-phase.png') });
  const rollouts = rl.page.getByTestId('rollouts');
  await rollouts.getByTestId('sample-row').first().waitFor();
  await rollouts.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 56));
  await rl.page.screenshot({ path: resolve(OUT, 'rollouts.png') });
  if (rl.errors.length) console.warn(`page errors in the RL run:\n  ${rl.errors.join('\n  ')}`);
  await rl.close();
  console.log(`screenshots written to ${OUT}`);
} finally {
  await close();
}
