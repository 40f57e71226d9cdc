// `npm run bench:demos [-- demo-id ...]`: replays the app's one-click demos (src/ui/demos.ts) in
// headless chromium on the wasm backend, reads every run's evaluations from the app's IndexedDB,
// and writes docs/DEMOS.md (one section per demo, kept for demos not replayed this time) and
// docs/screenshots/demo-ID.png. Too slow for `npm test`: a demo takes minutes on 2 cores.
// A failing demo is reported in its section and the others still run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMOS, type Demo } from '../../src/ui/demos.ts';
import { snapshot, waitForBadge } from './helpers/app.ts';
import { findChromium, launchChromium, openApp } from './helpers/chromium.ts';
import { ROOT, buildApp, serveApp } from './helpers/server.ts';

const DOC = resolve(ROOT, 'docs/DEMOS.md');
const SHOTS = resolve(ROOT, 'docs/screenshots');
/** Per demo; a run of 600 nano steps takes ~3-6 min on 2 shared cores. DEMO_TIMEOUT_MIN overrides. */
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_MIN ?? 20) * 60_000;
const POLL_MS = 2_000;

interface StoredRun { id: string; name: string; state: string; step: number; created: number; updated: number }
/** `turns`: an environment's mean model turns per greedy episode (NaN for a task). */
interface EvalRow { step: number; phase: string; elapsed_s: number; acc: number; answer: number; n: number; turns: number; passk: Record<string, number> }
interface RunResult { name: string; id: string; state: string; step: number; wall_s: number; rows: EvalRow[] }
interface DemoResult {
  demo: Demo;
  badge: string;
  wall_s: number;
  load: { start: number; max: number };
  runs: RunResult[];
  error: string | null;
  pageErrors: string[];
  screenshot: boolean;
}

/**
 * The app's IndexedDB ("reasonlab": runs, events), read on the page. A string, not a function: tsx
 * adds `__name` helpers that the page lacks. The database is never created here (the worker must
 * create it with its stores): absent means no runs yet.
 */
const readDb = (withEvents: boolean) => `(async () => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes('reasonlab')) return { runs: [], events: {} };
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open('reasonlab');
    r.onupgradeneeded = () => r.transaction.abort();
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  const all = (store, range) => new Promise((ok, fail) => {
    const q = db.transaction(store, 'readonly').objectStore(store).getAll(range);
    q.onsuccess = () => ok(q.result);
    q.onerror = () => fail(q.error);
  });
  try {
    const runs = (await all('runs')).map((r) => ({ id: r.id, name: r.name, state: r.state, step: r.step, created: r.created, updated: r.updated }));
    const events = {};
    if (${withEvents}) {
      for (const r of runs) {
        const chunks = await all('events', IDBKeyRange.bound([r.id, 0], [r.id, Infinity]));
        events[r.id] = chunks.flatMap((c) => c.events).filter((e) => e.type === 'eval' || e.type === 'pref_eval' || e.type === 'passk' || e.type === 'done');
      }
    }
    return { runs, events };
  } finally {
    db.close();
  }
})()`;

type Ev = Record<string, unknown>;
async function readRuns(page: Page, withEvents = false): Promise<{ runs: StoredRun[]; events: Record<string, Ev[]> }> {
  const r = (await page.evaluate(readDb(withEvents))) as { runs: StoredRun[]; events: Record<string, Ev[]> };
  r.runs.sort((a, b) => a.created - b.created);
  return r;
}

const num = (v: unknown) => (typeof v === 'number' ? v : NaN);

/**
 * Eval rows of one run (test split), with pass@k joined by (phase, step). elapsed_s counts from
 * the run's start: the RL trainer's clock restarts at 0, so RL rows add the SFT phase's time.
 */
