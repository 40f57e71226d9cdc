// The page loads cleanly, shows its backend, and rejects a malformed dataset with a
// line-numbered error while keeping the data it had.
import { describe, expect, it } from 'vitest';
import { snapshot, waitFor, waitForBadge } from './helpers/app.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

describe.skipIf(noBrowser)('page load (headless chromium)', () => {
  const browser = useBrowser();

  it('loads with no console or page errors and shows the backend badge: webgpu on SwiftShader', async () => {
    await withApp(browser(), 'load', '', async ({ page, errors }) => {
      const badge = await waitForBadge(page);
      // Chromium runs with --enable-unsafe-webgpu, so WebGPU is there (SwiftShader) and is the
      // app's first choice; the badge names the backend and the adapter.
      expect(badge).toMatch(/webgpu/i);
      expect(badge).toMatch(/swiftshader|google/i);
      const s = await snapshot(page);
      expect(s.state).toBe('idle');
      await page.waitForLoadState('networkidle');
      expect(errors).toEqual([]);
    });
  });

  it('forced with ?backend=cpu, the badge says cpu', async () => {
    await withApp(browser(), 'load-cpu', 'backend=cpu', async ({ page, errors }) => {
      expect(await waitForBadge(page)).toMatch(/\bcpu\b/i);
      expect(errors).toEqual([]);
    });
  });

  it('an uploaded malformed JSONL shows a line-numbered error and keeps the previous data', async () => {
    await withApp(browser(), 'dataset-upload', 'task=addition&digits=2&preset=nano', async ({ page }) => {
      await waitForBadge(page);
      const upload = page.getByTestId('dataset-upload');
      const good = [
        '{"prompt":"12+34=","completion":"<think>2+4+0=6 1+3+0=4</think><answer>46</answer>"}',
        '{"prompt":"5+7=","completion":"<think>5+7+0=12</think><answer>12</answer>"}',
      ];
      // What the page says about its data before any upload, for the "kept" check below.
      const before = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
      const bad = [good[0], '{"prompt": "1+1=", "completion": ', good[1]].join('\n') + '\n';
      await upload.setInputFiles({ name: 'broken.jsonl', mimeType: 'application/jsonl', buffer: Buffer.from(bad) });
      const err = page.getByTestId('dataset-error');
      await err.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await err.innerText();
      expect(text).toMatch(/line\s*2\b|:2\b/i);
      // The failed upload changed nothing else: the page still describes the same data (the
      // error text aside) and a run can still start.
      const after = (await page.locator('body').innerText()).replace(text, '').replace(/\s+/g, ' ');
      expect(after.replace(/\s+/g, ' ').trim()).toBe(before.trim());
      expect(await page.getByTestId('start-btn').isEnabled()).toBe(true);
      const s = await snapshot(page);
      expect(s.state).not.toBe('error');
      // Sanity: the error is about the upload, not a crash.
      await waitFor(page, 'no error banner', (x) => x.error === '', { timeout: 1_000 });
    });
  });
});
