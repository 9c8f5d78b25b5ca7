// The chunks the viewer holds, indexed per entity and component, and the viewer's own
// latest-at and range lookups over them (DESIGN.md §4 semantics).
import { compareRowIds, isLogged, type Chunk, type ComponentColumn, type TimeType } from './chunk';

export interface ComponentInfo {
  readonly name: string;
  readonly archetype: string;
  readonly field: string;
  readonly componentType: string;
}

export interface EntityInfo {
  readonly path: string;
  /** Every chunk of the entity, in arrival order. */
  readonly chunks: Chunk[];
  /** Chunks holding each component column. */
  readonly byComponent: Map<string, Chunk[]>;
  readonly components: Map<string, ComponentInfo>;
  /** Bumped on every change to this entity's chunks. */
  version: number;
}

export interface TimelineInfo {
  readonly name: string;
  readonly type: TimeType;
  min: bigint;
  max: bigint;
  /** Rows on this timeline across all chunks. */
  rows: number;
}

/** The row a latest-at lookup found: its chunk, row index and time (null for static). */
export interface RowRef {
  readonly chunk: Chunk;
  readonly row: number;
  readonly time: bigint | null;
}

/** Rows [start, end) of a chunk, or the listed rows when the chunk is not time-sorted. */
export interface RangeSlice {
  readonly chunk: Chunk;
  readonly start: number;
  readonly end: number;
  /** Row indices in (time, RowId) order, when not a contiguous run. */
  readonly rows?: Int32Array;
}

