// The memory budget paging a file the server holds (src/data/memory.ts): the `paged` extent
// marks the whole file as not held, a scrub asks for the window around the cursor, a
// narrowed answer counts only its window as held, an answer under the id of a chunk already
// held (another window of the same server chunk) replaces it, and a failed window is
// reported once and not asked for again on every frame.
import { describe, expect, it } from 'vitest';
import { decodeChunk, type Chunk } from '../../src/data/chunk';
import { MemoryBudget, type SubscribeMessage } from '../../src/data/memory';
import { ViewerStore } from '../../src/data/store';
import type { SubscribeAnswer } from '../../src/net/connection';
import { buildChunkPayload, rid } from '../fixtures.mjs';

const S = 'Scalars:scalars';

/** Frames [f0, f1) of `entity`, value = frame; `chunkId` to give a window of one chunk. */
function chunk(entity: string, f0: number, f1: number, chunkId?: string): Chunk {
  const rows = [];
  for (let f = f0; f < f1; f++) rows.push({ id: rid(1, f), times: { frame: BigInt(f) }, cells: { [S]: [f] } });
  return decodeChunk(buildChunkPayload(entity, { frame: 'sequence' }, [S], rows, { chunkId }));
}

/** Frames held for `entity`, sorted. */
function framesHeld(store: ViewerStore, entity: string): number[] {
  const out: number[] = [];
  for (const c of store.chunks.values()) {
    if (c.entity !== entity) continue;
    const t = c.times.get('frame')!;
    for (let i = 0; i < c.numRows; i++) out.push(Number(t.values[i]));
  }
  return out.sort((a, b) => a - b);
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function paged(): { store: ViewerStore; memory: MemoryBudget; asked: SubscribeMessage[]; answer: (a: SubscribeAnswer | Error) => void; errors: string[] } {
  const store = new ViewerStore();
  const asked: SubscribeMessage[] = [];
  const errors: string[] = [];
  let settle: ((a: SubscribeAnswer | Error) => void) | null = null;
  const memory = new MemoryBudget(
    store,
    1 << 20,
    (msg) => {
      asked.push(msg);
      return new Promise((resolve, reject) => {
        settle = (a) => (a instanceof Error ? reject(a) : resolve(a));
      });
    },
    (m) => errors.push(m),
  );
  // 1000 frames of /a, 4 MB: a window of 40% of the 1 MiB budget is about 100 frames.
  memory.notePaged({ path: '/f.reel', chunks: 10, bytes: 4_000_000, entities: ['/a'], timelines: [{ name: 'frame', type: 'sequence', min: '0', max: '999' }] });
  return { store, memory, asked, answer: (a) => settle!(a), errors };
}

describe('MemoryBudget over a paged file', () => {
  it('counts the whole file as not held and asks for the window at the cursor', async () => {
    const { store, memory, asked, answer } = paged();
    expect(memory.droppedRanges('frame')).toEqual([[0n, 999n]]);
    expect(store.timelines.get('frame')).toMatchObject({ min: 0n, max: 999n });
    memory.cursorMoved('frame', 'sequence', 500n);
    expect(asked).toHaveLength(1);
    expect(asked[0].entities).toEqual(['/a']);
    const lo = BigInt(asked[0].min);
    const hi = BigInt(asked[0].max);
    expect(lo < 500n && 500n < hi).toBe(true);
    expect(hi - lo).toBeGreaterThan(50n);
    expect(hi - lo).toBeLessThan(200n);
    // The server narrowed the window to 480..519 (what fit its cache).
    answer({ chunks: [chunk('/a', 480, 520)], min: '480', max: '519' });
    await flush();
    expect(framesHeld(store, '/a')).toEqual(Array.from({ length: 40 }, (_, i) => 480 + i));
    expect(memory.droppedRanges('frame')).toEqual([[0n, 479n], [520n, 999n]]);
    expect(memory.pagedFile?.windows).toBe(1);
    // Inside the window held: nothing is asked.
    memory.cursorMoved('frame', 'sequence', 500n);
    expect(asked).toHaveLength(1);
  });

  it('replaces a held window of a server chunk by another window of it', async () => {
    const { store, memory, asked, answer } = paged();
    const id = 'ab'.repeat(16);
    memory.cursorMoved('frame', 'sequence', 115n);
    answer({ chunks: [chunk('/a', 100, 131, id)], min: '100', max: '130' });
    await flush();
    memory.cursorMoved('frame', 'sequence', 500n);
    expect(asked).toHaveLength(2);
    // The same server chunk (one chunk spans the file), now frames 485..515.
    answer({ chunks: [chunk('/a', 485, 516, id)], min: '485', max: '515' });
    await flush();
    expect(framesHeld(store, '/a')).toEqual(Array.from({ length: 31 }, (_, i) => 485 + i));
    // The first window is not held any more, and counts as such.
    expect(memory.droppedRanges('frame').some(([a, b]) => a <= 115n && 115n <= b)).toBe(true);
  });

  it('reports a window the server failed to answer once, without asking again at once', async () => {
    const { memory, asked, answer, errors } = paged();
    memory.cursorMoved('frame', 'sequence', 500n);
    answer(new Error('big.reel: the chunk at byte 123 was truncated while being read'));
    await flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/paging in frame \d+\.\.\d+: big\.reel: the chunk at byte 123/);
    // Following or playing calls this every frame: no storm of subscribes.
    for (let i = 0; i < 10; i++) memory.cursorMoved('frame', 'sequence', 500n);
    expect(asked).toHaveLength(1);
    expect(memory.paging).toBe(false);
  });
});
