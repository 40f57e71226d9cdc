// The app shell: talks to the training worker, keeps the config in the URL, renders the controls,
// charts, inspector, dataset explorer and the stored runs. All state is one reducer (state.ts) fed
// by the worker's updates, paced to a render at most every ~100 ms (feed.ts), and by the answers
// to the calls made here.

import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import type { RunSummary, StatusUpdate } from '../worker/protocol.ts';
import { Chart, type ChartRun } from './Chart.tsx';
import { ACC_CHART, CURRICULUM_CHART, DPO_CHARTS, LOSS_CHART, RL_CHARTS, SPEED_CHART } from './charts.ts';
import { errorText, feedUpdate, getClient, restartWorker, setUpdateHandler } from './client.ts';
import { Settings, type SetParam } from './Controls.tsx';
import type { Demo } from './demos.ts';
import { Header } from './Header.tsx';
import { Inspector, Rollouts } from './Inspector.tsx';
import { Intro } from './Intro.tsx';
import { DataChoice, DatasetExplorer, RunsList } from './Panels.tsx';
import { RatePanel } from './RatePanel.tsx';
import { RunControls, type Command } from './RunControls.tsx';
import { usePrefDemo } from './usePrefDemo.ts';
import { DemoNote, Toolbar } from './Toolbar.tsx';
import type { RunData } from './rundata.ts';
import { keptDemo, loadKept, saveKept } from './persist.ts';
import { initialState, reducer, TPS_WINDOW, view } from './state.ts';
import { readUrl, writeUrl } from './url.ts';

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The page's one worker (module level in client.ts: StrictMode's double mount reuses it).
const api = () => getClient().api;

const COMMANDS: Record<Command, string> = { pause: 'pause', resume: 'resume', step: 'step', stop: 'stop', switchToRl: 'switch to RL' };

