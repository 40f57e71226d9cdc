// Looking inside the model: the samples of an evaluation (the latest, or one picked) with their
// verdicts (the trace split into steps, the first wrong step highlighted, each check with its
// reason; filter by failing check; paged) and, in the RL phase, the rollouts with their
// advantages, and why a rewarded rollout can still be wrong. Model text is React text only.

import { memo, useMemo, useState, type ReactNode } from 'react';
import type { SampleRow } from '../worker/protocol.ts';
import { checkHelp, GLOSSARY } from './glossary.ts';
import { Trajectory } from './Trajectory.tsx';

const PAGE = 8;

/** The completion cut into tags, trace steps (split on the task's step separator) and the rest. */
function pieces(completion: string, sep: string): { text: string; kind: 'tag' | 'step' | 'sep' | 'text'; step?: number }[] {
  const out: { text: string; kind: 'tag' | 'step' | 'sep' | 'text'; step?: number }[] = [];
  const open = completion.indexOf('<think>');
  const close = completion.indexOf('</think>');
  if (open < 0 || close < open) return [{ text: completion, kind: 'text' }];
  if (open > 0) out.push({ text: completion.slice(0, open), kind: 'text' });
  out.push({ text: '<think>', kind: 'tag' });
  const steps = completion.slice(open + 7, close).split(sep);
  steps.forEach((s, i) => {
    if (i > 0) out.push({ text: sep, kind: 'sep' });
    out.push({ text: s, kind: 'step', step: i + 1 });
  });
  out.push({ text: '</think>', kind: 'tag' });
  out.push({ text: completion.slice(close + 8), kind: 'text' });
  return out;
}

export const Completion = memo(function Completion({ text, sep, wrongStep }: { text: string; sep: string; wrongStep: number | null }) {
  return (
    <code className="completion">
      {pieces(text, sep).map((p, i) => (
        <span key={i} className={p.kind === 'step' && p.step === wrongStep ? 'wrong-step' : p.kind === 'tag' ? 'tag' : undefined} title={p.step ? `step ${p.step}` : undefined}>
          {p.text}
        </span>
      ))}
    </code>
  );
});

/** Fully right (every check), right answer through wrong steps, or wrong. */
const fully = (v: SampleRow['verdict']) => v.fully_correct ?? v.checks.every((c) => c.passed);

/**
 * A rollout paid the top reward although a check failed: say which checks the reward scheme pays
 * (rl.scheme), so a reader does not take "reward 1.00" for "right".
 */
export function rewardNote(s: SampleRow, scheme: string | null): string | null {
  const v = s.verdict;
  if (s.kind !== 'rollout' || fully(v) || !v.correct || v.reward < 1) return null;
  const failed = v.checks.filter((c) => !c.passed).map((c) => c.name).join(' and ');
  const pays: Record<string, string> = {
    binary: 'the binary reward pays the format and the answer only',
    tinyzero: 'the tinyzero reward pays the answer only',
    logicrl: 'the logicrl reward pays the format and the answer only',
    process: 'the process reward pays part for the steps, part for the answer',
  };
  return `right answer, wrong ${failed || 'steps'}: ${(scheme && pays[scheme]) ?? `the ${scheme ?? 'run\'s'} reward does not check every step`}.`;
}

function SampleItem({ s, sep, scheme }: { s: SampleRow; sep: string; scheme: string | null }) {
  const v = s.verdict;
  const ok = fully(v);
  const note = rewardNote(s, scheme);
  return (
    <li className={`sample ${ok ? 'ok' : 'bad'}`} data-testid="sample-row" data-correct={String(v.correct)} data-fully={String(ok)}>
      <div className="sample-head">
        <span className={`verdict ${ok ? 'ok' : 'bad'}`}>{ok ? '✓ fully right' : v.correct ? '✗ right answer, wrong steps' : '✗ wrong'}</span>
        <span className="muted">
          step {s.step} · <abbr title={GLOSSARY[s.phase === 'rl' ? 'RL' : 'SFT']}>{s.phase}</abbr>
          {s.advantage !== undefined && (
            <>
              {' · '}
              <abbr title={GLOSSARY.advantage}>advantage</abbr> {s.advantage.toFixed(2)}
            </>
          )}
          {s.phase === 'rl' && (
            <>
              {' · '}
              <abbr title={GLOSSARY.reward}>reward</abbr> {v.reward.toFixed(2)}
            </>
          )}
        </span>
      </div>
      {note && (
        <p className="reward-note" data-testid="reward-note">
          {note}
        </p>
      )}
      <div className="prompt">
        <code>{s.prompt}</code>
      </div>
      {s.turns && s.tags ? <Trajectory turns={s.turns} tags={s.tags} verdict={v} /> : <Completion text={s.completion} sep={sep} wrongStep={v.first_wrong_step?.step ?? null} />}
      <ul className="checks">
        {v.checks.map((c) => (
          <li key={c.name} className={c.passed ? 'ok' : 'bad'}>
            <b title={checkHelp(c.name)}>{c.name}</b> {c.passed ? '✓' : '✗'} <span>{c.detail}</span>
          </li>
        ))}
        {v.first_wrong_step && (
          <li className="bad">
            <b>first wrong step {v.first_wrong_step.step}</b> <span>{v.first_wrong_step.reason}</span>
          </li>
        )}
      </ul>
    </li>
  );
}

