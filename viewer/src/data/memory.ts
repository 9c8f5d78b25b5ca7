// The viewer's memory budget at work: after chunks arrive, drop the oldest temporal chunks
// past the budget (budget.ts chooses them), remember which time ranges were dropped, and
// when the cursor goes back into one, ask the server for that window again (the `subscribe`
// message of docs/viewer-protocol.md) and keep its chunks while the cursor stays there.
import { chooseEvictions, IntervalSet, type KeepWindow } from './budget';
import type { Chunk, TimeType } from './chunk';
import type { PagedInfo, SubscribeAnswer } from '../net/connection';
import type { ViewerStore } from './store';

export interface SubscribeMessage {
  timeline: string;
  min: string;
  max: string;
  entities: string[];
}

/** Where the budget stands (for status() and the header). */
export interface BudgetState {
  budget: number;
  droppedChunks: number;
  droppedBytes: number;
  /** A subscribe was sent and its answer has not arrived. */
  paging: boolean;
}

/** A recording the server serves from a file larger than its memory. */
export interface PagedFile {
  path: string;
  bytes: number;
  chunks: number;
  /** Subscribes answered. */
  windows: number;
}

export class MemoryBudget {
  droppedChunks = 0;
  droppedBytes = 0;
  /** Bytes views derived from chunks (plot series), counted against the budget too. */
  derivedBytes = 0;
  private readonly dropped = new Map<string, IntervalSet>();
  private readonly droppedEntities = new Set<string>();
  private keep: KeepWindow | null = null;
  private pending: KeepWindow | null = null;
  /** Set when the server pages the recording from a file (its `paged` message). */
  pagedFile: PagedFile | null = null;

