// The shared completion format: `<think>trace</think><answer>answer</answer>` (think optional for
// answer-only formats). An exact parser, no regex backtracking over model text, no eval.

import type { Check, Gold } from './types.ts';

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
