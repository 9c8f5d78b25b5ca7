import { describe, expect, it } from 'vitest';
import { decodeChunk } from '../../src/data/chunk';
import { decimateMinMax } from '../../src/data/decimate';
import { ScalarSeries } from '../../src/data/series';
import { ViewerStore } from '../../src/data/store';
import { timesToPlotUnits } from '../../src/data/time';
import { buildChunkPayload, rid } from '../fixtures.mjs';

const S = 'Scalars:scalars';
let inc = 0;

function chunk(times: number[], values: (number | null)[], timeline = 'frame', type: 'sequence' | 'duration' = 'sequence') {
  return decodeChunk(
    buildChunkPayload(
      '/s',
      { [timeline]: type },
      [S],
      times.map((t, i) => ({ id: rid(1, inc++), times: { [timeline]: BigInt(t) }, cells: { [S]: values[i] === null ? null : [values[i]] } })),
    ),
  );
}

describe('ScalarSeries', () => {
  it('appends chunks that arrive in time order and rebuilds for late ones', () => {
    const store = new ViewerStore();
    const s = new ScalarSeries('/s', 'frame');
    store.add(chunk([0, 1, 2], [0, 10, 20]));
    expect(s.update(store)).toBe(true);
    expect(Array.from(s.x.subarray(0, s.length))).toEqual([0, 1, 2]);
    store.add(chunk([3, 4], [30, null]));
    s.update(store);
    expect(Array.from(s.x.subarray(0, s.length))).toEqual([0, 1, 2, 3]);
    expect(Array.from(s.y.subarray(0, s.length))).toEqual([0, 10, 20, 30]);
    expect(s.update(store)).toBe(false);
    // A chunk from the past (overlapping): the series is rebuilt in time order.
    store.add(chunk([1.5 * 2, 0.5 * 2], [99, 98]));
    s.update(store);
    expect(Array.from(s.x.subarray(0, s.length))).toEqual([0, 1, 1, 2, 3, 3]);
    expect(Array.from(s.y.subarray(0, s.length)).slice(0, 3)).toEqual([0, 10, 98]);
  });

  it('converts nanoseconds to seconds exactly for large values', () => {
    const v = BigInt64Array.from([0n, 1_500_000_000n, 1_700_000_000_123_456_789n, -2_000_000_000n]);
    const out = new Float64Array(4);
    timesToPlotUnits(v, 1e-9, out, 0);
    expect(out[1]).toBeCloseTo(1.5, 12);
    expect(out[2]).toBeCloseTo(1_700_000_000.123456789, 5);
    expect(out[3]).toBeCloseTo(-2, 12);
  });
});

describe('decimateMinMax', () => {
  it('returns small windows as they are, without copies', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = x.map((v) => v * v);
    const d = decimateMinMax(x, y, 100, 10, 20, 64);
    expect(d.x.buffer).toBe(x.buffer);
    expect(d.x[0]).toBe(9);
    expect(d.x[d.x.length - 1]).toBe(21);
  });

  it('keeps every bucket extreme of 2M points in at most 2 * buckets + 2 points', () => {
    const n = 2_000_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i * 0.001;
      y[i] = Math.sin(i * 0.0007) + ((i * 7919) % 101) / 500;
    }
    y[1_234_567] = 50; // a spike that must survive
    y[345_678] = -50;
    const buckets = 800;
    const d = decimateMinMax(x, y, n, x[0], x[n - 1], buckets);
    expect(d.x.length).toBeLessThanOrEqual(2 * buckets + 2);
    expect(d.x.length).toBeGreaterThan(buckets);
    expect(Math.max(...d.y)).toBe(50);
    expect(Math.min(...d.y)).toBe(-50);
    expect(d.x[0]).toBe(x[0]);
    expect(d.x[d.x.length - 1]).toBe(x[n - 1]);
    for (let i = 1; i < d.x.length; i++) expect(d.x[i]).toBeGreaterThanOrEqual(d.x[i - 1]);
    // Every output point is an input point.
    for (let i = 0; i < d.x.length; i += 97) expect(y[Math.round(d.x[i] / 0.001)]).toBe(d.y[i]);
    // Per bucket, the envelope is exact: check a few buckets against a brute-force scan.
    const width = (x[n - 1] - x[0]) / buckets;
    for (const b of [0, 17, 399, 617, 799]) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 1; i < n - 1; i++) {
        if (Math.min(buckets - 1, Math.floor((x[i] - x[0]) / width)) !== b) continue;
        lo = Math.min(lo, y[i]);
        hi = Math.max(hi, y[i]);
      }
      const inBucket = Array.from(d.y).filter((_, i) => i > 0 && i < d.x.length - 1 && Math.min(buckets - 1, Math.floor((d.x[i] - x[0]) / width)) === b);
      expect(Math.min(...inBucket)).toBe(lo);
      expect(Math.max(...inBucket)).toBe(hi);
    }
  });

  it('decimates a zoomed-in window of the full data', () => {
    const n = 1_000_000;
    const x = Float64Array.from({ length: n }, (_, i) => i);
    const y = Float64Array.from({ length: n }, (_, i) => i % 1000);
    const d = decimateMinMax(x, y, n, 250_000, 260_000, 100);
    expect(d.x[0]).toBe(249_999);
    expect(d.x[d.x.length - 1]).toBe(260_001);
    expect(d.x.length).toBeLessThanOrEqual(202);
    expect(Math.max(...d.y)).toBe(999);
    expect(Math.min(...d.y)).toBe(0);
  });
});
