// The preference record: one prompt, two completions and a rater's judgement (chosen beats
// rejected, or a tie), with both completions' verifier verdicts (kept for analysis, never shown to
// a human rater), the task problem (so verdicts can be recomputed) and where the pair came from.
// Pure: no tfjs, no Node. docs/preference.schema.json says the same in JSON Schema; TRL's DPO
// format ({prompt, chosen, rejected}) is the export.

import type { Split } from '../data/split.ts';
import { getTask, validateTaskConfig } from '../tasks/registry.ts';
import type { Verdict } from '../tasks/types.ts';
import { parseJsonlWith, type BadLine, type ParseOptions } from './jsonl.ts';
import { Checker, has, isObj, RecordError, show, SPLITS, validateVerdict, type Obj } from './record.ts';

export const PREFERENCE_KIND = 'preference';

/** Who judged the pair: `human`, or `simulated:NAME` with its flip-noise rate and seed. */
export interface Rater {
  /** 'human' or 'simulated:NAME' (NAME as parsed by raters.ts, e.g. prefers-short-thoughts). */
  id: string;
  /** Simulated only: probability in [0, 0.5] that a win was flipped into a loss. */
  noise?: number;
  /** Simulated only: the seed of the rater's noise stream. */
  seed?: number;
}

export interface PreferenceProvenance {
  /** Run folder or name whose checkpoint sampled the two completions. */
  run?: string;
  /** Training step of that checkpoint. */
  step?: number;
  /** The checkpoint (folder, file or app snapshot name) that sampled the completions. */
  checkpoint: string;
  /** Sampling temperature of both completions. */
  temperature: number;
  /** Seed, split and index of the problem in the task's stream, when drawn from it. */
  seed?: number;
  split?: Split;
  index?: number;
  /** ISO 8601 time of the rating; left out of simulated pairs so they are reproducible. */
  time?: string;
}

export interface PreferenceRecord {
  kind: typeof PREFERENCE_KIND;
  id: string;
  task: string;
  task_version: number;
  /** The task config the problem was drawn with. */
  difficulty: Record<string, unknown>;
  /** The task's problem object (null when unknown: such a pair cannot be re-verified). */
  problem: unknown;
  prompt: string;
  /** The preferred completion; with `tie`, simply the one shown first. */
  chosen: string;
  rejected: string;
  /** The rater saw no difference: no preference, left out of the DPO export. */
  tie: boolean;
  /** Which completion was shown on the left / key 1 (position bias can be measured); optional. */
  shown_first?: 'chosen' | 'rejected';
  /** Verifier verdicts of both completions; null when not verified. */
  verdicts: { chosen: Verdict | null; rejected: Verdict | null };
  rater: Rater;
  provenance: PreferenceProvenance;
}

/** One row of TRL's preference (DPO / reward-model) dataset format. */
export interface DpoRow {
  prompt: string;
  chosen: string;
  rejected: string;
}

const KEYS = ['kind', 'id', 'task', 'task_version', 'difficulty', 'problem', 'prompt', 'chosen', 'rejected', 'tie', 'shown_first', 'verdicts', 'rater', 'provenance'] as const;
const RATER_KEYS = ['id', 'noise', 'seed'] as const;
const PROV_KEYS = ['run', 'step', 'checkpoint', 'temperature', 'seed', 'split', 'index', 'time'] as const;
const RATER_ID = /^(human|simulated:[a-z][a-z-]*(:[^]+)?)$/;
export const MAX_NOISE = 0.5;

function validateRater(c: Checker, o: Obj): Rater {
  const p = 'rater.';
  c.keys(o, RATER_KEYS, ['noise', 'seed'], p);
  const id = c.str(o, 'id', p, true);
  if (!RATER_ID.test(id)) c.fail('rater.id', '"human" or "simulated:NAME"', id);
  const out: Rater = { id };
  if (id === 'human') {
    for (const k of ['noise', 'seed'] as const) if (has(o, k)) c.fail(`rater.${k}`, 'absent for a human rater', o[k]);
    return out;
  }
  out.noise = c.num(o, 'noise', p, false, 0);
  if (out.noise > MAX_NOISE) c.fail('rater.noise', `a number in [0, ${MAX_NOISE}] (a flip rate above ${MAX_NOISE} is the opposite preference)`, out.noise);
  out.seed = c.num(o, 'seed', p, true);
  return out;
}

function validateProvenance(c: Checker, o: Obj): PreferenceProvenance {
  const p = 'provenance.';
  c.keys(o, PROV_KEYS, PROV_KEYS.filter((k) => k !== 'checkpoint' && k !== 'temperature'), p);
  const out: PreferenceProvenance = { checkpoint: '', temperature: 0 };
  if (has(o, 'run')) out.run = c.str(o, 'run', p);
  if (has(o, 'step')) out.step = c.num(o, 'step', p, true, 0);
  out.checkpoint = c.str(o, 'checkpoint', p, true);
  out.temperature = c.num(o, 'temperature', p, false, 0);
  if (has(o, 'seed')) out.seed = c.num(o, 'seed', p, true);
  if (has(o, 'split')) {
    if (typeof o.split !== 'string' || !(SPLITS as readonly string[]).includes(o.split)) c.fail('provenance.split', `one of ${SPLITS.join(', ')}`, o.split);
    out.split = o.split as Split;
  }
  if (has(o, 'index')) out.index = c.num(o, 'index', p, true, 0);
  if (has(o, 'time')) {
    const t = c.str(o, 'time', p);
    if (Number.isNaN(Date.parse(t))) c.fail('provenance.time', 'an ISO 8601 time', t);
    out.time = t;
  }
  // Rebuild in key order with only the fields given, so a round trip is an identity.
  return Object.fromEntries(PROV_KEYS.filter((k) => k in out).map((k) => [k, out[k]])) as unknown as PreferenceProvenance;
}

