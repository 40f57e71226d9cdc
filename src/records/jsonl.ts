// JSONL of records: one JSON object per line. Reading accepts full records or TRL-style
// {"prompt","completion"} pairs; every bad line is reported with file:line and the field, and is
// either fatal (the default) or listed in `bad` (skipBad). Blank lines are the only lines skipped.
// Pure: the CLI layer reads and writes the files.

import { RecordError, validateRecord, type TaskRecord, type TrlPair } from './record.ts';

export type Row = { line: number; kind: 'record'; record: TaskRecord } | { line: number; kind: 'trl'; pair: TrlPair };

export interface BadLine {
  /** 1-based line number in the file. */
  line: number;
  /** "file:line: problem", the same text the error would have had without skipBad. */
  message: string;
}

export interface ParseOptions {
  /** Keep the good lines and list the bad ones instead of throwing at the first bad line. */
  skipBad?: boolean;
}

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A line without `id` or `task` but with `prompt` is read as a TRL pair. */
function parseLine(value: unknown, where: string, line: number): Row {
  if (isObj(value) && !('id' in value) && !('task' in value) && 'prompt' in value) {
    for (const k of Object.keys(value)) {
      if (k !== 'prompt' && k !== 'completion') throw new RecordError(`${where}: unknown field ${k} in a prompt/completion pair (known: prompt, completion)`);
    }
    for (const k of ['prompt', 'completion'] as const) {
      if (typeof value[k] !== 'string') throw new RecordError(`${where}: field ${k} must be a string, got ${value[k] === undefined ? 'nothing' : JSON.stringify(value[k])}`);
    }
    return { line, kind: 'trl', pair: { prompt: value.prompt as string, completion: value.completion as string } };
  }
  if (isObj(value) && !('id' in value) && !('task' in value)) {
    // Neither form (e.g. {"question","answer"}): name both forms instead of a missing record field.
    const keys = Object.keys(value);
    throw new RecordError(`${where}: ${UNKNOWN_FORM} (this line has ${keys.length ? keys.join(', ') : 'no fields'}). Accepted: full records as written by \`reasonlab generate\` (fields id, task, prompt, gold, ...), or {"prompt","completion"} pairs`);
  }
  return { line, kind: 'record', record: validateRecord(value, where) };
}

/** Marks the "neither a record nor a pair" error (the app appends an example line of its task). */
export const UNKNOWN_FORM = 'not a line format this reads';

/** Parse JSONL text read from `file` (the name is used in messages only). */
export function parseJsonl(text: string, file: string, opts: ParseOptions = {}): { rows: Row[]; bad: BadLine[] } {
  return parseJsonlWith(text, file, parseLine, opts);
}

/**
 * The line loop of every JSONL reader: `parse` turns one JSON value into a row or throws
 * RecordError (e.g. validatePreference); blank lines are skipped, bad lines fatal or listed.
 */
export function parseJsonlWith<T>(text: string, file: string, parse: (value: unknown, where: string, line: number) => T, opts: ParseOptions = {}): { rows: T[]; bad: BadLine[] } {
  const rows: T[] = [];
  const bad: BadLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const where = `${file}:${line}`;
    try {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (e) {
        throw new RecordError(`${where}: invalid JSON (${(e as Error).message})`);
      }
      rows.push(parse(value, where, line));
    } catch (e) {
      if (!(e instanceof RecordError) || !opts.skipBad) throw e;
      bad.push({ line, message: e.message });
    }
  }
  return { rows, bad };
}

/** One JSON object per line, each line newline-terminated ('' for no rows). */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}
