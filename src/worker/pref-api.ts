// The worker's calls for "let a simulated rater rate N pairs" and "Train on my ratings", spread
// into the worker's API (worker.ts). A simulated rater judges the same pairs the Rate panel would
// show next (the run's rating stream), so the user takes over where it stopped. Training builds
// the CLI's DpoTrainer from the run's newest checkpoint and its stored ratings, and hands the
// worker a DpoSession: a new run.

import { withDefaults } from '../run-config.ts';
import { appRater, APP_DPO_BATCH, APP_DPO_EVAL_EVERY, APP_DPO_EVAL_N, dpoReadiness, MIN_DPO_PAIRS, notReadyMessage, simulatedRecord, type AppDpoSettings } from '../records/rate-train.ts';
import { validatePreference } from '../records/preference.ts';
import { hashInts } from '../rng.ts';
import { TASKS } from '../tasks/registry.ts';
import { Tokenizer } from '../tokenizer.ts';
import { DpoTrainer } from '../train/dpo.ts';
import { DEFAULT_PREF, type PrefConfig } from '../train/pref-loop.ts';
import { heldOutProblems } from '../train/report.ts';
import { snapshotFromFiles } from '../train/snapshot.ts';
import { DpoSession } from './dpo-session.ts';
import { MAX_PAIRS_PER_CALL, type PairSampler } from './pairs.ts';
import type { SessionUpdate } from './protocol.ts';
import type { RunStore } from './store.ts';
import { snapshotInputs } from './zip.ts';

/** Salt of the simulated rater's noise seed (apart from the rating stream's draws). */
const SIM_SALT = 0x5349;
export const MAX_SIMULATED = 500;

export interface PrefDeps {
  store: () => Promise<RunStore>;
  sampler: PairSampler;
  /** Throws when a run is in progress. */
  requireIdle: () => void;
  backendName: () => string;
  newId: () => string;
  emit: (u: SessionUpdate) => void;
  /** Make `s` the worker's session and run it. */
  start: (s: DpoSession) => void;
}

export function prefApi(d: PrefDeps) {
  return {
    /**
     * A simulated rater rates the next `n` pairs of the run's rating stream at `temperature`;
     * returns what it decided.
     */
    async simulateRatings(runId: string, rater: string, noise: number, n: number, temperature: number): Promise<{ added: number; decided: number; ties: number }> {
      if (!Number.isInteger(n) || n < 1 || n > MAX_SIMULATED) throw new Error(`a simulated rater rates 1 to ${MAX_SIMULATED} pairs at a time, got ${n}`);
      const st = await d.store();
      const run = await st.get(runId);
      if (!run) throw new Error(`run ${runId} is not stored: pick a run in the Runs list`);
      const r = appRater(rater, noise, hashInts(run.cfg.train.seed, SIM_SALT));
      const recs = await st.preferences(runId);
      const own = recs.filter((x) => x.id.startsWith(`${runId}:`)).map((x) => x.provenance.index ?? -1);
      let next = own.length ? Math.max(...own) + 1 : 0;
      let decided = 0;
      let ties = 0;
      for (let left = n; left > 0; ) {
        const count = Math.min(left, MAX_PAIRS_PER_CALL);
        const pairs = await d.sampler.sample(st, runId, next, count, temperature);
        const made = pairs.map((p) => validatePreference(simulatedRecord(p, r), 'simulated rating'));
        await st.addPreferences(runId, made);
        for (const m of made) (m.tie ? ties++ : decided++);
        next += count;
        left -= count;
      }
      return { added: n, decided, ties };
    },

    /** How many of the run's ratings DPO can use, and the minimum. */
    async dpoReadiness(runId: string): Promise<{ decided: number; ties: number; needed: number; ready: boolean; minimum: number }> {
      return { ...dpoReadiness(await (await d.store()).preferences(runId)), minimum: MIN_DPO_PAIRS };
    },

    /** DPO from the run's newest checkpoint on its decided ratings: a new run; returns its id. */
    async trainOnRatings(runId: string, s: AppDpoSettings): Promise<string> {
      d.requireIdle();
      checkSettings(s);
      const st = await d.store();
      const summary = await st.get(runId);
      const ck = await st.getCheckpoint(runId);
      if (!summary || !ck) throw new Error('this run has no saved checkpoint to start DPO from: pause it (a pause saves one) or let it finish');
      const records = (await st.preferences(runId)).filter((r) => r.task === summary.cfg.task.name);
      const ready = dpoReadiness(records);
      if (!ready.ready) throw new Error(notReadyMessage(ready));
      const loaded = snapshotFromFiles(snapshotInputs(ck.files), summary.name);
      const cfg = withDefaults(loaded.cfg);
      const task = TASKS[cfg.task.name];
      if (!task) throw new Error(`DPO in the app needs a single-turn task; ${cfg.task.name} is an environment`);
      const pc: PrefConfig = { ...DEFAULT_PREF, steps: s.steps, beta: s.beta, lr: s.lr, batchSize: APP_DPO_BATCH, evalEvery: APP_DPO_EVAL_EVERY, evalN: APP_DPO_EVAL_N, seed: cfg.train.seed };
      const problems = heldOutProblems(task, { ...cfg, eval: { ...cfg.eval, n: APP_DPO_EVAL_N } });
      // A pair the checkpoint's tokenizer or context cannot hold is refused here, naming its rating.
      const placed = records.map((record, i) => ({ record, where: `rating ${i + 1} (${record.id})` }));
      const trainer = new DpoTrainer(pc, loaded.model, Tokenizer.fromJSON(loaded.tokenizer), loaded.snapshot.params, placed, { task, config: cfg.task.config, problems });
      const id = d.newId();
      // What tells two DPO runs of one source apart comes first (the list and chart legends cut long names).
      const name = `DPO lr ${s.lr.toExponential(0)} β ${s.beta} · ${ready.decided} pairs · from ${summary.name}`;
      const pref = { stage: 'dpo' as const, fromRun: runId, fromName: summary.name, fromStep: ck.step, pairs: ready.decided, ties: ready.ties, beta: s.beta, lr: s.lr };
      d.start(new DpoSession({ id, name, cfg, backend: d.backendName(), pref }, trainer, st, d.emit));
      return id;
    },
  };
}

/** The app's DPO knobs, checked (the form offers only valid ones; a test or a console call may not). */
function checkSettings(s: AppDpoSettings): void {
  if (!Number.isInteger(s.steps) || s.steps < 1 || s.steps > 1000) throw new Error(`DPO steps must be a whole number from 1 to 1000, got ${s.steps}`);
  if (!(s.beta > 0 && s.beta <= 10)) throw new Error(`DPO's beta must be in (0, 10], got ${s.beta}`);
  if (!(s.lr > 0 && s.lr <= 1e-2)) throw new Error(`the DPO learning rate must be in (0, 0.01], got ${s.lr}`);
}
