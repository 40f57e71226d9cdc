// The app under test: a production build (`vite build`) served by `vite preview` on a free port.
// A built bundle is what users get (one worker chunk, hashed assets, wasm files copied), and it
// does not recompile while a test runs; the dev server would.
import { resolve } from 'node:path';
import { build, preview, type PreviewServer } from 'vite';

export const ROOT = resolve(import.meta.dirname, '../../..');
/** Kept apart from `dist/` so a test run never clobbers a build someone made by hand. */
export const E2E_DIST = resolve(ROOT, '.cache/e2e/dist');

export interface AppServer {
  url: string;
  close(): Promise<void>;
}

/**
 * `vite build` into E2E_DIST, as production. Vite keeps a NODE_ENV that is already set, and
 * vitest sets NODE_ENV=test: left alone, the build would ship React's development runtime
 * (jsxDEV, dev warnings), several times slower on the main thread than what users get.
 */
export async function buildApp(): Promise<void> {
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: ROOT,
      configFile: resolve(ROOT, 'vite.config.ts'),
      mode: 'production',
      logLevel: 'warn',
      build: { outDir: E2E_DIST, emptyOutDir: true },
    });
  } finally {
    if (env === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = env;
  }
}

export async function serveApp(): Promise<AppServer> {
  const server: PreviewServer = await preview({
    root: ROOT,
    configFile: resolve(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: E2E_DIST },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const addr = server.httpServer.address();
  if (!addr || typeof addr === 'string') throw new Error(`vite preview: unexpected address ${String(addr)}`);
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () => server.close(),
  };
}
