// The trajectory record: one episode of an environment, failed and truncated ones included (the
// mess is where the learning signal lives). It keeps the whole transcript with each turn marked
// model or env, the tool calls and their results, the limits, the terminal verdict and where it
// came from. `validateTrajectory` checks untrusted JSON (file:line and the field, like
// record.ts; docs/trajectory.schema.json says the same), and `verifyTrajectory` re-runs the
// environment and rejects a transcript that claims a reply the environment never gave.

import { problemAt, type Split } from '../data/split.ts';
import { replayTurns, runGold, type Trajectory } from '../envs/episode.ts';
import { getEnv, validateEnvConfig } from '../envs/registry.ts';
import type { EnvLimits, ToolCall, Truncation, Turn } from '../envs/types.ts';
import { ConfigError } from '../tasks/registry.ts';
import type { Verdict } from '../tasks/types.ts';
import { Checker, GENERATOR_VERSION, isObj, RecordError, validateProvenance, validateVerdict, type Obj, type Provenance } from './record.ts';

export interface TrajectoryRecord {
  id: string;
  environment: string;
  env_version: number;
  /** The environment config the problem was drawn with. */
  difficulty: Record<string, unknown>;
  /** The environment's problem object; null when unknown (such a record cannot be re-run). */
  problem: unknown;
  /** turns[0] is the environment's prompt; then the model's and the environment's turns. */
  turns: Turn[];
  calls: ToolCall[];
  truncation: Truncation;
  limits: EnvLimits;
  verdict: Verdict | null;
  provenance: Provenance;
}

const KEYS = ['id', 'environment', 'env_version', 'difficulty', 'problem', 'turns', 'calls', 'truncation', 'limits', 'verdict', 'provenance'] as const;
const TRUNCATIONS = ['turns', 'tokens'] as const;

/** A JSONL value is read as a trajectory when it has an `environment` field. */
export const isTrajectoryValue = (x: unknown): boolean => isObj(x) && Object.prototype.hasOwnProperty.call(x, 'environment');

/** Check that `x` is a well-formed trajectory record; RecordError names `where` and the first bad field. */
export function validateTrajectory(x: unknown, where: string): TrajectoryRecord {
  const c: Checker = new Checker(where);
  if (!isObj(x)) throw new RecordError(`${where}: a trajectory must be a JSON object, got ${JSON.stringify(x)?.slice(0, 60)}`);
  c.keys(x, KEYS, []);
  const id = c.str(x, 'id', '', true);
  const environment = c.str(x, 'environment', '', true);
  const env_version = c.num(x, 'env_version', '', true, 0);
  const difficulty = c.obj(x, 'difficulty');
  const problem = x.problem;
  if (problem !== null && typeof problem !== 'object') c.fail('problem', 'an object, an array or null', problem);
  if (!Array.isArray(x.turns) || x.turns.length === 0) c.fail('turns', 'a non-empty array', x.turns);
  const turns = (x.turns as unknown[]).map((t, i): Turn => {
    const f = `turns[${i}]`;
    if (!isObj(t)) c.fail(f, 'an object', t);
    c.keys(t, ['role', 'text'], [], `${f}.`);
    if (t.role !== 'model' && t.role !== 'env') c.fail(`${f}.role`, 'model or env', t.role);
    return { role: t.role, text: c.str(t, 'text', `${f}.`) };
  });
  if (!Array.isArray(x.calls)) c.fail('calls', 'an array', x.calls);
  const calls = (x.calls as unknown[]).map((k, i): ToolCall => {
    const f = `calls[${i}]`;
    if (!isObj(k)) c.fail(f, 'an object', k);
    c.keys(k, ['turn', 'input', 'output', 'ok'], [], `${f}.`);
    return { turn: c.num(k, 'turn', `${f}.`, true, 1), input: c.str(k, 'input', `${f}.`), output: c.str(k, 'output', `${f}.`), ok: c.bool(k, 'ok', `${f}.`) };
  });
  const tr = x.truncation;
  if (tr !== null && !(TRUNCATIONS as readonly unknown[]).includes(tr)) c.fail('truncation', 'turns, tokens or null', tr);
  const l = c.obj(x, 'limits');
  c.keys(l, ['maxTurns', 'maxTokens'], [], 'limits.');
  const limits = { maxTurns: c.num(l, 'maxTurns', 'limits.', true, 1), maxTokens: c.num(l, 'maxTokens', 'limits.', true, 1) };
  const verdict = x.verdict === null ? null : validateVerdict(c, c.obj(x, 'verdict'));
  const provenance = validateProvenance(c, c.obj(x, 'provenance'));
  return { id, environment, env_version, difficulty, problem, turns, calls, truncation: tr as Truncation, limits, verdict, provenance };
}

