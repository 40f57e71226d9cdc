// `npm run bench:browser`: training speed of the app per backend in headless chromium, read from
// the page (the app's own metrics export), written to docs/BROWSER-BENCH.json. Same model and
// batch on every backend: nano (3 layers, width 48), 2-digit addition (context 32), batch 32, so
// 1,024 positions per step. The first step (kernel and shader compilation) is reported apart.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { exportedMetrics, mainThreadMeter, median, waitForBadge, waitForState } from './helpers/app.ts';
import { CHROMIUM_ARGS, findChromium, launchChromium, openApp } from './helpers/chromium.ts';
import { ROOT, buildApp, serveApp } from './helpers/server.ts';

const STEPS: Record<string, number> = { wasm: 40, webgl: 12, cpu: 8, webgpu: 5 };
const only = process.argv.slice(2);
const backends = only.length ? only : ['wasm', 'webgl', 'cpu', 'webgpu'];
const chromiumPath = findChromium();
if (!chromiumPath) {
  console.error('bench:browser: no chromium found (apt-get install -y chromium)');
  process.exit(1);
}
await buildApp();
const server = await serveApp();
const browser = await launchChromium(chromiumPath);
const results: Record<string, unknown>[] = [];
// Other work on the machine slows every backend; the 1-minute load average tells how busy it was.
const load = loadavg()[0]!;
try {
  for (const backend of backends) {
    const steps = STEPS[backend] ?? 8;
    const query = `backend=${backend}&task=addition&digits=2&preset=nano&seed=1&batchSize=32&steps=${steps}&eval.every=100000&eval.n=1`;
    const app = await openApp(browser, server.url, query);
    const { page } = app;
    const badge = await waitForBadge(page);
    await page.getByTestId('start-btn').click();
    await waitForState(page, ['running'], 120_000);
    const meter = await mainThreadMeter(page);
    const t0 = Date.now();
    await waitForState(page, ['done'], 900_000);
    const wall = (Date.now() - t0) / 1000;
    const main = await meter.read();
    const m = await exportedMetrics(page);
    const tps = m.step?.tokens_per_s ?? [];
    const r = {
      backend,
      badge,
      steps,
      batch: 32,
      context: 32,
      tokens_per_s_median: Math.round(median(tps.slice(1))),
      tokens_per_s_first_step: Math.round(tps[0] ?? NaN),
      run_s: Number(wall.toFixed(1)),
      main_thread_cpu_share: Number((main.cpu_s / wall).toFixed(3)),
      page_errors: app.errors,
    };
    results.push(r);
    console.log(JSON.stringify(r));
    await app.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const version = browser.version();
writeFileSync(
  resolve(ROOT, 'docs/BROWSER-BENCH.json'),
  JSON.stringify(
    {
      about:
        'reasonlab in headless Debian chromium, training speed per backend read from the app (median tokens/s of the logged steps after the first). Written by `npm run bench:browser` (test/e2e/bench.ts).',
      date: new Date().toISOString().slice(0, 10),
      chromium: version,
      flags: CHROMIUM_ARGS,
      machine: `${cpus().length} CPU cores, no GPU (WebGPU and WebGL run on SwiftShader, in software); load average ${load.toFixed(1)} at the start`,
      config: 'nano (3 layers, 3 heads, width 48), addition digits=2, batch 32, context 32 (1,024 positions per step)',
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log('written docs/BROWSER-BENCH.json');