function evalRows(events: Ev[]): EvalRow[] {
  const sftDone = events.find((e) => e.type === 'done' && e.phase === 'sft');
  const sftEvals = events.filter((e) => e.type === 'eval' && e.phase === 'sft');
  const sftTime = sftDone ? num(sftDone.elapsed_s) : Math.max(0, ...sftEvals.map((e) => num(e.elapsed_s)));
  const passk = new Map<string, Record<string, number>>();
  for (const e of events.filter((x) => x.type === 'passk')) {
    const ks = (e.ks as number[]) ?? [];
    const vals = ((e.overall as { passk?: number[] } | undefined)?.passk ?? []) as number[];
    passk.set(`${String(e.phase)}:${num(e.step)}`, Object.fromEntries(ks.map((k, i) => [`pass@${k}`, vals[i] ?? NaN])));
  }
  return events
    // A DPO run's (the preference demo) evaluations are pref_eval rows: phase "dpo".
    .filter((e) => (e.type === 'eval' && (e.split ?? 'test') === 'test') || e.type === 'pref_eval')
    .map((e) => ({
      step: num(e.step),
      phase: e.type === 'pref_eval' ? 'dpo' : String(e.phase ?? 'sft'),
      elapsed_s: num(e.elapsed_s) + (e.phase === 'rl' ? sftTime : 0),
      acc: num(e.greedy_acc),
      answer: num(e.greedy_answer_acc),
      turns: num(e.mean_turns),
      n: num(e.n),
      passk: passk.get(`${String(e.phase)}:${num(e.step)}`) ?? {},
    }));
}

async function runDemo(browser: Browser, url: string, demo: Demo): Promise<DemoResult> {
  const res: DemoResult = { demo, badge: '', wall_s: NaN, load: { start: loadavg()[0]!, max: loadavg()[0]! }, runs: [], error: null, pageErrors: [], screenshot: false };
  const app = await openApp(browser, url, 'backend=wasm', { viewport: { width: 1280, height: 800 } });
  const { page } = app;
  const t0 = Date.now();
  try {
    res.badge = await waitForBadge(page);
    await page.locator(`[data-testid="demo-preset"][data-demo="${demo.id}"]`).click({ timeout: 120_000 });
    const started = Date.now();
    let lastLog = 0;
    // Done when every run of the demo is stored as done: the app starts the next run when one ends,
    // and a run's summary is stored `done` only after its last evaluation and checkpoint.
    for (;;) {
      const s = await snapshot(page);
      const { runs } = await readRuns(page);
      res.load.max = Math.max(res.load.max, loadavg()[0]!);
      if (s.state === 'error') throw new Error(`a run failed (state=error): ${s.error || '(no error text)'}`);
      if (s.state === 'paused' || s.state === 'stopped') throw new Error(`a run stopped by itself (state=${s.state}): ${s.error || '(no message)'}`);
      const done = runs.filter((r) => r.state === 'done').length;
      // The preference demo adds one DPO run per setting after its runs.
      if (done >= demo.runs.length + (demo.prefs?.dpo.length ?? 0) && s.state === 'done') break;
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        console.log(`  ${demo.id}: ${((Date.now() - started) / 1000).toFixed(0)} s, run ${runs.length}/${demo.runs.length} (${runs.at(-1)?.name ?? '-'}), state ${s.state}, step ${s.step}, load ${loadavg()[0]!.toFixed(1)}`);
      }
      if (Date.now() - started > TIMEOUT_MS) throw new Error(`timed out after ${TIMEOUT_MS / 60_000} min: ${done} of ${demo.runs.length} runs done, state ${s.state}, step ${s.step}`);
      await page.waitForTimeout(POLL_MS);
    }
    res.wall_s = (Date.now() - started) / 1000;
  } catch (e) {
    res.error = e instanceof Error ? e.message : String(e);
    res.wall_s = (Date.now() - t0) / 1000;
  }
  // What was stored, also after a failure (partial results), and the picture a teacher would see.
  try {
    const { runs, events } = await readRuns(page, true);
    res.runs = runs.map((r) => ({ name: r.name, id: r.id, state: r.state, step: r.step, wall_s: (r.updated - r.created) / 1000, rows: evalRows(events[r.id] ?? []) }));
  } catch (e) {
    res.error = `${res.error ? res.error + '; ' : ''}reading the stored runs failed: ${String(e)}`;
  }
  try {
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: resolve(SHOTS, `demo-${demo.id}.png`) });
    res.screenshot = true;
  } catch (e) {
    console.warn(`  ${demo.id}: screenshot failed: ${String(e)}`);
  }
  res.pageErrors = [...app.errors];
  await app.close().catch(() => undefined);
  return res;
}

