// The dataset record: one problem of one task with its prompt, a completion (gold or sampled),
// the gold answer, the problem itself (so the record can be re-verified) and where it came from.
// Pure: no tfjs, no Node. `validateRecord` turns untrusted JSON into a typed record with messages
// that name the place (file:line) and the field; docs/record.schema.json says the same in JSON Schema.

import { problemAt, type Split } from '../data/split.ts';
import { renderCompletion } from '../tasks/format.ts';
import { getTask, validateTaskConfig } from '../tasks/registry.ts';
import type { Gold, Verdict } from '../tasks/types.ts';

/** Bump when the way `generateRecord` draws or lays out records changes. */
export const GENERATOR_VERSION = 1;

export const SOURCES = ['generated', 'model', 'user'] as const;
export type Source = (typeof SOURCES)[number];
export const SPLITS = ['train', 'val', 'test'] as const;

export interface Provenance {
  source: Source;
  seed?: number;
  index?: number;
  split?: Split;
  generator_version?: number;
  /** Run folder or name that produced a model completion. */
  run?: string;
  /** Training step of the checkpoint that produced a model completion. */
  step?: number;
  /** ISO 8601 time; left out of generated records so they are reproducible byte for byte. */
  time?: string;
}

export interface TaskRecord {
  id: string;
  task: string;
  task_version: number;
  /** The task config the problem was drawn with (validated against the task when verifying). */
  difficulty: Record<string, unknown>;
  prompt: string;
  completion: string | null;
  gold: Gold;
  /** The task's problem object; null when unknown (such a record cannot be re-verified). */
  problem: unknown;
  verdict: Verdict | null;
  provenance: Provenance;
}

/** A prompt/completion pair as TRL's SFT trainers read it. */
export interface TrlPair {
  prompt: string;
  completion: string;
}

export class RecordError extends Error {
  override name = 'RecordError';
}

const RECORD_KEYS = ['id', 'task', 'task_version', 'difficulty', 'prompt', 'completion', 'gold', 'problem', 'verdict', 'provenance'] as const;
const PROVENANCE_KEYS = ['source', 'seed', 'index', 'split', 'generator_version', 'run', 'step', 'time'] as const;

export type Obj = Record<string, unknown>;
export const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
export const has = (o: Obj, k: string) => Object.prototype.hasOwnProperty.call(o, k);
export const show = (x: unknown) => (x === undefined ? 'nothing' : JSON.stringify(x)?.slice(0, 60) ?? String(x));

/** Checks the shape of one value, throwing RecordError("where: field F ..."). Shared by preference.ts. */
export class Checker {
  constructor(private where: string) {}

  fail(field: string, want: string, got: unknown): never {
    throw new RecordError(`${this.where}: field ${field} must be ${want}, got ${show(got)}`);
  }

  obj(o: Obj, key: string, prefix = ''): Obj {
    const v = o[key];
    if (!isObj(v)) this.fail(prefix + key, 'an object', v);
    return v;
  }

  str(o: Obj, key: string, prefix = '', nonEmpty = false): string {
    const v = o[key];
    if (typeof v !== 'string' || (nonEmpty && v === '')) this.fail(prefix + key, nonEmpty ? 'a non-empty string' : 'a string', v);
    return v;
  }

  bool(o: Obj, key: string, prefix = ''): boolean {
    const v = o[key];
    if (typeof v !== 'boolean') this.fail(prefix + key, 'true or false', v);
    return v;
  }

  num(o: Obj, key: string, prefix = '', integer = false, min = -Infinity): number {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min) {
      this.fail(prefix + key, `${integer ? 'an integer' : 'a finite number'}${min > -Infinity ? ` >= ${min}` : ''}`, v);
    }
    return v;
  }

  strOrNull(o: Obj, key: string, prefix = ''): string | null {
    const v = o[key];
    if (v !== null && typeof v !== 'string') this.fail(prefix + key, 'a string or null', v);
    return v;
  }

  /** Every key of `keys` must be present (optional ones excepted) and no other key may be. */
  keys(o: Obj, keys: readonly string[], optional: readonly string[], prefix = ''): void {
    for (const k of keys) {
      if (!optional.includes(k) && !has(o, k)) throw new RecordError(`${this.where}: field ${prefix}${k} is missing`);
    }
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) throw new RecordError(`${this.where}: unknown field ${prefix}${k} (known: ${keys.join(', ')})`);
    }
  }
}

