// Vite config for the browser app and for vitest (tests run in Node). The dev server and
// `vite preview` send the cross-origin isolation headers, so tfjs-wasm gets SharedArrayBuffer and
// runs its threaded build; plain static hosts get them from public/coi-sw.js (docs/DEPLOY.md).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** COOP + COEP make the page cross-origin isolated; CORP lets other isolated pages embed our files. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  // Relative asset URLs: the same build works at a domain's root and under any subpath.
  base: './',
  plugins: [react()],
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: 'es' },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