// ---- docs/DEMOS.md ----

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '–');
function dur(s: number): string {
  if (!Number.isFinite(s)) return '–';
  const m = Math.floor(s / 60);
  return m ? `${m} min ${Math.round(s - 60 * m)} s` : `${Math.round(s)} s`;
}

/** "rises from 2.0% (step 50) to 92.5% (step 600), best 93.0% at step 550". */
function curve(rows: EvalRow[]): string {
  if (!rows.length) return 'no evaluations stored';
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const best = rows.reduce((a, b) => (b.acc > a.acc ? b : a));
  const verb = last.acc > first.acc ? 'rises' : last.acc < first.acc ? 'falls' : 'stays';
  const tail = best !== last && best.acc > last.acc ? `, best ${pct(best.acc)} at step ${best.step}` : '';
  return `${verb} from ${pct(first.acc)} (step ${first.step}) to ${pct(last.acc)} (step ${last.step})${tail}`;
}

function claim(r: DemoResult): string {
  const parts = r.runs.map((run) => {
    const last = run.rows.at(-1);
    if (!last) return `${run.name}: no evaluation (${run.state} at step ${run.step})`;
    const sftEnd = run.rows.filter((x) => x.phase === 'sft').at(-1);
    const sft = sftEnd && last.phase === 'rl' ? `${pct(sftEnd.acc)} fully right at the end of SFT (step ${sftEnd.step}, answer right ${pct(sftEnd.answer)}), then ` : '';
    const pk = (row: EvalRow | undefined) => (row && Object.keys(row.passk).length ? ` [${Object.entries(row.passk).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}]` : '');
    const pkText = sftEnd && last.phase === 'rl' && pk(sftEnd) ? `; pass@k before RL${pk(sftEnd)}, after${pk(last)}` : pk(last) ? `; at the end${pk(last)}` : '';
    return `${run.name}: ${sft}${pct(last.acc)} fully right at step ${last.step} (answer right ${pct(last.answer)}, n=${last.n}${Number.isFinite(last.turns) ? `, mean ${last.turns.toFixed(1)} turns` : ''})${pkText}, in ${dur(run.wall_s)}`;
  });
  const status = r.error ? ` — DEMO FAILED: ${r.error}` : '';
  return `claim checked: ${parts.join('; ') || 'no runs stored'}; whole demo ${dur(r.wall_s)} (load average ${r.load.start.toFixed(1)} at the start, up to ${r.load.max.toFixed(1)})${status}.`;
}

function section(r: DemoResult, date: string): string {
  const { demo } = r;
  const out = [`<!-- demo:${demo.id} -->`, `## ${demo.title} (\`${demo.id}\`)`, '', `> ${demo.blurb}`, ''];
  out.push(`Replayed ${date} in headless chromium, backend badge "${r.badge || '?'}": demo ${dur(r.wall_s)} wall clock.`, '');
  if (r.error) out.push(`**Failed:** ${r.error}`, '');
  out.push('| run | state | steps | wall clock | final fully right | final answer right | curve |', '| --- | --- | --- | --- | --- | --- | --- |');
  for (const run of r.runs) {
    const last = run.rows.at(-1);
    out.push(`| ${run.name} | ${run.state} | ${run.step} | ${dur(run.wall_s)} | ${pct(last?.acc ?? NaN)} | ${pct(last?.answer ?? NaN)} | ${curve(run.rows)} |`);
  }
  out.push('');
  // One row per evaluation step, one column group per run: fully right (answer right) [pass@k].
  const steps = [...new Set(r.runs.flatMap((run) => run.rows.map((x) => `${x.phase}:${x.step}`)))]
    .map((k) => ({ phase: k.split(':')[0]!, step: Number(k.split(':')[1]) }))
    .sort((a, b) => a.step - b.step || (a.phase === 'sft' ? -1 : 1));
  if (steps.length) {
    const ks = [...new Set(r.runs.flatMap((run) => run.rows.flatMap((x) => Object.keys(x.passk))))];
    const head = ['step', 'phase', ...r.runs.flatMap((run) => [`${run.name}: fully right (answer right)`, ...ks.map((k) => k), 'time'])];
    out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
    for (const s of steps) {
      const cells = r.runs.flatMap((run) => {
        const x = run.rows.find((y) => y.step === s.step && y.phase === s.phase);
        return x ? [`${pct(x.acc)} (${pct(x.answer)})`, ...ks.map((k) => pct(x.passk[k] ?? NaN)), `${x.elapsed_s.toFixed(0)} s`] : ['', ...ks.map(() => ''), ''];
      });
      out.push(`| ${s.step} | ${s.phase} | ${cells.join(' | ')} |`);
    }
    out.push('', '"time": seconds from the start of that run (its trainer\'s clock; the RL rows add the SFT phase).', '');
  }
  out.push(claim(r), '');
  if (r.pageErrors.length) out.push('Page errors:', '', ...r.pageErrors.map((e) => `- ${e}`), '');
  if (r.screenshot) out.push(`![${demo.title}, at the end](screenshots/demo-${demo.id}.png)`, '');
  out.push(`<!-- /demo:${demo.id} -->`);
  return out.join('\n');
}

