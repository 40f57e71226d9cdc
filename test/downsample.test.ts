// Thinning long chart series (src/ui/downsample.ts): short series pass unchanged; long ones keep
// at most ~max points, in increasing x, with the first and last points and every bucket's extremes
// (a single spike in 20,000 points survives). The running median against a direct computation.

import { describe, expect, it } from 'vitest';
import { downsample, runningMedian } from '../src/ui/downsample.ts';

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

describe('runningMedian', () => {
  it('is the median of each window of the last k non-null values, nulls kept', () => {
    const ys = [5, 1, null, 9, 3, 3, 8, null, 2, 7];
    const direct = (k: number) =>
      ys.map((y, i) => {
        if (y === null) return null;
        const w = ys.slice(Math.max(0, i - k + 1), i + 1).filter((v): v is number => v !== null).sort((a, b) => a - b);
        const m = w.length >> 1;
        return w.length % 2 ? w[m]! : (w[m - 1]! + w[m]!) / 2;
      });
    for (const k of [1, 2, 3, 4, 10]) expect(runningMedian(ys, k)).toEqual(direct(k));
    expect(runningMedian(ys, 3).slice(0, 5)).toEqual([5, 3, null, 5, 6]);
  });
});