/**
 * Check that `x` is a well-formed preference record, field by field in document order. Throws
 * RecordError naming `where` (e.g. "prefs.jsonl:12") and the first bad field. Task names and
 * configs are checked by `reverifyPreference`, not here.
 */
export function validatePreference(x: unknown, where: string): PreferenceRecord {
  const c = new Checker(where);
  if (!isObj(x)) throw new RecordError(`${where}: a preference record must be a JSON object, got ${show(x)}`);
  c.keys(x, KEYS, ['shown_first']);
  if (x.kind !== PREFERENCE_KIND) c.fail('kind', `"${PREFERENCE_KIND}"`, x.kind);
  const id = c.str(x, 'id', '', true);
  const task = c.str(x, 'task', '', true);
  const task_version = c.num(x, 'task_version', '', true, 0);
  const difficulty = c.obj(x, 'difficulty');
  const problem = x.problem;
  if (problem !== null && typeof problem !== 'object') c.fail('problem', 'an object, an array or null', problem);
  const prompt = c.str(x, 'prompt');
  const chosen = c.str(x, 'chosen');
  const rejected = c.str(x, 'rejected');
  const tie = c.bool(x, 'tie');
  let shown_first: PreferenceRecord['shown_first'];
  if (has(x, 'shown_first')) {
    if (x.shown_first !== 'chosen' && x.shown_first !== 'rejected') c.fail('shown_first', '"chosen" or "rejected"', x.shown_first);
    shown_first = x.shown_first as 'chosen' | 'rejected';
  }
  const vs = c.obj(x, 'verdicts');
  c.keys(vs, ['chosen', 'rejected'], [], 'verdicts.');
  const verdict = (k: 'chosen' | 'rejected') => {
    if (vs[k] === null) return null;
    // validateVerdict names fields "verdict.x"; say which of the two it was.
    try {
      return validateVerdict(c, c.obj(vs, k, 'verdicts.'));
    } catch (e) {
      if (e instanceof RecordError) throw new RecordError(e.message.replace(': field verdict.', `: field verdicts.${k}.`));
      throw e;
    }
  };
  const verdicts = { chosen: verdict('chosen'), rejected: verdict('rejected') };
  const rater = validateRater(c, c.obj(x, 'rater'));
  const provenance = validateProvenance(c, c.obj(x, 'provenance'));
  return { kind: PREFERENCE_KIND, id, task, task_version, difficulty, problem, prompt, chosen, rejected, tie, ...(shown_first ? { shown_first } : {}), verdicts, rater, provenance };
}

/** Whether a parsed JSON line looks like a preference record (for readers of mixed files). */
export const isPreferenceLike = (x: unknown): boolean => isObj(x) && x.kind === PREFERENCE_KIND;

/**
 * Recompute both verdicts from the stored problem with the task's verifier (under each stored
 * verdict's scheme, default binary), after checking the task version, the config and that the
 * prompt is the task's prompt for the problem. Throws RecordError naming `where`.
 */
export function reverifyPreference(r: PreferenceRecord, where: string): { chosen: Verdict; rejected: Verdict } {
  const fail = (msg: string): never => {
    throw new RecordError(`${where}: ${msg}`);
  };
  let task, cfg: Record<string, unknown>;
  try {
    task = getTask(r.task);
    cfg = validateTaskConfig(task, r.difficulty);
  } catch (e) {
    return fail((e as Error).message);
  }
  if (r.task_version !== task.version) fail(`pair is of ${r.task} version ${r.task_version}, this build verifies version ${task.version}`);
  if (r.problem === null) fail('cannot verify without a problem (field problem is null)');
  const expected = task.prompt(r.problem, cfg);
  if (expected !== r.prompt) fail(`field prompt does not match the problem (expected ${show(expected)}, got ${show(r.prompt)})`);
  const again = (text: string, v: Verdict | null) => task.verify(r.problem, text, cfg, { truncated: v?.truncated ?? false, scheme: v?.scheme ?? 'binary' });
  return { chosen: again(r.chosen, r.verdicts.chosen), rejected: again(r.rejected, r.verdicts.rejected) };
}

/**
 * TRL's DPO / reward-model rows ({prompt, chosen, rejected}). Ties carry no preference, so they are
 * left out, and counted in `ties` so the caller can say how many.
 */
export function toDPO(records: readonly PreferenceRecord[]): { rows: DpoRow[]; ties: number } {
  const rows: DpoRow[] = [];
  let ties = 0;
  for (const r of records) {
    if (r.tie) ties++;
    else rows.push({ prompt: r.prompt, chosen: r.chosen, rejected: r.rejected });
  }
  return { rows, ties };
}

/**
 * Parse a preference JSONL file: every line must be a preference record. Bad lines throw with
 * file:line and the field, or with skipBad are listed in `bad` while the good ones are kept.
 */
export function parsePreferenceJsonl(text: string, file: string, opts: ParseOptions = {}): { records: PreferenceRecord[]; bad: BadLine[] } {
  const { rows, bad } = parseJsonlWith(text, file, (v, where) => validatePreference(v, where), opts);
  return { records: rows, bad };
}