/** Sections of an existing docs/DEMOS.md, by demo id (kept for the demos not replayed). */
function oldSections(): Map<string, string> {
  const map = new Map<string, string>();
  if (!existsSync(DOC)) return map;
  const text = readFileSync(DOC, 'utf8');
  for (const m of text.matchAll(/<!-- demo:([\w-]+) -->[\s\S]*?<!-- \/demo:\1 -->/g)) map.set(m[1]!, m[0]);
  return map;
}

function writeDoc(results: DemoResult[], browserVersion: string): void {
  const date = new Date().toISOString().slice(0, 10);
  const sections = oldSections();
  for (const r of results) sections.set(r.demo.id, section(r, date));
  const head = [
    '# Demos, replayed in the browser',
    '',
    'Written by `npm run bench:demos [-- demo-id ...]` (test/e2e/demos.ts): each one-click demo of the app',
    '(src/ui/demos.ts) is started from its button in headless chromium with `?backend=wasm`, and every',
    "run's held-out evaluations are read from the app's own store (IndexedDB) when the demo ends.",
    '"Fully right" is the headline accuracy (format, every step check and the answer pass); "answer',
    'right" counts the right final answer whatever the steps. Times are wall clock on this machine,',
    'shared with other work (see the load average), so a free laptop is faster.',
    '',
    `Last run: ${date}, ${browserVersion}, ${cpus().length} CPU cores, no GPU.`,
    '',
  ];
  const order = [...DEMOS.map((d) => d.id), ...[...sections.keys()].filter((id) => !DEMOS.some((d) => d.id === id))];
  const body = order.filter((id) => sections.has(id)).map((id) => sections.get(id)!);
  writeFileSync(DOC, [...head, body.join('\n\n'), ''].join('\n'));
}

// ---- main ----

const ids = process.argv.slice(2);
const unknown = ids.filter((id) => !DEMOS.some((d) => d.id === id));
if (unknown.length) {
  console.error(`bench:demos: unknown demo id(s) ${unknown.join(', ')}; the demos are: ${DEMOS.map((d) => d.id).join(', ')}`);
  process.exit(1);
}
const chromiumPath = findChromium();
if (!chromiumPath) {
  console.error('bench:demos: no chromium found (apt-get install -y chromium)');
  process.exit(1);
}
const chosen = ids.length ? DEMOS.filter((d) => ids.includes(d.id)) : DEMOS;
mkdirSync(SHOTS, { recursive: true });
await buildApp();
const server = await serveApp();
const browser = await launchChromium(chromiumPath);
const results: DemoResult[] = [];
const version = `chromium ${browser.version()}`;
try {
  for (const demo of chosen) {
    console.log(`demo ${demo.id}: ${demo.runs.length} run(s), load average ${loadavg()[0]!.toFixed(1)}`);
    const r = await runDemo(browser, server.url, demo).catch(
      (e: unknown): DemoResult => ({ demo, badge: '', wall_s: NaN, load: { start: NaN, max: NaN }, runs: [], error: String(e), pageErrors: [], screenshot: false }),
    );
    results.push(r);
    console.log(`  ${claim(r)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
writeDoc(results, version);
console.log(`written ${DOC}`);
process.exitCode = results.some((r) => r.error) ? 1 : 0;
