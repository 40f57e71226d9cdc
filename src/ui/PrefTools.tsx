// Under the Rate panel: let a simulated rater rate the next N pairs (so a demo runs without a
// person, and the person takes over where it stopped), and "Train on my ratings": DPO from the
// run's newest checkpoint on its decided ratings, as a new run charted live. The rules and the
// minimum come from records/rate-train.ts; the work happens in the worker (pref-api.ts).

import { useEffect, useState } from 'react';
import { APP_DPO, APP_DPO_LRS, MIN_DPO_PAIRS, SIM_RATERS, type AppDpoSettings } from '../records/rate-train.ts';
import type { Api } from './client.ts';
import { errorText } from './client.ts';

interface Props {
  api: Api;
  runId: string | null;
  /** Sampling temperature of the pairs (the panel's). */
  temperature: number;
  /** Ratings stored for the run (the panel's counter): readiness is read again when it changes. */
  stored: number;
  /** Resolves when the panel's pending rating writes are stored (readiness is read after them). */
  afterWrites: () => Promise<unknown>;
  /** A run is training: nothing can start. */
  busy: boolean;
  /** The simulated rater stored ratings: the panel starts over at the stream's next pair. */
  onRated: () => void;
  onTrain: (s: AppDpoSettings) => void;
}

const NOISES = [0, 0.1, 0.2];
const COUNTS = [10, 20, 40, 100];
const STEPS = [10, 30, 100];
const BETAS = [0.1, 0.5];

export function PrefTools({ api, runId, temperature, stored, afterWrites, busy, onRated, onTrain }: Props) {
  const [rater, setRater] = useState<string>(SIM_RATERS[0]);
  const [style, setStyle] = useState('newline');
  const [noise, setNoise] = useState(0.1);
  const [count, setCount] = useState(40);
  const [dpo, setDpo] = useState<AppDpoSettings>(APP_DPO);
  const [working, setWorking] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [ready, setReady] = useState<{ decided: number; ties: number } | null>(null);

  useEffect(() => {
    let live = true;
    setReady(null);
    if (runId) void afterWrites().then(() => api.dpoReadiness(runId)).then((r) => live && setReady(r), () => undefined);
    return () => {
      live = false;
    };
  }, [api, runId, stored, afterWrites]);

  if (!runId) return null;
  const spec = rater === 'prefers-style:' ? `prefers-style:${style}` : rater;

  const simulate = async () => {
    setWorking(true);
    setNote(`simulated:${spec} is rating ${count} pairs…`);
    try {
      const r = await api.simulateRatings(runId, spec, noise, count, temperature);
      setNote(`simulated:${spec} (noise ${noise}) rated ${r.added} pairs: ${r.decided} decided, ${r.ties} ties. Your ratings continue after them.`);
      onRated();
    } catch (e) {
      setNote(`the simulated rater failed: ${errorText(e)}`);
    } finally {
      setWorking(false);
    }
  };

  const enough = !!ready && ready.decided >= MIN_DPO_PAIRS;
  const sel = <T extends number | string>(label: string, value: T, options: readonly T[], set: (v: T) => void, testId?: string) => (
    <label className="check">
      {label}{' '}
      <select value={String(value)} aria-label={label} data-testid={testId} onChange={(e) => set((typeof value === 'number' ? Number(e.target.value) : e.target.value) as T)}>
        {options.map((o) => (
          <option key={String(o)} value={String(o)}>
            {String(o)}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="pref-tools" data-testid="pref-tools">
      <div className="row">
        <strong>Simulated rater</strong>
        {sel('rule', rater, SIM_RATERS, setRater, 'sim-rater')}
        {rater === 'prefers-style:' && (
          <label className="check">
            X <input value={style} size={8} onChange={(e) => setStyle(e.target.value)} aria-label="Style character (one character, newline or space)" />
          </label>
        )}
        {sel('noise', noise, NOISES, setNoise)}
        {sel('pairs', count, COUNTS, setCount, 'sim-count')}
        <button type="button" className="small" data-testid="sim-rate" disabled={working} onClick={() => void simulate()} title="Judge the next pairs by a fixed rule (correctness first, then its own key), with that share of judgements flipped">
          Let it rate
        </button>
      </div>
      <div className="row">
        <strong>DPO</strong>
        {sel('steps', dpo.steps, STEPS, (v) => setDpo({ ...dpo, steps: v }), 'dpo-steps')}
        {sel('β', dpo.beta, BETAS, (v) => setDpo({ ...dpo, beta: v }))}
        {sel('lr', dpo.lr, APP_DPO_LRS, (v) => setDpo({ ...dpo, lr: v }), 'dpo-lr')}
        <button type="button" className="small" data-testid="dpo-train" disabled={working || busy || !enough} onClick={() => onTrain(dpo)} title="DPO from this run's newest checkpoint on its decided ratings, against the frozen checkpoint: a new run">
          Train on my ratings
        </button>
        <span className="muted" data-testid="dpo-ready" data-decided={ready?.decided ?? -1}>
          {ready ? `${ready.decided} decided, ${ready.ties} ties (left out) · DPO needs ${MIN_DPO_PAIRS} decided` : ''}
        </span>
      </div>
      {note && (
        <p className="muted" data-testid="sim-note">
          {note}
        </p>
      )}
    </div>
  );
}
