// Pieces every environment's terminal verdict shares: tag counting over model text, the limits
// check (turn limit or token budget hit), and the step from checks to a Verdict whose reward may
// be shaped (a cost per tool call or per turn, paid only by a right episode, so a wrong episode
// never beats a right one with the same steps; each environment's config check keeps the shaped
// reward above the wrong one's).

import { finishVerdict } from '../tasks/format.ts';
import type { Check, Verdict } from '../tasks/types.ts';
import type { JudgeOptions, Truncation } from './types.ts';

export function countOf(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** End index (exclusive) of the first of `tags` in `text`, or -1 when none occurs. */
export function firstEnd(text: string, tags: readonly string[]): number {
  let best = -1;
  for (const t of tags) {
    const i = text.indexOf(t);
    if (i >= 0 && (best < 0 || i + t.length < best)) best = i + t.length;
  }
  return best;
}

/** Which tag `text` ends with, or null. */
export const endsWithTag = (text: string, tags: readonly string[]) => tags.find((t) => text.endsWith(t)) ?? null;

/** Did the episode end on its own, or was it cut? */
export function limitsCheck(truncation: Truncation, modelTurns: number, maxTurns: number): Check {
  const detail =
    truncation === 'turns'
      ? `hit the turn limit (${maxTurns} model turns)`
      : truncation === 'tokens'
        ? `ran out of the token budget after ${modelTurns} model turn(s)`
        : `ended after ${modelTurns} of at most ${maxTurns} model turns`;
  return { name: 'limits', passed: truncation === null, detail };
}

/**
 * The verdict from `checks` (checks[0] is the format check) with the reward of `opts.scheme`,
 * minus `cost` when the episode is right.
 */
export function envVerdict(
  checks: Check[],
  answer: string | null,
  outcomeOk: boolean,
  firstWrong: Verdict['first_wrong_step'],
  opts: JudgeOptions,
  cost: number,
): Verdict {
  const v = finishVerdict(checks, answer, outcomeOk, firstWrong, { truncated: opts.truncation !== null, scheme: opts.scheme });
  // Only a paid episode pays the cost: under `full` a right but inconsistent episode earns 0, and
  // taking the cost off that would rank it below a wrong one.
  if (v.correct && cost > 0 && v.reward > 0) v.reward = Math.round((v.reward - cost) * 1e9) / 1e9;
  return v;
}
