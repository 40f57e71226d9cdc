// Checkpoints leave and enter the browser: the .zip a run downloads opens in a fresh browser
// profile and training continues from its step; a checkpoint written by the Node CLI opens too;
// a broken file is refused with a message and changes nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor, waitForBadge, waitForState, waitForStep } from './helpers/app.ts';
import { ROOT } from './helpers/server.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

const RUN = 'backend=wasm&task=addition&digits=2&preset=nano&seed=4&batchSize=16&steps=200&eval.every=5&eval.n=4';

describe.skipIf(noBrowser)('checkpoint files', () => {
  const browser = useBrowser();
  const tmp = mkdtempSync(join(tmpdir(), 'reasonlab-e2e-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('a downloaded checkpoint .zip opens in a fresh profile and training continues from its step', async () => {
    let zipPath = '';
    let savedStep = -1;
    await withApp(browser(), 'checkpoint-download', RUN, async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      await waitForStep(page, 8, 120_000);
      await page.getByTestId('pause-btn').click();
      await waitForState(page, ['paused'], 60_000);
      const item = page.getByTestId('run-item').first();
      await waitFor(page, 'a saved checkpoint in the runs list', async () => Number(await item.getAttribute('data-saved-step')) > 0);
      savedStep = Number(await item.getAttribute('data-saved-step'));
      const [download] = await Promise.all([page.waitForEvent('download'), item.getByTestId('checkpoint-download').click()]);
      expect(download.suggestedFilename()).toMatch(/\.zip$/);
      zipPath = join(tmp, download.suggestedFilename());
      await download.saveAs(zipPath);
      expect(errors).toEqual([]);
    });
    expect(readFileSync(zipPath).subarray(0, 2).toString('latin1')).toBe('PK');

    // A new context: empty IndexedDB, nothing saved.
    await withApp(browser(), 'checkpoint-upload', 'backend=wasm', async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('runs-list').waitFor();
      expect(await page.getByTestId('run-item').count()).toBe(0);
      await page.getByTestId('checkpoint-upload').setInputFiles(zipPath);
      const item = page.getByTestId('run-item').first();
      await item.waitFor({ timeout: 30_000 });
      expect(Number(await item.getAttribute('data-saved-step'))).toBe(savedStep);
      await item.getByTestId('resume-run-btn').click();
      const first = await waitFor(page, 'the imported run training', (s) => s.state === 'running' || s.state === 'paused');
      expect(first.step).toBeGreaterThanOrEqual(savedStep);
      const later = await waitForStep(page, savedStep + 3, 120_000);
      expect((later.hook as { backend?: string }).backend).toBe('wasm');
      await page.getByTestId('stop-btn').click();
      await waitForState(page, ['stopped'], 60_000);
      expect(errors).toEqual([]);
    });
  });

  it('a checkpoint folder written by the Node CLI opens in the browser', async () => {
    const out = join(tmp, 'cli-run');
    // The CLI and the app share the model and checkpoint code; 3 steps on wasm take seconds.
    execFileSync(
      process.execPath,
      [resolve(ROOT, 'bin/reasonlab.mjs'), 'train', '--task', 'addition', '--digits', '2', '--preset', 'nano', '--steps', '3', '--batchSize', '8', '--eval.n', '4', '--backend', 'wasm', '--out', out],
      { cwd: ROOT, stdio: 'pipe', timeout: 180_000 },
    );
    const dir = join(out, 'checkpoint');
    const files = readdirSync(dir).map((f) => join(dir, f));
    expect(files.length).toBeGreaterThanOrEqual(3);
    await withApp(browser(), 'checkpoint-cli', 'backend=wasm', async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('checkpoint-upload').setInputFiles(files);
      const item = page.getByTestId('run-item').first();
      await item.waitFor({ timeout: 30_000 });
      expect(Number(await item.getAttribute('data-saved-step'))).toBe(3);
      expect(await item.innerText()).toMatch(/addition/);
      expect(errors).toEqual([]);
    });
  });

  it('a broken checkpoint file is refused with a message and adds no run', async () => {
    await withApp(browser(), 'checkpoint-broken', 'backend=wasm', async ({ page }) => {
      await waitForBadge(page);
      await page.getByTestId('runs-list').waitFor();
      await page.getByTestId('checkpoint-upload').setInputFiles({ name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\u0003\u0004 this is not a zip') });
      const s = await waitFor(page, 'an error banner', (x) => x.error !== '', { timeout: 30_000, allowError: true });
      expect(s.error).toMatch(/checkpoint/i);
      expect(await page.getByTestId('run-item').count()).toBe(0);
    });
  });
});
