// Checkpoint files <-> a .zip (stored, no compression: safetensors barely compress). The zip holds
// checkpoint/config.json, model.safetensors, tokenizer.json (+ tokenizer_config.json,
// special_tokens_map.json, reasonlab_tokenizer.json), optimizer.safetensors, trainer.json: unzip it into
// runs/NAME/ and `reasonlab train --resume --out runs/NAME` continues the run, and a CLI checkpoint
// folder (zipped, or its files picked together) opens in the app.

import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { CheckpointError } from '../model/checkpoint.ts';
import type { snapshotFromFiles, SnapshotFiles } from '../train/snapshot.ts';

export const CHECKPOINT_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'optimizer.safetensors', 'trainer.json'] as const;
/** Written since checkpoint format 2, absent before: taken when present, never required. */
const OPTIONAL_TEXT = ['tokenizer_config.json', 'special_tokens_map.json', 'reasonlab_tokenizer.json'] as const;

export function zipCheckpoint(files: SnapshotFiles): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, data] of Object.entries(files)) entries[`checkpoint/${name}`] = typeof data === 'string' ? strToU8(data) : data;
  return zipSync(entries, { level: 0, mtime: new Date('2026-01-01T00:00:00Z') });
}

/** Uploaded files (a .zip, or the files themselves) -> the checkpoint's files, as stored. */
export function checkpointFiles(uploaded: { name: string; data: Uint8Array }[]): SnapshotFiles {
  const byName = new Map<string, Uint8Array>();
  for (const f of uploaded) {
    if (/\.zip$/i.test(f.name)) {
      let entries: Record<string, Uint8Array>;
      try {
        entries = unzipSync(f.data);
      } catch (e) {
        throw new CheckpointError(`${f.name}: not a readable zip (${(e as Error).message})`);
      }
      for (const [path, data] of Object.entries(entries)) {
        const base = path.split('/').pop()!;
        if ([...CHECKPOINT_FILES, ...OPTIONAL_TEXT, 'ref.safetensors'].includes(base)) byName.set(base, data);
      }
    } else byName.set(f.name.split('/').pop()!, f.data);
  }
  const missing = CHECKPOINT_FILES.filter((n) => !byName.has(n));
  if (missing.length) {
    throw new CheckpointError(`checkpoint upload: missing ${missing.join(', ')} (pick all the files of a checkpoint folder, or a .zip of it)`);
  }
  const get = (n: string) => byName.get(n)!;
  const ref = byName.get('ref.safetensors');
  const optional = Object.fromEntries(OPTIONAL_TEXT.filter((n) => byName.has(n)).map((n) => [n, strFromU8(get(n))]));
  return {
    ...optional,
    'config.json': strFromU8(get('config.json')),
    'model.safetensors': get('model.safetensors'),
    'tokenizer.json': strFromU8(get('tokenizer.json')),
    'optimizer.safetensors': get('optimizer.safetensors'),
    'trainer.json': strFromU8(get('trainer.json')),
    ...(ref ? { 'ref.safetensors': ref } : {}),
  };
}

/** A checkpoint's files -> the inputs of snapshotFromFiles. */
export function snapshotInputs(f: SnapshotFiles): Parameters<typeof snapshotFromFiles>[0] {
  const ref = f['ref.safetensors'];
  const own = f['reasonlab_tokenizer.json'];
  return {
    config: f['config.json'],
    safetensors: f['model.safetensors'],
    tokenizer: f['tokenizer.json'],
    ...(own !== undefined ? { reasonlabTokenizer: own } : {}),
    optimizer: f['optimizer.safetensors'],
    trainer: f['trainer.json'],
    ...(ref ? { ref } : {}),
  };
}
