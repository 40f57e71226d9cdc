// The worker's Rate-panel calls, spread into the worker's API (worker.ts): sample pairs from a
// run's checkpoint, store a rating, undo it, export and import a run's ratings. Every record that
// reaches the store is validated here, whatever the UI sent.

import { importPreferences, type RatePair } from '../records/human.ts';
import { validatePreference, type PreferenceRecord } from '../records/preference.ts';
import { PairSampler } from './pairs.ts';
import type { RateInfo } from './protocol.ts';
import type { RunStore } from './store.ts';

export function rateApi(store: () => Promise<RunStore>, sampler = new PairSampler()) {
  return {
    /** How many ratings the run holds, and the next pair number of its rating stream. */
    async rateInfo(runId: string): Promise<RateInfo> {
      const st = await store();
      const run = await st.get(runId);
      if (!run) throw new Error(`run ${runId} is not stored: pick a run in the Runs list`);
      const recs = await st.preferences(runId);
      // Pairs this app sampled for the run carry ids "runId:..."; continue after the last one, so
      // a reload never shows an already rated prompt again.
      const own = recs.filter((r) => r.id.startsWith(`${runId}:`)).map((r) => r.provenance.index ?? -1);
      return { stored: recs.length, next: own.length ? Math.max(...own) + 1 : 0, task: run.cfg.task.name, savedStep: run.savedStep };
    },

    async ratePairs(runId: string, from: number, count: number, temperature: number): Promise<RatePair[]> {
      return sampler.sample(await store(), runId, from, count, temperature);
    },

    /** Store one rating (validated as a preference record). */
    async addRating(runId: string, record: PreferenceRecord): Promise<void> {
      await (await store()).addPreferences(runId, [validatePreference(record, 'rating')]);
    },

    /** Take back the rating `id` (undo); false when it was not stored. */
    async undoRating(runId: string, id: string): Promise<boolean> {
      return (await store()).removePreference(runId, id);
    },

    async exportRatings(runId: string): Promise<PreferenceRecord[]> {
      return (await store()).preferences(runId);
    },

    /** Add the valid lines of an uploaded preference JSONL to the run; bad lines are listed, never fatal. */
    async importRatings(runId: string, text: string, file: string): Promise<{ added: number; duplicates: number; bad: string[] }> {
      const st = await store();
      const run = await st.get(runId);
      if (!run) throw new Error(`run ${runId} is not stored: pick a run in the Runs list`);
      const known = new Set((await st.preferences(runId)).map((r) => r.id));
      const res = importPreferences(text, file, run.cfg.task.name, known);
      if (res.records.length) await st.addPreferences(runId, res.records);
      return { added: res.records.length, duplicates: res.duplicates, bad: res.bad.map((b) => b.message) };
    },
  };
}
