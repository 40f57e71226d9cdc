// Thinning long chart series (src/ui/downsample.ts): short series pass unchanged; long ones keep
// at most ~max points, in increasing x, with the first and last points and every bucket's extremes
// (a single spike in 20,000 points survives).

import { describe, expect, it } from 'vitest';
import { downsample } from '../src/ui/downsample.ts';

describe('downsample', () => {
  it('passes a series that fits unchanged', () => {
    const xs = [1, 2, 3];
    const ys = [0.5, null, 0.7];
    expect(downsample(xs, ys, 10)).toEqual({ xs, ys });
  });

  it('thins 20,000 points to at most max, keeps order, ends and a lone spike and dip', () => {
    const n = 20_000;
    const xs = Array.from({ length: n }, (_, i) => i + 1);
    const ys: (number | null)[] = xs.map((x) => Math.sin(x / 500));
    ys[12_345] = 50;
    ys[777] = -50;
    ys[5000] = null;
    const out = downsample(xs, ys, 2000);
    expect(out.xs.length).toBeLessThanOrEqual(2002);
    expect(out.xs.length).toBeGreaterThan(1000);
    expect(out.xs.length).toBe(out.ys.length);
    for (let i = 1; i < out.xs.length; i++) expect(out.xs[i]!).toBeGreaterThan(out.xs[i - 1]!);
    expect(out.xs[0]).toBe(1);
    expect(out.xs[out.xs.length - 1]).toBe(n);
    expect(out.ys[out.xs.indexOf(12_346)]).toBe(50);
    expect(out.ys[out.xs.indexOf(778)]).toBe(-50);
    // Every kept point is a point of the input.
    for (let i = 0; i < out.xs.length; i++) expect(out.ys[i]).toBe(ys[out.xs[i]! - 1]);
  });
});
