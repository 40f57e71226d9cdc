// Runs kept in IndexedDB (idb), so they survive a reload: the run summary, the latest checkpoint
// (the files of snapshotToFiles), the metric events in chunks written with each checkpoint, and the
// uploaded dataset a run trained on, and the run's preference ratings (Rate panel). A checkpoint and the events up to it go in one transaction:
// what is stored is always consistent, and a failed write (quota) leaves the previous one intact.

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { RlState, SnapshotFiles } from '../train/snapshot.ts';
import type { TrainEvent } from '../train/events.ts';
import type { PreferenceRecord } from '../records/preference.ts';
import type { RunSummary } from './protocol.ts';

export interface StoredCheckpoint {
  runId: string;
  step: number;
  phase: 'sft' | 'rl';
  /** SFT steps before the RL phase began (global step = offset + RL step), 0 in SFT. */
  offset: number;
  files: SnapshotFiles;
  /** RL phase only: the RL trainer's own state (its step, start step, baseline, frozen reference). */
  rl?: StoredRl;
}

/** The RL state kept beside the files; `optStep` is absent in runs saved before it was stored. */
export type StoredRl = Omit<RlState, 'optStep'> & Partial<Pick<RlState, 'optStep'>>;

interface Schema extends DBSchema {
  runs: { key: string; value: RunSummary };
  checkpoints: { key: string; value: StoredCheckpoint };
  events: { key: [string, number]; value: { runId: string; seq: number; step: number; events: TrainEvent[] } };
  datasets: { key: string; value: { runId: string; name: string; text: string } };
  /** Ratings in the order given (seq), per run (version 2). */
  prefs: { key: [string, number]; value: { runId: string; seq: number; record: PreferenceRecord } };
}

const runRange = (runId: string) => IDBKeyRange.bound([runId, 0], [runId, Infinity]);

export class StorageError extends Error {
  override name = 'StorageError';
}

/** A user-readable reason for a failed write (quota first: it is the one users can act on). */
export function storageMessage(e: unknown): string {
  const name = (e as { name?: string })?.name ?? '';
  if (name === 'QuotaExceededError' || /quota/i.test(String((e as Error)?.message))) {
    return 'browser storage is full (quota exceeded): delete old runs in the Runs list, then resume';
  }
  return `browser storage failed (${name || 'error'}: ${(e as Error)?.message ?? String(e)})`;
}

export class RunStore {
  private constructor(private db: IDBPDatabase<Schema>) {}

  static async open(name = 'reasonlab'): Promise<RunStore> {
    const db = await openDB<Schema>(name, 2, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('runs', { keyPath: 'id' });
          db.createObjectStore('checkpoints', { keyPath: 'runId' });
          db.createObjectStore('events', { keyPath: ['runId', 'seq'] });
          db.createObjectStore('datasets', { keyPath: 'runId' });
        }
        if (oldVersion < 2) db.createObjectStore('prefs', { keyPath: ['runId', 'seq'] });
      },
    });
    return new RunStore(db);
  }

  async list(): Promise<RunSummary[]> {
    const all = await this.db.getAll('runs');
    return all.sort((a, b) => b.updated - a.updated);
  }

  get(id: string): Promise<RunSummary | undefined> {
    return this.db.get('runs', id);
  }

  async putRun(r: RunSummary): Promise<void> {
    await this.db.put('runs', r);
  }

  async putDataset(runId: string, name: string, text: string): Promise<void> {
    await this.db.put('datasets', { runId, name, text });
  }

  getDataset(runId: string) {
    return this.db.get('datasets', runId);
  }

  getCheckpoint(runId: string): Promise<StoredCheckpoint | undefined> {
    return this.db.get('checkpoints', runId);
  }

  /**
   * Save a checkpoint together with the events since the previous save, and the summary, in one
   * transaction. Events after `ck.step` stay with the caller for the next save.
   */
  async saveCheckpoint(ck: StoredCheckpoint, events: TrainEvent[], summary: RunSummary): Promise<void> {
    const tx = this.db.transaction(['runs', 'checkpoints', 'events'], 'readwrite');
    // On a failed write the catch below aborts the transaction and `tx.done` rejects: observed
    // there, or it would surface as an unhandled AbortError.
    tx.done.catch(() => {});
    try {
      const evStore = tx.objectStore('events');
      const last = await evStore.openCursor(IDBKeyRange.bound([ck.runId, 0], [ck.runId, Infinity]), 'prev');
      const seq = last ? last.value.seq + 1 : 0;
      if (events.length) await evStore.put({ runId: ck.runId, seq, step: ck.step, events });
      await tx.objectStore('checkpoints').put(ck);
      await tx.objectStore('runs').put(summary);
      await tx.done;
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // already aborted
      }
      throw new StorageError(storageMessage(e));
    }
  }

  /** All stored events of a run, in order, up to and including `maxStep`. */
  async events(runId: string, maxStep = Infinity): Promise<TrainEvent[]> {
    const chunks = await this.db.getAll('events', IDBKeyRange.bound([runId, 0], [runId, Infinity]));
    return chunks.flatMap((c) => c.events).filter((e) => e.step <= maxStep);
  }

  /** A run's ratings, in the order they were given. */
  async preferences(runId: string): Promise<PreferenceRecord[]> {
    return (await this.db.getAll('prefs', runRange(runId))).map((p) => p.record);
  }

  /** Append ratings to a run, in one transaction (all or none). */
  async addPreferences(runId: string, records: readonly PreferenceRecord[]): Promise<void> {
    const tx = this.db.transaction('prefs', 'readwrite');
    tx.done.catch(() => {});
    try {
      const last = await tx.store.openCursor(runRange(runId), 'prev');
      let seq = last ? last.value.seq + 1 : 0;
      for (const record of records) await tx.store.put({ runId, seq: seq++, record });
      await tx.done;
    } catch (e) {
      throw new StorageError(storageMessage(e));
    }
  }

  /** Remove the run's newest rating with this id (undo); false when there is none. */
  async removePreference(runId: string, id: string): Promise<boolean> {
    const tx = this.db.transaction('prefs', 'readwrite');
    for (let c = await tx.store.openCursor(runRange(runId), 'prev'); c; c = await c.continue()) {
      if (c.value.record.id === id) {
        await c.delete();
        await tx.done;
        return true;
      }
    }
    await tx.done;
    return false;
  }

  async delete(runId: string): Promise<void> {
    const tx = this.db.transaction(['runs', 'checkpoints', 'events', 'datasets', 'prefs'], 'readwrite');
    await tx.objectStore('runs').delete(runId);
    await tx.objectStore('checkpoints').delete(runId);
    await tx.objectStore('events').delete(IDBKeyRange.bound([runId, 0], [runId, Infinity]));
    await tx.objectStore('datasets').delete(runId);
    await tx.objectStore('prefs').delete(runRange(runId));
    await tx.done;
  }
}
