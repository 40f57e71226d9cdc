// The Rate panel: a prompt and two completions the run's model sampled, side by side (stacked on
// narrow screens); keys 1 / 2 / = (tie) / s (skip), u or Ctrl+Z to undo the last rating. The
// verifier's verdicts are stored with each rating but never shown here, so they cannot sway the
// rater. Pairs are prefetched (rating.ts keeps PREFETCH ready), so the next one is on screen the
// moment a key is pressed; ratings go to IndexedDB with the run, in order, one write at a time.

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import { displayed, dpoJsonl, humanRecord, preferencesJsonl, type RateKey } from '../records/human.ts';
import type { Api } from './client.ts';
import { errorText } from './client.ts';
import { Completion } from './Inspector.tsx';
import { PrefTools } from './PrefTools.tsx';
import { initialRate, rateReducer, toRequest } from './rating.ts';
import type { AppDpoSettings } from '../records/rate-train.ts';

interface Props {
  api: Api;
  /** The run whose newest checkpoint samples the pairs (the live run, or the one restored). */
  runId: string | null;
  sep: string;
  download: (name: string, data: BlobPart, type: string) => void;
  /** Changes when the run pauses, stops or ends (a checkpoint may have been saved): start over. */
  refresh: string | null;
  busy: boolean;
  /** "Train on my ratings" (PrefTools): the app starts the DPO run. */
  onTrain: (runId: string, s: AppDpoSettings) => void;
}

const TEMPERATURES = [0.5, 0.7, 1, 1.3, 1.6];
const LAST: Record<RateKey, string> = { '1': 'last: 1 was better', '2': 'last: 2 was better', '=': 'last: a tie', s: 'last: skipped' };
const KEYS: Record<string, RateKey> = { '1': '1', '2': '2', '=': '=', s: 's', S: 's' };

