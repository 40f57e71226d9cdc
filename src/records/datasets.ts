// The shipped datasets: which records `datasets/` holds (task, split, seed, count, knobs) and their
// exact JSONL text, so `reasonlab datasets` writes them and a test regenerates them bit for bit.
// Each file equals `reasonlab generate --task T --n N --seed S --split X` at the default knobs.

import { toJsonl } from './jsonl.ts';
import { generateRecord, GENERATOR_VERSION } from './record.ts';
import type { Split } from '../data/split.ts';
import { TASKS, validateTaskConfig } from '../tasks/registry.ts';

export interface DatasetFile {
  task: string;
  split: Split;
  seed: number;
  n: number;
  /** Path inside datasets/. */
  file: string;
}

export const SPLIT_PLAN: { split: Split; seed: number; n: number }[] = [
  { split: 'train', seed: 1, n: 1000 },
  { split: 'val', seed: 2, n: 200 },
  { split: 'test', seed: 3, n: 200 },
];

export function datasetPlan(): DatasetFile[] {
  return Object.keys(TASKS).flatMap((task) => SPLIT_PLAN.map((s) => ({ task, ...s, file: `${task}/${s.split}.jsonl` })));
}

export function datasetText(f: DatasetFile): string {
  const task = TASKS[f.task]!;
  const cfg = validateTaskConfig(task, {});
  return toJsonl(Array.from({ length: f.n }, (_, i) => generateRecord(task.name, cfg, f.seed, f.split, i)));
}

/** The manifest, given each file's sha256 (hashing is left to the caller: Node or WebCrypto). */
export function manifest(files: DatasetFile[], sha256: (f: DatasetFile) => string): object {
  const tasks: Record<string, unknown> = {};
  for (const name of Object.keys(TASKS)) {
    const task = TASKS[name]!;
    tasks[name] = {
      task_version: task.version,
      knobs: validateTaskConfig(task, {}),
      files: Object.fromEntries(
        files
          .filter((f) => f.task === name)
          .map((f) => [f.split, { file: f.file, n: f.n, seed: f.seed, sha256: sha256(f), command: `reasonlab generate --task ${name} --n ${f.n} --seed ${f.seed} --split ${f.split}` }]),
      ),
    };
  }
  return { generator_version: GENERATOR_VERSION, split_rule: 'split by FNV-1a hash of the canonical problem form (src/data/split.ts): ~90% train, 5% val, 5% test', tasks };
}
