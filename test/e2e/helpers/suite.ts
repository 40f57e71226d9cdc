// Shared plumbing of the browser test files: one chromium per file, a page per test, and on a
// failure a screenshot plus the page's errors under .cache/e2e/failures/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { launchChromium, openApp, type AppPage, type OpenOptions } from './chromium.ts';
import { ROOT } from './server.ts';

export const baseURL = inject('baseURL');
export const chromiumPath = inject('chromiumPath');
/** True when global setup found no chromium (allowed outside CI only): the suites skip. */
export const noBrowser = chromiumPath === '';

const FAILURES = resolve(ROOT, '.cache/e2e/failures');

export function useBrowser(opts: { webgpu?: boolean } = {}): () => Browser {
  let browser: Browser | null = null;
  beforeAll(async () => {
    browser = await launchChromium(chromiumPath, opts);
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('browser not launched');
    return browser;
  };
}

/**
 * Open the app at `?query`, run `body`, and close the page. On a failure, save a screenshot and
 * the page's console errors under .cache/e2e/failures/<name>.* and add the errors to the message.
 */
export async function withApp(
  browser: Browser,
  name: string,
  query: string,
  body: (app: AppPage) => Promise<void>,
  opts: OpenOptions = {},
): Promise<void> {
  const app = await openApp(browser, baseURL, query, opts);
  try {
    await body(app);
  } catch (e) {
    mkdirSync(FAILURES, { recursive: true });
    const file = resolve(FAILURES, name.replace(/[^a-z0-9-]+/gi, '_'));
    await app.page.screenshot({ path: `${file}.png`, fullPage: true }).catch(() => undefined);
    writeFileSync(`${file}.txt`, [String(e), '', ...app.errors].join('\n'));
    if (e instanceof Error && app.errors.length) e.message += `\npage errors:\n  ${app.errors.join('\n  ')}`;
    throw e;
  } finally {
    await app.close();
  }
}
