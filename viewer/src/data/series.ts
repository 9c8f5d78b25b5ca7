// A scalar time series: instance `instance` of every logged Scalars row of an entity on one
// timeline (a Scalars batch of n values is n series), as two
// growable Float64Arrays (x in plot units, y), in (time, RowId) order. Chunks that arrive
// in time order (live streams) are appended; anything else rebuilds from the store's range.
import { isLogged, type Chunk } from './chunk';
import { primitives } from './components';
import type { ViewerStore } from './store';
import { plotScale, timesToPlotUnits } from './time';
import * as C from './components.generated';

export const kScalarComponent = C.Scalars.scalars;

const widths = new WeakMap<Chunk, number>();

/** The most scalars any row of the entity holds: its number of series. */
export function scalarInstances(store: ViewerStore, entity: string): number {
  let n = 0;
  for (const c of store.entities.get(entity)?.byComponent.get(kScalarComponent) ?? []) {
    let w = widths.get(c);
    if (w === undefined) {
      const o = c.components.get(kScalarComponent)!.offsets;
      w = 0;
      for (let r = 0; r < c.numRows; r++) w = Math.max(w, o[r + 1] - o[r]);
      widths.set(c, w);
    }
    n = Math.max(n, w);
  }
  return n;
}

export class ScalarSeries {
  x = new Float64Array(1024);
  y = new Float64Array(1024);
  length = 0;
  private seen = new Set<string>();
  private lastTime: bigint | null = null;
  private entityVersion = -1;
  /** Bumped whenever the data changes. */
  version = 0;

  constructor(
    readonly entity: string,
    readonly timeline: string,
    readonly instance = 0,
  ) {}

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.x.length) return;
    let cap = this.x.length;
    while (cap < need) cap *= 2;
    const x = new Float64Array(cap);
    const y = new Float64Array(cap);
    x.set(this.x.subarray(0, this.length));
    y.set(this.y.subarray(0, this.length));
    this.x = x;
    this.y = y;
  }

  /** Brings the series up to date with the store; returns true if it changed. */
  update(store: ViewerStore): boolean {
    const e = store.entities.get(this.entity);
    if (!e) {
      if (this.length === 0 && this.seen.size === 0) return false;
      this.reset();
      return true;
    }
    if (e.version === this.entityVersion) return false;
    this.entityVersion = e.version;
    const chunks = e.byComponent.get(kScalarComponent) ?? [];
    const fresh: Chunk[] = [];
    let removed = false;
    const ids = new Set<string>();
    for (const c of chunks) {
      ids.add(c.id);
      if (!this.seen.has(c.id) && c.times.has(this.timeline)) fresh.push(c);
    }
    for (const id of this.seen) if (!ids.has(id)) removed = true;
    if (!removed && fresh.length === 0) return false;
    fresh.sort((a, b) => {
      const ta = a.times.get(this.timeline)!.min;
      const tb = b.times.get(this.timeline)!.min;
      return ta < tb ? -1 : ta > tb ? 1 : 0;
    });
    const appendable =
      !removed &&
      fresh.every((c, i) => {
        const t = c.times.get(this.timeline)!;
        const prevMax = i === 0 ? this.lastTime : fresh[i - 1].times.get(this.timeline)!.max;
        return t.sorted && c.rowIdsSorted && (prevMax === null || t.min > prevMax) && !c.isStatic;
      });
    if (appendable) {
      for (const c of fresh) this.appendChunk(c, 0, c.numRows, null);
    } else {
      this.reset();
      for (const s of store.range(this.entity, kScalarComponent, this.timeline, -(2n ** 63n), 2n ** 63n - 1n)) {
        this.appendChunk(s.chunk, s.start, s.end, s.rows ?? null);
      }
      this.sortIfOverlapping();
    }
    for (const c of chunks) if (c.times.has(this.timeline)) this.seen.add(c.id);
    this.version++;
    return true;
  }

  /** Chunks whose time ranges overlap leave x unsorted: sort the points (rare). */
  private sortIfOverlapping(): void {
    const n = this.length;
    const x = this.x;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = x[i - 1] <= x[i];
    if (sorted) return;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => x[a] - x[b] || a - b);
    const nx = new Float64Array(this.x.length);
    const ny = new Float64Array(this.y.length);
    for (let i = 0; i < n; i++) {
      nx[i] = x[order[i]];
      ny[i] = this.y[order[i]];
    }
    this.x = nx;
    this.y = ny;
  }

  private reset(): void {
    this.length = 0;
    this.seen.clear();
    this.lastTime = null;
  }

  /**
   * Appends rows [start, end) (or the listed rows) of a chunk. The common case — every row
   * holds one scalar — copies the typed arrays in bulk; other rows take their scalar number
   * `instance`, and rows with fewer scalars are skipped.
   */
  private appendChunk(chunk: Chunk, start: number, end: number, rows: Int32Array | null): void {
    const col = chunk.components.get(kScalarComponent)!;
    const time = chunk.times.get(this.timeline);
    const values = primitives(col) as Float64Array;
    const scale = time ? plotScale(time.type) : 1;
    const o = col.offsets;
    const inst = this.instance;
    if (inst === 0 && !rows && !col.validity && o[end] - o[start] === end - start && time) {
      // One scalar per row: the values are contiguous.
      const n = end - start;
      this.reserve(n);
      timesToPlotUnits(time.values.subarray(start, end), scale, this.x, this.length);
      this.y.set(values.subarray(o[start], o[end]), this.length);
      this.length += n;
    } else {
      const count = rows ? rows.length : end - start;
      this.reserve(count);
      for (let k = 0; k < count; k++) {
        const r = rows ? rows[k] : start + k;
        if (!isLogged(col, r) || o[r + 1] - o[r] <= inst) continue;
        this.x[this.length] = time ? Number(time.values[r]) * scale : 0;
        this.y[this.length] = values[o[r] + inst];
        this.length++;
      }
    }
    if (time && end > start) {
      const last = rows ? rows[rows.length - 1] : end - 1;
      const t = time.values[last];
      if (this.lastTime === null || t > this.lastTime) this.lastTime = t;
    }
  }
}
