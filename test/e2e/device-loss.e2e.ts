// WebGPU device loss, triggered: the webgpu backend's device is destroyed mid-run (as a driver
// reset would). The run stops in `error` with a plain message naming its last checkpoint, the
// checkpoint stays listed, and Resume (a fresh worker, the same backend) continues from it.
// WebGPU here is SwiftShader (slow): a tiny model, and a pause to write the checkpoint.
import { describe, expect, it } from 'vitest';
import { waitFor, waitForBadge, waitForState } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

describe.skipIf(noBrowser)('a lost WebGPU device', () => {
  const browser = useBrowser();

  it('pauses the run with a plain message, keeps its checkpoint, and Resume continues from it', async () => {
    const query = 'backend=webgpu&task=addition&digits=1&preset=nano&batchSize=4&steps=200&eval.every=1000&eval.n=4&seed=2';
    await withApp(browser(), 'device-loss', query, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitFor(page, 'two steps', (s) => s.step >= 2, { timeout: 240_000 });
      // A pause writes a checkpoint; then train on and lose the device.
      await page.getByTestId('pause-btn').click();
      const paused = await waitForState(page, ['paused'], 120_000);
      await waitFor(page, 'the checkpoint listed', async () => Number(await page.getByTestId('run-item').first().getAttribute('data-saved-step')) === paused.step, { timeout: 60_000 });
      await page.getByTestId('resume-btn').click();
      await waitFor(page, 'training on', (s) => s.state === 'running' && s.step > paused.step, { timeout: 240_000 });
      expect(await page.evaluate(() => (globalThis as unknown as { __reasonlabLoseDevice: () => Promise<boolean> }).__reasonlabLoseDevice())).toBe(true);
      const lost = await waitFor(page, 'the error state', (s) => s.state === 'error', { timeout: 120_000, allowError: true });
      expect(lost.error).toMatch(/GPU device was lost/);
      expect(lost.error).toMatch(new RegExp(`last checkpoint \\(step ${paused.step}\\)`));
      const item = page.getByTestId('run-item').first();
      // (The list is refreshed from IndexedDB after the error: wait for it rather than race it.)
      await waitFor(page, 'the checkpoint still listed', async () => Number(await item.getAttribute('data-saved-step')) === paused.step, { timeout: 30_000, allowError: true });
      // Resume: a fresh worker on the same backend, from the checkpoint.
      await item.getByTestId('resume-run-btn').click();
      const back = await waitFor(page, 'the resumed run', (s) => s.state === 'running' && s.step >= paused.step, { timeout: 240_000 });
      expect((back.hook as { backend: string }).backend).toBe('webgpu');
      await waitFor(page, 'a step after the resume', (s) => s.step > back.step, { timeout: 240_000 });
      await page.getByTestId('stop-btn').click();
      await waitForState(page, ['stopped'], 120_000);
      console.log(`[e2e] device lost after step ${lost.step}; resumed from checkpoint ${paused.step}; errors: ${JSON.stringify(errors)}`);
      expect(errors.filter((e) => !/device|destroyed|lost/i.test(e))).toEqual([]);
    });
  });
});
