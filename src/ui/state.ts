// The app's state as one reducer: the worker's updates (status, metric batches) and the user's
// actions go in, a new state comes out, and the previous state is never changed (RunData is
// immutable too). `view` derives what the page shows. Pure: no React, no DOM, no worker calls;
// App.tsx makes the calls and dispatches their answers.

import { storedTotal } from '../runsteps.ts';
import type { AppInfo, BackendReport, MetricBatch, ResolvedConfig, RunSummary, StatusUpdate, Update } from '../worker/protocol.ts';
import type { Demo } from './demos.ts';
import { RunData } from './rundata.ts';

type DemoRun = Demo['runs'][number];

export interface UiState {
  info: AppInfo | null;
  /** The last config the worker accepted. */
  resolved: ResolvedConfig | null;
  /** The settings as URL parameters, as last edited (may be ahead of `resolved` when invalid). */
  params: Record<string, string>;
  cfgError: string | null;
  backend: BackendReport | null;
  backendErr: string | null;
  /** The worker's status (run, training data, step separator); null until the worker answers. */
  status: StatusUpdate | null;
  /** The app's own error message (a failed call), dismissable. */
  banner: string | null;
  /** A note that needs no fix (bad link settings replaced by the defaults, a demo cut by a reload), dismissable. */
  notice: string | null;
  runs: RunSummary[];
  /** The stored run shown after a load (its metrics in the charts) while nothing trains. */
  restoredId: string | null;
  /** The metrics of the run on screen (live, or restored). */
  current: RunData | null;
  /** Stored runs overlaid in the charts. */
  compare: ReadonlyMap<string, RunData>;
  dataErr: string | null;
  xMode: 'step' | 'time';
  /** The demo whose runs are on screen: its note says what to watch and what was measured. */
  demo: Demo | null;
  /** The demo's runs still to start, and the one to start now (set when the previous one is done). */
  queue: readonly DemoRun[];
  next: DemoRun | null;
}

export type Action =
  | { type: 'worker'; updates: Update[] }
  /** The worker's status as a call answered it; taken only while the UI has none (first connect, a restarted worker). */
  | { type: 'connected'; status: StatusUpdate }
  | { type: 'workerRestarted' }
  | { type: 'described'; info: AppInfo }
  | { type: 'params'; params: Record<string, string> }
  | { type: 'resolved'; resolved: ResolvedConfig; error?: string }
  | { type: 'cfgError'; error: string }
  | { type: 'backend'; backend: BackendReport }
  | { type: 'backendErr'; error: string }
  | { type: 'runs'; runs: RunSummary[] }
  | { type: 'banner'; message: string | null }
  | { type: 'notice'; message: string | null }
  /** A demo cut short by a reload: its note and the runs still to start come back. */
  | { type: 'restoreDemo'; demo: Demo; queue: readonly DemoRun[] }
  | { type: 'restored'; run: RunSummary; batch: MetricBatch }
  | { type: 'demo'; demo: Demo | null }
  | { type: 'starting' }
  | { type: 'resuming'; id: string }
  | { type: 'compareAdd'; id: string; name: string; batch: MetricBatch }
  | { type: 'compareDrop'; id: string }
  | { type: 'deleted'; id: string }
  | { type: 'dataErr'; error: string | null }
  | { type: 'xMode'; mode: 'step' | 'time' };

export function initialState(params: Record<string, string>): UiState {
  return {
    info: null,
    resolved: null,
    params,
    cfgError: null,
    backend: null,
    backendErr: null,
    status: null,
    banner: null,
    notice: null,
    runs: [],
    restoredId: null,
    current: null,
    compare: new Map(),
    dataErr: null,
    xMode: 'step',
    demo: null,
    queue: [],
    next: null,
  };
}

const ACTIVE = new Set(['starting', 'running', 'paused']);

function without<V>(m: ReadonlyMap<string, V>, id: string): ReadonlyMap<string, V> {
  if (!m.has(id)) return m;
  const n = new Map(m);
  n.delete(id);
  return n;
}

function applyUpdate(s: UiState, u: Update): UiState {
  if (u.kind === 'metrics') {
    const b = u.batch;
    const base = s.current?.id === b.runId ? s.current : RunData.empty(b.runId);
    return { ...s, current: base.append(b) };
  }
  const st = u.status;
  let current = st.runId && s.current?.id !== st.runId ? RunData.empty(st.runId) : s.current;
  let { compare, queue, next } = s;
  // A demo run is done: it joins the comparison and the demo's next run is due.
  if (st.state === 'done' && s.status?.state !== 'done' && queue.length && current) {
    compare = new Map(compare).set(current.id, current);
    [next = null, ...queue] = queue;
    current = null;
  }
  return { ...s, status: st, current, compare, queue, next };
}

