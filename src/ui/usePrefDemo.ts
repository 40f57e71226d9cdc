// The preference demo's steps after its SFT run: when that run is done, a simulated rater rates
// the demo's pairs, then each of the demo's DPO settings trains on them in turn (a new run each;
// a finished one joins the comparison, so the charts overlay them), then a note hands over to the
// person: rate the DPO policy's pairs and train again. A hook with a ref of what it has done, so
// a status heard twice never starts anything twice; a reload ends it (the runs stay listed).

import { useEffect, useRef } from 'react';
import type { StatusUpdate } from '../worker/protocol.ts';
import type { Api } from './client.ts';
import { errorText } from './client.ts';
import type { Demo } from './demos.ts';
import type { Action } from './state.ts';

export function usePrefDemo(demo: Demo | null, status: StatusUpdate | null, api: Api, dispatch: (a: Action) => void, refreshRuns: () => Promise<unknown>): void {
  const done = useRef(new Set<string>());
  const sft = useRef<{ id: string; next: number } | null>(null);
  const prefs = demo?.prefs;
  const runId = status?.runId ?? null;
  const ended = status?.state === 'done' ? runId : null;
  const dpo = status?.stage === 'dpo';

  useEffect(() => {
    if (!prefs || !ended || done.current.has(ended)) return;
    done.current.add(ended);
    const startDpo = async (from: string, i: number) => {
      sft.current = { id: from, next: i + 1 };
      const d = prefs.dpo[i]!;
      await api.trainOnRatings(from, d);
      dispatch({ type: 'starting' });
      await refreshRuns();
    };
    void (async () => {
      try {
        if (!dpo) {
          dispatch({ type: 'notice', message: `Demo: simulated:${prefs.rater} (noise ${prefs.noise}) is rating ${prefs.pairs} pairs of this run…` });
          const r = await api.simulateRatings(ended, prefs.rater, prefs.noise, prefs.pairs, 1);
          dispatch({ type: 'notice', message: `Demo: simulated:${prefs.rater} rated ${r.added} pairs (${r.decided} decided, ${r.ties} ties, left out). DPO trains on them now.` });
          await startDpo(ended, 0);
          return;
        }
        const s = sft.current;
        if (!s) return;
        if (s.next < prefs.dpo.length) {
          // The finished DPO run stays on the charts beside the next one.
          dispatch({ type: 'compareAdd', id: ended, name: `DPO lr ${prefs.dpo[s.next - 1]!.lr}`, batch: await api.runMetrics(ended) });
          return void (await startDpo(s.id, s.next));
        }
        sft.current = null;
        dispatch({ type: 'notice', message: 'Demo: your turn. Open Rate pairs: the pairs now come from the last DPO run. Rate them (1 / 2 / =), then Train on my ratings.' });
      } catch (e) {
        dispatch({ type: 'banner', message: `the demo could not go on: ${errorText(e)}` });
      }
    })();
  }, [prefs, ended, dpo, api, dispatch, refreshRuns]);
}
