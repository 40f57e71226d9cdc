// One uPlot chart over several runs: each line is (event type, column) of a run; runs are joined
// on the x axis (step, or cumulative training time). Data is pushed with setData at most once per
// animation frame (a new `runs` list, i.e. new immutable RunData, is what triggers it); the plot is
// rebuilt only when its set of series changes. The RL phase of the current run is shaded.
// Exports: PNG (the canvas) from the toolbar.

import { memo, useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { downsample, runningMedian } from './downsample.ts';
import type { RunData } from './rundata.ts';

export interface Line {
  type: string;
  key: string;
  label: string;
  /** Left out when several runs are compared, to keep the legend readable. */
  minor?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  /** Fixed lines, plus lines for every column of `type` whose key starts with `prefix`. */
  lines: Line[];
  dynamic?: { type: string; prefix: string; label: (rest: string, run: RunData) => string }[];
  percent?: boolean;
  log?: boolean;
  /** One or two plain sentences: the chart title's tooltip. */
  help?: string;
  /** Plot height in px (170 by default). */
  height?: number;
  /** Draw each line as the running median of this many points (a noisy speed line). */
  smooth?: number;
}

/**
 * Points per line at most: 400 buckets' lowest and highest point, about one per pixel of a chart
 * (400-900 px wide). Longer lines are thinned (downsample.ts); a 12,000-step overlay then adds
 * ~0.1-0.3 s of main-thread CPU per 20 s of training (test/e2e/long-series.e2e.ts).
 */
const MAX_POINTS = 800;

/** Step numbers are whole: the x axis of a step chart ticks at integers only (not 62.5). */
const STEP_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000, 50_000, 100_000];


export interface ChartRun {
  data: RunData;
  label: string;
  /** 0 = the current run; with one run it is solid and compared runs dashed, with several each run has its colour. */
  index: number;
}

const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#be185d', '#4b5563'];
const DASHES: number[][] = [[], [6, 4], [2, 3], [10, 3, 2, 3]];

/** x values of a table: the step, or training time made cumulative across restarts. */
function xOf(d: RunData, type: string, mode: 'step' | 'time'): Float64Array | null {
  if (mode === 'step') return d.col(type, 'step');
  const el = d.col(type, 'elapsed_s');
  if (!el) return null;
  const out = new Float64Array(el.length);
  let offset = 0;
  for (let i = 0; i < el.length; i++) {
    if (i > 0 && el[i]! + offset < out[i - 1]!) offset = out[i - 1]! - el[i]!;
    out[i] = el[i]! + offset;
  }
  return out;
}

export function linesOf(spec: ChartSpec, runs: ChartRun[]): Line[] {
  const out = spec.lines.filter((l) => runs.length <= 1 || !l.minor);
  for (const d of spec.dynamic ?? []) {
    const keys = new Map<string, RunData>();
    for (const r of runs) for (const k of r.data.keys(d.type)) if (k.startsWith(d.prefix) && !keys.has(k)) keys.set(k, r.data);
    for (const [k, run] of [...keys].sort()) out.push({ type: d.type, key: k, label: d.label(k.slice(d.prefix.length), run) });
  }
  return out;
}

/**
 * A line's points ready to draw: increasing x (a resumed run can repeat a step: the later value
 * wins), smoothed when the chart asks, thinned to MAX_POINTS. Cached per RunData (immutable), so
 * a compared run's long lines are prepared once, not at every live update.
 */
const prepared = new WeakMap<RunData, Map<string, { xs: number[]; ys: (number | null)[] } | null>>();

function lineTable(d: RunData, l: Line, mode: 'step' | 'time', smooth: number | undefined) {
  let m = prepared.get(d);
  if (!m) prepared.set(d, (m = new Map()));
  const key = `${l.type}|${l.key}|${mode}|${smooth ?? 0}`;
  if (m.has(key)) return m.get(key)!;
  const x = xOf(d, l.type, mode);
  const y = d.col(l.type, l.key);
  let out: { xs: number[]; ys: (number | null)[] } | null = null;
  if (x && y && x.length) {
    const xs: number[] = [];
    const ys: (number | null)[] = [];
    for (let i = 0; i < x.length; i++) {
      const v = Number.isFinite(y[i]!) ? y[i]! : null;
      while (xs.length && x[i]! <= xs[xs.length - 1]!) (xs.pop(), ys.pop());
      xs.push(x[i]!);
      ys.push(v);
    }
    out = downsample(xs, smooth ? runningMedian(ys, smooth) : ys, MAX_POINTS);
  }
  m.set(key, out);
  return out;
}

function build(spec: ChartSpec, runs: ChartRun[], mode: 'step' | 'time') {
  const lines = linesOf(spec, runs);
  const tables: uPlot.AlignedData[] = [];
  const series: uPlot.Series[] = [{ label: mode === 'step' ? 'step' : 'time (s)' }];
  runs.forEach((r) => {
    lines.forEach((l, li) => {
      const thin = lineTable(r.data, l, mode, spec.smooth);
      if (!thin) return;
      tables.push([thin.xs, thin.ys] as unknown as uPlot.AlignedData);
      series.push({
        label: runs.length > 1 ? `${r.label}: ${l.label}` : l.label,
        // One run: a colour per line. Several runs: a colour per run and a dash per line, so the
        // runs being compared are told apart at a glance.
        stroke: runs.length > 1 ? COLORS[r.index % COLORS.length] : COLORS[li % COLORS.length],
        dash: runs.length > 1 ? DASHES[li % DASHES.length] : DASHES[r.index % DASHES.length],
        width: r.index === 0 ? 1.5 : 1.2,
        spanGaps: true,
        points: { show: thin.xs.length < 60, size: 4 },
        value: (_u, v) => (v == null ? '–' : spec.percent ? `${(v * 100).toFixed(1)}%` : Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(4)),
      });
    });
  });
  const data = tables.length ? uPlot.join(tables) : ([[]] as unknown as uPlot.AlignedData);
  const empty = tables.length === 0;
  return { data, series, empty, key: series.map((s) => `${s.label}|${String(s.stroke)}`).join(';') + mode + (empty ? '|empty' : '') };
}

