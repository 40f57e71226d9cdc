// The shared completion format: `<think>trace</think><answer>answer</answer>` (think optional for
// answer-only formats). An exact parser, no regex backtracking over model text, no eval.

import { reward } from './rewards.ts';
import type { Check, Gold, Verdict } from './types.ts';

export const TAGS = ['<think>', '</think>', '<answer>', '</answer>'] as const;

export interface Parsed {
  think: string | null;
  answer: string | null;
  /** Problems with the layout, empty when the format is right. */
  problems: string[];
}

/** Render a gold completion. */
export function renderCompletion(g: Gold, withTrace: boolean): string {
  return (withTrace ? `<think>${g.trace}</think>` : '') + `<answer>${g.answer}</answer>`;
}

function countOf(s: string, sub: string): number {
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/**
 * Parse a completion. The layout must be exactly `[<think>T</think>]<answer>A</answer>` with
 * optional surrounding whitespace, exactly one answer block, no nested or stray tags.
 */
export function parseCompletion(text: string, requireThink: boolean): Parsed {
  const problems: string[] = [];
  for (const tag of TAGS) {
    const n = countOf(text, tag);
    if (n > 1) problems.push(`${tag} appears ${n} times`);
  }
  if (countOf(text, '<answer>') === 0) problems.push('no <answer> block');
  if (problems.length) return { think: null, answer: null, problems };

  const s = text.trim();
  let rest = s;
  let think: string | null = null;
  if (rest.startsWith('<think>')) {
    const end = rest.indexOf('</think>');
    if (end < 0) return { think: null, answer: null, problems: ['<think> is never closed'] };
    think = rest.slice('<think>'.length, end);
    rest = rest.slice(end + '</think>'.length).trimStart();
  } else if (s.includes('<think>') || s.includes('</think>')) {
    return { think: null, answer: null, problems: ['text before <think>, or a stray </think>'] };
  }
  if (requireThink && think === null) problems.push('missing <think> block');
  if (!rest.startsWith('<answer>')) {
    return { think, answer: null, problems: [...problems, 'text between the think and answer blocks'] };
  }
  const end = rest.indexOf('</answer>');
  if (end < 0) return { think, answer: null, problems: [...problems, '<answer> is never closed'] };
  const answer = rest.slice('<answer>'.length, end);
  if (rest.slice(end + '</answer>'.length).length > 0) problems.push('text after </answer>');
  for (const tag of TAGS) {
    if ((think ?? '').includes(tag) || answer.includes(tag)) problems.push(`tag ${tag} inside a block`);
  }
  return { think, answer, problems };
}

export function formatCheck(p: Parsed): Check {
  return {
    name: 'format',
    passed: p.problems.length === 0,
    detail: p.problems.length === 0 ? 'layout ok' : p.problems.join('; '),
  };
}

/** Length in tokens of a completion under the char tokenizer (each tag is one token). */
export function tokenLength(text: string): number {
  let n = text.length;
  for (const tag of TAGS) n -= countOf(text, tag) * (tag.length - 1);
  return n;
}

const show = (s: string) => JSON.stringify(s.slice(0, 40)) + (s.length > 40 ? '...' : '');

/**
 * The first place where the completion's steps differ from the gold steps (1-based), with a
 * reason naming the expected and the received step; null when they match exactly.
 */
export function firstStepDiff(want: readonly string[], got: readonly string[], unit = 'step'): { step: number; reason: string } | null {
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    if (got[i] === want[i]) continue;
    const reason =
      got[i] === undefined
        ? `missing ${unit} ${i + 1} (expected ${want[i]})`
        : want[i] === undefined
          ? `extra ${unit} ${i + 1}: ${show(got[i]!)}`
          : `${unit} ${i + 1}: expected ${want[i]}, got ${show(got[i]!)}`;
    return { step: i + 1, reason };
  }
  return null;
}

/**
 * The steps check of a task whose trace must equal the gold trace step by step: the think block is
 * split on `sep` and compared with `firstStepDiff`. Also returns the step total (the longer of the
 * two) that `finishVerdict` uses for an exact 'process' share.
 */
export function exactStepsCheck(
  goldTrace: string,
  think: string,
  sep = ',',
  unit = 'step',
): { check: Check; firstWrong: Verdict['first_wrong_step']; stepsTotal: number } {
  const want = goldTrace.split(sep);
  const got = think.length ? think.split(sep) : [];
  const firstWrong = firstStepDiff(want, got, unit);
  return {
    check: { name: 'steps', passed: firstWrong === null, detail: firstWrong ? firstWrong.reason : `${want.length} ${unit}s ok` },
    firstWrong,
    stepsTotal: Math.max(want.length, got.length),
  };
}

/**
 * The answer check shared by tasks with one right answer string: the parsed answer is trimmed;
 * `malformed` returns the detail when it is not a well-formed answer at all (null when it is); a
 * well-formed answer is right exactly when it equals `expected`.
 */
export function exactAnswerCheck(
  raw: string | null,
  expected: string,
  malformed: (ans: string) => string | null,
): { ans: string | null; outcomeOk: boolean; check: Check } {
  const ans = raw === null ? null : raw.trim();
  let outcomeOk = false;
  let detail: string;
  if (ans === null) detail = 'no single answer';
  else {
    const bad = malformed(ans);
    if (bad !== null) detail = bad;
    else {
      outcomeOk = ans === expected;
      detail = outcomeOk ? `${ans} is right` : `expected ${expected}, got ${ans}`;
    }
  }
  return { ans, outcomeOk, check: { name: 'answer', passed: outcomeOk, detail } };
}

/**
 * Assemble a verdict from its checks (checks[0] is the format check). `correct` needs the format
 * and the outcome; `fully_correct` needs every check (steps too); the reward comes from the named
 * scheme.
 */
export function finishVerdict(
  checks: Check[],
  answer: string | null,
  outcomeOk: boolean,
  firstWrong: Verdict['first_wrong_step'],
  opts: { truncated?: boolean; scheme?: string },
  /** Steps the trace should have (or had, if more); enables an exact step share for 'process'. */
  stepsTotal?: number,
): Verdict {
  const formatOk = checks[0]!.passed;
  const hasSteps = checks.some((c) => c.name === 'steps');
  // Valid prefix / steps; without a known total, the steps up to the first wrong one.
  const stepFraction = !hasSteps ? undefined : firstWrong === null ? 1 : (firstWrong.step - 1) / Math.max(firstWrong.step, stepsTotal ?? 0);
  const scheme = opts.scheme ?? 'binary';
  const fully = formatOk && outcomeOk && firstWrong === null && checks.every((c) => c.passed);
  return {
    correct: formatOk && outcomeOk,
    fully_correct: fully,
    format_ok: formatOk,
    truncated: opts.truncated ?? false,
    answer,
    checks,
    first_wrong_step: firstWrong,
    reward: reward(scheme, { format_ok: formatOk, answered: answer !== null, outcome_ok: outcomeOk, step_fraction: stepFraction, all_checks_ok: fully }),
    scheme,
  };
}
