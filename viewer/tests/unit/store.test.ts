import { describe, expect, it } from 'vitest';
import { decodeChunk, decodeFrame, isLogged, rowIdHex } from '../../src/data/chunk';
import { ViewerStore } from '../../src/data/store';
import { buildChunkPayload, frame, rid } from '../fixtures.mjs';

const S = 'Scalars:scalars';

function scalarChunk(entity: string, rows: [number, bigint, number | null][], opts = {}) {
  return decodeChunk(
    buildChunkPayload(
      entity,
      { frame: 'sequence' },
      [S],
      rows.map(([id, t, v]) => ({ id: rid(1000, id), times: { frame: t }, cells: { [S]: v === null ? null : [v] } })),
      opts,
    ),
  );
}

function valueAt(store: ViewerStore, entity: string, t: bigint): number | null {
  const ref = store.latestAt(entity, S, 'frame', t);
  if (!ref) return null;
  const col = ref.chunk.components.get(S)!;
  return (col.instances.values as Float64Array)[col.offsets[ref.row]];
}

describe('decodeChunk', () => {
  it('reads header, row ids, time columns and components', () => {
    const c = scalarChunk('/a', [[1, 5n, 1.5], [2, 7n, null], [3, 9n, 2.5]]);
    expect(c.entity).toBe('/a');
    expect(c.numRows).toBe(3);
    expect(c.isStatic).toBe(false);
    expect(rowIdHex(c.rowIds, 2)).toBe('00000000000003e80000000000000003');
    const t = c.times.get('frame')!;
    expect(t.type).toBe('sequence');
    expect([...t.values]).toEqual([5n, 7n, 9n]);
    expect([t.min, t.max, t.sorted]).toEqual([5n, 9n, true]);
    const col = c.components.get(S)!;
    expect(col.archetype).toBe('Scalars');
    expect(col.componentType).toBe('reel.components.Scalar');
    expect([0, 1, 2].map((r) => isLogged(col, r))).toEqual([true, false, true]);
    expect(Array.from(col.offsets)).toEqual([0, 1, 1, 2]);
  });

  it('decodes a binary frame whose payload starts at an odd offset', () => {
    const payload = buildChunkPayload('/p', {}, ['Points3D:positions'], [
      { id: rid(1, 0), cells: { 'Points3D:positions': [[1, 2, 3], [4, 5, 6]] } },
    ]);
    const f = decodeFrame(frame(2, 77, payload));
    expect(f.kind).toBe(2);
    expect(f.requestId).toBe(77);
    expect(f.chunk.isStatic).toBe(true);
    const col = f.chunk.components.get('Points3D:positions')!;
    const flat = col.instances.children[0].values as Float32Array;
    expect(flat).toBeInstanceOf(Float32Array);
    expect(Array.from(flat.subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects payloads that are not reel chunks', () => {
    expect(() => decodeFrame(new Uint8Array([1, 0, 0]))).toThrow(/3 bytes/);
    expect(() => decodeChunk(new Uint8Array(16))).toThrow();
  });
});

describe('latest-at', () => {
  it('finds the greatest time <= t and skips rows where the component is null', () => {
    const s = new ViewerStore();
    s.add(scalarChunk('/a', [[1, 10n, 1], [2, 20n, 2], [3, 30n, null], [4, 40n, 4]]));
    expect(valueAt(s, '/a', 9n)).toBeNull();
    expect(valueAt(s, '/a', 10n)).toBe(1);
    expect(valueAt(s, '/a', 29n)).toBe(2);
    expect(valueAt(s, '/a', 35n)).toBe(2);
    expect(valueAt(s, '/a', 1000n)).toBe(4);
    expect(s.latestAt('/a', S, 'other_timeline', 1000n)).toBeNull();
  });

  it('orders rows that share a time by RowId, within and across chunks', () => {
    const s = new ViewerStore();
    // Same time, RowIds out of position order (an unsorted chunk).
    s.add(scalarChunk('/a', [[5, 10n, 5], [3, 10n, 3]], { sorted: false }));
    expect(valueAt(s, '/a', 10n)).toBe(5);
    s.add(scalarChunk('/a', [[4, 10n, 4]]));
    expect(valueAt(s, '/a', 10n)).toBe(5);
    s.add(scalarChunk('/a', [[9, 10n, 9]]));
    expect(valueAt(s, '/a', 10n)).toBe(9);
  });

  it('handles chunks that are not sorted by time', () => {
    const s = new ViewerStore();
    s.add(scalarChunk('/a', [[1, 30n, 3], [2, 10n, 1], [3, 20n, 2]]));
    expect(s.entities.get('/a')!.chunks[0].times.get('frame')!.sorted).toBe(false);
    expect(valueAt(s, '/a', 25n)).toBe(2);
    expect(valueAt(s, '/a', 15n)).toBe(1);
    expect(valueAt(s, '/a', 99n)).toBe(3);
  });

  it('lets static data win over temporal data, the greatest RowId among statics', () => {
    const s = new ViewerStore();
    s.add(scalarChunk('/a', [[1, 10n, 1]]));
    const stat = (id: number, v: number) =>
      decodeChunk(buildChunkPayload('/a', {}, [S], [{ id: rid(1000, id), cells: { [S]: [v] } }]));
    s.add(stat(7, 70));
    s.add(stat(6, 60));
    expect(valueAt(s, '/a', 0n)).toBe(70);
    expect(valueAt(s, '/a', 10n)).toBe(70);
    expect(s.latestAt('/a', S, 'frame', 10n)!.time).toBeNull();
  });

  it('forgets removed chunks and recomputes timeline bounds', () => {
    const s = new ViewerStore();
    const a = scalarChunk('/a', [[1, 10n, 1]]);
    const b = scalarChunk('/a', [[2, 20n, 2]]);
    s.add(a);
    s.add(b);
    expect(s.timelines.get('frame')!.max).toBe(20n);
    s.remove([b.id]);
    expect(valueAt(s, '/a', 100n)).toBe(1);
    expect(s.timelines.get('frame')!.max).toBe(10n);
    s.remove([a.id]);
    expect(s.entities.has('/a')).toBe(false);
  });
});

describe('range', () => {
  it('returns logged rows in [t0, t1] as chunk slices, each in (time, RowId) order', () => {
    const s = new ViewerStore();
    s.add(scalarChunk('/a', [[10, 30n, 3], [11, 40n, 4]]));
    s.add(scalarChunk('/a', [[1, 10n, 1], [2, 20n, null], [3, 25n, 2.5]]));
    s.add(scalarChunk('/a', [[21, 35n, 3.5], [20, 15n, 1.5]], { sorted: false }));
    const values: number[] = [];
    for (const sl of s.range('/a', S, 'frame', 10n, 35n)) {
      const col = sl.chunk.components.get(S)!;
      const rows = sl.rows ? Array.from(sl.rows) : Array.from({ length: sl.end - sl.start }, (_, i) => sl.start + i);
      for (const r of rows) values.push((col.instances.values as Float64Array)[col.offsets[r]]);
    }
    // Slices come per chunk in order of their first time; within a slice, time order.
    expect(values).toEqual([1, 2.5, 1.5, 3.5, 3]);
  });

  it('answers with the static row when there is one', () => {
    const s = new ViewerStore();
    s.add(scalarChunk('/a', [[1, 10n, 1]]));
    s.add(decodeChunk(buildChunkPayload('/a', {}, [S], [{ id: rid(5, 0), cells: { [S]: [42] } }])));
    const r = s.range('/a', S, 'frame', 0n, 100n);
    expect(r).toHaveLength(1);
    expect(r[0].chunk.isStatic).toBe(true);
  });
});

describe('DeferredRemovals', () => {
  it('keeps a removed chunk until its entity gets a new chunk, or the grace period ends', async () => {
    const { DeferredRemovals } = await import('../../src/data/removals');
    const s = new ViewerStore();
    const r = new DeferredRemovals(s, 1000);
    const a1 = scalarChunk('/a', [[1, 10n, 1]]);
    const b1 = scalarChunk('/b', [[2, 10n, 2]]);
    r.added(a1);
    r.added(b1);
    // Compaction: a1 is replaced by a2 (a1 + a new row); the removal comes first.
    r.removed([a1.id, b1.id, 'f'.repeat(32)], 0);
    expect(r.size).toBe(2);
    expect(valueAt(s, '/a', 10n)).toBe(1);
    const a2 = scalarChunk('/a', [[1, 10n, 1], [3, 20n, 3]]);
    r.added(a2);
    expect(s.chunks.has(a1.id)).toBe(false);
    expect(s.entities.get('/a')!.chunks).toEqual([a2]);
    // b1 has no replacement: it goes after the grace period.
    r.tick(999);
    expect(s.chunks.has(b1.id)).toBe(true);
    r.tick(1000);
    expect(s.entities.has('/b')).toBe(false);
    expect(r.size).toBe(0);
  });
});
