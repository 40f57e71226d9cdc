// `reasonlab verify` on preference files: every pair's two completions are re-verified from the
// stored problem (reverifyPreference), and a stored verdict the verifier does not reproduce (fully
// right, answer or reward) is reported with file:line and the field, as a forged record would be.

import { parseJsonlWith, type BadLine } from '../records/jsonl.ts';
import { isPreferenceLike, reverifyPreference, validatePreference } from '../records/preference.ts';
import { RecordError } from '../records/record.ts';
import type { Verdict } from '../tasks/types.ts';

/** Whether the first non-blank line of `text` is a preference record. */
export function holdsPreferences(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return false;
  try {
    return isPreferenceLike(JSON.parse(first));
  } catch {
    return false;
  }
}

export interface VerifiedPair {
  id: string;
  line: number;
  task: string;
  tie: boolean;
  chosen: Verdict;
  rejected: Verdict;
}

function same(stored: Verdict | null, again: Verdict): string | null {
  if (stored === null) return null;
  for (const k of ['fully_correct', 'correct', 'format_ok', 'reward'] as const) {
    if (stored[k] !== again[k]) return `stored ${k} ${JSON.stringify(stored[k])}, the verifier says ${JSON.stringify(again[k])}`;
  }
  return null;
}

/** Re-verify every pair; bad lines throw (RecordError) or, with skipBad, are listed. */
export function verifyPreferenceLines(text: string, file: string, taskFlag: string | undefined, skipBad: boolean): { results: VerifiedPair[]; bad: BadLine[] } {
  const { rows, bad } = parseJsonlWith(
    text,
    file,
    (v, where, line): VerifiedPair => {
      const r = validatePreference(v, where);
      if (taskFlag !== undefined && r.task !== taskFlag) throw new RecordError(`${where}: pair is of task ${r.task}, not --task ${taskFlag}`);
      const again = reverifyPreference(r, where);
      for (const side of ['chosen', 'rejected'] as const) {
        const diff = same(r.verdicts[side], again[side]);
        if (diff) throw new RecordError(`${where}: field verdicts.${side}: ${diff}`);
      }
      return { id: r.id, line, task: r.task, tie: r.tie, ...again };
    },
    { skipBad },
  );
  return { results: rows, bad };
}

/** One line about the pairs themselves: how often the rater's choice is the verifier's. */
export function pairsLine(results: readonly VerifiedPair[]): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const decided = results.filter((r) => !r.tie);
  const agree = decided.filter((r) => +r.chosen.fully_correct > +r.rejected.fully_correct).length;
  const against = decided.filter((r) => +r.chosen.fully_correct < +r.rejected.fully_correct).length;
  const n = Math.max(decided.length, 1);
  return `pairs: ${results.length} (${results.length - decided.length} ties); chosen fully right ${pct(decided.filter((r) => r.chosen.fully_correct).length / n)}, rejected ${pct(decided.filter((r) => r.rejected.fully_correct).length / n)}; the chosen one is the only right one in ${pct(agree / n)}, the only wrong one in ${pct(against / n)} of decided pairs\n`;
}
