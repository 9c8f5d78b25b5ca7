// Min/max decimation for plots: when a window holds more points than pixels, keep per
// bucket (a fraction of a pixel column) the minimum and the maximum, in x order, so the
// drawn envelope is exactly that of the full data.

export interface XY {
  x: Float64Array;
  y: Float64Array;
}

/** Index of the first x >= v (x sorted ascending). */
export function lowerBoundF(x: Float64Array, v: number, n = x.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first x > v. */
export function upperBoundF(x: Float64Array, v: number, n = x.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The points of (x, y)[0, n) in [x0, x1] plus one neighbour on each side (so lines reach
 * the edges), reduced to at most 2 * buckets + 2 points: the first and last point, and
 * for each of `buckets` equal x intervals its minimum and maximum y in x order. Windows
 * that are already small enough come back as subarrays, without copies.
 */
export function decimateMinMax(x: Float64Array, y: Float64Array, n: number, x0: number, x1: number, buckets: number): XY {
  const i0 = Math.max(0, lowerBoundF(x, x0, n) - 1);
  const i1 = Math.min(n, upperBoundF(x, x1, n) + 1);
  if (i1 - i0 <= 2 * buckets + 2) return { x: x.subarray(i0, i1), y: y.subarray(i0, i1) };
  const ox = new Float64Array(2 * buckets + 2);
  const oy = new Float64Array(2 * buckets + 2);
  let m = 0;
  ox[m] = x[i0];
  oy[m++] = y[i0];
  const start = x[i0];
  const width = (x[i1 - 1] - start) / buckets || 1;
  let i = i0 + 1;
  const last = i1 - 1;
  while (i < last) {
    const b = Math.min(buckets - 1, Math.floor((x[i] - start) / width));
    const end = b === buckets - 1 ? last : Math.min(last, lowerBoundF(x, start + (b + 1) * width, last));
    let lo = i;
    let hi = i;
    for (let k = i + 1; k < end; k++) {
      const v = y[k];
      if (v < y[lo]) lo = k;
      if (v > y[hi]) hi = k;
    }
    const a = lo < hi ? lo : hi;
    const c = lo < hi ? hi : lo;
    ox[m] = x[a];
    oy[m++] = y[a];
    if (c !== a) {
      ox[m] = x[c];
      oy[m++] = y[c];
    }
    i = Math.max(end, i + 1);
  }
  ox[m] = x[last];
  oy[m++] = y[last];
  return { x: ox.subarray(0, m), y: oy.subarray(0, m) };
}
