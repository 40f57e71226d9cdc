// Global setup of the browser tests: find chromium, build the app, serve it, hand the URL to the
// test files. Without chromium: a loud skip locally, a failure in CI (CI=true).
import type { TestProject } from 'vitest/node';
import { findChromium } from './helpers/chromium.ts';
import { buildApp, serveApp } from './helpers/server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The app's origin, e.g. http://127.0.0.1:41234 ('' when the tests are skipped). */
    baseURL: string;
    /** Path of the chromium binary, '' when none was found (the tests then skip). */
    chromiumPath: string;
  }
}

function banner(lines: string[]): string {
  const bar = '!'.repeat(78);
  return ['', bar, ...lines.map((l) => `!!  ${l}`), bar, ''].join('\n');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    const ci = process.env.CI === 'true' || process.env.CI === '1';
    const msg = [
      `BROWSER TESTS ${ci ? 'FAILED' : 'SKIPPED'}: no chromium binary found`,
      `(looked at ${process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : '/usr/bin/chromium, /usr/bin/chromium-browser'}).`,
      'Install it with: apt-get install -y chromium   (bash .ci/run does this)',
    ];
    if (ci) {
      throw new Error(banner([...msg, 'CI is set: a missing chromium is a failure, not a skip.']));
    }
    console.warn(banner(msg));
    project.provide('baseURL', '');
    project.provide('chromiumPath', '');
    // Said again at the end, so the skip is not lost above the test list.
    return async () => console.warn(banner(msg));
  }

  let baseURL = process.env.E2E_BASE_URL ?? '';
  let close = async (): Promise<void> => undefined;
  if (baseURL) {
    console.log(`[e2e] testing the app already served at ${baseURL} (E2E_BASE_URL)`);
  } else {
    const t0 = performance.now();
    await buildApp();
    const server = await serveApp();
    baseURL = server.url;
    close = server.close;
    console.log(`[e2e] built the app and serving it at ${baseURL} (${((performance.now() - t0) / 1000).toFixed(1)} s); chromium: ${chromiumPath}`);
  }
  project.provide('baseURL', baseURL.replace(/\/$/, ''));
  project.provide('chromiumPath', chromiumPath);
  return close;
}
