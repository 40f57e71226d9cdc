// The page loads cleanly, shows its backend, and rejects a malformed dataset with a
// line-numbered error while keeping the data it had.
import { describe, expect, it } from 'vitest';
import { snapshot, waitFor, waitForBadge } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

describe.skipIf(noBrowser)('page load (headless chromium)', () => {
  const browser = useBrowser();

  it('loads with no console or page errors and shows the backend badge', async () => {
    await withApp(browser(), 'load', '', async ({ page, errors }) => {
      const badge = await waitForBadge(page);
      // Chromium runs with --enable-unsafe-webgpu, so WebGPU is there, but on SwiftShader (a
      // software adapter, ~100x slower than wasm here), and WebGL too: under auto the app passes
      // both over for wasm and says why.
      const hook = (await snapshot(page)).hook as { backend?: string } | null;
      expect(hook?.backend).toBe('wasm');
      expect(badge.toLowerCase()).toContain('wasm');
      expect(await page.locator('body').innerText()).toMatch(/webgpu skipped[^\n]*software adapter/i);
      const s = await snapshot(page);
      expect(s.state).toBe('idle');
      // ('load', not 'networkidle': whether the worker's requests count as idle is not what this
      // test is about.)
      await page.waitForLoadState('load');
      await page.getByTestId('runs-list').waitFor();
      expect(errors).toEqual([]);
    });
  });

  it('forced with ?backend=webgpu the badge names the SwiftShader adapter; with ?backend=cpu it says cpu', async () => {
    await withApp(browser(), 'load-webgpu', 'backend=webgpu', async ({ page, errors }) => {
      const badge = await waitForBadge(page);
      expect(badge).toMatch(/^webgpu\b/i);
      expect(badge).toMatch(/swiftshader/i);
      expect(errors).toEqual([]);
    });
    await withApp(browser(), 'load-cpu', 'backend=cpu', async ({ page, errors }) => {
      expect(await waitForBadge(page)).toMatch(/^cpu\b/i);
      expect(errors).toEqual([]);
    });
  });

  it('an uploaded malformed JSONL shows a line-numbered error and keeps the previous data', async () => {
    await withApp(browser(), 'dataset-upload', 'task=addition&digits=2&preset=nano', async ({ page, errors }) => {
      await waitForBadge(page);
      const upload = page.getByTestId('dataset-upload');
      const good = [
        '{"prompt":"12+34=","completion":"<think>2+4+0=6 1+3+0=4</think><answer>46</answer>"}',
        '{"prompt":"5+7=","completion":"<think>5+7+0=12</think><answer>12</answer>"}',
      ];
      // First a clean upload: it becomes the training data.
      await upload.setInputFiles({ name: 'good.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(good.join('\n') + '\n') });
      const using = page.getByText(/Training on good\.jsonl: 2 examples/);
      await using.waitFor({ timeout: 15_000 });

      // Then a file whose line 2 is broken JSON.
      const bad = [good[0], '{"prompt": "1+1=", "completion": ', good[1]].join('\n') + '\n';
      await upload.setInputFiles({ name: 'broken.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(bad) });
      const err = page.getByTestId('dataset-error');
      await err.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await err.innerText();
      expect(text).toMatch(/broken\.jsonl/);
      expect(text).toMatch(/line\s*2\b|:2\b/i);

      // The previous data is still the one in use, and a run can still start.
      expect(await using.isVisible()).toBe(true);
      expect(await page.getByTestId('start-btn').isEnabled()).toBe(true);
      const s = await snapshot(page);
      expect(s.state).toBe('idle');
      expect(s.error).toBe('');
      expect(errors).toEqual([]);
    });
  });
});

describe.skipIf(noBrowser)('a browser without WebGPU (no --enable-unsafe-webgpu)', () => {
  const browser = useBrowser({ webgpu: false });

  it('auto falls back to the next backend and says why webgpu was skipped', async () => {
    await withApp(browser(), 'no-webgpu-auto', '', async ({ page, errors }) => {
      const badge = await waitForBadge(page);
      expect(badge).not.toMatch(/webgpu/i);
      expect(await page.locator('body').innerText()).toMatch(/webgpu skipped/i);
      expect(errors).toEqual([]);
    });
  });

  it('?backend=webgpu is an error with the reason, never a silent fallback', async () => {
    await withApp(browser(), 'no-webgpu-forced', 'backend=webgpu', async ({ page }) => {
      const s = await waitFor(page, 'the error banner', (x) => x.error !== '', { timeout: 60_000, allowError: true });
      expect(s.error).toMatch(/webgpu/i);
      expect(s.badge).not.toMatch(/webgl|wasm|cpu/i);
      expect((s.hook as { backend?: string | null }).backend ?? null).toBeNull();
      expect(await page.getByTestId('start-btn').isDisabled()).toBe(true);
    });
  });
});

describe.skipIf(noBrowser)('settings in the link', () => {
  const browser = useBrowser();

  it('a bad setting in the URL is reported, and the page still works on the defaults', async () => {
    await withApp(browser(), 'bad-url-setting', 'backend=wasm&task=addition&digits=banana&noSuchKey=1', async ({ page, errors }) => {
      await waitForBadge(page);
      const alert = page.getByRole('alert').filter({ hasText: /settings in the link/i });
      await alert.first().waitFor({ timeout: 15_000 });
      expect(await alert.first().innerText()).toMatch(/digits|noSuchKey/);
      expect(errors).toEqual([]);
    });
  });
});
