// Applies the server's `chunks_removed` so that an entity never looks empty between the
// removal of compacted chunks and the arrival of the chunk that replaces them: a removal
// waits until a chunk of the same entity arrives (the replacement, or newer data), or until
// `graceMs` passed (garbage collection, where nothing replaces it).
import type { Chunk } from './chunk';
import type { ViewerStore } from './store';

export class DeferredRemovals {
  /** Chunk id -> when its removal was announced. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly store: ViewerStore,
    private readonly graceMs = 1000,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  removed(ids: Iterable<string>, now: number): void {
    for (const id of ids) if (this.store.chunks.has(id)) this.pending.set(id, now);
  }

  added(chunk: Chunk): void {
    this.store.add(chunk);
    if (this.pending.size === 0) return;
    const due: string[] = [];
    for (const id of this.pending.keys()) {
      if (this.store.chunks.get(id)?.entity === chunk.entity) due.push(id);
    }
    this.apply(due);
  }

  /** Applies removals older than the grace period. */
  tick(now: number): void {
    if (this.pending.size === 0) return;
    const due: string[] = [];
    for (const [id, at] of this.pending) if (now - at >= this.graceMs) due.push(id);
    this.apply(due);
  }

  clear(): void {
    this.pending.clear();
  }

  private apply(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.pending.delete(id);
    this.store.remove(ids);
  }
}