export function validateVerdict(c: Checker, v: Obj): Verdict {
  const p = 'verdict.';
  const checksRaw = v.checks;
  if (!Array.isArray(checksRaw)) c.fail('verdict.checks', 'an array', checksRaw);
  const checks = checksRaw.map((x: unknown, i) => {
    const f = `verdict.checks[${i}]`;
    if (!isObj(x)) c.fail(f, 'an object', x);
    return { name: c.str(x, 'name', `${f}.`, true), passed: c.bool(x, 'passed', `${f}.`), detail: c.str(x, 'detail', `${f}.`) };
  });
  let fws: Verdict['first_wrong_step'] = null;
  if (v.first_wrong_step !== null) {
    const w = c.obj(v, 'first_wrong_step', p);
    fws = { step: c.num(w, 'step', `${p}first_wrong_step.`, true, 1), reason: c.str(w, 'reason', `${p}first_wrong_step.`) };
  }
  const correct = c.bool(v, 'correct', p);
  return {
    correct,
    // Records written before the field existed: every check passed is exactly its definition.
    fully_correct: has(v, 'fully_correct') ? c.bool(v, 'fully_correct', p) : correct && fws === null && checks.every((x) => x.passed),
    format_ok: c.bool(v, 'format_ok', p),
    truncated: c.bool(v, 'truncated', p),
    answer: c.strOrNull(v, 'answer', p),
    checks,
    first_wrong_step: fws,
    reward: c.num(v, 'reward', p),
    scheme: c.str(v, 'scheme', p, true),
  };
}

export function validateProvenance(c: Checker, o: Obj): Provenance {
  const p = 'provenance.';
  c.keys(o, PROVENANCE_KEYS, PROVENANCE_KEYS.filter((k) => k !== 'source'), p);
  if (typeof o.source !== 'string' || !(SOURCES as readonly string[]).includes(o.source)) c.fail('provenance.source', `one of ${SOURCES.join(', ')}`, o.source);
  const out: Provenance = { source: o.source as Source };
  if (has(o, 'seed')) out.seed = c.num(o, 'seed', p, true);
  if (has(o, 'index')) out.index = c.num(o, 'index', p, true, 0);
  if (has(o, 'split')) {
    if (typeof o.split !== 'string' || !(SPLITS as readonly string[]).includes(o.split)) c.fail('provenance.split', `one of ${SPLITS.join(', ')}`, o.split);
    out.split = o.split as Split;
  }
  if (has(o, 'generator_version')) out.generator_version = c.num(o, 'generator_version', p, true, 0);
  if (has(o, 'run')) out.run = c.str(o, 'run', p);
  if (has(o, 'step')) out.step = c.num(o, 'step', p, true, 0);
  if (has(o, 'time')) {
    const t = c.str(o, 'time', p);
    if (Number.isNaN(Date.parse(t))) c.fail('provenance.time', 'an ISO 8601 time', t);
    out.time = t;
  }
  return out;
}

/**
 * Check that `x` is a well-formed record, field by field. Throws RecordError naming `where`
 * (e.g. "data.jsonl:12") and the first bad field. Task names and configs are checked against
 * the registry by the verifier, not here, so records of unknown tasks still parse.
 */
export function validateRecord(x: unknown, where: string): TaskRecord {
  const c = new Checker(where);
  if (!isObj(x)) throw new RecordError(`${where}: a record must be a JSON object, got ${show(x)}`);
  c.keys(x, RECORD_KEYS, []);
  // Field by field in document order, so the first bad field is the one reported.
  const id = c.str(x, 'id', '', true);
  const task = c.str(x, 'task', '', true);
  const task_version = c.num(x, 'task_version', '', true, 0);
  const difficulty = c.obj(x, 'difficulty');
  const prompt = c.str(x, 'prompt');
  const completion = c.strOrNull(x, 'completion');
  const g = c.obj(x, 'gold');
  const gold = { trace: c.str(g, 'trace', 'gold.'), answer: c.str(g, 'answer', 'gold.') };
  const problem = x.problem;
  if (problem !== null && typeof problem !== 'object') c.fail('problem', 'an object, an array or null', problem);
  const verdict = x.verdict === null ? null : validateVerdict(c, c.obj(x, 'verdict'));
  const provenance = validateProvenance(c, c.obj(x, 'provenance'));
  return { id, task, task_version, difficulty, prompt, completion, gold, problem, verdict, provenance };
}

/** Deterministic id of a generated record. */
export const recordId = (task: string, seed: number, split: Split, index: number) => `${task}-${seed}-${split}-${index}`;

/**
 * Problem `index` of the (seed, split) stream as a record whose completion is the gold one and
 * whose verdict is that completion verified. Same arguments, same record (no time stamp).
 * `cfg` holds overrides of the task defaults; it is validated (ConfigError on a bad knob).
 */
export function generateRecord(taskName: string, cfg: Record<string, unknown>, seed: number, split: Split, index: number): TaskRecord {
  const task = getTask(taskName);
  const full = validateTaskConfig(task, cfg);
  const problem = problemAt(task, full, seed, split, index);
  const g = task.gold(problem, full);
  const completion = renderCompletion(g, g.trace.length > 0);
  return {
    id: recordId(task.name, seed, split, index),
    task: task.name,
    task_version: task.version,
    difficulty: full,
    prompt: task.prompt(problem, full),
    completion,
    gold: { trace: g.trace, answer: g.answer },
    problem,
    verdict: task.verify(problem, completion, full),
    provenance: { source: 'generated', seed, index, split, generator_version: GENERATOR_VERSION },
  };
}

/** The record as a TRL prompt/completion pair; the gold completion when it has none. */
export function toTRL(r: TaskRecord): TrlPair {
  return { prompt: r.prompt, completion: r.completion ?? renderCompletion(r.gold, r.gold.trace.length > 0) };
}
