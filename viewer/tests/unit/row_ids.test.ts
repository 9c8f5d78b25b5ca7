import { describe, expect, it } from 'vitest';
import { consecutiveRowIds, rowIdHex } from '../../src/data/chunk';

/** The oracle: (time_ns << 64 | (inc + i) mod 2^64) as 32 hex digits, with BigInt. */
function expected(timeNs: bigint, inc: bigint, i: number): string {
  const v = (timeNs << 64n) | ((inc + BigInt(i)) & ((1n << 64n) - 1n));
  return v.toString(16).padStart(32, '0');
}

describe('consecutiveRowIds', () => {
  it('makes first, first + 1, ... as 16 big-endian bytes, the inc carrying across 32 bits', () => {
    const t = 0x187a1b2c3d4e5f60n;
    const inc = 0x00000001fffffffen;
    const first = expected(t, inc, 0);
    const ids = consecutiveRowIds(first, 5);
    expect(ids.byteLength).toBe(80);
    for (let i = 0; i < 5; i++) expect(rowIdHex(ids, i)).toBe(expected(t, inc, i));
  });
  it('wraps the inc at 2^64 without touching time_ns (RowId::plus)', () => {
    const t = 5n;
    const inc = (1n << 64n) - 2n;
    const ids = consecutiveRowIds(expected(t, inc, 0), 4);
    for (let i = 0; i < 4; i++) expect(rowIdHex(ids, i)).toBe(expected(t, inc, i));
  });
});