export function App() {
  const initial = useMemo(readUrl, []);
  // The overlay and the demo queue of before a reload; saved again only once they are back.
  const kept = useMemo(loadKept, []);
  const keptBack = useRef(false);
  const [s, dispatch] = useReducer(reducer, initial.params, initialState);
  const { status, resolved, runs, compare, current: cur } = s;
  const v = view(s);

  const refreshRuns = useCallback(async (): Promise<RunSummary[]> => {
    try {
      const list = await api().listRuns();
      dispatch({ type: 'runs', runs: list });
      return list;
    } catch (e) {
      dispatch({ type: 'banner', message: `could not read the saved runs: ${errorText(e)}` });
      return [];
    }
  }, []);

  const resolve = useCallback(async (p: Record<string, string>) => {
    try {
      dispatch({ type: 'resolved', resolved: await api().resolve(p) });
    } catch (e) {
      dispatch({ type: 'cfgError', error: errorText(e) });
    }
  }, []);

  /** Describe, take the worker's status, resolve the link's settings, start the backend, list runs; optionally show the newest. */
  const connect = useCallback(
    async (cancelled: () => boolean, opts: { restore: boolean; params: Record<string, string> }) => {
      const c = getClient().api;
      const described = await c.describe();
      if (cancelled()) return;
      dispatch({ type: 'described', info: described });
      // A live run in this worker (a remount) comes with its status.
      const live = await c.status();
      if (cancelled()) return;
      dispatch({ type: 'connected', status: live });
      try {
        const r = await c.resolve(opts.params);
        if (!cancelled()) dispatch({ type: 'resolved', resolved: r });
      } catch (e) {
        // The defaults instead, ready to start; the note says what was wrong in the link.
        const r = await c.resolve({});
        if (!cancelled()) dispatch({ type: 'resolved', resolved: r });
        if (!cancelled()) dispatch({ type: 'notice', message: `Settings in the link: ${errorText(e)}. The defaults are loaded instead: Start trains with them.` });
      }
      try {
        const b = await c.init(initial.backend);
        if (!cancelled()) dispatch({ type: 'backend', backend: b });
      } catch (e) {
        if (!cancelled()) dispatch({ type: 'backendErr', error: errorText(e) });
      }
      if (cancelled()) return;
      const list = await refreshRuns();
      if (!opts.restore || cancelled()) return;
      const newest = list[0];
      if (newest && live.state === 'idle') {
        const batch = await c.runMetrics(newest.id);
        if (cancelled()) return;
        dispatch({ type: 'restored', run: newest, batch });
      }
      for (const id of kept.compare) {
        const run = list.find((r) => r.id === id);
        if (!run || run.id === newest?.id) continue;
        const batch = await c.runMetrics(id);
        if (cancelled()) return;
        dispatch({ type: 'compareAdd', id, name: run.name, batch });
      }
      const demo = keptDemo(kept);
      if (demo && !cancelled()) {
        dispatch({ type: 'restoreDemo', ...demo });
        const next = demo.queue.map((r) => `"${r.name}"`).join(', ');
        if (next) dispatch({ type: 'notice', message: `The reload interrupted the demo "${demo.demo.title}". Its run is saved: Resume continues it, and ${next} starts when it ends.` });
      }
      keptBack.current = true;
    },
    [refreshRuns, initial.backend, kept],
  );

  useEffect(() => {
    // StrictMode mounts, unmounts and mounts again: the first connect() is cancelled (its results
    // are dropped) and the worker is kept; nothing is released or terminated here.
    let cancelled = false;
    const off = setUpdateHandler((updates) => dispatch({ type: 'worker', updates }));
    void connect(() => cancelled, { restore: true, params: initial.params }).catch((e: unknown) => {
      if (!cancelled) dispatch({ type: 'backendErr', error: errorText(e) });
    });
    return () => {
      cancelled = true;
      off();
    };
  }, [connect, initial.params]);

  // The URL mirrors the accepted settings.
  useEffect(() => {
    if (resolved) writeUrl(resolved.params, initial.backend);
  }, [resolved, initial.backend]);

  // Keep the overlay and the demo queue for a reload.
  const { demo, queue } = s;
  useEffect(() => {
    if (keptBack.current) saveKept({ compare: [...compare.keys()], demo: demo ? { id: demo.id, queue: queue.map((r) => r.name) } : null });
  }, [compare, demo, queue]);

  // A run listed as training that this page does not own settles (a reload's old page closing):
  // read the list again until it does.
  useEffect(() => {
    if (!v.unsettled) return;
    const t = setInterval(() => void refreshRuns(), 1500);
    return () => clearInterval(t);
  }, [v.unsettled, refreshRuns]);

  // After a run stops, pauses or ends: refresh the list.
  const settled = status && !['idle', 'starting', 'running'].includes(status.state) ? `${status.runId}:${status.state}` : null;
  useEffect(() => {
    if (settled) void refreshRuns();
  }, [settled, refreshRuns]);

  /** Run a call; a failure shows in the banner. */
  const guard = useCallback(async (what: string, f: () => Promise<unknown>) => {
    dispatch({ type: 'banner', message: null });
    try {
      await f();
    } catch (e) {
      dispatch({ type: 'banner', message: `${what}: ${errorText(e)}` });
    }
  }, []);

  const startWith = useCallback(
    (p: Record<string, string>, name?: string, stepMode = false) =>
      guard('could not start', async () => {
        dispatch({ type: 'starting' });
        await api().start(p, { stepMode, ...(name ? { name } : {}) });
        void refreshRuns();
      }),
    [guard, refreshRuns],
  );

  // The next run of a demo, once the previous one is done.
  const next = s.next;
  useEffect(() => {
    if (next) void startWith(next.params, next.name);
  }, [next, startWith]);

  // The preference demo's rater and DPO runs, after its SFT run.
  usePrefDemo(s.demo, status, api(), dispatch, refreshRuns);

  const { params } = s;
  const setParam: SetParam = useCallback(
    (key, value, aliases = []) => {
      const p = { ...params };
      for (const a of [key, ...aliases]) delete p[a];
      if (key === 'task' && resolved) for (const k of resolved.taskKeys) delete p[k];
      if (value !== null) p[key] = value;
      dispatch({ type: 'params', params: p });
      void resolve(p);
    },
    [resolve, resolved, params],
  );

  const start = () => {
    dispatch({ type: 'demo', demo: null });
    void startWith(params);
  };

  const runDemo = (d: Demo) => {
    const first = d.runs[0];
    if (v.active || !first) return;
    dispatch({ type: 'demo', demo: d });
    void resolve(first.params).then(() => startWith(first.params, first.name));
  };

  const command = (c: Command) => void guard(`could not ${COMMANDS[c]}`, () => api()[c]());

  const resumeRun = (id: string) =>
    guard('could not resume', async () => {
      if (status?.state === 'error' && s.backend?.name === 'webgpu') {
        // A lost GPU device leaves the worker's backend unusable: start a fresh worker, and take
        // its status (training data included) instead of the old one's.
        restartWorker();
        dispatch({ type: 'workerRestarted' });
        await connect(() => false, { restore: false, params });
      }
      dispatch({ type: 'resuming', id });
      await api().resumeRun(id);
    });

  const toggleCompare = (id: string) =>
    guard('could not load the run', async () => {
      if (compare.has(id)) return dispatch({ type: 'compareDrop', id });
      const batch = await api().runMetrics(id);
      dispatch({ type: 'compareAdd', id, name: runs.find((r) => r.id === id)?.name ?? id, batch });
    });

  const downloadCk = (id: string) =>
    guard('could not export the checkpoint', async () => {
      const { name, zip } = await api().exportCheckpoint(id);
      download(name, zip as BlobPart, 'application/zip');
    });

  const uploadCk = (files: File[]) =>
    guard('could not open the checkpoint', async () => {
      const list = await Promise.all(files.map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) })));
      await api().importCheckpoint(list);
      await refreshRuns();
    });

  const deleteRun = (id: string) =>
    guard('could not delete the run', async () => {
      await api().deleteRun(id);
      dispatch({ type: 'deleted', id });
      await refreshRuns();
    });

  /** Switch the training data: the worker's status names the data in use; on an error the previous data stays. */
  const chooseData = async (load: () => Promise<StatusUpdate>) => {
    try {
      feedUpdate({ kind: 'status', status: await load() });
      dispatch({ type: 'dataErr', error: null });
    } catch (e) {
      dispatch({ type: 'dataErr', error: errorText(e) });
    }
  };

  // Runs are labelled with their stored names (a live run's RunData has none).
  const chartRuns: ChartRun[] = useMemo(() => {
    const nameOf = (d: RunData) => runs.find((r) => r.id === d.id)?.name || d.name;
    const curName = cur ? nameOf(cur) : '';
    const list: ChartRun[] = cur ? [{ data: cur, label: curName ? `${curName} (this run)` : 'this run', index: 0 }] : [];
    let i = 1;
    for (const d of compare.values()) if (d.id !== cur?.id) list.push({ data: d, label: nameOf(d) || d.id, index: i++ });
    return list;
  }, [cur, compare, runs]);
  const compareIds = useMemo(() => new Set(compare.keys()), [compare]);
  const hasRl = chartRuns.some((r) => r.data.count('rl_step') > 0);
  const hasLevels = chartRuns.some((r) => r.data.col('step', 'level') !== null);
  const hasDpo = chartRuns.some((r) => r.data.count('pref_eval') > 0);

  useEffect(() => {
    (window as unknown as { __reasonlab: unknown }).__reasonlab = Object.freeze({
      state: status?.state ?? null,
      step: v.shown.step,
      backend: s.backend?.name ?? null,
      runId: status?.runId ?? null,
      tokensPerSec: v.tps,
      evalPoints: v.evalPoints,
    });

  });

  const exportMetrics = (kind: 'csv' | 'json') => {
    if (!cur) return;
    if (kind === 'csv') download(`${cur.id}-metrics.csv`, cur.toCSV(), 'text/csv');
    else download(`${cur.id}-metrics.json`, JSON.stringify(cur.toJSON()), 'application/json');
  };

  const copyLink = () => void navigator.clipboard?.writeText(location.href).catch(() => undefined);
  const { active, restoredRun } = v;

  return (
    <div className={`app${active ? ' busy' : ''}`}>
      <Header
        backend={s.backend}
        backendErr={s.backendErr}
        status={status}
        restoredRun={restoredRun}
        shown={v.shown}
        dpo={v.dpo}
        tps={v.tps}
        tpsWindow={TPS_WINDOW}
        inRl={v.inRl}
        accs={v.accs}
        errorMsg={v.errorMsg}
        onDismiss={s.banner ? () => dispatch({ type: 'banner', message: null }) : null}
        notice={s.notice}
        onDismissNotice={() => dispatch({ type: 'notice', message: null })}
      />
      <Intro compact={!!cur} />
      <div className="layout">
        <aside className="sidebar">
          <RunControls
            status={status}
            active={active}
            canStart={v.canStart}
            backend={s.backend}
            ready={!!s.info}
            restoredRun={restoredRun}
            cfgError={s.cfgError}
            onStart={start}
            onStartStepping={() => void startWith(params, undefined, true)}
            onCommand={command}
            onResumeRun={(id) => void resumeRun(id)}
            onDemo={runDemo}
            onCopyLink={copyLink}
          />
          <RunsList runs={runs} currentId={status?.runId ?? s.restoredId} busy={active} liveSaved={active ? (status?.savedStep ?? null) : null} compare={compareIds} onResume={resumeRun} onCompare={toggleCompare} onDownload={downloadCk} onDelete={deleteRun} onUpload={uploadCk} />
          {s.info && resolved && (
            <Settings
              info={s.info}
              resolved={resolved}
              set={setParam}
              locked={active}
              dataPanel={
                <DataChoice
                  dataset={status?.dataset ?? null}
                  error={s.dataErr}
                  locked={active || !status}
                  onUpload={(f) => void chooseData(async () => api().setDataset(await f.text(), f.name, params))}
                  onShipped={() => void chooseData(() => api().useShipped(params))}
                  onClear={() => void chooseData(() => api().clearDataset())}
                />
              }
            />
          )}
        </aside>
        <main className="main">
          <Toolbar xMode={s.xMode} onXMode={(mode) => dispatch({ type: 'xMode', mode })} canExport={!!cur} onExport={exportMetrics} compared={compare.size} />
          {s.demo && <DemoNote demo={s.demo} />}
          <div className="charts">
            <Chart spec={ACC_CHART} runs={chartRuns} mode={s.xMode} testId="acc-chart" points={v.evalPoints} />
            <Chart spec={LOSS_CHART} runs={chartRuns} mode={s.xMode} testId="loss-chart" />
            {hasLevels && <Chart spec={CURRICULUM_CHART} runs={chartRuns} mode={s.xMode} />}
            {hasRl && RL_CHARTS.map((c) => <Chart key={c.id} spec={c} runs={chartRuns} mode={s.xMode} />)}
            {hasDpo && DPO_CHARTS.map((c) => <Chart key={c.id} spec={c} runs={chartRuns} mode={s.xMode} testId={`${c.id}-chart`} points={cur?.count('pref_eval') ?? 0} />)}
            <Chart spec={SPEED_CHART} runs={chartRuns} mode={s.xMode} />
          </div>
          <Inspector samples={cur?.samples ?? []} sep={v.stepSep} />
          <Rollouts samples={cur?.samples ?? []} sep={v.stepSep} scheme={(runs.find((r) => r.id === cur?.id)?.cfg ?? resolved?.cfg)?.rl.scheme ?? null} />
          <RatePanel
            api={api()}
            runId={status?.runId ?? s.restoredId}
            sep={v.stepSep}
            download={download}
            refresh={settled}
            busy={active}
            onTrain={(id, d) => void guard('could not train on the ratings', async () => {
              await api().trainOnRatings(id, d);
              dispatch({ type: 'starting' });
              await refreshRuns();
            })}
          />
          {s.info && <DatasetExplorer api={api()} params={params} sep={v.formSep} hasUpload={!!status?.dataset} />}
          {cur && cur.warnings.length > 0 && (
            <section className="panel">
              <h2>Warnings</h2>
              <ul className="warnings">
                {cur.warnings.slice(-10).map((w, i) => (
                  <li key={i}>{w}</li>
                ))}
              </ul>
            </section>
          )}
        </main>
      </div>
    </div>
  );
}
