// The UI's copy of one run's metrics: Float64Array columns per event type, the latest samples and
// the phase changes. Immutable: `append` returns a new RunData and leaves the old one as it was, so
// the UI state can hold it (a new object is what tells the charts to redraw). Charts read it directly.

import type { MetricBatch, SampleRow } from '../worker/protocol.ts';

/**
 * One event type's rows. The column buffers have room to grow and are shared with the RunData the
 * table came from: rows [0, n) are this table's and never change. Whoever appends first writes in
 * place past n and raises `fill.rows`; any other append from the same table finds `fill.rows > n`
 * and copies instead (React may run a reducer twice on the same state), so no holder ever sees
 * its rows change.
 */
interface Table {
  readonly n: number;
  readonly cap: number;
  readonly cols: ReadonlyMap<string, Float64Array>;
  readonly fill: { rows: number };
}

const MAX_SAMPLES = 400;

function appendTable(t: Table | undefined, s: MetricBatch['series'][string]): Table {
  const n = t?.n ?? 0;
  const need = n + s.n;
  const cols = new Map(t?.cols);
  let cap = t?.cap ?? 0;
  let fill = t?.fill ?? { rows: 0 };
  if (!t || fill.rows !== n || need > cap) {
    // Fresh buffers: rows [0, n) copied, the rest NaN (a column missing from a batch reads NaN).
    cap = Math.max(256, need * 2);
    for (const [k, a] of cols) {
      const g = new Float64Array(cap).fill(NaN);
      g.set(a.subarray(0, n));
      cols.set(k, g);
    }
    fill = { rows: n };
  }
  for (const [k, a] of Object.entries(s.cols)) {
    let c = cols.get(k);
    if (!c) cols.set(k, (c = new Float64Array(cap).fill(NaN)));
    c.set(a, n);
  }
  fill.rows = need;
  return { n: need, cap, cols, fill };
}

export class RunData {
  private constructor(
    readonly id: string,
    /** The run's stored name ('' while unknown: the UI then labels it from the runs list). */
    readonly name: string,
    private readonly tables: ReadonlyMap<string, Table>,
    readonly samples: readonly SampleRow[],
    readonly phases: readonly { phase: 'sft' | 'rl'; step: number }[],
    readonly warnings: readonly string[],
  ) {}

  static empty(id: string, name = ''): RunData {
    return new RunData(id, name, new Map(), [], [], []);
  }

  /** This run with the batch added (a `reset` batch replaces everything). */
  append(b: MetricBatch): RunData {
    const base: RunData = b.reset ? RunData.empty(this.id, this.name) : this;
    const tables = new Map(base.tables);
    for (const [type, s] of Object.entries(b.series)) tables.set(type, appendTable(tables.get(type), s));
    const samples = b.samples.length ? [...base.samples, ...b.samples].slice(-MAX_SAMPLES) : base.samples;
    const phases = b.phases.length ? [...base.phases, ...b.phases] : base.phases;
    const warnings = b.warnings.length ? [...base.warnings, ...b.warnings] : base.warnings;
    return new RunData(this.id, this.name, tables, samples, phases, warnings);
  }

  count(type: string): number {
    return this.tables.get(type)?.n ?? 0;
  }

  col(type: string, key: string): Float64Array | null {
    const t = this.tables.get(type);
    const c = t?.cols.get(key);
    return t && c ? c.subarray(0, t.n) : null;
  }

  keys(type: string): string[] {
    return [...(this.tables.get(type)?.cols.keys() ?? [])];
  }

  /** The last value of a column, or null. */
  last(type: string, key: string): number | null {
    const c = this.col(type, key);
    return c && c.length ? c[c.length - 1]! : null;
  }

  /** The last `n` finite values of a column (oldest first). */
  tail(type: string, key: string, n: number): number[] {
    const c = this.col(type, key);
    const out: number[] = [];
    for (let i = (c?.length ?? 0) - 1; i >= 0 && out.length < n; i--) if (Number.isFinite(c![i]!)) out.unshift(c![i]!);
    return out;
  }

  /** Everything as plain JSON (for the metrics download). */
  toJSON(): Record<string, Record<string, number[]>> {
    const out: Record<string, Record<string, number[]>> = {};
    for (const [type, t] of this.tables) {
      out[type] = {};
      for (const [k, c] of t.cols) out[type]![k] = Array.from(c.subarray(0, t.n));
    }
    return out;
  }

  /** One CSV per event type, concatenated with a `type` column. */
  toCSV(): string {
    const lines: string[] = [];
    for (const [type, t] of this.tables) {
      const keys = [...t.cols.keys()];
      lines.push(['type', ...keys].join(','));
      for (let i = 0; i < t.n; i++) lines.push([type, ...keys.map((k) => (Number.isNaN(t.cols.get(k)![i]!) ? '' : String(t.cols.get(k)![i])))].join(','));
    }
    return lines.join('\n') + '\n';
  }
}