/** Keys typed into a form field are the field's, not ratings. */
const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function RatePanel({ api, runId, sep, download, refresh, busy, onTrain }: Props) {
  const [open, setOpen] = useState(false);
  // Bumped when the simulated rater stored ratings: the panel starts over after them.
  const [epoch, setEpoch] = useState(0);
  const [temperature, setTemperature] = useState(1);
  const [s, dispatch] = useReducer(rateReducer, undefined, () => initialRate());
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  /** What the last key did, so the rater sees it was taken (and that u takes it back). */
  const [last, setLast] = useState<string | null>(null);
  const section = useRef<HTMLElement>(null);
  // Results of requests made before a reset (other run, other temperature) are dropped.
  const generation = useRef(0);
  // Store writes run one after another, so an undo never overtakes the rating it takes back.
  const writes = useRef<Promise<unknown>>(Promise.resolve());
  // The request last made (StrictMode runs effects twice in development: never ask twice).
  const lastAsk = useRef('');

  const write = useCallback((f: () => Promise<unknown>) => {
    writes.current = writes.current.then(f).catch((e: unknown) => setError(`could not store the rating: ${errorText(e)}`));
    return writes.current;
  }, []);

  const afterWrites = useCallback(() => writes.current.catch(() => undefined), []);

  // Opening the panel, or a new run / temperature: start over at the run's next pair number.
  useEffect(() => {
    const gen = ++generation.current;
    setReady(false);
    setError(null);
    if (!open || !runId) return;
    void api
      .rateInfo(runId)
      .then((info) => {
        if (gen !== generation.current) return;
        dispatch({ type: 'reset', stored: info.stored, next: info.next });
        setReady(true);
      })
      .catch((e: unknown) => gen === generation.current && setError(errorText(e)));
  }, [api, open, runId, temperature, epoch, refresh]);

  useEffect(() => {
    if (open) section.current?.scrollIntoView({ block: 'start' });
  }, [open]);

  // Keep the queue filled ahead of the rater.
  const want = ready && !error && runId ? toRequest(s) : 0;
  useEffect(() => {
    if (!want || !runId) return;
    const gen = generation.current;
    const from = s.next;
    if (lastAsk.current === `${gen}:${from}`) return;
    lastAsk.current = `${gen}:${from}`;
    dispatch({ type: 'asked', count: want });
    api
      .ratePairs(runId, from, want, temperature)
      .then((pairs) => gen === generation.current && dispatch({ type: 'arrived', pairs, asked: want }))
      .catch((e: unknown) => gen === generation.current && setError(`could not sample pairs: ${errorText(e)}`));
  }, [want, runId, api, temperature, s.next]);

  const current = s.queue[0] ?? null;

  const rate = useCallback(
    (key: RateKey) => {
      if (!current || !runId) return;
      const record = humanRecord(current, key, new Date().toISOString());
      dispatch({ type: 'rated', record });
      setLast(LAST[key]);
      if (record) void write(() => api.addRating(runId, record));
    },
    [current, runId, api, write],
  );

  const undo = useCallback(() => {
    const last = s.done[s.done.length - 1];
    if (!last || !runId) return;
    dispatch({ type: 'undone' });
    setLast('undone: rate this pair again');
    void write(() => api.undoRating(runId, last.id));
  }, [s.done, runId, api, write]);

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (typing(e.target) || e.altKey) return;
      if ((e.key === 'z' || e.key === 'Z') && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        return undo();
      }
      if (e.ctrlKey || e.metaKey) return;
      if (e.key === 'u' || e.key === 'U') return undo();
      const k = KEYS[e.key];
      if (k) {
        e.preventDefault();
        rate(k);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, rate, undo]);

  const exportAs = (kind: 'prefs' | 'dpo') =>
    void write(async () => {
      if (!runId) return;
      const recs = await api.exportRatings(runId);
      if (kind === 'prefs') download(`${runId}-preferences.jsonl`, preferencesJsonl(recs), 'application/jsonl');
      else {
        const d = dpoJsonl(recs);
        download(`${runId}-dpo.jsonl`, d.text, 'application/jsonl');
        setNote(`DPO export: ${d.rows} pairs${d.ties ? ` (${d.ties} ties left out: they carry no preference)` : ''}`);
      }
    });

  const importFile = (f: File) =>
    void write(async () => {
      if (!runId) return;
      const r = await api.importRatings(runId, await f.text(), f.name);
      const head = `${f.name}: ${r.added} ratings added${r.duplicates ? `, ${r.duplicates} already stored` : ''}${r.bad.length ? `, ${r.bad.length} lines refused:` : ''}`;
      setNote([head, ...r.bad.slice(0, 8), ...(r.bad.length > 8 ? [`… and ${r.bad.length - 8} more`] : [])].join('\n'));
      dispatch({ type: 'stored', stored: (await api.rateInfo(runId)).stored });
    });

  const pair = current ? displayed(current) : null;
  return (
    <section className="panel rate" data-testid="rate-panel" ref={section}>
      <header>
        <h2>Rate</h2>
        {open && (
          <span className="counter" data-testid="rate-counter" data-stored={s.stored} data-skipped={s.skipped}>
            {s.stored} rated · {s.skipped} skipped · {Math.max(0, s.queue.length - 1)} ready
          </span>
        )}
        <button type="button" className="small" data-testid="rate-open" disabled={!runId} onClick={() => setOpen(!open)}>
          {open ? 'close' : 'Rate pairs'}
        </button>
      </header>
      <PrefTools api={api} runId={runId} temperature={temperature} stored={s.stored + epoch} afterWrites={afterWrites} busy={busy} onRated={() => setEpoch((e) => e + 1)} onTrain={(d) => runId && onTrain(runId, d)} />
      {!open ? (
        <p className="muted">{runId ? 'Judge two completions of the model at a time; your ratings are stored with the run and export as preference or DPO JSONL.' : 'Start or pick a run: its saved checkpoint writes the pairs you rate.'}</p>
      ) : (
        <>
          <div className="row rate-tools">
            <label className="check">
              temperature{' '}
              <select value={temperature} onChange={(e) => setTemperature(Number(e.target.value))} aria-label="Sampling temperature">
                {TEMPERATURES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="small" disabled={!s.stored} onClick={() => exportAs('prefs')} data-testid="rate-export">
              ratings JSONL
            </button>
            <button type="button" className="small" disabled={!s.stored} onClick={() => exportAs('dpo')} data-testid="rate-export-dpo">
              DPO JSONL
            </button>
            <label className="button small">
              import JSONL
              <input type="file" accept=".jsonl,.json,.txt" hidden data-testid="rate-import" onChange={(e) => e.target.files?.[0] && importFile(e.target.files[0])} />
            </label>
          </div>
          {error && <p className="error">{error}</p>}
          {note && (
            <p className="muted rate-note" data-testid="rate-note">
              {note}
            </p>
          )}
          {current && pair ? (
            <div data-testid="rate-pair" data-pair-id={current.source.id}>
              <div className="rate-prompt">
                <span className="muted">prompt</span> <code data-testid="rate-prompt">{current.source.prompt}</code>
                <span className="muted">· which completion is better?</span>
              </div>
              <div className="rate-sides">
                {pair.map((text, i) => (
                  <button type="button" key={i} className="rate-side" data-testid={i ? 'rate-right' : 'rate-left'} onClick={() => rate(i ? '2' : '1')} title={`press ${i + 1}`}>
                    <kbd>{i + 1}</kbd>
                    <Completion text={text} sep={sep} wrongStep={null} />
                  </button>
                ))}
              </div>
              <div className="row rate-keys">
                <button type="button" className="small" onClick={() => rate('=')}>
                  <kbd>=</kbd> tie
                </button>
                <button type="button" className="small" onClick={() => rate('s')}>
                  <kbd>s</kbd> skip
                </button>
                <button type="button" className="small" disabled={!s.done.length} onClick={undo} data-testid="rate-undo">
                  <kbd>u</kbd> undo
                </button>
                {last && <span className="rate-last">{last}</span>}
                <span className="muted">
                  sampled at step {current.provenance.step}, T {current.provenance.temperature} · the verifier's verdicts are stored, not shown
                </span>
              </div>
            </div>
          ) : (
            !error && <p className="muted">{ready ? 'sampling two completions…' : 'opening the run…'}</p>
          )}
        </>
      )}
    </section>
  );
}
