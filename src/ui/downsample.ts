// Long runs in the charts: a series of more points than a chart has pixels is thinned to the
// lowest and highest point of each bucket (in x order), so a spike stays visible and the work per
// redraw stays bounded however long the run (10,000+ logged steps); and a noisy line is smoothed
// by a running median. Pure; the first and last points are always kept.

/** At most ~`max` points of (xs, ys): per bucket of consecutive points, its min and its max. */
export function downsample(xs: number[], ys: (number | null)[], max: number): { xs: number[]; ys: (number | null)[] } {
  const n = xs.length;
  if (n <= max || max < 4) return { xs, ys };
  const buckets = Math.floor(max / 2);
  const size = n / buckets;
  const ox: number[] = [];
  const oy: (number | null)[] = [];
  const push = (i: number) => {
    if (ox.length && xs[i]! <= ox[ox.length - 1]!) return;
    ox.push(xs[i]!);
    oy.push(ys[i]!);
  };
  push(0);
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const y = ys[i];
      if (y === null || y === undefined) continue;
      if (lo < 0 || y < ys[lo]!) lo = i;
      if (hi < 0 || y > ys[hi]!) hi = i;
    }
    if (lo < 0) continue;
    for (const i of lo < hi ? [lo, hi] : [hi, lo]) push(i);
  }
  push(n - 1);
  return { xs: ox, ys: oy };
}

/** The median of each point's window of the last `k` non-null values (nulls stay null). */
export function runningMedian(ys: (number | null)[], k: number): (number | null)[] {
  const out: (number | null)[] = new Array(ys.length);
  const w = new Float64Array(k);
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] === null) {
      out[i] = null;
      continue;
    }
    // The window, insertion-sorted in a reused buffer (k is small): no allocation per point.
    let m = 0;
    for (let j = Math.max(0, i - k + 1); j <= i; j++) {
      const v = ys[j];
      if (v === null || v === undefined) continue;
      let p = m++;
      while (p > 0 && w[p - 1]! > v) (w[p] = w[p - 1]!), p--;
      w[p] = v;
    }
    const h = m >> 1;
    out[i] = m % 2 ? w[h]! : (w[h - 1]! + w[h]!) / 2;
  }
  return out;
}
