// An environment episode in the inspector: one row per model turn (its number, what the model
// wrote, then the environment's reply), model and environment text in their own colours, tool
// calls and their results highlighted, and the turn the verdict blames marked with the reason.
// The prompt (turn 0) is shown above by the caller. Model text is React text only.

import { memo } from 'react';
import { failingTurn, turnSpans, type TurnTags } from '../envs/transcript.ts';
import type { Turn } from '../envs/types.ts';
import type { Verdict } from '../tasks/types.ts';
import './trajectory.css';

interface Row {
  /** 1-based model turn. */
  n: number;
  index: number;
  model: Turn;
  reply: Turn | null;
}

function rows(turns: readonly Turn[]): Row[] {
  const out: Row[] = [];
  turns.forEach((t, i) => {
    if (i === 0) return;
    if (t.role === 'model') out.push({ n: out.length + 1, index: i, model: t, reply: null });
    else if (out.length) out[out.length - 1]!.reply = t;
  });
  return out;
}

/**
 * guess-number's replies in words (a tooltip for readers new to the layout): the direction, then
 * the range still possible (`<o>+500-999</o>`: higher, 500 to 999).
 */
export function gloss(reply: string): string | null {
  const m = /^<o>([+\-=?])(?:(\d+)-(\d+))?<\/o>$/.exec(reply);
  if (!m) return null;
  const word = { '+': 'higher', '-': 'lower', '=': 'correct', '?': 'not a guess' }[m[1] as '+' | '-' | '=' | '?'];
  return m[2] === undefined ? word : `${word}; still possible: ${m[2]} to ${m[3]}`;
}

/** A reply that says the action failed: a calculator error, or guess-number's "not a guess". */
const isError = (text: string) => text.includes('error:') || text.startsWith('<o>?');

function Spans({ turn, tags }: { turn: Turn; tags: TurnTags }) {
  if (turn.text === '') return <span className="muted">(nothing: the model ended at once)</span>;
  return (
    <>
      {turnSpans(tags, turn).map((s, i) => (
        <span key={i} className={s.kind === 'call' ? 'tool-call' : s.kind === 'reply' ? `tool-reply${isError(s.text) ? ' tool-error' : ''}` : undefined}>
          {s.text}
        </span>
      ))}
    </>
  );
}

export const Trajectory = memo(function Trajectory({ turns, tags, verdict }: { turns: readonly Turn[]; tags: TurnTags; verdict: Verdict | null }) {
  const fail = verdict ? failingTurn(turns, verdict) : null;
  const rs = rows(turns);
  return (
    <ol className="trajectory" data-testid="trajectory">
      {rs.map((r) => {
        const failing = fail?.index === r.index;
        return (
          <li key={r.index} className={failing ? 'turn-row turn-failing' : 'turn-row'} data-failing={failing ? 'true' : undefined}>
            <span className="turn-n" title={`model turn ${r.n}`}>
              {failing ? '✗' : ''}
              {r.n}
            </span>
            <code className="turn turn-model" data-role="model" title={`model turn ${r.n}`}>
              <Spans turn={r.model} tags={tags} />
            </code>
            {r.reply && (
              <code className="turn turn-env" data-role="env" title={`the environment's reply${gloss(r.reply.text) ? ` (${gloss(r.reply.text)})` : ''}, never trained on`}>
                <Spans turn={r.reply} tags={tags} />
              </code>
            )}
            {failing && <span className="turn-why">{fail!.reason}</span>}
          </li>
        );
      })}
      {rs.length === 0 && <li className="muted">the model wrote nothing</li>}
    </ol>
  );
});
