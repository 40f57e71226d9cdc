// Preference files and reward-model folders on disk, for the CLI's preference stages: read a
// preference JSONL keeping the valid lines (each bad one reported with file:line and the field),
// and load a reward model (a run folder whose checkpoint has reward_head.safetensors beside it).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonlWith, type BadLine } from '../records/jsonl.ts';
import { validatePreference } from '../records/preference.ts';
import { REWARD_HEAD_FILE, rewardHeadFromFile } from '../model/reward-head.ts';
import { snapshotFromFiles, type LoadedSnapshot } from '../train/snapshot.ts';
import type { PlacedPair } from '../train/rm.ts';
import { UserError } from './args.ts';
import { RunDir } from './rundir.ts';

/** File written beside the head: what the reward model was trained on and how well it ranks. */
export const REWARD_META_FILE = 'reward_model.json';

/** Read `file`'s preference records. Bad lines are listed (not fatal); zero good ones is an error. */
export function readPairs(file: string, task: string): { pairs: PlacedPair[]; bad: BadLine[] } {
  if (!existsSync(file)) throw new UserError(`--prefs ${file} does not exist (write one with \`reasonlab prefs\`)`);
  const { rows, bad } = parseJsonlWith(readFileSync(file, 'utf8'), file, (v, where) => ({ record: validatePreference(v, where), where }), { skipBad: true });
  for (const p of rows) {
    if (p.record.task !== task) throw new UserError(`${p.where}: field task: the pair is of task ${p.record.task}, the checkpoint was trained on ${task}`);
  }
  if (rows.length === 0) {
    const why = bad.length ? `; ${bad.length} bad line(s), the first: ${bad[0]!.message}` : ' (the file is empty)';
    throw new UserError(`--prefs ${file}: no usable preference pairs${why}`);
  }
  return { pairs: rows, bad };
}

/** The checkpoint folder of a run folder (or the folder itself when it is one). */
function checkpointOf(path: string): { dir: RunDir; folder: string } {
  if (existsSync(join(path, 'checkpoint', 'trainer.json'))) return { dir: new RunDir(path), folder: 'checkpoint' };
  if (existsSync(join(path, 'trainer.json'))) return { dir: new RunDir(join(path, '..')), folder: path.split(/[\\/]/).filter(Boolean).pop()! };
  throw new UserError(`${path} has no checkpoint (expected ${join(path, 'checkpoint', 'trainer.json')})`);
}

/** Load a run's checkpoint (RUN or RUN/checkpoint). */
export function loadCheckpoint(path: string): LoadedSnapshot & { where: string } {
  const { dir, folder } = checkpointOf(path);
  const where = join(dir.path, folder);
  return { ...snapshotFromFiles(dir.readCheckpoint(folder), where), where };
}

/** A reward model: its checkpoint (the trunk) and its head. */
export function loadRewardModel(path: string): LoadedSnapshot & { where: string; head: Float32Array } {
  const ck = loadCheckpoint(path);
  const headFile = join(ck.where, REWARD_HEAD_FILE);
  if (!existsSync(headFile)) {
    throw new UserError(`${path} is not a reward model: ${headFile} is missing (train one with \`reasonlab train --stage rm --prefs F --from RUN --out RM\`)`);
  }
  return { ...ck, head: rewardHeadFromFile(new Uint8Array(readFileSync(headFile)), ck.model.nEmbd, headFile) };
}