/** Where the current run's RL phase starts, in x units (null when it has none). */
function rlStart(runs: ChartRun[], mode: 'step' | 'time'): number | null {
  const cur = runs.find((r) => r.index === 0);
  if (!cur) return null;
  for (const type of ['rl_step', 'eval', 'step']) {
    const ph = cur.data.col(type, 'phase');
    const x = xOf(cur.data, type, mode);
    if (!ph || !x) continue;
    const i = ph.findIndex((p) => p === 1);
    if (i >= 0) {
      if (mode === 'step') {
        const p = cur.data.phases.find((q) => q.phase === 'rl');
        return p ? p.step : x[i]!;
      }
      return x[i]!;
    }
  }
  return null;
}

export const Chart = memo(function Chart(props: { spec: ChartSpec; runs: ChartRun[]; mode: 'step' | 'time'; testId?: string; points?: number }) {
  const { spec, runs, mode } = props;
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<{ u: uPlot; key: string } | null>(null);
  const frame = useRef(0);
  const shade = useRef<number | null>(null);

  useEffect(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      const el = host.current;
      if (!el) return;
      const { data, series, key, empty } = build(spec, runs, mode);
      shade.current = rlStart(runs, mode);
      if (plot.current && plot.current.key === key) {
        plot.current.u.setData(data);
        return;
      }
      plot.current?.u.destroy();
      const width = Math.max(200, el.clientWidth);
      const opts: uPlot.Options = {
        width,
        height: spec.height ?? 170,
        series,
        legend: { show: true, live: false },
        cursor: { drag: { x: true, y: false } },
        // With no data yet every chart draws the same empty frame (fixed ranges, grid, axes), with
        // the "no data yet" note over it; only the percent charts label their y axis.
        scales: empty
          ? { x: { time: false, range: [0, 100] }, y: { range: [0, 1] } }
          : { x: { time: false }, y: spec.log ? { distr: 3 } : spec.percent ? { range: [0, 1] } : {} },
        axes: [
          { size: 30, font: '11px system-ui', stroke: '#5b6472', ...(mode === 'step' ? { incrs: STEP_INCRS } : {}), ...(empty ? { values: (_u: uPlot, v: number[]) => v.map(() => '') } : {}) },
          {
            size: 46,
            font: '11px system-ui',
            stroke: '#5b6472',
            // A short chart needs denser ticks, or none may fall inside its range.
            ...(spec.height && spec.height < 170 ? { space: 16 } : {}),
            values: (_u, v) => v.map((x) => (x == null || (empty && !spec.percent) ? '' : spec.percent ? `${Math.round(x * 100)}%` : Math.abs(x) >= 1000 ? `${+(x / 1000).toFixed(1)}k` : String(+x.toPrecision(3)))),
          },
        ],
        hooks: {
          drawClear: [
            (u) => {
              const s = shade.current;
              if (s == null) return;
              const x0 = Math.max(u.bbox.left, u.valToPos(s, 'x', true));
              const x1 = u.bbox.left + u.bbox.width;
              if (x1 <= x0) return;
              u.ctx.save();
              u.ctx.fillStyle = 'rgba(217, 119, 6, 0.08)';
              u.ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
              u.ctx.fillStyle = 'rgba(180, 83, 9, 0.8)';
              u.ctx.font = `${11 * devicePixelRatio}px system-ui`;
              u.ctx.fillText('RL', x0 + 4 * devicePixelRatio, u.bbox.top + 12 * devicePixelRatio);
              u.ctx.restore();
            },
          ],
        },
      };
      const u = new uPlot(opts, data, el);
      plot.current = { u, key };
    });
    return () => cancelAnimationFrame(frame.current);
  }, [spec, runs, mode]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      const u = plot.current?.u;
      if (u && Math.abs(u.width - el.clientWidth) > 2) u.setSize({ width: Math.max(200, el.clientWidth), height: u.height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.u.destroy();
      plot.current = null;
    };
  }, []);

  const png = () => {
    const u = plot.current?.u;
    if (!u) return;
    const a = document.createElement('a');
    a.href = u.ctx.canvas.toDataURL('image/png');
    a.download = `${spec.id}.png`;
    a.click();
  };

  const extra = props.points !== undefined ? { 'data-points': props.points } : {};
  const lines = linesOf(spec, runs);
  const empty = !runs.some((r) => lines.some((l) => (r.data.col(l.type, l.key)?.length ?? 0) > 0));
  return (
    <figure className={`chart${spec.height && spec.height < 170 ? ' chart-small' : ''}`} data-testid={props.testId} data-chart={spec.id} {...extra}>
      <figcaption>
        <span title={spec.help}>
          {spec.title}
          {spec.help && <span className="help-mark" aria-hidden="true"> ?</span>}
        </span>
        <button type="button" className="link" onClick={png} title="Download this chart as PNG">
          PNG
        </button>
      </figcaption>
      <div className="chart-body">
        <div ref={host} className="chart-host" />
        {empty && <div className="chart-empty muted">No data yet: start a run or resume a saved one.</div>}
      </div>
    </figure>
  );
});