/** Index of the first element > t in a sorted BigInt64Array. */
export function upperBound(values: BigInt64Array, t: bigint, lo = 0, hi = values.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element >= t in a sorted BigInt64Array. */
export function lowerBound(values: BigInt64Array, t: bigint, lo = 0, hi = values.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The best row of a static chunk for a component: the logged row with the greatest RowId. */
function latestStaticRow(chunk: Chunk, col: ComponentColumn): number {
  let best = -1;
  if (chunk.rowIdsSorted) {
    for (let r = chunk.numRows - 1; r >= 0; r--) if (isLogged(col, r)) return r;
    return -1;
  }
  for (let r = 0; r < chunk.numRows; r++) {
    if (isLogged(col, r) && (best < 0 || compareRowIds(chunk.rowIds, r, chunk.rowIds, best) > 0)) best = r;
  }
  return best;
}

/** Latest-at within one temporal chunk: greatest (time, RowId) with time <= t, logged. */
export function latestAtInChunk(chunk: Chunk, component: string, timeline: string, t: bigint): number {
  const col = chunk.components.get(component);
  const time = chunk.times.get(timeline);
  if (!col || !time || time.min > t) return -1;
  const v = time.values;
  let best = -1;
  if (time.sorted) {
    let r = upperBound(v, t) - 1;
    while (r >= 0 && !isLogged(col, r)) r--;
    if (r < 0) return -1;
    best = r;
    // Rows sharing that time are ordered by RowId, not by position.
    for (let k = r - 1; k >= 0 && v[k] === v[r]; k--) {
      if (isLogged(col, k) && compareRowIds(chunk.rowIds, k, chunk.rowIds, best) > 0) best = k;
    }
    return best;
  }
  for (let r = 0; r < chunk.numRows; r++) {
    if (v[r] > t || !isLogged(col, r)) continue;
    if (best < 0 || v[r] > v[best] || (v[r] === v[best] && compareRowIds(chunk.rowIds, r, chunk.rowIds, best) > 0)) {
      best = r;
    }
  }
  return best;
}

function better(a: RowRef | null, chunk: Chunk, row: number, time: bigint): boolean {
  if (!a) return true;
  if (time !== a.time) return time > (a.time as bigint);
  return compareRowIds(chunk.rowIds, row, a.chunk.rowIds, a.row) > 0;
}

export class ViewerStore {
  readonly chunks = new Map<string, Chunk>();
  readonly entities = new Map<string, EntityInfo>();
  readonly timelines = new Map<string, TimelineInfo>();
  /** Bumped on every change. */
  version = 0;
  /** Bytes of the Arrow payloads of the chunks held. */
  bytes = 0;
  /** Rows of the chunks held. */
  rows = 0;
  /** Bytes of the ArrayBuffers the chunks' columns view (each buffer counted once). */
  bufferBytes = 0;
  private readonly buffers = new Map<ArrayBufferLike, number>();
  private readonly kept = new Map<string, { type: TimeType; min: bigint; max: bigint }>();
  private timelinesStale = false;

  private holdBuffer(chunk: Chunk, delta: 1 | -1): void {
    const buf = chunk.buffer;
    const n = (this.buffers.get(buf) ?? 0) + delta;
    if (n === 0) {
      this.buffers.delete(buf);
      this.bufferBytes -= buf.byteLength;
    } else {
      if (n === 1 && delta === 1) this.bufferBytes += buf.byteLength;
      this.buffers.set(buf, n);
    }
  }

  add(chunk: Chunk): void {
    if (this.chunks.has(chunk.id)) return;
    this.chunks.set(chunk.id, chunk);
    this.bytes += chunk.byteLength;
    this.rows += chunk.numRows;
    this.holdBuffer(chunk, 1);
    let e = this.entities.get(chunk.entity);
    if (!e) {
      e = { path: chunk.entity, chunks: [], byComponent: new Map(), components: new Map(), version: 0 };
      this.entities.set(chunk.entity, e);
    }
    e.chunks.push(chunk);
    for (const col of chunk.components.values()) {
      let list = e.byComponent.get(col.name);
      if (!list) {
        list = [];
        e.byComponent.set(col.name, list);
        e.components.set(col.name, {
          name: col.name,
          archetype: col.archetype,
          field: col.field,
          componentType: col.componentType,
        });
      }
      list.push(chunk);
    }
    this.addTimelines(chunk);
    e.version++;
    this.version++;
  }

  /** Drops chunks (garbage collection, compaction); unknown ids are ignored. */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      const chunk = this.chunks.get(id);
      if (!chunk) continue;
      this.chunks.delete(id);
      this.bytes -= chunk.byteLength;
      this.rows -= chunk.numRows;
      this.holdBuffer(chunk, -1);
      const e = this.entities.get(chunk.entity)!;
      const drop = (list: Chunk[]) => {
        const i = list.indexOf(chunk);
        if (i >= 0) list.splice(i, 1);
      };
      drop(e.chunks);
      for (const col of chunk.components.keys()) {
        const list = e.byComponent.get(col)!;
        drop(list);
        if (list.length === 0) {
          e.byComponent.delete(col);
          e.components.delete(col);
        }
      }
      if (e.chunks.length === 0) this.entities.delete(chunk.entity);
      e.version++;
      this.timelinesStale = chunk.times.size > 0 || this.timelinesStale;
    }
    if (this.timelinesStale) this.recomputeTimelines();
    this.version++;
  }

  clear(): void {
    this.chunks.clear();
    this.entities.clear();
    this.timelines.clear();
    this.bytes = 0;
    this.rows = 0;
    this.bufferBytes = 0;
    this.buffers.clear();
    this.kept.clear();
    this.version++;
  }

  private recomputeTimelines(): void {
    this.timelines.clear();
    this.timelinesStale = false;
    for (const chunk of this.chunks.values()) this.addTimelines(chunk);
    for (const [name, k] of this.kept) {
      const tl = this.timelines.get(name);
      if (!tl) this.timelines.set(name, { name, type: k.type, min: k.min, max: k.max, rows: 0 });
      else {
        if (k.min < tl.min) tl.min = k.min;
        if (k.max > tl.max) tl.max = k.max;
      }
    }
  }

  /**
   * Keeps [min, max] within the timeline's range even when no chunk held covers it any
   * more (chunks the memory budget dropped: the user can still scrub there).
   */
  keepTimelineRange(name: string, type: TimeType, min: bigint, max: bigint): void {
    const k = this.kept.get(name);
    if (!k) this.kept.set(name, { type, min, max });
    else {
      if (min < k.min) k.min = min;
      if (max > k.max) k.max = max;
    }
    // At once, too: a paged file's range is kept before any of its chunks arrives.
    const tl = this.timelines.get(name);
    if (!tl) this.timelines.set(name, { name, type, min, max, rows: 0 });
    else if (min < tl.min || max > tl.max) {
      if (min < tl.min) tl.min = min;
      if (max > tl.max) tl.max = max;
    } else return;
    this.version++;
  }

  /** Widens the timelines' ranges and row counts by a chunk's time columns. */
  private addTimelines(chunk: Chunk): void {
    for (const time of chunk.times.values()) {
      const tl = this.timelines.get(time.name);
      if (!tl) {
        this.timelines.set(time.name, { name: time.name, type: time.type, min: time.min, max: time.max, rows: chunk.numRows });
      } else {
        if (time.min < tl.min) tl.min = time.min;
        if (time.max > tl.max) tl.max = time.max;
        tl.rows += chunk.numRows;
      }
    }
  }

  /** Archetypes logged on an entity (from the component descriptors). */
  archetypes(entity: string): Set<string> {
    const out = new Set<string>();
    const e = this.entities.get(entity);
    if (e) for (const c of e.components.values()) out.add(c.archetype);
    return out;
  }

  /**
   * Latest-at: the row with the greatest (time, RowId) with time <= t on `timeline` where
   * `component` is logged; a static row (greatest RowId) wins over all temporal rows.
   */
  latestAt(entity: string, component: string, timeline: string, t: bigint): RowRef | null {
    const chunks = this.entities.get(entity)?.byComponent.get(component);
    if (!chunks) return null;
    let staticBest: RowRef | null = null;
    let best: RowRef | null = null;
    for (const chunk of chunks) {
      if (chunk.isStatic) {
        const r = latestStaticRow(chunk, chunk.components.get(component)!);
        if (r >= 0 && (!staticBest || compareRowIds(chunk.rowIds, r, staticBest.chunk.rowIds, staticBest.row) > 0)) {
          staticBest = { chunk, row: r, time: null };
        }
        continue;
      }
      if (staticBest) continue;
      const time = chunk.times.get(timeline);
      if (!time || time.min > t) continue;
      if (best && time.max < (best.time as bigint)) continue;
      const r = latestAtInChunk(chunk, component, timeline, t);
      if (r >= 0 && better(best, chunk, r, time.values[r])) best = { chunk, row: r, time: time.values[r] };
    }
    return staticBest ?? best;
  }

  /**
   * Range: every row with t0 <= time <= t1 where the component is logged, as chunk slices
   * in time order. Static data wins: if present, its one visible row is the answer.
   */
  range(entity: string, component: string, timeline: string, t0: bigint, t1: bigint): RangeSlice[] {
    const chunks = this.entities.get(entity)?.byComponent.get(component);
    if (!chunks) return [];
    let staticRow: RowRef | null = null;
    for (const chunk of chunks) {
      if (!chunk.isStatic) continue;
      const r = latestStaticRow(chunk, chunk.components.get(component)!);
      if (r >= 0 && (!staticRow || compareRowIds(chunk.rowIds, r, staticRow.chunk.rowIds, staticRow.row) > 0)) {
        staticRow = { chunk, row: r, time: null };
      }
    }
    if (staticRow) return [{ chunk: staticRow.chunk, start: staticRow.row, end: staticRow.row + 1 }];
    const out: RangeSlice[] = [];
    for (const chunk of chunks) {
      const time = chunk.times.get(timeline);
      if (!time || time.max < t0 || time.min > t1) continue;
      const col = chunk.components.get(component)!;
      let from = 0;
      let to = chunk.numRows;
      if (time.sorted) {
        from = lowerBound(time.values, t0);
        to = upperBound(time.values, t1);
        if (to <= from) continue;
        if (!col.validity) {
          out.push(sortedRun(chunk, time.values, from, to));
          continue;
        }
      }
      const rows: number[] = [];
      for (let r = from; r < to; r++) {
        const v = time.values[r];
        if (v >= t0 && v <= t1 && isLogged(col, r)) rows.push(r);
      }
      if (rows.length) out.push(orderedRows(chunk, time.values, rows));
    }
    out.sort((a, b) => {
      const ta = a.chunk.times.get(timeline)!.values[a.rows ? a.rows[0] : a.start];
      const tb = b.chunk.times.get(timeline)!.values[b.rows ? b.rows[0] : b.start];
      return ta < tb ? -1 : ta > tb ? 1 : 0;
    });
    return out;
  }
}

/** A contiguous run of a time-sorted chunk; rows sharing a time are put in RowId order. */
function sortedRun(chunk: Chunk, times: BigInt64Array, start: number, end: number): RangeSlice {
  if (chunk.rowIdsSorted) return { chunk, start, end };
  for (let r = start + 1; r < end; r++) {
    if (times[r] === times[r - 1] && compareRowIds(chunk.rowIds, r - 1, chunk.rowIds, r) > 0) {
      const rows: number[] = [];
      for (let k = start; k < end; k++) rows.push(k);
      return orderedRows(chunk, times, rows);
    }
  }
  return { chunk, start, end };
}

function orderedRows(chunk: Chunk, times: BigInt64Array, rows: number[]): RangeSlice {
  rows.sort((a, b) => (times[a] < times[b] ? -1 : times[a] > times[b] ? 1 : compareRowIds(chunk.rowIds, a, chunk.rowIds, b)));
  return { chunk, start: rows[0], end: rows[rows.length - 1] + 1, rows: Int32Array.from(rows) };
}