export function reducer(s: UiState, a: Action): UiState {
  switch (a.type) {
    case 'worker':
      return a.updates.reduce(applyUpdate, s);
    case 'connected':
      return s.status ? s : applyUpdate(s, { kind: 'status', status: a.status });
    case 'workerRestarted':
      return { ...s, status: null };
    case 'described':
      return { ...s, info: a.info };
    case 'params':
      return { ...s, params: a.params };
    case 'resolved':
      return { ...s, resolved: a.resolved, params: a.resolved.params, cfgError: a.error ?? null };
    case 'cfgError':
      return { ...s, cfgError: a.error };
    case 'backend':
      return { ...s, backend: a.backend, backendErr: null };
    case 'backendErr':
      return { ...s, backendErr: a.error };
    case 'runs':
      return { ...s, runs: a.runs };
    case 'banner':
      return { ...s, banner: a.message };
    case 'notice':
      return { ...s, notice: a.message };
    case 'restoreDemo':
      return { ...s, demo: a.demo, queue: a.queue };
    case 'restored':
      // Only while nothing else is on screen (a run started meanwhile wins).
      if (s.status?.state !== 'idle' || s.current) return s;
      return { ...s, current: RunData.empty(a.run.id, a.run.name).append(a.batch), restoredId: a.run.id };
    case 'demo': {
      if (!a.demo) return { ...s, demo: null, queue: [], next: null };
      const [first, ...rest] = a.demo.runs;
      return { ...s, demo: a.demo, queue: rest, next: null, compare: new Map(), params: first?.params ?? s.params };
    }
    case 'starting':
      return { ...s, current: null, restoredId: null, next: null };
    case 'resuming':
      return { ...s, restoredId: null, current: RunData.empty(a.id), compare: without(s.compare, a.id) };
    case 'compareAdd':
      return { ...s, compare: new Map(s.compare).set(a.id, RunData.empty(a.id, a.name).append(a.batch)) };
    case 'compareDrop':
      return { ...s, compare: without(s.compare, a.id) };
    case 'deleted': {
      const shown = a.id === s.restoredId;
      return { ...s, restoredId: shown ? null : s.restoredId, current: shown ? null : s.current, compare: without(s.compare, a.id) };
    }
    case 'dataErr':
      return { ...s, dataErr: a.error };
    case 'xMode':
      return { ...s, xMode: a.mode };
  }
}

/** Median of a list (the header's speed: a single step's value jumps 2k-12k). */
export function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const TPS_WINDOW = 10;

/** What the page shows, derived from the state. */
export function view(s: UiState) {
  const { status, current: cur } = s;
  const state = status?.state ?? null;
  const active = state !== null && ACTIVE.has(state);
  // After a load: the newest stored run, shown (not training) until something starts.
  const restoredRun = state === 'idle' && s.restoredId ? (s.runs.find((r) => r.id === s.restoredId) ?? null) : null;
  const shown = restoredRun
    ? { step: restoredRun.step, total: storedTotal(restoredRun), phase: restoredRun.phase }
    : { step: status?.step ?? 0, total: status?.total ?? 0, phase: status?.phase ?? 'sft' };
  // A DPO run counts DPO steps: the header says so.
  const dpo = restoredRun ? !!restoredRun.pref : status?.stage === 'dpo';
  // Speed: the median of the last steps of the current phase (one step's value is noisy).
  const inRl = !!cur && cur.count('rl_step') > 0 && (shown.phase === 'rl' || cur.count('step') === 0);
  const tps = cur ? median(inRl ? cur.tail('rl_step', 'update_tokens_per_s', TPS_WINDOW) : cur.tail('step', 'tokens_per_s', TPS_WINDOW)) : null;
  // The samples on screen are the live run's (the worker names its task's separator) or a stored
  // run's; the dataset explorer shows the form's task. ('' only while nothing is known: no samples.)
  const sepOf = (task: string | undefined) => s.info?.tasks.find((t) => t.name === task)?.stepSeparator;
  const formSep = sepOf(s.resolved?.cfg.task.name);
  const stepSep = (restoredRun ? sepOf(restoredRun.cfg.task.name) : status?.stepSeparator) ?? formSep ?? '';
  const runMessage = status?.message && (state === 'error' || state === 'paused') ? status.message : null;
  // Accuracy in the header: the run on screen; with a demo's runs compared, each run's (the
  // last run alone would show its own, perhaps 0%, as if it were the demo's result).
  const nameOf = (id: string, fallback: string) => s.runs.find((r) => r.id === id)?.name || fallback;
  const accOf = (d: RunData) => d.last('eval', 'greedy_acc');
  const accs: { name: string | null; acc: number }[] = [];
  if (s.demo && s.compare.size > 0) {
    for (const d of [...s.compare.values(), ...(cur ? [cur] : [])]) {
      const acc = accOf(d);
      if (acc !== null && !accs.some((x) => x.name === nameOf(d.id, d.name))) accs.push({ name: nameOf(d.id, d.name || d.id), acc });
    }
  } else if (cur && accOf(cur) !== null) accs.push({ name: null, acc: accOf(cur)! });
  // A stored run still marked running that this worker does not own: its page is closing (a
  // reload) or another tab trains it; the list is read again until it settles.
  const unsettled = s.runs.some((r) => (r.state === 'running' || r.state === 'starting') && !(active && r.id === status?.runId));
  return {
    active,
    restoredRun,
    shown,
    dpo,
    inRl,
    tps,
    lastAcc: cur?.last('eval', 'greedy_acc') ?? null,
    accs,
    unsettled,
    evalPoints: cur?.count('eval') ?? 0,
    stepSep,
    formSep: formSep ?? stepSep,
    errorMsg: s.banner ?? runMessage ?? (s.backendErr ? `no backend: ${s.backendErr}` : null),
    canStart: !!s.backend && !!s.resolved && state !== null && !active && !s.cfgError,
  };
}
