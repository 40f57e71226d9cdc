// The environment half of `reasonlab generate` and `reasonlab verify`: gold trajectories of an
// environment, and re-running the environment against trajectory records. Returns rows and
// verdicts; datacmd.ts writes them and prints the summary, so the dependency runs one way.

import type { Split } from '../data/split.ts';
import { getEnv, validateEnvConfig } from '../envs/registry.ts';
import { RecordError } from '../records/record.ts';
import { generateTrajectory, isTrajectoryValue, validateTrajectory, verifyTrajectory, type TrajectoryRecord } from '../records/trajectory.ts';
import type { Verdict } from '../tasks/types.ts';
import { parseJsonlWith, type BadLine } from '../records/jsonl.ts';

/** `n` gold trajectories of `envName` (the knobs are the remaining flags). */
export function generateTrajectories(envName: string, knobs: Record<string, string>, n: number, seed: number, split: Split): TrajectoryRecord[] {
  const env = getEnv(envName);
  const cfg = validateEnvConfig(env, knobs);
  return Array.from({ length: n }, (_, i) => generateTrajectory(env.name, cfg, seed, split, i));
}

/** Does this JSONL text hold trajectories? (Its first non-blank line has an `environment` field.) */
export function holdsTrajectories(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return false;
  try {
    return isTrajectoryValue(JSON.parse(first));
  } catch {
    return false;
  }
}

export interface VerifiedTrajectory {
  id: string;
  line: number;
  task: string;
  verdict: Verdict;
}

/**
 * Re-run every trajectory of `text` (read from `file`), in line order. A bad line (unreadable,
 * not a trajectory, of another environment than `envFlag`, or rejected by the replay) throws
 * RecordError naming file:line, or with `skipBad` is listed in `bad`.
 */
export function verifyTrajectoryLines(text: string, file: string, envFlag: string | undefined, scheme: string, skipBad: boolean): { results: VerifiedTrajectory[]; bad: BadLine[] } {
  const { rows, bad } = parseJsonlWith(
    text,
    file,
    (value, where, line): VerifiedTrajectory => {
      if (!isTrajectoryValue(value)) throw new RecordError(`${where}: not a trajectory (no field environment) in a file of trajectories`);
      const r = validateTrajectory(value, where);
      if (envFlag !== undefined && r.environment !== envFlag) throw new RecordError(`${where}: trajectory is of environment ${r.environment}, not --task ${envFlag}`);
      return { id: r.id, line, task: r.environment, verdict: verifyTrajectory(r, where, scheme) };
    },
    { skipBad },
  );
  return { results: rows, bad };
}
