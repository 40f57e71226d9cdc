// The UI's copy of one run's metrics: growable Float64Array columns per event type, appended from
// the worker's batches, plus the latest samples and the phase changes. Charts read it directly.

import type { MetricBatch, SampleRow } from '../worker/protocol.ts';

interface Table {
  n: number;
  cap: number;
  cols: Map<string, Float64Array>;
}

const MAX_SAMPLES = 400;

export class RunData {
  readonly tables = new Map<string, Table>();
  samples: SampleRow[] = [];
  phases: { phase: 'sft' | 'rl'; step: number }[] = [];
  warnings: string[] = [];
  version = 0;

  constructor(
    readonly id: string,
    public name: string,
  ) {}

  append(b: MetricBatch): void {
    if (b.reset) {
      this.tables.clear();
      this.samples = [];
      this.phases = [];
      this.warnings = [];
    }
    for (const [type, s] of Object.entries(b.series)) {
      let t = this.tables.get(type);
      if (!t) this.tables.set(type, (t = { n: 0, cap: 0, cols: new Map() }));
      const need = t.n + s.n;
      if (need > t.cap) {
        const cap = Math.max(256, need * 2);
        for (const [k, a] of t.cols) {
          const g = new Float64Array(cap).fill(NaN);
          g.set(a.subarray(0, t.n));
          t.cols.set(k, g);
        }
        t.cap = cap;
      }
      for (const [k, a] of Object.entries(s.cols)) {
        let c = t.cols.get(k);
        if (!c) t.cols.set(k, (c = new Float64Array(t.cap).fill(NaN)));
        c.set(a, t.n);
      }
      t.n = need;
    }
    if (b.samples.length) this.samples = [...this.samples, ...b.samples].slice(-MAX_SAMPLES);
    this.phases.push(...b.phases);
    this.warnings.push(...b.warnings);
    this.version++;
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
