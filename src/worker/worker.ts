// The training worker: owns tfjs, the backend and the training core, and exposes a typed API with
// comlink. The UI imports only `type TrainerApi` from here and receives progress through one
// proxied callback (metric batches with transferred Float64Array columns, and status updates).

import { expose, transfer } from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice, BACKENDS } from '../backend.ts';
import { DEFAULT_CONFIG, withDefaults, type RunConfig } from '../run-config.ts';
import { ALGOS } from '../knobs.ts';
import { PRESETS } from '../model/config.ts';
import { SCHEMES } from '../tasks/rewards.ts';
import { TASKS } from '../tasks/registry.ts';
import { ENVS, isEnvName } from '../envs/registry.ts';
import { snapshotFromFiles } from '../train/snapshot.ts';
import { Tokenizer } from '../tokenizer.ts';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmThreadedGlueUrl from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js?url';
import { loadPthreadsFrom } from '../backend/browser-wasm-threads.ts';
import { generatedRecords, parseDataset, shippedRecords, shippedText, type Dataset } from './data.ts';
import { APP_PARAMS, configToParams, resolveParams } from './flat-config.ts';
import type { AppInfo, BackendReport, BrowsedRecord, DatasetInfo, ResolvedConfig, RunStatus, RunSummary, SessionUpdate, StatusUpdate, Update } from './protocol.ts';
import { modelSummary, RUN_LOCK, Session } from './session.ts';
import { batchBuffers, MetricsBuffer } from './metrics.ts';
import { RunStore } from './store.ts';
import { rateApi } from './rate-api.ts';
import { PairSampler } from './pairs.ts';
import { prefApi } from './pref-api.ts';
import type { DpoSession } from './dpo-session.ts';
import { checkpointFiles, snapshotInputs, zipCheckpoint } from './zip.ts';

let backend: BackendReport | null = null;
let backendInit: Promise<BackendReport> | null = null;
let storePromise: Promise<RunStore> | null = null;
let session: Session | DpoSession | null = null;
/** One sampler for the Rate panel and the simulated rater: a checkpoint is loaded once for both. */
const sampler = new PairSampler();
let listener: ((u: Update) => void) | null = null;
/** The data the next run trains on (null: the generator), with the task it was checked against. */
let dataset: (Dataset & { forTask: string }) | null = null;

const store = () => (storePromise ??= RunStore.open());
const send = (u: Update) => {
  if (!listener) return;
  if (u.kind === 'metrics') {
    void Promise.resolve(listener(transfer(u, batchBuffers(u.batch)))).catch(() => undefined);
  } else void Promise.resolve(listener(u)).catch(() => undefined);
};
/** A session's update, its status completed with what the worker holds. */
const emit = (u: SessionUpdate) => send(u.kind === 'status' ? { kind: 'status', status: fullStatus(u.status) } : u);

const sepOf = (task: string) => TASKS[task]?.stepSeparator ?? ',';
const idleStatus = (): RunStatus => ({ runId: null, state: 'idle', step: 0, phase: 'sft', total: 0, message: null, savedStep: -1, stepMode: false });

/** The run's status (idle when none was started) with the training data and the step separator. */
function fullStatus(run: RunStatus = session?.snapshotStatus() ?? idleStatus()): StatusUpdate {
  const data: DatasetInfo | null = dataset && { name: dataset.name, task: dataset.task ?? dataset.forTask, count: dataset.examples.length };
  return { ...run, dataset: data, stepSeparator: sepOf(session?.task ?? DEFAULT_CONFIG.task.name) };
}

