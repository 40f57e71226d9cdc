// The run directory on disk: config.json, metrics.jsonl, samples.jsonl, checkpoint/. Never
// overwrites an existing run (a new run needs an empty or absent --out); checkpoints are written
// to a temporary folder and renamed into place, so a crash never leaves a half-written one.

import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SnapshotFiles } from '../train/snapshot.ts';
import { UserError } from './args.ts';

export class RunDir {
  constructor(readonly path: string) {}

  /** Create a new run folder; refuses one that already has files. */
  static create(path: string): RunDir {
    if (existsSync(path)) {
      let entries: string[];
      try {
        entries = readdirSync(path);
      } catch {
        throw new UserError(`--out ${path} exists and is not a readable folder`);
      }
      if (entries.length) throw new UserError(`--out ${path} already holds a run (${entries.slice(0, 3).join(', ')}); choose a new --out, or --resume to continue it`);
    }
    try {
      mkdirSync(path, { recursive: true });
      writeFileSync(join(path, '.write-test'), '');
      rmSync(join(path, '.write-test'));
    } catch (e) {
      throw new UserError(`cannot write to --out ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return new RunDir(path);
  }

  /** Open an existing run (for --resume and eval). */
  static open(path: string): RunDir {
    if (!existsSync(join(path, 'checkpoint', 'trainer.json'))) throw new UserError(`${path} has no checkpoint (expected ${join(path, 'checkpoint', 'trainer.json')})`);
    return new RunDir(path);
  }

  writeJSON(name: string, value: unknown): void {
    writeFileSync(join(this.path, name), JSON.stringify(value, null, 2) + '\n');
  }

  append(name: string, row: unknown): void {
    appendFileSync(join(this.path, name), JSON.stringify(row) + '\n');
  }

  /**
   * Append a JSONL row to `name`, rotating when the file would pass `maxBytes`: name -> name.1 ->
   * ... -> name.KEEP (the oldest is dropped). Total disk use stays under (keep + 1) * maxBytes.
   */
  appendRotating(name: string, row: unknown, maxBytes: number, keep = 3): void {
    const line = JSON.stringify(row) + '\n';
    const path = join(this.path, name);
    let size = this.sizes.get(name);
    if (size === undefined) size = existsSync(path) ? statSync(path).size : 0;
    if (size > 0 && size + Buffer.byteLength(line) > maxBytes) {
      const base = name.replace(/\.jsonl$/, '');
      rmSync(join(this.path, `${base}.${keep}.jsonl`), { force: true });
      for (let i = keep - 1; i >= 1; i--) {
        const from = join(this.path, `${base}.${i}.jsonl`);
        if (existsSync(from)) renameSync(from, join(this.path, `${base}.${i + 1}.jsonl`));
      }
      renameSync(path, join(this.path, `${base}.1.jsonl`));
      size = 0;
    }
    appendFileSync(path, line);
    this.sizes.set(name, size + Buffer.byteLength(line));
  }

  private sizes = new Map<string, number>();

  writeCheckpoint(files: SnapshotFiles | Record<string, Uint8Array | string>, folder = 'checkpoint'): void {
    const tmp = join(this.path, `${folder}.tmp`);
    const dst = join(this.path, folder);
    const old = join(this.path, `${folder}.old`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    for (const [name, data] of Object.entries(files)) writeFileSync(join(tmp, name), data);
    rmSync(old, { recursive: true, force: true });
    if (existsSync(dst)) renameSync(dst, old);
    renameSync(tmp, dst);
    rmSync(old, { recursive: true, force: true });
  }

  readCheckpoint(folder = 'checkpoint'): { config: string; safetensors: Uint8Array; tokenizer: string; reasonlabTokenizer?: string; optimizer: Uint8Array; trainer: string; ref?: Uint8Array } {
    const d = join(this.path, folder);
    const read = (n: string) => {
      try {
        return readFileSync(join(d, n));
      } catch {
        throw new UserError(`${join(d, n)} is missing or unreadable`);
      }
    };
    return {
      config: read('config.json').toString('utf8'),
      safetensors: new Uint8Array(read('model.safetensors')),
      tokenizer: read('tokenizer.json').toString('utf8'),
      // Absent in checkpoints written before format 2 (tokenizer.json was reasonlab's own file then).
      ...(existsSync(join(d, 'reasonlab_tokenizer.json')) ? { reasonlabTokenizer: read('reasonlab_tokenizer.json').toString('utf8') } : {}),
      optimizer: new Uint8Array(read('optimizer.safetensors')),
      trainer: read('trainer.json').toString('utf8'),
      ...(existsSync(join(d, 'ref.safetensors')) ? { ref: new Uint8Array(read('ref.safetensors')) } : {}),
    };
  }
}
