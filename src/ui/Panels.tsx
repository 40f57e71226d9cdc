// Side panels: the training data choice (generator, shipped file, uploaded JSONL), the dataset
// explorer, and the stored runs (resume, compare, checkpoint download/upload, delete).

import { memo, useState } from 'react';
import { storedTotal } from '../runsteps.ts';
import type { BrowsedRecord, DatasetInfo, RunSummary } from '../worker/protocol.ts';
import { errorText, type Api } from './client.ts';
import { Completion } from './Inspector.tsx';
import { Trajectory } from './Trajectory.tsx';

export function DataChoice(props: { dataset: DatasetInfo | null; error: string | null; locked: boolean; onUpload: (f: File) => void; onShipped: () => void; onClear: () => void }) {
  const { dataset, error, locked } = props;
  return (
    <div className="data-choice">
      <p className="help">{dataset ? `Training on ${dataset.name}: ${dataset.count} examples.` : 'Training on the generator: fresh problems every step.'}</p>
      <div className="row">
        <label className={`button small${locked ? ' disabled' : ''}`}>
          Upload JSONL
          <input
            data-testid="dataset-upload"
            type="file"
            accept=".jsonl,.json,application/jsonl,text/plain"
            disabled={locked}
            hidden
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) props.onUpload(f);
            }}
          />
        </label>
        <button type="button" className="small" onClick={props.onShipped} disabled={locked}>
          Shipped file
        </button>
        {dataset && (
          <button type="button" className="small" onClick={props.onClear} disabled={locked}>
            Use generator
          </button>
        )}
      </div>
      {error && (
        <p className="error" data-testid="dataset-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

export function DatasetExplorer({ api, params, sep, hasUpload }: { api: Api; params: Record<string, string>; sep: string; hasUpload: boolean }) {
  const [source, setSource] = useState<'generated' | 'shipped' | 'uploaded'>('generated');
  const [split, setSplit] = useState<'train' | 'val' | 'test'>('train');
  const [page, setPage] = useState(0);
  const [rows, setRows] = useState<{ records: BrowsedRecord[]; total: number | null } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const PAGE = 10;
  const load = async (p: number) => {
    setErr(null);
    try {
      setRows(await api.browse(source, split, p * PAGE, PAGE, params));
      setPage(p);
    } catch (e) {
      setErr(errorText(e));
    }
  };
  return (
    <section className="panel" data-testid="dataset-explorer">
      <header>
        <h2>Dataset explorer</h2>
        <select value={source} onChange={(e) => setSource(e.target.value as typeof source)} aria-label="Source">
          <option value="generated">generator</option>
          <option value="shipped">shipped file</option>
          {hasUpload && <option value="uploaded">uploaded</option>}
        </select>
        <select value={split} onChange={(e) => setSplit(e.target.value as typeof split)} aria-label="Split" disabled={source === 'uploaded'}>
          <option>train</option>
          <option>val</option>
          <option>test</option>
        </select>
        <button type="button" className="small" onClick={() => void load(0)}>
          Browse
        </button>
        {rows && (
          <>
            <button type="button" className="small" disabled={page === 0} onClick={() => void load(page - 1)}>
              ‹
            </button>
            <span className="muted">
              {page * PAGE + 1}–{page * PAGE + rows.records.length}
              {rows.total !== null ? ` of ${rows.total}` : ''}
            </span>
            <button type="button" className="small" disabled={rows.total !== null && (page + 1) * PAGE >= rows.total} onClick={() => void load(page + 1)}>
              ›
            </button>
          </>
        )}
      </header>
      {err && <p className="error">{err}</p>}
      {rows && (
        <ul className="records">
          {rows.records.map((r) => (
            <li key={r.id}>
              <span className="muted">{r.id}</span> <code>{r.prompt}</code>
              {r.turns && r.tags ? <Trajectory turns={r.turns} tags={r.tags} verdict={r.verdict} /> : <Completion text={r.completion} sep={sep} wrongStep={r.verdict?.first_wrong_step?.step ?? null} />}
              {r.verdict && <span className={`verdict ${r.verdict.fully_correct ? 'ok' : 'bad'}`} title={r.verdict.fully_correct ? 'fully right' : r.verdict.correct ? 'right answer, wrong steps' : 'wrong'}>{r.verdict.fully_correct ? '✓' : '✗'}</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A stored run that is not training can be continued (not finished, has a checkpoint). */
export const resumable = (r: RunSummary) => !r.pref && r.savedStep >= 0 && r.savedStep < storedTotal(r) && r.state !== 'done';

/** A DPO run's line: where it came from, and that it is not resumed (its reference is not stored). */
function prefText(r: RunSummary, total: number, live: boolean): string {
  const from = `DPO from "${r.pref!.fromName}" step ${r.pref!.fromStep} on ${r.pref!.pairs} ratings`;
  if (live) return `${from} · step ${r.step} of ${total}`;
  const ck = r.savedStep >= 0 ? `checkpoint at DPO step ${r.savedStep}: rate it or download it` : 'nothing saved: train on the ratings again';
  return `${from} · ${r.state} · ${ck}`;
}

/** The run's state line: where it stands and what Resume would do. */
function stateText(r: RunSummary, total: number, live: boolean): string {
  if (r.pref) return prefText(r, total, live);
  const saved = Math.max(0, r.savedStep);
  if (live) return r.savedStep >= 0 ? `this run · checkpoint at step ${saved} of ${total}` : `this run · no checkpoint yet (one every 50 steps)`;
  if (r.state === 'interrupted') return r.savedStep >= 0 ? `interrupted — resume from step ${saved} of ${total}` : `interrupted before its first checkpoint (step 50)`;
  if (r.state === 'paused') return `paused — resume from step ${saved} of ${total}`;
  return `${r.state} · saved at step ${saved} of ${total}`;
}

const fmtTime = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');

export const RunsList = memo(function RunsList(props: {
  runs: RunSummary[];
  currentId: string | null;
  busy: boolean;
  /** The live run's newest checkpoint step (the stored summary lags behind while it trains). */
  liveSaved: number | null;
  compare: Set<string>;
  onResume: (id: string) => void;
  onCompare: (id: string) => void;
  onDownload: (id: string) => void;
  onDelete: (id: string) => void;
  onUpload: (files: File[]) => void;
}) {
  const { runs, currentId, busy, compare } = props;
  return (
    <section className="panel runs" data-testid="runs-list">
      <header>
        <h2>Runs</h2>
        <label className="button small" title="Open a checkpoint: a .zip from this app, or all the files of a CLI checkpoint folder">
          Open checkpoint
          <input
            data-testid="checkpoint-upload"
            type="file"
            multiple
            accept=".zip,.json,.safetensors"
            hidden
            onChange={(e) => {
              const fs = [...(e.target.files ?? [])];
              e.target.value = '';
              if (fs.length) props.onUpload(fs);
            }}
          />
        </label>
      </header>
      {runs.length === 0 ? (
        <p className="muted">No saved runs yet. Runs are kept in this browser, with a checkpoint every 50 steps.</p>
      ) : (
        <ul>
          {runs.map((stored) => {
            const total = storedTotal(stored);
            const live = stored.id === currentId && busy;
            const r = live && props.liveSaved !== null ? { ...stored, savedStep: Math.max(stored.savedStep, props.liveSaved) } : stored;
            return (
              <li key={r.id} data-testid="run-item" data-run-id={r.id} data-saved-step={r.savedStep} data-state={r.state} className={r.id === currentId ? 'current' : undefined}>
                <div className="run-name" title={r.name}>
                  {r.name}
                </div>
                <div className={`muted run-state-line${r.state === 'interrupted' ? ' interrupted' : ''}`}>{stateText(r, total, live)}</div>
                <div className="muted">
                  {r.lastAcc !== null ? `acc ${(r.lastAcc * 100).toFixed(0)}% · ` : ''}
                  {r.backend} · {fmtTime(r.updated)}
                </div>
                <div className="run-actions">
                  <button type="button" className="small" data-testid="resume-run-btn" disabled={busy || r.savedStep < 0 || !!r.pref} title={r.pref ? 'A DPO run is not resumed: its charts show with compare, its checkpoint samples the Rate panel' : undefined} onClick={() => props.onResume(r.id)}>
                    {r.savedStep >= total ? 'Open' : 'Resume'}
                  </button>
                  <label className="check">
                    <input type="checkbox" checked={compare.has(r.id)} disabled={r.id === currentId} onChange={() => props.onCompare(r.id)} /> compare
                  </label>
                  <button type="button" className="small" data-testid="checkpoint-download" disabled={r.savedStep < 0} onClick={() => props.onDownload(r.id)} title="Download the checkpoint as a .zip (for the CLI)" aria-label="Download checkpoint .zip">
                    .zip
                  </button>
                  <button type="button" className="small danger" disabled={live} onClick={() => props.onDelete(r.id)}>
                    Delete
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
});
