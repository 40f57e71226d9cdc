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
      // The reasons sit in a closed "why wasm?" details and the badge's tooltip, not in the page's loudest text.
      expect(await page.locator('.skipped').textContent()).toMatch(/webgpu skipped[^\n]*software adapter/i);
      expect(await page.getByTestId('backend-badge').getAttribute('title')).toMatch(/webgpu skipped/i);
      expect(await page.locator('body').innerText()).not.toMatch(/swiftshader/i);
      // The one line that says what this is and what to do first.
      expect(await page.getByTestId('intro').innerText()).toMatch(/Start here: click a demo/);
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
      expect(badge).toMatch(/software GPU/i);
      expect(await page.getByTestId('backend-badge').getAttribute('title')).toMatch(/swiftshader/i);
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
      expect(await page.locator('.skipped').textContent()).toMatch(/webgpu skipped/i);
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
      const note = page.getByTestId('notice').filter({ hasText: /settings in the link/i });
      await note.first().waitFor({ timeout: 15_000 });
      expect(await note.first().innerText()).toMatch(/digits|noSuchKey/);
      expect(errors).toEqual([]);
    });
  });

  it('?lr=abc&task=nope: the defaults are loaded, Start stays enabled and trains, the note speaks of settings, not CLI flags', async () => {
    await withApp(browser(), 'bad-url-start', 'backend=wasm&lr=abc&task=nope', async ({ page, errors }) => {
      await waitForBadge(page);
      const note = page.getByTestId('notice');
      await note.waitFor({ timeout: 15_000 });
      const text = await note.innerText();
      expect(text).toMatch(/settings in the link/i);
      expect(text).toMatch(/defaults/i);
      expect(text).not.toMatch(/--\w|reasonlab train/);
      // No config error under the buttons: nothing for the user to fix before starting.
      expect(await page.locator('.controls [role="alert"]').count()).toBe(0);
      const start = page.getByTestId('start-btn');
      await waitFor(page, 'Start enabled', async () => !(await start.isDisabled()), { timeout: 30_000 });
      expect(await page.getByTestId('step-btn').isDisabled()).toBe(false);
      // The URL now holds the defaults, not the bad values.
      expect(page.url()).not.toMatch(/lr=abc|task=nope/);
      await start.click();
      await waitFor(page, 'the run trains', (s) => s.state === 'running' && s.step > 0, { timeout: 120_000 });
      await page.getByTestId('stop-btn').click();
      await waitFor(page, 'stopped', (s) => s.state === 'stopped', { timeout: 60_000 });
      expect(errors).toEqual([]);
    });
  });

  it('an upload of {"question","answer"} lines names the accepted forms, with an example line', async () => {
    await withApp(browser(), 'wrong-schema-upload', 'backend=wasm&task=addition&digits=2', async ({ page, errors }) => {
      await waitForBadge(page);
      await page.getByTestId('dataset-upload').setInputFiles({ name: 'qa.jsonl', mimeType: 'application/json', buffer: Buffer.from('{"question":"12+34","answer":"46"}\n') });
      const err = page.getByTestId('dataset-error');
      await err.waitFor({ state: 'visible', timeout: 15_000 });
      const text = await err.innerText();
      expect(text).toMatch(/qa\.jsonl:1/);
      expect(text).toMatch(/full records/);
      expect(text).toMatch(/\{"prompt","completion"\} pairs/);
      expect(text).toMatch(/for example: \{"prompt":"[^"]+","completion":"[^"]+"\}/);
      expect(text).not.toMatch(/field id is missing/);
      expect(errors).toEqual([]);
    });
  });
});
