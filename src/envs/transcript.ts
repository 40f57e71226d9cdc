// A flat transcript (what evaluation samples carry: the prompt and everything after it as one
// string) cut back into model and environment turns, and the turn a verdict blames. The runner
// appends the environment's reply right after the tag that ended an action, so the reply is the
// one `envTags[0]...envTags[1]` span that starts exactly there; a reply-looking tag anywhere else
// was written by the model (a forgery) and stays in its model turn. Pure, for the inspector.

import type { Verdict } from '../tasks/types.ts';
import type { Turn } from './types.ts';

/** What the split needs of an environment (both fields are on every Environment). */
export interface TurnTags {
  actionEnds: readonly string[];
  /** The reply's open and close tag, e.g. ['<res>', '</res>']. */
  envTags: readonly string[];
}

/**
 * `prompt` as turn 0 (env), then the completion cut into model turns (each up to the first action
 * end tag) and the environment reply that follows each of them.
 */
export function splitTranscript(tags: TurnTags, prompt: string, completion: string): Turn[] {
  const turns: Turn[] = [{ role: 'env', text: prompt }];
  const [open, close] = tags.envTags;
  // The runner records at least one model turn, an empty one when the model wrote only <eos>.
  if (completion === '') return [...turns, { role: 'model', text: '' }];
  let rest = completion;
  while (rest !== '') {
    let cut = -1;
    for (const t of tags.actionEnds) {
      const i = rest.indexOf(t);
      if (i >= 0 && (cut < 0 || i + t.length < cut)) cut = i + t.length;
    }
    if (cut < 0) {
      turns.push({ role: 'model', text: rest });
      break;
    }
    turns.push({ role: 'model', text: rest.slice(0, cut) });
    rest = rest.slice(cut);
    if (open !== undefined && close !== undefined && rest.startsWith(open)) {
      const end = rest.indexOf(close, open.length);
      const n = end < 0 ? rest.length : end + close.length;
      turns.push({ role: 'env', text: rest.slice(0, n) });
      rest = rest.slice(n);
    }
  }
  return turns;
}

/** The turn a verdict blames: its index in `turns` and why. */
export interface FailingTurn {
  index: number;
  reason: string;
}

/**
 * The model turn to mark: the verdict's first wrong step (a 1-based model turn: a failed call, an
 * inconsistent guess) when it names one, else the last model turn (where the terminal check
 * failed) with the failing checks; null for a fully right episode.
 */
export function failingTurn(turns: readonly Turn[], v: Verdict): FailingTurn | null {
  const model = turns.flatMap((t, i) => (t.role === 'model' ? [i] : []));
  if (v.first_wrong_step) {
    const i = model[v.first_wrong_step.step - 1];
    if (i !== undefined) return { index: i, reason: v.first_wrong_step.reason };
  }
  if (v.fully_correct || model.length === 0) return null;
  const failed = v.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.detail}`);
  return { index: model[model.length - 1]!, reason: failed.join('; ') || 'not fully right' };
}

/** Spans of a turn's text: tool-call tags and their bodies (`<calc>...</calc>`, `<res>...</res>`). */
export interface Span {
  text: string;
  /** 'call': a tool call or guess the model wrote; 'reply': the environment's answer; 'text': the rest. */
  kind: 'call' | 'reply' | 'text';
}

/**
 * A turn cut at the environment's tags: in a model turn the action (from its opening tag to the
 * action end, e.g. `<calc>12*3</calc>`) is a 'call'; an environment reply is one 'reply' span.
 */
export function turnSpans(tags: TurnTags, t: Turn): Span[] {
  if (t.role === 'env') return [{ text: t.text, kind: tags.envTags[0] !== undefined && t.text.startsWith(tags.envTags[0]) ? 'reply' : 'text' }];
  const end = tags.actionEnds.find((e) => t.text.endsWith(e));
  // The matching opener: `</calc>` -> `<calc>`; '</answer>' is an answer, not a call.
  if (!end || end === '</answer>') return [{ text: t.text, kind: 'text' }];
  const opener = `<${end.slice(2)}`;
  const i = t.text.lastIndexOf(opener);
  if (i < 0) return [{ text: t.text, kind: 'text' }];
  const out: Span[] = [];
  if (i > 0) out.push({ text: t.text.slice(0, i), kind: 'text' });
  out.push({ text: t.text.slice(i), kind: 'call' });
  return out;
}
