// `npm run bench:browser`: training speed of the app per backend in headless chromium, read from
// the page (the app's own metrics export), written to docs/BROWSER-BENCH.json. Same model and
// batch on every backend: nano (3 layers, width 48), 2-digit addition (context 32), batch 32, so
// 1,024 positions per step. The first step (kernel and shader compilation) is reported apart.
// Arguments: backends, each optionally with a wasm thread count (`wasm:1 wasm:2`), and
// `--presets nano,micro`, `--rounds N` (the list is run N times, interleaved, so that other load
// on the machine hits every entry alike), `--out FILE`.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { exportedMetrics, mainThreadMeter, median, waitForBadge, waitForState } from './helpers/app.ts';
import { CHROMIUM_ARGS, findChromium, launchChromium, openApp } from './helpers/chromium.ts';
import { ROOT, buildApp, serveApp } from './helpers/server.ts';

const STEPS: Record<string, number> = { wasm: 40, webgl: 12, cpu: 8, webgpu: 5 };
/** Step counts are for nano; a larger preset runs fewer steps of more work each. */
const PRESET_STEP_SHARE: Record<string, number> = { nano: 1, micro: 0.5, mini: 0.25 };
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`bench:browser: --${name} needs a value`);
  args.splice(i, 2);
  return v;
};
const presets = (option('presets') ?? 'nano').split(',');
for (const p of presets) if (!(p in PRESET_STEP_SHARE)) throw new Error(`bench:browser: unknown preset "${p}" (known: ${Object.keys(PRESET_STEP_SHARE).join(', ')})`);
const rounds = Number(option('rounds') ?? '1');
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('bench:browser: --rounds must be a whole number >= 1');
const outFile = option('out') ?? 'docs/BROWSER-BENCH.json';
const backends = args.length ? args : ['wasm', 'webgl', 'cpu', 'webgpu'];
for (const b of backends) if (!/^(wasm|webgl|cpu|webgpu)(:\d+)?$/.test(b)) throw new Error(`bench:browser: "${b}" is not a backend (wasm, webgl, cpu, webgpu; wasm:N sets N threads)`);
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
  const runs = Array.from({ length: rounds }, () => presets.flatMap((preset) => backends.map((spec) => ({ preset, spec })))).flat();
  for (const { preset, spec } of runs) {
    const [backend = spec, threads] = spec.split(':');
    const steps = Math.max(4, Math.round((STEPS[backend] ?? 8) * PRESET_STEP_SHARE[preset]!));
    const query = `backend=${backend}${threads ? `&threads=${threads}` : ''}&task=addition&digits=2&preset=${preset}&seed=1&batchSize=32&steps=${steps}&eval.every=100000&eval.n=1`;
    const loadAtStart = loadavg()[0]!;
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
      threads: Number(/(\d+) threads?/.exec(badge)?.[1] ?? NaN) || null,
      preset,
      badge,
      load_1m_at_start: Number(loadAtStart.toFixed(2)),
      steps,
      batch: 32,
      context: 32,
      tokens_per_s_median: Math.round(median(tps.slice(1))),
      // The best logged step: the one least slowed by other work on a shared machine.
      tokens_per_s_best: Math.round(Math.max(...tps.slice(1))),
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
  resolve(ROOT, outFile),
  JSON.stringify(
    {
      about:
        'reasonlab in headless Debian chromium, training speed per backend read from the app (median tokens/s of the logged steps after the first). Written by `npm run bench:browser` (test/e2e/bench.ts).',
      date: new Date().toISOString().slice(0, 10),
      chromium: version,
      flags: CHROMIUM_ARGS,
      machine: `${cpus().length} CPU cores, no GPU (WebGPU and WebGL run on SwiftShader, in software); load average ${load.toFixed(1)} at the start`,
      config: `${presets.join(', ')} (nano: 3 layers, 3 heads, width 48; micro: 4, 4, 128), addition digits=2, batch 32, context 32 (1,024 positions per step)`,
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`written ${outFile}`);
