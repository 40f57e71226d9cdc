// Finding and launching Debian's chromium for the browser tests (never a downloaded browser:
// this machine and CI have no internet; `npx playwright install` must not be used).
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * The chromium binary: $CHROMIUM_PATH when set (and then only that one: a wrong path is not
 * silently replaced), else Debian's package.
 */
export function findChromium(): string | null {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return existsSync(explicit) ? explicit : null;
  for (const c of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(c)) return c;
  return null;
}

/**
 * Launch flags. Measured with Debian chromium 150.0.7871.100 headless (see test/e2e/README.md):
 * `--enable-unsafe-webgpu` alone gives a working `navigator.gpu.requestAdapter()` on the page AND
 * in a dedicated worker (adapter info: vendor "google", architecture "swiftshader"). Without it
 * requestAdapter() returns null ("No available adapters."). `--enable-features=Vulkan`,
 * `--use-angle=swiftshader` and `--use-webgpu-adapter=swiftshader` change nothing and are not used.
 */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];

/**
 * The browser's environment: the caller's, minus the Vulkan loader settings that
 * `.ci/setup-webgpu.sh` exports for Node's Dawn (Mesa lavapipe). Chromium brings its own
 * SwiftShader Vulkan; with lavapipe in VK_ICD_FILENAMES its WebGL would switch to llvmpipe while
 * WebGPU stays on SwiftShader, so the tests would depend on how the shell was set up.
 */
function browserEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k === 'VK_ICD_FILENAMES' || k === 'VK_DRIVER_FILES' || k === 'LD_LIBRARY_PATH') continue;
    env[k] = v;
  }
  return env;
}

/** `webgpu: false` leaves out --enable-unsafe-webgpu: a browser whose navigator.gpu finds no adapter. */
export async function launchChromium(executablePath: string, opts: { webgpu?: boolean } = {}): Promise<Browser> {
  const args = opts.webgpu === false ? CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu') : CHROMIUM_ARGS;
  return chromium.launch({ executablePath, args, headless: true, env: browserEnv(), timeout: 60_000 });
}

/** Long tasks (> 50 ms on the main thread), collected from the very start of each document. */
const LONGTASK_SCRIPT = `(() => {
  const list = [];
  Object.defineProperty(window, '__longtasks', { value: list, configurable: true });
  try {
    new PerformanceObserver((l) => { for (const e of l.getEntries()) list.push({ start: e.startTime, duration: e.duration }); })
      .observe({ type: 'longtask', buffered: true });
  } catch (e) { window.__longtaskError = String(e); }
})();`;

export interface AppPage {
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors, with where they came from. */
  errors: string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  /** Reuse a context (same IndexedDB) instead of opening a fresh one. */
  context?: BrowserContext;
}

/** A fresh context (empty IndexedDB) and page, watched for errors, at `${baseURL}/?${query}`. */
export async function openApp(browser: Browser, baseURL: string, query: string, opts: OpenOptions = {}): Promise<AppPage> {
  const context = opts.context ?? (await browser.newContext({ viewport: opts.viewport ?? { width: 1280, height: 800 } }));
  await context.addInitScript(LONGTASK_SCRIPT);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()} (${m.location().url}:${m.location().lineNumber})`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('crash', () => errors.push('page crashed'));
  await page.goto(query ? `${baseURL}/?${query}` : `${baseURL}/`);
  return {
    context,
    page,
    errors,
    close: async () => {
      if (!opts.context) await context.close();
      else await page.close();
    },
  };
}