function useFilter(rows: SampleRow[]) {
  const [filter, setFilter] = useState('all');
  const checks = useMemo(() => [...new Set(rows.flatMap((r) => r.verdict.checks.map((c) => c.name)))].sort(), [rows]);
  const shown = rows.filter((r) => {
    if (filter === 'all') return true;
    if (filter === 'correct') return fully(r.verdict);
    if (filter === 'answer-only') return r.verdict.correct && !fully(r.verdict);
    if (filter === 'wrong') return !r.verdict.correct;
    return r.verdict.checks.some((c) => c.name === filter && !c.passed);
  });
  const select = (
    <select value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter samples">
      <option value="all">all</option>
      <option value="correct">fully right</option>
      <option value="answer-only">right answer, wrong steps</option>
      <option value="wrong">wrong answer</option>
      {checks.map((c) => (
        <option key={c} value={c}>
          failing: {c}
        </option>
      ))}
    </select>
  );
  return { shown, select, filter };
}

/** Page through a long list, PAGE rows at a time. */
function usePages<T>(rows: T[], reset: unknown) {
  const [page, setPage] = useState({ n: 0, reset });
  const cur = page.reset === reset ? page.n : 0;
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const n = Math.min(cur, pages - 1);
  const go = (to: number) => setPage({ n: Math.max(0, Math.min(pages - 1, to)), reset });
  const pager: ReactNode =
    rows.length > PAGE ? (
      <div className="pager" data-testid="pager">
        <button type="button" className="small" disabled={n === 0} onClick={() => go(n - 1)}>
          ← previous
        </button>
        <span className="muted">
          {n * PAGE + 1}–{Math.min(rows.length, (n + 1) * PAGE)} of {rows.length}
        </span>
        <button type="button" className="small" disabled={n >= pages - 1} onClick={() => go(n + 1)}>
          next →
        </button>
      </div>
    ) : null;
  return { page: rows.slice(n * PAGE, (n + 1) * PAGE), pager };
}

/** A picker of the steps that have rows (newest first); null picks the newest. */
function useStepPick(rows: readonly SampleRow[], label: string) {
  const steps = useMemo(() => [...new Set(rows.map((r) => r.step))].sort((a, b) => b - a), [rows]);
  const [pick, setPick] = useState<number | null>(null);
  const step = pick !== null && steps.includes(pick) ? pick : (steps[0] ?? null);
  const select = (
    <select value={pick !== null && steps.includes(pick) ? pick : ''} onChange={(e) => setPick(e.target.value === '' ? null : Number(e.target.value))} aria-label={label}>
      <option value="">latest (step {steps[0] ?? '–'})</option>
      {steps.map((s) => (
        <option key={s} value={s}>
          step {s}
        </option>
      ))}
    </select>
  );
  return { step, select };
}

export const Inspector = memo(function Inspector({ samples, sep }: { samples: readonly SampleRow[]; sep: string }) {
  const evalRows = useMemo(() => samples.filter((s) => s.kind === 'sample'), [samples]);
  const { step, select: stepSelect } = useStepPick(evalRows, 'Evaluation');
  const { shown, select, filter } = useFilter(evalRows.filter((r) => r.step === step));
  const { page, pager } = usePages(shown, `${step}|${filter}`);
  return (
    <section className="panel" data-testid="inspector">
      <header>
        <h2>Sample inspector</h2>
        {evalRows.length > 0 && stepSelect}
        {select}
      </header>
      {evalRows.length === 0 ? (
        <p className="muted">Held-out problems answered at each evaluation appear here, with the verifier's verdict for every check (a different few each time; raise "samples shown" in the Evaluation settings to see more).</p>
      ) : (
        <>
          <ul className="samples">
            {page.map((s, i) => (
              <SampleItem key={`${s.step}-${i}`} s={s} sep={sep} scheme={null} />
            ))}
          </ul>
          {shown.length === 0 && <p className="muted">No sample of this evaluation matches the filter.</p>}
          {pager}
        </>
      )}
    </section>
  );
});

export const Rollouts = memo(function Rollouts({ samples, sep, scheme }: { samples: readonly SampleRow[]; sep: string; scheme: string | null }) {
  const rows = useMemo(() => samples.filter((s) => s.kind === 'rollout'), [samples]);
  const { step, select: stepSelect } = useStepPick(rows, 'RL step');
  const { shown, select, filter } = useFilter(rows.filter((r) => r.step === step));
  const { page, pager } = usePages(shown, `${step}|${filter}`);
  if (!rows.length) return null;
  return (
    <section className="panel" data-testid="rollouts">
      <header>
        <h2>RL rollouts</h2>
        {stepSelect}
        {select}
      </header>
      <ul className="samples">
        {page.map((s, i) => (
          <SampleItem key={`${s.step}-${i}`} s={s} sep={sep} scheme={scheme} />
        ))}
      </ul>
      {pager}
    </section>
  );
});
