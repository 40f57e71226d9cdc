// Long runs in the charts: a series of more points than a chart has pixels is thinned to the
// lowest and highest point of each bucket (in x order), so a spike stays visible and the work per
// redraw stays bounded however long the run (10,000+ logged steps). Pure; the first and last
// points are always kept.

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
