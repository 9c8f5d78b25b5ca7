// The viewer's memory budget: how many bytes of chunk data (and what is derived from them)
// the page may hold. Set with `?memory_limit=512MiB` or in the UI; by default the smaller of
// 1 GiB and a quarter of the device's memory (navigator.deviceMemory, in GiB).
import { rowIdHex, type Chunk } from './chunk';

const kUnits: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** "512MiB", "1.5 GB", "1000000" -> bytes; null when it is not a size. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const unit = m[2].toLowerCase();
  const mult = unit === '' ? 1 : kUnits[unit];
  if (mult === undefined) return null;
  const bytes = Math.round(Number(m[1]) * mult);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : null;
}

/** 536870912 -> "512 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : +v.toFixed(v >= 100 ? 0 : 1)} ${units[u]}`;
}

/** min(1 GiB, deviceMemory / 4); 1 GiB when the browser does not say. */
export function defaultBudget(deviceMemoryGiB: number | undefined): number {
  const gib = 1024 ** 3;
  if (!deviceMemoryGiB || !(deviceMemoryGiB > 0)) return gib;
  return Math.min(gib, Math.round((deviceMemoryGiB * gib) / 4));
}


/** Smallest and greatest RowId of a chunk, as 32 hex digits (hex order is RowId order). */
const kRowIdSpan = new WeakMap<Chunk, [string, string]>();
export function rowIdSpan(chunk: Chunk): [string, string] {
  let span = kRowIdSpan.get(chunk);
  if (span) return span;
  if (chunk.numRows === 0) {
    span = ['', ''];
  } else if (chunk.rowIdsSorted) {
    span = [rowIdHex(chunk.rowIds, 0), rowIdHex(chunk.rowIds, chunk.numRows - 1)];
  } else {
    let lo = rowIdHex(chunk.rowIds, 0);
    let hi = lo;
    for (let r = 1; r < chunk.numRows; r++) {
      const h = rowIdHex(chunk.rowIds, r);
      if (h < lo) lo = h;
      if (h > hi) hi = h;
    }
    span = [lo, hi];
  }
  kRowIdSpan.set(chunk, span);
  return span;
}

/** A time window of one timeline whose chunks are kept (what the user scrubbed back to). */
export interface KeepWindow {
  readonly timeline: string;
  readonly min: bigint;
  readonly max: bigint;
}

/**
 * The chunks to drop so that `held` bytes come down to `target`, as the store's garbage
 * collection chooses them: temporal chunks, oldest first (by smallest RowId); never static
 * data, never the newest temporal chunk (greatest RowId) of each entity, never a chunk
 * with rows in `keep`. `bytesOf` says what dropping a chunk frees.
 */
export function chooseEvictions(
  chunks: Iterable<Chunk>,
  held: number,
  target: number,
  bytesOf: (c: Chunk) => number,
  keep: KeepWindow | null = null,
): Chunk[] {
  if (held <= target) return [];
  const newest = new Map<string, Chunk>();
  const temporal: Chunk[] = [];
  for (const c of chunks) {
    if (c.isStatic) continue;
    temporal.push(c);
    const n = newest.get(c.entity);
    if (!n || rowIdSpan(c)[1] > rowIdSpan(n)[1]) newest.set(c.entity, c);
  }
  const candidates = temporal.filter((c) => {
    if (newest.get(c.entity) === c) return false;
    if (keep) {
      const t = c.times.get(keep.timeline);
      if (t && t.max >= keep.min && t.min <= keep.max) return false;
    }
    return true;
  });
  candidates.sort((a, b) => (rowIdSpan(a)[0] < rowIdSpan(b)[0] ? -1 : rowIdSpan(a)[0] > rowIdSpan(b)[0] ? 1 : 0));
  const out: Chunk[] = [];
  for (const c of candidates) {
    if (held <= target) break;
    out.push(c);
    held -= bytesOf(c);
  }
  return out;
}

/** Closed intervals [min, max] of one timeline, kept merged and sorted. */
export class IntervalSet {
  private items: [bigint, bigint][] = [];

  get intervals(): readonly (readonly [bigint, bigint])[] {
    return this.items;
  }

  add(min: bigint, max: bigint): void {
    const out: [bigint, bigint][] = [];
    let lo = min;
    let hi = max;
    for (const [a, b] of this.items) {
      if (b < lo - 1n || a > hi + 1n) out.push([a, b]);
      else {
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
    }
    out.push([lo, hi]);
    out.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    this.items = out;
  }

  subtract(min: bigint, max: bigint): void {
    const out: [bigint, bigint][] = [];
    for (const [a, b] of this.items) {
      if (b < min || a > max) {
        out.push([a, b]);
        continue;
      }
      if (a < min) out.push([a, min - 1n]);
      if (b > max) out.push([max + 1n, b]);
    }
    this.items = out;
  }

  contains(t: bigint): boolean {
    return this.items.some(([a, b]) => a <= t && t <= b);
  }

  clear(): void {
    this.items = [];
  }
}
