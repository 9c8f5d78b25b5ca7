import { describe, expect, it } from 'vitest';
import { decodeChunk } from '../../src/data/chunk';
import { ViewerStore } from '../../src/data/store';
import { selectionRows } from '../../src/ui/selection_panel';
import { f32Text, instanceTexts, valueText } from '../../src/ui/values';
import { pick2d, plotValues } from '../../src/views/pick';
import type { Primitives2D } from '../../src/views/primitives2d';
import type { ViewContext } from '../../src/views/view';
import { buildChunkPayload, rid } from '../fixtures.mjs';

function ctxAt(store: ViewerStore, time: bigint): ViewContext {
  return {
    store,
    timeline: 'frame',
    timeType: 'sequence',
    time,
    storeVersion: store.version,
    cursorVersion: 0,
    visibilityVersion: 0,
    isVisible: () => true,
    setTime: () => {},
  };
}

describe('values as text', () => {
  it('f32 as the shortest decimal that reads back as the same float', () => {
    expect(f32Text(Math.fround(0.1))).toBe('0.1');
    expect(f32Text(Math.fround(1.5))).toBe('1.5');
    expect(f32Text(Math.fround(1 / 3))).toBe('0.33333334');
    expect(f32Text(Math.fround(-3))).toBe('-3');
  });

  it('vectors, colors, strings, binaries and structs; long lists truncated with their count', () => {
    const strip = Array.from({ length: 10 }, (_, i) => [i, 0, 0]);
    const c = decodeChunk(
      buildChunkPayload(
        '/e',
        { frame: 'sequence' },
        ['Points3D:positions', 'Points3D:colors', 'TextLog:text', 'Image:buffer', 'AnnotationContext:context', 'LineStrips3D:strips'],
        [
          {
            id: rid(1),
            times: { frame: 3n },
            cells: {
              'Points3D:positions': [[0.1, 2, -3], ...Array.from({ length: 11 }, (_, i) => [i, i, i])],
              'Points3D:colors': [0xff8000ff],
              'TextLog:text': ['a "q"'],
              'Image:buffer': [new Uint8Array(1000)],
              'AnnotationContext:context': [{ class_id: 1, label: 'person', color: 0xff0000ff }],
              'LineStrips3D:strips': [strip],
            },
          },
        ],
      ),
    );
    const col = (n: string) => c.components.get(n)!;
    expect(valueText(col('Points3D:positions').instances, 0, 'reel.components.Position3D')).toBe('[0.1, 2, -3]');
    expect(instanceTexts(col('Points3D:positions'), 0, 12)).toHaveLength(8);
    expect(valueText(col('Points3D:colors').instances, 0, 'reel.components.Color')).toBe('#ff8000ff');
    expect(valueText(col('TextLog:text').instances, 0, 'reel.components.Text')).toBe('"a \\"q\\""');
    expect(valueText(col('Image:buffer').instances, 0, 'reel.components.ImageBuffer')).toBe('1,000 bytes');
    expect(valueText(col('AnnotationContext:context').instances, 0, '')).toBe('{class_id: 1, label: "person", color: #ff0000ff}');
    expect(valueText(col('LineStrips3D:strips').instances, 0, '')).toBe('[[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0], [4, 0, 0], [5, 0, 0], [6, 0, 0], [7, 0, 0], … (10 in all)]');
  });
});

describe('selection rows', () => {
  it('each component as latest-at at the cursor reads it, with its row id and times; static rows say so', () => {
    const store = new ViewerStore();
    store.add(
      decodeChunk(
        buildChunkPayload('/s', { frame: 'sequence' }, ['Scalars:scalars'], [
          { id: rid(10, 1), times: { frame: 2n }, cells: { 'Scalars:scalars': [1.5] } },
          { id: rid(10, 2), times: { frame: 5n }, cells: { 'Scalars:scalars': [7] } },
        ]),
      ),
    );
    store.add(decodeChunk(buildChunkPayload('/s', {}, ['SeriesLines:names'], [{ id: rid(5), times: {}, cells: { 'SeriesLines:names': ['loss'] } }])));
    const at4 = selectionRows(ctxAt(store, 4n), { entity: '/s', instance: null });
    expect(at4.map((r) => [r.component, r.values, r.static, r.times, r.arrow_type])).toEqual([
      ['Scalars:scalars', ['1.5'], false, { frame: '2' }, 'Float64'],
      ['SeriesLines:names', ['"loss"'], true, {}, 'Utf8'],
    ]);
    expect(at4[0].row_id).toBe('000000000000000a0000000000000001');
    expect(selectionRows(ctxAt(store, 5n), { entity: '/s', instance: 0 })[0]).toMatchObject({ values: ['7'], instance_value: '7', times: { frame: '5' } });
    expect(selectionRows(ctxAt(store, 1n), { entity: '/s', instance: null }).map((r) => r.component)).toEqual(['SeriesLines:names']);
  });
});

describe('picking', () => {
  const prims = (list: Partial<Primitives2D>[]): Primitives2D[] => list.map((p) => ({ labels: [], key: '', drawOrder: 0, archetype: 'Points2D', entity: '/p', shapes: [], ...p }) as Primitives2D);

  it('2D: the topmost shape by draw order, then the later instance; images under them by pixel', () => {
    const p = prims([
      { entity: '/box', archetype: 'Boxes2D', drawOrder: 10, shapes: [{ kind: 'box', x0: 0, y0: 0, x1: 10, y1: 10, r: 0.5, color: 0 }] },
      {
        entity: '/pts',
        archetype: 'Points2D',
        drawOrder: 30,
        shapes: [
          { kind: 'point', x: 5, y: 5, r: 1, color: 0 },
          { kind: 'point', x: 5.5, y: 5, r: 1, color: 0 },
        ],
      },
    ]);
    const image = { entity: '/img', ready: true, width: 20, height: 20, drawOrder: -10 } as never;
    expect(pick2d('v', p, [image], 5.2, 5, 10, 1, 0)).toMatchObject({ entity: '/pts', instance: 1, archetype: 'Points2D' });
    expect(pick2d('v', p, [image], 2, 2, 10, 1, 0)).toMatchObject({ entity: '/box', instance: 0, archetype: 'Boxes2D' });
    expect(pick2d('v', p, [image], 15.7, 3.2, 10, 1, 0)).toMatchObject({ entity: '/img', instance: null, pixel: { x: 15, y: 3 } });
    expect(pick2d('v', p, [image], 25, 3, 10, 1, 0)).toMatchObject({ entity: null, instance: null });
  });

  it('plots: the sample x nearest the cursor, each series at its last sample at or before it', () => {
    const s = (name: string, xs: number[], ys: number[]) => ({ name, entity: `/${name}`, instance: 0, x: Float64Array.from(xs), y: Float64Array.from(ys), length: xs.length });
    const v = plotValues([s('a', [0, 1, 2, 3], [10, 11, 12, 13]), s('b', [0, 2.4], [5, 6]), s('c', [9], [1])], 2.3);
    expect(v).toEqual({
      x: 2.4,
      series: [
        { name: 'a', entity: '/a', instance: 0, x: 2, value: 12 },
        { name: 'b', entity: '/b', instance: 0, x: 2.4, value: 6 },
        { name: 'c', entity: '/c', instance: 0, x: null, value: null },
      ],
    });
    expect(plotValues([], 1)).toBeNull();
  });
});