/** Deterministic id of a generated trajectory. */
export const trajectoryId = (env: string, seed: number, split: Split, index: number) => `${env}-${seed}-${split}-${index}`;

/** An episode (from the gold policy or a sampler) as a record. */
export function toTrajectoryRecord(envName: string, cfg: Record<string, unknown>, problem: unknown, t: Trajectory, id: string, provenance: Provenance): TrajectoryRecord {
  const env = getEnv(envName);
  return { id, environment: env.name, env_version: env.version, difficulty: cfg, problem, turns: t.turns, calls: t.calls, truncation: t.truncation, limits: t.limits, verdict: t.verdict, provenance };
}

/** The gold policy's episode on problem `index` of the (seed, split) stream. Same arguments, same record. */
export function generateTrajectory(envName: string, overrides: Record<string, unknown>, seed: number, split: Split, index: number): TrajectoryRecord {
  const env = getEnv(envName);
  const cfg = validateEnvConfig(env, overrides);
  const problem = problemAt(env, cfg, seed, split, index);
  const t = runGold(env, problem, cfg);
  return toTrajectoryRecord(env.name, cfg, problem, t, trajectoryId(env.name, seed, split, index), { source: 'generated', seed, index, split, generator_version: GENERATOR_VERSION });
}

const show = (x: unknown) => JSON.stringify(x)?.slice(0, 80) ?? String(x);

/**
 * Re-run the environment against the record's model turns under the record's limits and return
 * the fresh verdict. Throws RecordError (naming `where`) when the record cannot be re-run or when
 * its transcript or its calls claim something the environment never said.
 */
export function verifyTrajectory(r: TrajectoryRecord, where: string, scheme?: string): Verdict {
  if (r.problem === null) throw new RecordError(`${where}: cannot re-run without a problem (field problem is null)`);
  let env;
  let cfg: Obj;
  try {
    env = getEnv(r.environment);
    cfg = validateEnvConfig(env, r.difficulty);
  } catch (e) {
    if (e instanceof ConfigError) throw new RecordError(`${where}: ${e.message}`);
    throw e;
  }
  if (r.env_version !== env.version) throw new RecordError(`${where}: record is of ${env.name} version ${r.env_version}, this build runs version ${env.version}`);
  let replay;
  try {
    replay = replayTurns(env, r.problem, cfg, r.turns, r.truncation, { ...r.limits, scheme });
  } catch (e) {
    throw new RecordError(`${where}: field problem does not fit environment ${env.name} (${(e as Error).message})`);
  }
  if (!replay.ok) throw new RecordError(`${where}: rejected: ${replay.reason}`);
  const t = replay.trajectory;
  if (t.truncation !== r.truncation) throw new RecordError(`${where}: field truncation says ${show(r.truncation)}, the replay ends with ${show(t.truncation)}`);
  for (let i = 0; i < Math.max(t.calls.length, r.calls.length); i++) {
    if (show(t.calls[i]) !== show(r.calls[i])) throw new RecordError(`${where}: rejected: calls[${i}] says ${show(r.calls[i] ?? null)}, the environment's call was ${show(t.calls[i] ?? null)}`);
  }
  return t.verdict;
}
