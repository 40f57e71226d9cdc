// Turns training events into metric batches: numeric fields become Float64Array columns per event
// type (nested objects flattened to dotted names, e.g. reward_by_check.answer), samples and
// rollouts become small JSON rows (an environment's with its turns: RL trajectories as recorded,
// evaluation samples cut back into turns). The worker sends one batch every ~250 ms, transferring
// the column buffers. Pure: no tfjs, no DOM.

import type { TrainEvent } from '../train/events.ts';
import type { Verdict } from '../tasks/types.ts';
import type { TrajectoryRecord } from '../records/trajectory.ts';
import { splitTranscript, type TurnTags } from '../envs/transcript.ts';
import type { Columns, MetricBatch, SampleRow } from './protocol.ts';

type Row = Record<string, number>;

/** Numeric leaves of `x` under `prefix` (depth-limited; strings and booleans skipped, phase as 0/1). */
function flatten(x: unknown, prefix: string, out: Row, depth = 0): void {
  if (typeof x === 'number') out[prefix] = x;
  else if (typeof x === 'boolean') out[prefix] = x ? 1 : 0;
  else if (x && typeof x === 'object' && depth < 3) {
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out, depth + 1);
  }
}

const JSON_TYPES = new Set(['sample', 'rollout', 'trajectory', 'warning', 'phase', 'done']);

export class MetricsBuffer {
  private rows = new Map<string, Row[]>();
  private samples: SampleRow[] = [];
  private phases: MetricBatch['phases'] = [];
  private warnings: string[] = [];
  private resetNext = false;

  constructor(
    private runId: string,
    /** Most samples kept per batch (the newest). */
    private maxSamples = 64,
    /** The run's environment (its tags), when it trains one: samples then carry their turns. */
    private env: TurnTags | null = null,
  ) {}

  private keep(row: SampleRow): void {
    this.samples.push(row);
    if (this.samples.length > this.maxSamples * 2) this.samples = this.samples.slice(-this.maxSamples);
  }

  get empty(): boolean {
    return this.rows.size === 0 && !this.samples.length && !this.phases.length && !this.warnings.length && !this.resetNext;
  }

  /** The next batch replaces what the UI holds for this run (after a resume or a reload). */
  markReset(): void {
    this.resetNext = true;
  }

  push(e: TrainEvent): void {
    const t = e.type as string;
    if (t === 'trajectory') {
      // An RL episode: the record's own turns, shown as a rollout.
      const r = (e as { record: TrajectoryRecord }).record;
      if (!r.verdict) return;
      const tags = this.env ?? { actionEnds: [], envTags: [] };
      const rest = r.turns.slice(1).map((x) => x.text).join('');
      this.keep({ kind: 'rollout', step: e.step, phase: 'rl', prompt: r.turns[0]?.text ?? '', completion: rest, verdict: r.verdict, turns: r.turns, tags });
      return;
    }
    if (t === 'sample' || t === 'rollout') {
      const s = e as unknown as { step: number; phase: 'sft' | 'rl'; mode?: string; prompt?: string; completion?: string; verdict?: Verdict; advantage?: number; record?: Record<string, unknown> };
      const rec = s.record ?? s;
      const row: SampleRow = {
        kind: t,
        step: s.step,
        phase: s.phase,
        prompt: String(rec.prompt ?? ''),
        completion: String(rec.completion ?? ''),
        verdict: (rec.verdict ?? null) as Verdict,
      };
      const adv = s.advantage ?? (rec as { advantage?: number }).advantage;
      if (typeof adv === 'number') row.advantage = adv;
      if (s.mode) row.mode = s.mode;
      if (!row.verdict) return;
      if (this.env) Object.assign(row, { turns: splitTranscript(this.env, row.prompt, row.completion), tags: this.env });
      this.keep(row);
      return;
    }
    if (t === 'phase') {
      const p = e as { phase: 'sft' | 'rl'; step: number };
      this.phases.push({ phase: p.phase, step: p.step });
      return;
    }
    if (t === 'warning') {
      this.warnings.push(`step ${e.step}: ${(e as { message: string }).message}`);
      return;
    }
    if (JSON_TYPES.has(t)) return;
    const row: Row = {};
    flatten(e, '', row);
    row.phase = e.phase === 'rl' ? 1 : 0;
    let list = this.rows.get(t);
    if (!list) this.rows.set(t, (list = []));
    list.push(row);
  }

  /** Take everything pushed since the last take, as a batch (its columns' buffers: `batchBuffers`). */
  take(): MetricBatch {
    const series: Record<string, Columns> = {};
    for (const [type, rows] of this.rows) {
      const keys = new Set<string>();
      for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
      const cols: Record<string, Float64Array> = {};
      for (const k of keys) {
        const a = new Float64Array(rows.length);
        for (let i = 0; i < rows.length; i++) a[i] = rows[i]![k] ?? NaN;
        cols[k] = a;
      }
      series[type] = { n: rows.length, cols };
    }
    const batch: MetricBatch = {
      runId: this.runId,
      reset: this.resetNext,
      series,
      samples: this.samples.slice(-this.maxSamples),
      phases: this.phases,
      warnings: this.warnings,
    };
    this.rows = new Map();
    this.samples = [];
    this.phases = [];
    this.warnings = [];
    this.resetNext = false;
    return batch;
  }
}

/** The column buffers of a batch, to transfer instead of copy. */
export function batchBuffers(b: MetricBatch): ArrayBuffer[] {
  return Object.values(b.series).flatMap((s) => Object.values(s.cols).map((c) => c.buffer as ArrayBuffer));
}
