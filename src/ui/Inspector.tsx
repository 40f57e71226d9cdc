// Looking inside the model: the latest evaluation samples with their verdicts (the trace split
// into steps, the first wrong step highlighted, each check with its reason; filter by failing
// check) and, in the RL phase, the rollouts with their advantages. Model text is React text only.

import { memo, useMemo, useState } from 'react';
import type { SampleRow } from '../worker/protocol.ts';
import { Trajectory } from './Trajectory.tsx';

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

function SampleItem({ s, sep }: { s: SampleRow; sep: string }) {
  const v = s.verdict;
  const ok = fully(v);
  return (
    <li className={`sample ${ok ? 'ok' : 'bad'}`} data-testid="sample-row" data-correct={String(v.correct)} data-fully={String(ok)}>
      <div className="sample-head">
        <span className={`verdict ${ok ? 'ok' : 'bad'}`}>{ok ? '✓ fully right' : v.correct ? '✗ right answer, wrong steps' : '✗ wrong'}</span>
        <span className="muted">
          step {s.step} · {s.phase}
          {s.advantage !== undefined ? ` · advantage ${s.advantage.toFixed(2)}` : ''} · reward {v.reward.toFixed(2)}
        </span>
      </div>
      <div className="prompt">
        <code>{s.prompt}</code>
      </div>
      {s.turns && s.tags ? <Trajectory turns={s.turns} tags={s.tags} verdict={v} /> : <Completion text={s.completion} sep={sep} wrongStep={v.first_wrong_step?.step ?? null} />}
      <ul className="checks">
        {v.checks.map((c) => (
          <li key={c.name} className={c.passed ? 'ok' : 'bad'}>
            <b>{c.name}</b> {c.passed ? '✓' : '✗'} <span>{c.detail}</span>
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
  return { shown, select };
}

export const Inspector = memo(function Inspector({ samples, sep }: { samples: readonly SampleRow[]; sep: string }) {
  const evalRows = useMemo(() => samples.filter((s) => s.kind === 'sample').slice(-24).reverse(), [samples]);
  const { shown, select } = useFilter(evalRows);
  return (
    <section className="panel" data-testid="inspector">
      <header>
        <h2>Sample inspector</h2>
        {select}
      </header>
      {evalRows.length === 0 ? (
        <p className="muted">Samples of each held-out evaluation appear here, with the verifier's verdict for every check.</p>
      ) : (
        <ul className="samples">
          {shown.map((s, i) => (
            <SampleItem key={`${s.step}-${i}`} s={s} sep={sep} />
          ))}
        </ul>
      )}
    </section>
  );
});

export const Rollouts = memo(function Rollouts({ samples, sep }: { samples: readonly SampleRow[]; sep: string }) {
  const rows = useMemo(() => samples.filter((s) => s.kind === 'rollout'), [samples]);
  const steps = useMemo(() => [...new Set(rows.map((r) => r.step))].sort((a, b) => b - a), [rows]);
  const [pick, setPick] = useState<number | null>(null);
  const step = pick !== null && steps.includes(pick) ? pick : (steps[0] ?? null);
  const { shown, select } = useFilter(rows.filter((r) => r.step === step));
  if (!rows.length) return null;
  return (
    <section className="panel" data-testid="rollouts">
      <header>
        <h2>RL rollouts</h2>
        <select value={step ?? ''} onChange={(e) => setPick(Number(e.target.value))} aria-label="RL step">
          {steps.map((s) => (
            <option key={s} value={s}>
              step {s}
            </option>
          ))}
        </select>
        {select}
      </header>
      <ul className="samples">
        {shown.slice(0, 32).map((s, i) => (
          <SampleItem key={`${s.step}-${i}`} s={s} sep={sep} />
        ))}
      </ul>
    </section>
  );
});
