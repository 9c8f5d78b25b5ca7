// Decodes chunk payloads written by reel's C++ writer (tests/interop/write_fixtures.cpp,
// run by CTest into REEL_INTEROP_DIR; without it these tests are reported as skipped) through the viewer's own paths: the binary frame,
// decodeChunk, and the raw typed arrays the views read (values, offsets, children).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Data } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { decodeFrame, isLogged, rowIdHex, type ComponentColumn } from '../../src/data/chunk';
import { fixedSizeFloats, lineStrips, primitives, stringAt, binaryAt, structField } from '../../src/data/components';
import { ViewerStore } from '../../src/data/store';
import { frame } from '../fixtures.mjs';

const dir = process.env.REEL_INTEROP_DIR;

function instanceValue(d: Data, k: number): unknown {
  const t = d.type as unknown as { typeId: Type; bitWidth?: number; listSize?: number; children?: { name: string }[] };
  // A null inside an instance (a nullable struct field, such as TensorData's names).
  const validity = d.nullBitmap as Uint8Array | undefined;
  if (d.nullCount > 0 && validity && validity.length > 0) {
    const bit = d.offset + k;
    if ((validity[bit >> 3] & (1 << (bit & 7))) === 0) return null;
  }
  switch (d.typeId) {
    case Type.Int:
      return t.bitWidth === 64 ? String(d.values[k]) : Number(d.values[k]);
    case Type.Float:
      return Number(d.values[k]);
    case Type.Bool: {
      const bit = d.offset + k;
      return ((d.values as Uint8Array)[bit >> 3] & (1 << (bit & 7))) !== 0;
    }
    case Type.Utf8:
      return stringAt(d, k);
    case Type.Binary:
      return Array.from(binaryAt(d, k));
    case Type.FixedSizeList:
      return Array.from({ length: t.listSize! }, (_, j) => instanceValue(d.children[0], k * t.listSize! + j));
    case Type.List: {
      const o = d.valueOffsets as Int32Array;
      return Array.from({ length: o[k + 1] - o[k] }, (_, j) => instanceValue(d.children[0], o[k] + j));
    }
    case Type.Struct:
      return Object.fromEntries(t.children!.map((f, i) => [f.name, instanceValue(d.children[i], k)]));
    default:
      throw new Error(`type ${Type[d.typeId]}`);
  }
}

function rowValue(col: ComponentColumn, row: number): unknown {
  if (!isLogged(col, row)) return null;
  const out = [];
  for (let k = col.offsets[row]; k < col.offsets[row + 1]; k++) out.push(instanceValue(col.instances, k));
  return out;
}

interface Expected {
  entity_path: string;
  chunk_id: string;
  num_rows: number;
  row_ids: string[];
  timelines: { name: string; time_type: string; values: string[] }[];
  components: { name: string; archetype: string; archetype_field: string; component_type: string; rows: unknown[] }[];
}

describe.runIf(dir)('chunks written by reel (interop fixtures)', () => {
  const expected = dir ? (JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, Expected>) : {};
  const load = (name: string) => decodeFrame(frame(1, 0, new Uint8Array(readFileSync(join(dir!, `${name}.arrows`))))).chunk;

  it('covers every fixture the writer produced', () => {
    // table, types and times_* are plain record batches (query outputs) for tests/interop/check_chunks.mjs, not chunks.
    const plain = new Set(['table.arrows', 'types.arrows', 'times_d.arrows', 'times_t.arrows']);
    const files = readdirSync(dir!).filter((f) => f.endsWith('.arrows') && !plain.has(f));
    expect(files.map((f) => f.replace('.arrows', '')).sort()).toEqual(Object.keys(expected).sort());
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  for (const name of Object.keys(expected)) {
    it(`decodes ${name} with every value`, () => {
      const want = expected[name];
      const c = load(name);
      expect(c.entity).toBe(want.entity_path);
      expect(c.id).toBe(want.chunk_id);
      expect(c.numRows).toBe(want.num_rows);
      expect(c.isStatic).toBe(want.timelines.length === 0);
      expect(Array.from({ length: c.numRows }, (_, i) => rowIdHex(c.rowIds, i))).toEqual(want.row_ids);
      for (const tl of want.timelines) {
        const t = c.times.get(tl.name)!;
        expect(t.type).toBe(tl.time_type);
        expect(Array.from(t.values, String)).toEqual(tl.values);
      }
      expect([...c.components.keys()]).toEqual(want.components.map((x) => x.name));
      for (const wc of want.components) {
        const col = c.components.get(wc.name)!;
        expect([col.archetype, col.field, col.componentType]).toEqual([wc.archetype, wc.archetype_field, wc.component_type]);
        const got = Array.from({ length: c.numRows }, (_, r) => rowValue(col, r));
        expect(JSON.parse(JSON.stringify(got))).toEqual(JSON.parse(JSON.stringify(wc.rows)));
      }
    });
  }

  it('gives the views typed arrays in place', () => {
    const points = load('points3d');
    const pos = points.components.get('Points3D:positions')!;
    const { flat, size } = fixedSizeFloats(pos);
    expect(flat).toBeInstanceOf(Float32Array);
    expect(size).toBe(3);
    // Row 3 logged 4 points: k, 0.75, -k.
    const s = pos.offsets[3];
    expect(Array.from(flat.subarray(s * 3, s * 3 + 12))).toEqual([0, 0.75, -0, 1, 0.75, -1, 2, 0.75, -2, 3, 0.75, -3]);
    expect(primitives(points.components.get('Points3D:colors')!)).toBeInstanceOf(Uint32Array);

    const shapes = load('shapes');
    const strips = lineStrips(shapes.components.get('LineStrips3D:strips')!);
    expect(Array.from(strips.pointOffsets.subarray(0, 4))).toEqual([0, 2, 5, 5]);
    expect(Array.from(strips.points.subarray(6, 9))).toEqual([1, 1, 1]);

    const camera = load('camera');
    const format = camera.components.get('Image:format')!;
    expect(Number(structField(format, 'width').values[0])).toBe(2);
    expect(Number(structField(format, 'color_model').values[0])).toBe(2);
  });

  it('answers latest-at on the sliced chunk (offsets not starting at zero)', () => {
    const store = new ViewerStore();
    const c = load('sliced');
    store.add(c);
    const want = expected.sliced;
    const frames = want.timelines[0].values.map(Number);
    // At each frame, the latest logged labels row at or before it.
    for (let i = 0; i < frames.length; i++) {
      const ref = store.latestAt('/sliced', 'Points3D:labels', 'frame', BigInt(frames[i]));
      let k = i;
      while (k >= 0 && want.components[0].rows[k] === null) k--;
      if (k < 0) expect(ref).toBeNull();
      else expect(rowValue(ref!.chunk.components.get('Points3D:labels')!, ref!.row)).toEqual(want.components[0].rows[k]);
    }
  });
});
