// Cross-origin isolation and threaded wasm: under `vite preview` (COOP/COEP headers) the page is
// isolated and the training worker runs tfjs-wasm's threaded build on one thread per core; on a
// plain static host under a subpath, with no headers, public/coi-sw.js isolates the page after
// one reload, then trains and keeps the run over a reload. No console errors either way.
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TINY_RUN, waitForBadge, waitForState } from './helpers/app.ts';
import { E2E_DIST } from './helpers/server.ts';
import { noBrowser, useBrowser, withApp } from './helpers/suite.ts';

/** The threads the app should pick: one per logical core, at most tfjs's 8 pthread workers. */
const expectedThreads = (cores: number) => Math.max(1, Math.min(8, cores));

const threadsOf = (badge: string): number => {
  const m = /(\d+) threads?\b/.exec(badge);
  if (!m) throw new Error(`the backend badge shows no thread count: "${badge}"`);
  return Number(m[1]);
};

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** A static host with no special headers, serving the build under /lab/ (a subpath). */
async function plainHost(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith('/lab/')) return void res.writeHead(404).end();
    const file = resolve(E2E_DIST, `.${path.slice('/lab'.length)}${path.endsWith('/') ? 'index.html' : ''}`);
    if (!file.startsWith(E2E_DIST + sep)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('plain host: no port');
  return { url: `http://127.0.0.1:${addr.port}/lab`, server };
}

describe.skipIf(noBrowser)('cross-origin isolation and threaded wasm (headless chromium)', () => {
  const browser = useBrowser();

  it('vite preview: the page is isolated, the worker trains on wasm with one thread per core, no errors', async () => {
    await withApp(browser(), 'isolation-preview', `backend=wasm&${TINY_RUN}`, async ({ page, errors }) => {
      const doc = await page.request.get(page.url());
      expect(doc.headers()['cross-origin-opener-policy']).toBe('same-origin');
      expect(doc.headers()['cross-origin-embedder-policy']).toBe('require-corp');
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const badge = await waitForBadge(page);
      expect(badge).toMatch(/^wasm\b/);
      expect(threadsOf(badge)).toBe(expectedThreads(cores));
      await page.getByTestId('start-btn').click();
      const done = await waitForState(page, ['done'], 240_000);
      expect(done.step).toBe(40);
      expect(errors).toEqual([]);
    });
  });

  it('threads=1 in the link runs the single-threaded build and says why', async () => {
    await withApp(browser(), 'isolation-one-thread', 'backend=wasm&threads=1', async ({ page, errors }) => {
      const badge = await waitForBadge(page);
      expect(threadsOf(badge)).toBe(1);
      expect(await page.getByTestId('backend-badge').getAttribute('title')).toMatch(/one thread asked for/);
      expect(page.url()).toContain('threads=1');
      expect(errors).toEqual([]);
    });
  });

  // Serves this run's own build (.cache/e2e/dist), which E2E_BASE_URL runs do not make.
  it.skipIf(!!process.env.E2E_BASE_URL)('a plain static host under a subpath: coi-sw.js isolates the page after one reload; it trains and the run persists', async () => {
    const { url, server } = await plainHost();
    const context = await browser().newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      page.on('pageerror', (e) => errors.push(e.message));
      const first = await page.request.get(`${url}/`);
      expect(first.headers()['cross-origin-embedder-policy']).toBeUndefined();
      await page.goto(`${url}/?backend=wasm`);
      // The first load registers the worker and reloads under it.
      await page.waitForFunction(() => crossOriginIsolated && !!navigator.serviceWorker.controller, undefined, { timeout: 60_000 });
      expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${url}/coi-sw.js`);
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const badge = await waitForBadge(page);
      expect(threadsOf(badge)).toBe(expectedThreads(cores));
      // It trains from there, and the run is still listed after a reload (IndexedDB under /lab/).
      await page.goto(`${url}/?backend=wasm&${TINY_RUN}`);
      await waitForBadge(page);
      await page.getByTestId('start-btn').click();
      expect((await waitForState(page, ['done'], 240_000)).step).toBe(40);
      await page.reload();
      const item = page.getByTestId('runs-list').getByTestId('run-item').first();
      await item.waitFor({ timeout: 60_000 });
      expect(await item.innerText()).toMatch(/addition/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
      await new Promise((r) => server.close(r));
    }
  });
});
