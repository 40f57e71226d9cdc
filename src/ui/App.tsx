// The app shell: talks to the training worker, keeps the config in the URL, renders the controls,
// charts, inspector, dataset explorer and the stored runs. The main thread only draws: progress
// arrives in batches and the page re-renders at most every ~100 ms.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { runTotal } from '../runsteps.ts';
import type { AppInfo, BackendReport, DatasetInfo, ResolvedConfig, RunSummary, StatusUpdate, Update } from '../worker/protocol.ts';
import { Chart, type ChartRun } from './Chart.tsx';
import { ACC_CHART, CURRICULUM_CHART, LOSS_CHART, RL_CHARTS, SPEED_CHART } from './charts.ts';
import { errorText, getClient, restartWorker, setUpdateHandler } from './client.ts';
import { Settings, type SetParam } from './Controls.tsx';
import type { Demo } from './demos.ts';
import { Header } from './Header.tsx';
import { Inspector, Rollouts } from './Inspector.tsx';
import { DataChoice, DatasetExplorer, RunsList } from './Panels.tsx';
import { RunControls } from './RunControls.tsx';
import { RunData } from './rundata.ts';
import { readUrl, writeUrl } from './url.ts';

const IDLE: StatusUpdate = { runId: null, state: 'idle', step: 0, phase: 'sft', total: 0, message: null, savedStep: -1, stepMode: false };
const ACTIVE = new Set(['starting', 'running', 'paused']);

