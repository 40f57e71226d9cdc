// The learning benchmark's pure part: a run's metrics.jsonl rows -> time and steps to reach each
// accuracy threshold, a learning-curve SVG and the docs/LEARNING.md table. No tfjs, no files: the
// command (cli/learncmd.ts) trains the task recipes in child processes and writes what this makes.

/** The eval-row fields the benchmark reads (greedy_acc is fully right: format, steps and answer). */
export interface EvalPoint {
  step: number;
  /** Held-out problems evaluated (a small problem space may hold fewer than asked). */
  n?: number;
  elapsed_s: number;
  greedy_acc: number;
  greedy_answer_acc?: number;
}

export interface LearnResult {
  task: string;
  /** The task knobs and the recipe's settings, as the run's config.json says. */
  config: string;
  target: { acc: number; minutes: number };
  /** Per threshold: first eval that reached it (steps, seconds since the run started), or null. */
  reached: { threshold: number; step: number; seconds: number }[];
  thresholds: number[];
  final: EvalPoint;
  best: number;
  tokensPerS: number;
  points: EvalPoint[];
  params: number;
}

export const THRESHOLDS = [0.5, 0.9, 0.95];

/** Parse metrics.jsonl text into its eval rows of the SFT phase (in order) and the median tokens/s. */
export function parseMetrics(text: string): { evals: EvalPoint[]; tokensPerS: number } {
  const evals: EvalPoint[] = [];
  const tps: number[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    if (row.type === 'eval' && row.phase === 'sft') evals.push(row as unknown as EvalPoint);
    if (row.type === 'step' && typeof row.tokens_per_s === 'number') tps.push(row.tokens_per_s);
  }
  tps.sort((a, b) => a - b);
  return { evals, tokensPerS: tps.length ? tps[Math.floor(tps.length / 2)]! : 0 };
}

/** The first eval at or above each threshold. */
export function firstReached(evals: readonly EvalPoint[], thresholds: readonly number[]): LearnResult['reached'] {
  const out: LearnResult['reached'] = [];
  for (const th of thresholds) {
    const e = evals.find((x) => x.greedy_acc >= th);
    if (e) out.push({ threshold: th, step: e.step, seconds: e.elapsed_s });
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const fmtTime = (s: number) => (s < 60 ? `${s.toFixed(0)} s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`);

/** A small learning-curve plot: fully-right (and answer-only, dashed) held-out accuracy by minute. */
export function curveSvg(r: LearnResult): string {
  const W = 360;
  const H = 200;
  const m = { l: 40, r: 10, t: 24, b: 30 };
  const tMax = Math.max(r.target.minutes * 60, ...r.points.map((p) => p.elapsed_s), 1);
  const x = (s: number) => m.l + (s / tMax) * (W - m.l - m.r);
  const y = (a: number) => m.t + (1 - a) * (H - m.t - m.b);
  const line = (f: (p: EvalPoint) => number | undefined) =>
    r.points
      .filter((p) => f(p) !== undefined)
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.elapsed_s).toFixed(1)},${y(f(p)!).toFixed(1)}`)
      .join(' ');
  const grid: string[] = [];
  for (const a of [0, 0.25, 0.5, 0.75, 1]) {
    grid.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(a)}" y2="${y(a)}" stroke="#ddd"/>`);
    grid.push(`<text x="${m.l - 4}" y="${y(a) + 4}" text-anchor="end">${a * 100}%</text>`);
  }
  const minutes = Math.ceil(tMax / 60);
  const every = minutes > 10 ? 5 : minutes > 4 ? 2 : 1;
  for (let mi = 0; mi <= minutes; mi += every) grid.push(`<text x="${x(mi * 60)}" y="${H - m.b + 14}" text-anchor="middle">${mi}</text>`);
  const tgt = `<line x1="${m.l}" x2="${x(r.target.minutes * 60)}" y1="${y(r.target.acc)}" y2="${y(r.target.acc)}" stroke="#c33" stroke-dasharray="4 3"/>` + `<line x1="${x(r.target.minutes * 60)}" x2="${x(r.target.minutes * 60)}" y1="${y(r.target.acc)}" y2="${H - m.b}" stroke="#c33" stroke-dasharray="4 3"/>`;
  const answer = line((p) => p.greedy_answer_acc);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${m.l}" y="14" font-size="12" font-weight="bold">${r.task}: held-out greedy accuracy</text>`,
    ...grid,
    `<text x="${(W + m.l) / 2}" y="${H - 4}" text-anchor="middle">minutes (2 CPU cores, wasm)</text>`,
    tgt,
    answer ? `<path d="${answer}" fill="none" stroke="#999" stroke-width="1.5" stroke-dasharray="3 2"/>` : '',
    `<path d="${line((p) => p.greedy_acc)}" fill="none" stroke="#1f6feb" stroke-width="2"/>`,
    `<text x="${W - m.r}" y="${m.t + 10}" text-anchor="end" fill="#1f6feb">fully right</text>`,
    answer ? `<text x="${W - m.r}" y="${m.t + 22}" text-anchor="end" fill="#777">answer only</text>` : '',
    `<text x="${W - m.r}" y="${m.t + 34}" text-anchor="end" fill="#c33">target</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** One table row per task, target met or not. */
export function learningTable(rs: readonly LearnResult[]): string {
  const out = [
    '| task | model (params) | target | reached 50% | reached 90% | reached 95% | final (fully right) | final answer-only | held-out n | tokens/s | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rs) {
    const at = (th: number) => {
      const h = r.reached.find((x) => x.threshold === th);
      return h ? `${fmtTime(h.seconds)} (step ${h.step})` : 'not reached';
    };
    const hit = r.points.find((p) => p.greedy_acc >= r.target.acc);
    const met = hit !== undefined && hit.elapsed_s <= r.target.minutes * 60;
    const f = r.final;
    out.push(
      `| ${r.task} | ${r.config} (${(r.params / 1000).toFixed(0)}k) | ≥ ${pct(r.target.acc)} in ${r.target.minutes} min | ${at(0.5)} | ${at(0.9)} | ${at(0.95)} | ${pct(f.greedy_acc)} at ${fmtTime(f.elapsed_s)} (step ${f.step}) | ${f.greedy_answer_acc === undefined ? '-' : pct(f.greedy_answer_acc)} | ${f.n ?? '-'} | ${Math.round(r.tokensPerS).toLocaleString('en-US')} | ${met ? `yes (${fmtTime(hit!.elapsed_s)})` : 'no'} |`,
    );
  }
  return out.join('\n');
}
