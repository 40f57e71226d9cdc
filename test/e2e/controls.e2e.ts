// The controls: settings typed into the form drive the run and land in the URL, a demo button
// starts its runs, and "Switch to RL" ends SFT and continues with RL rollouts in the worker.
import { describe, expect, it } from 'vitest';
import { snapshot, waitFor, waitForBadge, waitForState } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

describe.skipIf(noBrowser)('controls', () => {
  const browser = useBrowser();

  it('settings chosen in the form are used by the run and written to the URL', async () => {
    await withApp(browser(), 'settings', 'backend=wasm&preset=nano&eval.n=4&eval.every=1000', async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('task-select').selectOption('boolean');
      await waitFor(page, 'task=boolean in the URL', async () => new URL(page.url()).searchParams.get('task') === 'boolean', { timeout: 15_000 });
      const steps = page.getByTestId('steps-input');
      await steps.fill('3');
      await steps.press('Enter');
      await steps.blur();
      const seed = page.getByTestId('seed-input');
      await seed.fill('7');
      await seed.press('Enter');
      await seed.blur();
      await waitFor(page, 'steps=3 and seed=7 in the URL', async () => /(^|[?&])(train\.)?steps=3(&|$)/.test(new URL(page.url()).search) && /(^|[?&])(train\.)?seed=7(&|$)/.test(new URL(page.url()).search), { timeout: 15_000 });
      expect(await page.getByTestId('preset-select').inputValue()).toBe('nano');

      await page.getByTestId('start-btn').click();
      const done = await waitForState(page, ['done'], 120_000);
      expect(done.step).toBe(3);
      // The run is stored under the chosen task.
      const item = page.getByTestId('run-item').first();
      await item.waitFor();
      expect(await item.innerText()).toMatch(/boolean/);
      expect(errors).toEqual([]);
    });
  });

  it('a demo button starts its first run with the demo settings', async () => {
    await withApp(browser(), 'demo', 'backend=wasm', async ({ page, errors }) => {
      await waitForBadge(page);
      await page.locator('[data-testid="demo-preset"][data-demo="boolean-sft-rl"]').click();
      await waitForState(page, ['running'], 120_000);
      expect(await page.getByTestId('task-select').inputValue()).toBe('boolean');
      // The demo's note says what it shows and what was measured, above the charts.
      expect(await page.getByTestId('demo-note').innerText()).toMatch(/SFT then RL[^]*measured/i);
      await waitFor(page, 'a step', (s) => s.step >= 1, { timeout: 120_000 });
      await page.getByTestId('stop-btn').click();
      await waitForState(page, ['stopped'], 60_000);
      expect(errors).toEqual([]);
    });
  });

  it('switch-rl-btn ends SFT and continues with RL: the counter says RL and rollouts with verdicts appear', async () => {
    const query = 'backend=wasm&task=addition&digits=1&preset=nano&seed=6&steps=400&eval.every=1000&eval.n=4&rl.steps=3&rl.prompts=2&rl.group=4';
    await withApp(browser(), 'switch-rl', query, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitFor(page, 'a few SFT steps', (s) => s.step >= 5, { timeout: 120_000 });
      const sftText = await page.getByTestId('step-counter').innerText();
      expect(sftText).toMatch(/SFT/);
      const switchBtn = page.getByTestId('switch-rl-btn');
      expect(await switchBtn.isEnabled()).toBe(true);
      await switchBtn.click();
      await waitFor(page, 'the RL phase in the step counter', async () => /\bRL\b/.test(await page.getByTestId('step-counter').innerText()), { timeout: 120_000 });
      const end = await waitForState(page, ['done'], 300_000);
      expect(end.state).toBe('done');
      const rows = page.getByTestId('rollouts').getByTestId('sample-row');
      await rows.first().waitFor({ timeout: 30_000 });
      const verdicts = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-correct')));
      for (const v of verdicts) expect(v === 'true' || v === 'false').toBe(true);
      expect((await snapshot(page)).error).toBe('');
      expect(errors).toEqual([]);
    });
  });
});
