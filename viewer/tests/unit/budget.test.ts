import { describe, expect, it } from 'vitest';
import { chooseEvictions, defaultBudget, formatBytes, IntervalSet, parseBytes } from '../../src/data/budget';
import { decodeChunk, type Chunk } from '../../src/data/chunk';
import { buildChunkPayload, rid } from '../fixtures.mjs';

const S = 'Scalars:scalars';

/** A chunk of `entity` with rows at frames [f0, f1), RowIds (t, inc = frame). */
function chunk(entity: string, t: number, f0: number, f1: number, isStatic = false): Chunk {
  const rows = [];
  for (let f = f0; f < f1; f++) rows.push({ id: rid(t, f), times: isStatic ? {} : { frame: BigInt(f) }, cells: { [S]: [f] } });
  return decodeChunk(buildChunkPayload(entity, isStatic ? {} : { frame: 'sequence' }, [S], rows));
}

describe('parseBytes', () => {
  it('reads sizes with binary and decimal units', () => {
    expect(parseBytes('512MiB')).toBe(512 * 1024 * 1024);
    expect(parseBytes('64 MiB')).toBe(64 * 1024 * 1024);
    expect(parseBytes('1.5GB')).toBe(1.5e9);
    expect(parseBytes('1g')).toBe(1024 ** 3);
    expect(parseBytes('1000')).toBe(1000);
    expect(parseBytes('')).toBe(null);
    expect(parseBytes('12 parsecs')).toBe(null);
    expect(parseBytes('-5MB')).toBe(null);
    expect(parseBytes('0')).toBe(null);
  });
  it('formats bytes', () => {
    expect(formatBytes(512 * 1024 * 1024)).toBe('512 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(100)).toBe('100 B');
  });
  it('defaults to min(1 GiB, deviceMemory / 4)', () => {
    expect(defaultBudget(undefined)).toBe(1024 ** 3);
    expect(defaultBudget(8)).toBe(1024 ** 3);
    expect(defaultBudget(2)).toBe(512 * 1024 ** 2);
    expect(defaultBudget(0.5)).toBe(128 * 1024 ** 2);
  });
});

describe('chooseEvictions', () => {
  const bytes = () => 100;
  it('drops the oldest temporal chunks first, never static data or an entity newest chunk', () => {
    const a1 = chunk('/a', 1, 0, 10);
    const a2 = chunk('/a', 2, 10, 20);
    const a3 = chunk('/a', 3, 20, 30);
    const b1 = chunk('/b', 4, 0, 10);
    const s = chunk('/a', 0, 0, 1, true);
    // Arrival order is not RowId order.
    const all = [a3, b1, s, a2, a1];
    expect(chooseEvictions(all, 500, 400, bytes)).toEqual([a1]);
    expect(chooseEvictions(all, 500, 300, bytes)).toEqual([a1, a2]);
    // a3 (newest of /a), b1 (only chunk of /b) and the static chunk stay.
    expect(chooseEvictions(all, 500, 0, bytes)).toEqual([a1, a2]);
    expect(chooseEvictions(all, 400, 400, bytes)).toEqual([]);
  });
  it('keeps chunks with rows in the window the user scrubbed to', () => {
    const a1 = chunk('/a', 1, 0, 10);
    const a2 = chunk('/a', 2, 10, 20);
    const a3 = chunk('/a', 3, 20, 30);
    expect(chooseEvictions([a1, a2, a3], 300, 0, bytes, { timeline: 'frame', min: 5n, max: 9n })).toEqual([a2]);
    expect(chooseEvictions([a1, a2, a3], 300, 0, bytes, { timeline: 'other', min: 5n, max: 9n })).toEqual([a1, a2]);
  });
});

describe('IntervalSet', () => {
  it('merges touching intervals and subtracts windows', () => {
    const s = new IntervalSet();
    s.add(0n, 9n);
    s.add(20n, 29n);
    s.add(10n, 12n);
    expect(s.intervals).toEqual([[0n, 12n], [20n, 29n]]);
    expect(s.contains(11n)).toBe(true);
    expect(s.contains(15n)).toBe(false);
    s.subtract(5n, 22n);
    expect(s.intervals).toEqual([[0n, 4n], [23n, 29n]]);
    s.add(0n, 100n);
    expect(s.intervals).toEqual([[0n, 100n]]);
  });
});