const runName = (cfg: RunConfig) => {
  const knobs = Object.entries(cfg.task.config)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${cfg.task.name} ${knobs} · ${cfg.model.preset} · ${cfg.stage ?? 'sft'} · seed ${cfg.train.seed}`;
};

const newId = () => `run-${Date.now().toString(36)}-${(performance.now() * 1000).toString(36).slice(-4)}`;

function watchDevice(): void {
  if (backend?.name !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
  void device?.lost.then((info) => {
    const why = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
    if (session?.active) session.deviceLost(why);
    emit({ kind: 'status', status: { ...(session?.snapshotStatus() ?? idleStatus()), message: `the GPU device was lost (${why}); reload the worker to train again` } });
  });
}

/** Ids of runs whose session holds its Web Lock (in any tab of this origin). */
async function heldRunLocks(): Promise<Set<string>> {
  try {
    const q = await navigator.locks?.query();
    return new Set((q?.held ?? []).flatMap((l) => (l.name?.startsWith(RUN_LOCK) ? [l.name.slice(RUN_LOCK.length)] : [])));
  } catch {
    return new Set();
  }
}

function requireBackend(): BackendReport {
  if (!backend) throw new Error('the backend is not ready yet');
  return backend;
}

function requireSession(what: string): Session | DpoSession {
  if (!session) throw new Error(`there is no run to ${what}: start one, or resume a saved run`);
  return session;
}

function requireIdle(): void {
  if (session?.active) throw new Error('a run is in progress: pause or stop it first');
}

const api = {
  /**
   * Initialise a backend: 'auto' tries webgpu, webgl, wasm, cpu; a named one is used or fails.
   * `NAME:N` (e.g. `wasm:1`, from the link's `threads=N`) also sets the wasm thread count.
   */
  async init(choice: string): Promise<BackendReport> {
    if (backend) return backend;
    // One initialisation, shared by concurrent callers (React StrictMode mounts the app twice).
    backendInit ??= (async () => {
      const [name = 'auto', threadsText] = choice.split(':');
      const c = (name === 'auto' || (BACKENDS as readonly string[]).includes(name) ? name : 'auto') as BackendChoice;
      const threads = threadsText === undefined ? undefined : Number(threadsText);
      if (threads !== undefined && (!Number.isInteger(threads) || threads < 0)) {
        throw new Error(`threads=${threadsText} in the link: use a whole number >= 0 (0 = one per core, 1 = single-threaded)`);
      }
      loadPthreadsFrom(new URL(wasmThreadedGlueUrl, import.meta.url).href);
      const info = await initBackend(c, {
        wasmPaths: { 'tfjs-backend-wasm.wasm': wasmUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl } as unknown as string,
        ...(threads !== undefined ? { wasmThreads: threads } : {}),
      });
      backend = { name: info.name, adapter: info.adapter, software: info.software, skipped: info.skipped, threads: info.threads, threadsNote: info.threadsNote };
      watchDevice();
      return backend;
    })();
    try {
      return await backendInit;
    } catch (e) {
      backendInit = null;
      throw e;
    }
  },

  describe(): AppInfo {
    return {
      defaults: withDefaults(DEFAULT_CONFIG),
      appParams: APP_PARAMS,
      tasks: [...Object.values(TASKS), ...Object.values(ENVS)].map((t) => ({ name: t.name, description: t.description, defaults: { ...t.defaults }, knobs: t.knobs, options: t.options, stepSeparator: (t as { stepSeparator?: string }).stepSeparator ?? ',' })),
      presets: PRESETS as unknown as AppInfo['presets'],
      schemes: SCHEMES,
      algos: ALGOS,
    };
  },

  /** Validate parameters (URL or form) over the app defaults; throws with a clear message. */
  resolve(params: Record<string, string>): ResolvedConfig {
    const cfg = resolveParams(params);
    return { cfg, ...configToParams(cfg), ...modelSummary(cfg) };
  },

  subscribe(cb: (u: Update) => void): void {
    listener = cb;
  },

  status(): StatusUpdate {
    return fullStatus();
  },

  async start(params: Record<string, string>, opts: { stepMode?: boolean; name?: string } = {}): Promise<string> {
    const b = requireBackend();
    requireIdle();
    const cfg = resolveParams(params);
    if (dataset && isEnvName(cfg.task.name)) throw new Error(`${cfg.task.name} is an environment: it trains on its own gold trajectories, not on uploaded records; clear the dataset to train it`);
    if (dataset && dataset.task !== null && dataset.task !== cfg.task.name) throw new Error(`the uploaded dataset is for task ${dataset.task}; clear it or pick that task`);
    const ds = dataset ? parseDataset(dataset.text, dataset.name, cfg) : null;
    const id = newId();
    session = new Session({ id, name: opts.name ?? runName(cfg), cfg, backend: b.name, dataset: ds, stepMode: !!opts.stepMode }, await store(), emit);
    void session.run();
    return id;
  },

  pause: () => requireSession('pause').pause(),
  resume: () => requireSession('resume').resume(),
  step: () => requireSession('step').stepOnce(),
  stop: () => requireSession('stop').stop(),
  switchToRl: () => requireSession('switch to RL').switchToRl(),

  /** Debug/test hook: destroy the WebGPU device, as a driver reset would. */
  loseDevice(): boolean {
    const device = (tf.backend() as unknown as { device?: GPUDevice }).device;
    device?.destroy();
    return !!device;
  },

  /**
   * The stored runs, newest first. A run stored as starting/running that no live session owns (in
   * this worker, or in another tab: sessions hold a Web Lock) was cut off by a reload or a closed
   * tab: it is corrected in the store to `interrupted`, at its last checkpoint step.
   */
  async listRuns(): Promise<RunSummary[]> {
    const st = await store();
    const runs = await st.list();
    const live = session?.active ? session.summary() : null;
    const held = await heldRunLocks();
    const out: RunSummary[] = [];
    for (const r of runs) {
      if (live && r.id === live.id) out.push(live);
      else if ((r.state === 'running' || r.state === 'starting') && !held.has(r.id)) {
        const fixed: RunSummary = { ...r, state: 'interrupted', step: Math.max(0, r.savedStep) };
        await st.putRun(fixed).catch(() => undefined);
        out.push(fixed);
      } else out.push(r);
    }
    return out;
  },

  async deleteRun(id: string): Promise<void> {
    if (session?.active && session.id === id) throw new Error('stop the run before deleting it');
    await (await store()).delete(id);
  },

  /** A stored run's metrics (for comparing runs), as one batch. */
  async runMetrics(id: string) {
    const events = await (await store()).events(id);
    const m = new MetricsBuffer(id, 64);
    m.markReset();
    for (const e of events) m.push(e);
    const batch = m.take();
    return transfer(batch, batchBuffers(batch));
  },

  /** Continue a stored run from its last checkpoint, with its stored metrics shown again. */
  async resumeRun(id: string, extraSteps = 0): Promise<void> {
    const b = requireBackend();
    requireIdle();
    const st = await store();
    const summary = await st.get(id);
    const ck = await st.getCheckpoint(id);
    if (!summary || !ck) throw new Error('this run has no saved checkpoint to resume from');
    if (summary.pref) throw new Error('a DPO run is not resumed: rate its pairs, or train on the ratings again');
    const loaded = snapshotFromFiles(snapshotInputs(ck.files), summary.name);
    const cfg = withDefaults(loaded.cfg);
    if (extraSteps > 0) {
      if (ck.phase === 'rl') cfg.rl.steps += extraSteps;
      else cfg.train.steps += extraSteps;
    }
    const ds = await st.getDataset(id);
    const dset = ds ? parseDataset(ds.text, ds.name, cfg) : null;
    const s = new Session(
      { id, name: summary.name, cfg, backend: b.name, dataset: dset, created: summary.created, from: { snapshot: loaded.snapshot, tokenizer: Tokenizer.fromJSON(loaded.tokenizer), phase: ck.phase, offset: ck.offset, ...(ck.rl ? { rl: ck.rl } : loaded.rl ? { rl: loaded.rl } : {}) } },
      st,
      emit,
    );
    session = s;
    const events = await st.events(id, ck.step);
    s.metrics.markReset();
    for (const e of events) s.metrics.push(e);
    void s.run();
  },

  /** The stored checkpoint of a run as a zip (checkpoint/ with the CLI's files). */
  async exportCheckpoint(id: string): Promise<{ name: string; zip: Uint8Array }> {
    const st = await store();
    const ck = await st.getCheckpoint(id);
    if (!ck) throw new Error('this run has no saved checkpoint yet (one is written every 50 steps, on pause and at the end)');
    const zip = zipCheckpoint(ck.files);
    return transfer({ name: `${id}-step${ck.step}.zip`, zip }, [zip.buffer as ArrayBuffer]);
  },

  /** A checkpoint from the CLI or a download (zip or the folder's files) becomes a paused run. */
  async importCheckpoint(files: { name: string; data: Uint8Array }[]): Promise<string> {
    const ckFiles = checkpointFiles(files);
    const loaded = snapshotFromFiles(snapshotInputs(ckFiles), files.length === 1 ? files[0]!.name : 'checkpoint');
    const cfg = withDefaults(loaded.cfg);
    const trainer = JSON.parse(ckFiles['trainer.json']) as { phase?: string; offset?: number };
    const phase = trainer.phase === 'rl' ? 'rl' : 'sft';
    const id = newId();
    const step = loaded.snapshot.step;
    const summary: RunSummary = {
      id,
      name: `${runName(cfg)} (imported)`,
      created: Date.now(),
      updated: Date.now(),
      cfg,
      state: 'paused',
      step,
      phase,
      savedStep: step,
      backend: requireBackend().name,
      lastAcc: null,
      datasetName: null,
    };
    const st = await store();
    await st.saveCheckpoint(
      {
        runId: id,
        step,
        phase,
        offset: phase === 'rl' ? (trainer.offset ?? 0) : 0,
        files: ckFiles,
        ...(loaded.rl ? { rl: loaded.rl } : {}),
      },
      [],
      summary,
    );
    return id;
  },

  /**
   * Check an uploaded JSONL against the current config; on success it becomes the training data
   * (on an error the previous data stays). Returns the status, which names the data in use.
   */
  setDataset(text: string, name: string, params: Record<string, string>): StatusUpdate {
    requireIdle();
    const cfg = resolveParams(params);
    dataset = { ...parseDataset(text, name, cfg), forTask: cfg.task.name };
    return fullStatus();
  },

  /** Train on the shipped train split of the current task. */
  async useShipped(params: Record<string, string>): Promise<StatusUpdate> {
    requireIdle();
    const cfg = resolveParams(params);
    dataset = { ...parseDataset(await shippedText(cfg.task.name), `datasets/${cfg.task.name}/train.jsonl`, cfg), forTask: cfg.task.name };
    return fullStatus();
  },

  clearDataset(): StatusUpdate {
    requireIdle();
    dataset = null;
    return fullStatus();
  },

  async browse(source: 'generated' | 'shipped' | 'uploaded', split: 'train' | 'val' | 'test', offset: number, limit: number, params: Record<string, string>): Promise<{ records: BrowsedRecord[]; total: number | null }> {
    const cfg = resolveParams(params);
    if (source === 'generated') return { records: generatedRecords(cfg, split, offset, limit), total: null };
    const all = source === 'uploaded' ? (dataset?.browse ?? []) : await shippedRecords(cfg.task.name, split);
    return { records: all.slice(offset, offset + limit), total: all.length };
  },

  // The Rate panel (rate-api.ts), the simulated rater and "Train on my ratings" (pref-api.ts).
  ...rateApi(store, sampler),
  ...prefApi({
    store,
    sampler,
    requireIdle,
    backendName: () => requireBackend().name,
    newId,
    emit,
    start: (s) => {
      session = s;
      void s.run();
    },
  }),
};

export type TrainerApi = typeof api;

expose(api);