function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Median of the last `n` values (the header's speed: a single step's value jumps 2k-12k). */
function medianOfLast(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const TPS_WINDOW = 10;

export function App() {
  const initial = useMemo(readUrl, []);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [resolved, setResolved] = useState<ResolvedConfig | null>(null);
  const [cfgError, setCfgError] = useState<string | null>(null);
  const params = useRef<Record<string, string>>(initial.params);
  const [backend, setBackend] = useState<BackendReport | null>(null);
  const [backendErr, setBackendErr] = useState<string | null>(null);
  const statusRef = useRef<StatusUpdate>(IDLE);
  const [status, setStatus] = useState<StatusUpdate>(IDLE);
  const [banner, setBanner] = useState<string | null>(null);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  /** The stored run shown after a load (its metrics in the charts) while nothing trains. */
  const [restoredId, setRestoredId] = useState<string | null>(null);
  const [compare, setCompare] = useState<Map<string, RunData>>(new Map());
  const current = useRef<RunData | null>(null);
  const [version, setVersion] = useState(0);
  const [dataset, setDataset] = useState<DatasetInfo | null>(null);
  const [dataErr, setDataErr] = useState<string | null>(null);
  const [xMode, setXMode] = useState<'step' | 'time'>('step');
  const queue = useRef<Demo['runs']>([]);
  /** The demo whose runs are on screen: its note says what to watch and what was measured. */
  const [demo, setDemo] = useState<Demo | null>(null);
  const timer = useRef(0);

  // The page's one worker (module level in client.ts: StrictMode's double mount reuses it).
  const api = () => getClient().api;

  // Re-render at most every ~100 ms, in an animation frame.
  const schedule = useCallback(() => {
    if (timer.current) return;
    timer.current = window.setTimeout(() => {
      requestAnimationFrame(() => {
        timer.current = 0;
        setStatus(statusRef.current);
        setVersion((v) => v + 1);
      });
    }, 100);
  }, []);

  const onUpdate = useCallback(
    (u: Update) => {
      if (u.kind === 'status') {
        const s = u.status;
        if (s.runId && current.current?.id !== s.runId) current.current = new RunData(s.runId, '');
        const changed = s.state !== statusRef.current.state;
        statusRef.current = s;
        if (changed) {
          setStatus(s);
          setVersion((v) => v + 1);
        } else schedule();
      } else {
        const b = u.batch;
        if (current.current?.id !== b.runId) current.current = new RunData(b.runId, '');
        current.current.append(b);
        schedule();
      }
    },
    [schedule],
  );

  const refreshRuns = useCallback(async (): Promise<RunSummary[]> => {
    try {
      const list = await api().listRuns();
      setRuns(list);
      return list;
    } catch (e) {
      setBanner(`could not read the saved runs: ${errorText(e)}`);
      return [];
    }
  }, []);

  /** Show a stored run's metrics and where it stands, without training (after a page load). */
  const restore = useCallback(
    async (r: RunSummary, cancelled: () => boolean) => {
      const b = await getClient().api.runMetrics(r.id);
      if (cancelled() || statusRef.current.state !== 'idle' || current.current) return;
      const d = new RunData(r.id, r.name);
      d.append(b);
      current.current = d;
      setRestoredId(r.id);
      setVersion((v) => v + 1);
    },
    [],
  );

  const resolve = useCallback(async (p: Record<string, string>) => {
    try {
      const r = await api().resolve(p);
      params.current = r.params;
      setResolved(r);
      setCfgError(null);
      writeUrl(r.params, initial.backend);
    } catch (e) {
      setCfgError(errorText(e));
    }
  }, [initial.backend]);

  /** Describe, resolve the link's settings, start the backend, list runs; optionally show the newest. */
  const connect = useCallback(
    async (cancelled: () => boolean, opts: { restore: boolean }) => {
      const c = getClient();
      const described = await c.api.describe();
      if (cancelled()) return;
      setInfo(described);
      try {
        const r = await c.api.resolve(params.current);
        if (cancelled()) return;
        params.current = r.params;
        setResolved(r);
        writeUrl(r.params, initial.backend);
      } catch (e) {
        if (cancelled()) return;
        setCfgError(`settings in the link: ${errorText(e)} (using the defaults)`);
        params.current = {};
        setResolved(await c.api.resolve({}));
      }
      try {
        const b = await c.api.init(initial.backend);
        if (cancelled()) return;
        setBackend(b);
        setBackendErr(null);
      } catch (e) {
        if (!cancelled()) setBackendErr(errorText(e));
      }
      if (cancelled()) return;
      // A live run in this worker (a remount) wins over a stored one.
      const live = await c.api.status();
      if (cancelled()) return;
      if (live.state !== 'idle' && statusRef.current.state === 'idle') onUpdate({ kind: 'status', status: live });
      const list = await refreshRuns();
      const newest = list[0];
      if (opts.restore && newest && live.state === 'idle' && !cancelled()) await restore(newest, cancelled);
    },
    [onUpdate, refreshRuns, restore, initial.backend],
  );

  useEffect(() => {
    // StrictMode mounts, unmounts and mounts again: the first connect() is cancelled (its results
    // are dropped) and the worker is kept; nothing is released or terminated here.
    let cancelled = false;
    const off = setUpdateHandler(onUpdate);
    void connect(() => cancelled, { restore: true }).catch((e: unknown) => {
      if (!cancelled) setBackendErr(errorText(e));
    });
    return () => {
      cancelled = true;
      off();
    };
  }, [connect, onUpdate]);

  const active = ACTIVE.has(status.state);

  // After a run ends: refresh the list, and start the next run of a demo.
  useEffect(() => {
    if (status.state === 'idle' || status.state === 'running' || status.state === 'starting') return;
    void refreshRuns();
    if (status.state === 'done' && queue.current.length && current.current) {
      const prev = current.current;
      setCompare((m) => new Map(m).set(prev.id, prev));
      const next = queue.current.shift()!;
      void startWith(next.params, next.name);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status.state]);

  const setParam: SetParam = useCallback(
    (key, value, aliases = []) => {
      const p = { ...params.current };
      for (const a of [key, ...aliases]) delete p[a];
      if (key === 'task' && resolved) for (const k of resolved.taskKeys) delete p[k];
      if (value !== null) p[key] = value;
      params.current = p;
      void resolve(p);
    },
    [resolve, resolved],
  );

  const guard = async (what: string, f: () => Promise<unknown>) => {
    setBanner(null);
    try {
      await f();
    } catch (e) {
      setBanner(`${what}: ${errorText(e)}`);
    }
  };

  const startWith = (p: Record<string, string>, name?: string, stepMode = false) =>
    guard('could not start', async () => {
      current.current = null;
      setRestoredId(null);
      await api().start(p, { stepMode, ...(name ? { name } : {}) });
      void refreshRuns();
    });

  const start = () => {
    queue.current = [];
    setDemo(null);
    void startWith(params.current);
  };

  const runDemo = (d: Demo) => {
    if (active) return;
    setDemo(d);
    const [first, ...rest] = d.runs;
    queue.current = rest;
    setCompare(new Map());
    params.current = first!.params;
    void resolve(first!.params).then(() => startWith(first!.params, first!.name));
  };

  const dropCompare = (id: string) =>
    setCompare((m) => {
      const n = new Map(m);
      n.delete(id);
      return n;
    });

  const resumeRun = (id: string) =>
    guard('could not resume', async () => {
      if (statusRef.current.state === 'error' && backend?.name === 'webgpu') {
        // A lost GPU device leaves the worker's backend unusable: start a fresh worker.
        statusRef.current = IDLE;
        setStatus(IDLE);
        restartWorker();
        await connect(() => false, { restore: false });
      }
      setRestoredId(null);
      current.current = new RunData(id, '');
      dropCompare(id);
      await api().resumeRun(id);
    });

  const toggleCompare = (id: string) =>
    guard('could not load the run', async () => {
      if (compare.has(id)) return dropCompare(id);
      const b = await api().runMetrics(id);
      const d = new RunData(id, runs.find((r) => r.id === id)?.name ?? id);
      d.append(b);
      setCompare(new Map(compare).set(id, d));
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
      if (id === restoredId) {
        setRestoredId(null);
        current.current = null;
      }
      dropCompare(id);
      await refreshRuns();
    });

  /** Switch the training data; on an error the previous data stays (the worker replaces it only after a clean parse). */
  const chooseData = async (load: () => Promise<DatasetInfo>) => {
    try {
      setDataset(await load());
      setDataErr(null);
    } catch (e) {
      setDataErr(errorText(e));
    }
  };

  const clearData = async () => {
    await api().clearDataset();
    setDataset(null);
    setDataErr(null);
  };

  const cur = current.current;
  const name = runs.find((r) => r.id === cur?.id)?.name ?? '';
  if (cur && name) cur.name = name;
  const chartRuns: ChartRun[] = useMemo(() => {
    const list: ChartRun[] = cur ? [{ data: cur, label: cur.name ? `${cur.name} (this run)` : 'this run', index: 0 }] : [];
    let i = 1;
    for (const d of compare.values()) if (d.id !== cur?.id) list.push({ data: d, label: d.name || d.id, index: i++ });
    return list;
  }, [cur, compare, name]);
  const compareIds = useMemo(() => new Set(compare.keys()), [compare]);
  const evalPoints = cur?.count('eval') ?? 0;
  const hasRl = chartRuns.some((r) => r.data.count('rl_step') > 0);
  const hasLevels = chartRuns.some((r) => r.data.col('step', 'level') !== null);
  // After a load: the newest stored run, shown (not training) until something starts.
  const restoredRun = status.state === 'idle' && restoredId ? (runs.find((r) => r.id === restoredId) ?? null) : null;
  const shown = restoredRun ? { step: restoredRun.step, total: runTotal(restoredRun.cfg), phase: restoredRun.phase } : status;
  // Speed: the median of the last steps of the current phase (one step's value is noisy).
  const inRl = !!cur && cur.count('rl_step') > 0 && (shown.phase === 'rl' || cur.count('step') === 0);
  const tps = cur ? medianOfLast(inRl ? cur.tail('rl_step', 'update_tokens_per_s', TPS_WINDOW) : cur.tail('step', 'tokens_per_s', TPS_WINDOW)) : null;
  const lastAcc = cur?.last('eval', 'greedy_acc') ?? null;
  const task = resolved?.cfg.task.name ?? 'addition';
  const stepSep = info?.tasks.find((t) => t.name === task)?.stepSeparator ?? ',';

  useEffect(() => {
    (window as unknown as { __reasonlab: unknown }).__reasonlab = Object.freeze({
      state: status.state,
      step: shown.step,
      backend: backend?.name ?? null,
      runId: status.runId,
      tokensPerSec: tps,
      evalPoints,
    });
  });

  const exportMetrics = (kind: 'csv' | 'json') => {
    if (!cur) return;
    if (kind === 'csv') download(`${cur.id}-metrics.csv`, cur.toCSV(), 'text/csv');
    else download(`${cur.id}-metrics.json`, JSON.stringify(cur.toJSON()), 'application/json');
  };

  const copyLink = () => void navigator.clipboard?.writeText(location.href).catch(() => undefined);

  const errorMsg = banner ?? (status.message && (status.state === 'error' || status.state === 'paused') ? status.message : null) ?? (backendErr ? `no backend: ${backendErr}` : null);
  const canStart = !!backend && !!resolved && !active && !cfgError;

  return (
    <div className="app">
      <Header
        backend={backend}
        backendErr={backendErr}
        status={status}
        restoredRun={restoredRun}
        shown={shown}
        tps={tps}
        tpsWindow={TPS_WINDOW}
        inRl={inRl}
        lastAcc={lastAcc}
        errorMsg={errorMsg}
        onDismiss={banner ? () => setBanner(null) : null}
      />
      <div className="layout">
        <aside className="sidebar">
          <RunControls
            api={api}
            status={status}
            active={active}
            canStart={canStart}
            backend={backend}
            ready={!!info}
            restoredRun={restoredRun}
            cfgError={cfgError}
            onStart={start}
            onStartStepping={() => void startWith(params.current, undefined, true)}
            onResumeRun={(id) => void resumeRun(id)}
            onDemo={runDemo}
            onCopyLink={copyLink}
          />
          <RunsList runs={runs} currentId={status.runId ?? restoredId} busy={active} liveSaved={active ? status.savedStep : null} compare={compareIds} onResume={resumeRun} onCompare={toggleCompare} onDownload={downloadCk} onDelete={deleteRun} onUpload={uploadCk} />
          {info && resolved && (
            <Settings
              info={info}
              resolved={resolved}
              set={setParam}
              locked={active}
              dataPanel={<DataChoice dataset={dataset} error={dataErr} locked={active} onUpload={(f) => void chooseData(async () => api().setDataset(await f.text(), f.name, params.current))} onShipped={() => void chooseData(() => api().useShipped(params.current))} onClear={() => void clearData()} />}
            />
          )}
        </aside>
        <main className="main">
          <div className="toolbar">
            <label>
              x axis{' '}
              <select value={xMode} onChange={(e) => setXMode(e.target.value as 'step' | 'time')}>
                <option value="step">step</option>
                <option value="time">time</option>
              </select>
            </label>
            <button type="button" className="small" disabled={!cur} onClick={() => exportMetrics('csv')}>
              metrics CSV
            </button>
            <button type="button" className="small" disabled={!cur} onClick={() => exportMetrics('json')}>
              metrics JSON
            </button>
            {compare.size > 0 && <span className="muted">comparing with {compare.size} saved run(s): one colour per run</span>}
          </div>
          {demo && (
            <section className="panel demo-note" data-testid="demo-note">
              <h2>{demo.title}</h2>
              <p>{demo.blurb}</p>
              <p className="muted">{demo.watch}</p>
            </section>
          )}
          <div className="charts">
            <Chart spec={ACC_CHART} runs={chartRuns} mode={xMode} version={version} testId="acc-chart" points={evalPoints} />
            <Chart spec={LOSS_CHART} runs={chartRuns} mode={xMode} version={version} testId="loss-chart" />
            {hasLevels && <Chart spec={CURRICULUM_CHART} runs={chartRuns} mode={xMode} version={version} />}
            {hasRl && RL_CHARTS.map((s) => <Chart key={s.id} spec={s} runs={chartRuns} mode={xMode} version={version} />)}
            <Chart spec={SPEED_CHART} runs={chartRuns} mode={xMode} version={version} />
          </div>
          <Inspector samples={cur?.samples ?? []} sep={stepSep} version={version} />
          <Rollouts samples={cur?.samples ?? []} sep={stepSep} version={version} />
          {info && <DatasetExplorer api={getClient().api} params={params.current} sep={stepSep} hasUpload={!!dataset} />}
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