  constructor(
    private readonly store: ViewerStore,
    public budget: number,
    /** Sends a subscribe; resolves with its chunks. */
    private readonly subscribe: (msg: SubscribeMessage) => Promise<SubscribeAnswer>,
    /** Told when the server could not answer a window (the file was cut, ...). */
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /** After a failed subscribe, none is sent before this time (performance.now()). */
  private retryAt = 0;

  get paging(): boolean {
    return this.pending !== null;
  }

  /** Counts [min, max] of `timeline` as not held (scrubbing there asks the server). */
  private markNotHeld(timeline: string, min: bigint, max: bigint): void {
    let set = this.dropped.get(timeline);
    if (!set) this.dropped.set(timeline, (set = new IntervalSet()));
    set.add(min, max);
  }

  /** Time ranges of `timeline` whose chunks were dropped. */
  droppedRanges(timeline: string): readonly (readonly [bigint, bigint])[] {
    return this.dropped.get(timeline)?.intervals ?? [];
  }

  /** Forgets everything (a new connection sends the store afresh). */
  clear(): void {
    this.droppedChunks = 0;
    this.droppedBytes = 0;
    this.dropped.clear();
    this.droppedEntities.clear();
    this.keep = null;
    this.pending = null;
    this.pagedFile = null;
  }

  /**
   * The server holds the recording in a file larger than its memory and sent only part of it:
   * every time of the file counts as not held (so the timeline spans the whole file and
   * scrubbing anywhere asks for that window), and the file's bytes give the window's size.
   */
  notePaged(p: PagedInfo): void {
    this.pagedFile = { path: p.path, bytes: p.bytes, chunks: p.chunks, windows: 0 };
    for (const e of p.entities) this.droppedEntities.add(e);
    for (const t of p.timelines) {
      const min = BigInt(t.min);
      const max = BigInt(t.max);
      if (min > max) continue;
      this.markNotHeld(t.name, min, max);
      this.store.keepTimelineRange(t.name, t.type, min, max);
    }
  }

  /**
   * The server removed chunks the viewer holds (its garbage collection, when live data comes
   * into a paged recording): for a paged file their windows count as not held again, so
   * scrubbing there asks the server, which still has them in the file.
   */
  serverRemoved(ids: Iterable<string>): void {
    if (!this.pagedFile) return;
    for (const id of ids) {
      const c = this.store.chunks.get(id);
      if (!c || c.isStatic) continue;
      for (const t of c.times.values()) {
        this.markNotHeld(t.name, t.min, t.max);
      }
    }
  }

  /** Drops the oldest temporal chunks while the held bytes exceed the budget. */
  enforce(): void {
    const held = this.store.bufferBytes + this.derivedBytes;
    if (held <= this.budget) return;
    // Down to 85% so that eviction runs once per many arrivals, not on each.
    const victims = chooseEvictions(this.store.chunks.values(), held, this.budget * 0.85, (c) => c.buffer.byteLength, this.keep);
    if (victims.length === 0) return;
    for (const c of victims) this.noteDropped(c);
    this.store.remove(victims.map((c) => c.id));
  }

  private noteDropped(c: Chunk): void {
    this.droppedChunks++;
    this.droppedBytes += c.buffer.byteLength;
    this.droppedEntities.add(c.entity);
    for (const t of c.times.values()) {
      this.markNotHeld(t.name, t.min, t.max);
      this.store.keepTimelineRange(t.name, t.type, t.min, t.max);
    }
  }

  /** The user left the live edge for time `t`: page the window around it back in if dropped. */
  cursorMoved(timeline: string, type: TimeType, t: bigint): void {
    const set = this.dropped.get(timeline);
    if (!set || !set.contains(t) || this.pending) return;
    // A window the server failed to answer is not asked for again on every frame.
    if (performance.now() < this.retryAt) return;
    if (this.keep && this.keep.timeline === timeline && this.keep.min <= t && t <= this.keep.max) return;
    // A window holding about 40% of the budget, from the density of what was dropped.
    let span = 0n;
    for (const [a, b] of set.intervals) span += b - a + 1n;
    const perUnit = (this.droppedBytes + (this.pagedFile?.bytes ?? 0)) / Math.max(1, Number(span));
    const half = BigInt(Math.max(1, Math.floor((this.budget * 0.2) / Math.max(perUnit, 1e-9))));
    const window: KeepWindow = { timeline, min: t - half, max: t + half };
    this.pending = window;
    void type;
    const entities = [...this.droppedEntities].sort();
    this.subscribe({ timeline, min: String(window.min), max: String(window.max), entities })
      .then((answer) => {
        // The server may cover less than asked (what fits in its cache around the middle).
        const covered: KeepWindow = {
          timeline,
          min: answer.min !== undefined ? BigInt(answer.min) : window.min,
          max: answer.max !== undefined ? BigInt(answer.max) : window.max,
        };
        if (this.pagedFile) this.pagedFile.windows++;
        this.paged(covered, entities, answer.chunks);
      })
      .catch((e: Error) => {
        this.pending = null;
        if (e.message === 'another recording was selected' || e.message === 'not connected') return;
        this.retryAt = performance.now() + 2000;
        this.onError(`paging in ${timeline} ${window.min}..${window.max}: ${e.message}`);
      });
  }

  /** Back at the live edge: the paged window no longer needs to be kept. */
  following(): void {
    this.keep = null;
  }

  private paged(window: KeepWindow, entities: string[], chunks: Chunk[]): void {
    this.pending = null;
    // What the viewer still holds of those entities in the window is replaced by the
    // answer (which has every row of the window), so no row is held twice.
    const wanted = new Set(entities);
    // The answer's chunks carry the ids of the server's chunks, reduced to the window: a
    // chunk held under the same id (another window of it) is replaced too.
    const answered = new Set(chunks.map((c) => c.id));
    const stale: Chunk[] = [];
    for (const c of this.store.chunks.values()) {
      if (c.isStatic) continue;
      if (answered.has(c.id)) {
        stale.push(c);
        continue;
      }
      if (!wanted.has(c.entity)) continue;
      const t = c.times.get(window.timeline);
      if (t && t.max >= window.min && t.min <= window.max) stale.push(c);
    }
    for (const c of stale) {
      // Rows outside the window go with them.
      for (const t of c.times.values()) {
        this.markNotHeld(t.name, t.min, t.max);
      }
    }
    this.store.remove(stale.map((c) => c.id));
    for (const c of chunks) this.store.add(c);
    this.dropped.get(window.timeline)?.subtract(window.min, window.max);
    this.keep = window;
    this.enforce();
  }
}
