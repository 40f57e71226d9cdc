// The setup every screenshot script shares: Debian's chromium (or a clear exit), the output folder,
// a fresh build of the app served locally, and one browser; `close` ends both.

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { findChromium, launchChromium } from './chromium.ts';
import { ROOT, buildApp, serveApp } from './server.ts';

export async function startShots(dir: string): Promise<{ out: string; server: { url: string }; browser: Browser; close: () => Promise<void> }> {
  const chromiumPath = findChromium();
  if (!chromiumPath) {
    console.error('screenshots: no chromium found (apt-get install -y chromium)');
    process.exit(1);
  }
  const out = resolve(ROOT, dir);
  mkdirSync(out, { recursive: true });
  await buildApp();
  const server = await serveApp();
  const browser = await launchChromium(chromiumPath);
  return {
    out,
    server: { url: server.url },
    browser,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
