import { describe, expect, it } from 'vitest';
import { decodeChunk } from '../../src/data/chunk';
import { ViewerStore } from '../../src/data/store';
import { formatTime } from '../../src/data/time';
import { defaultTimeline } from '../../src/ui/timeline';
import { ChannelDatatype, ColorModel, toRGBA } from '../../src/views/image_convert';
import { chooseViews, notDisplayed, space2d } from '../../src/views/layout';
import { buildChunkPayload, rid } from '../fixtures.mjs';

describe('chooseViews', () => {
  it('picks views from the archetypes of the component descriptors', () => {
    const s = new ViewerStore();
    const add = (entity: string, comps: string[], cells: Record<string, unknown[]>) =>
      s.add(decodeChunk(buildChunkPayload(entity, { frame: 'sequence', log_time: 'timestamp' }, comps, [
        { id: rid(1, s.chunks.size), times: { frame: 1n, log_time: 5n }, cells },
      ])));
    add('/plots/p0/s0', ['Scalars:scalars'], { 'Scalars:scalars': [1] });
    add('/plots/p1/s0', ['Scalars:scalars'], { 'Scalars:scalars': [1] });
    add('/world/lidar', ['Points3D:positions'], { 'Points3D:positions': [[0, 0, 0]] });
    add('/world/robot/x', ['Points3D:positions'], { 'Points3D:positions': [[0, 0, 0]] });
    add('/logs', ['TextLog:text', 'TextLog:level'], { 'TextLog:text': ['hi'], 'TextLog:level': ['INFO'] });
    add('/cloud', ['Points3D:positions'], { 'Points3D:positions': [[0, 0, 0]] });
    expect(chooseViews(s).map((v) => v.id)).toEqual(['spatial3d:/', 'spatial3d:/world', 'plots:/plots', 'text_log:/']);
    expect(defaultTimeline(s.timelines)).toBe('frame');
  });
});

describe('2D spaces', () => {
  const store = () => {
    const s = new ViewerStore();
    const add = (entity: string, comps: string[], cells: Record<string, unknown[]>) =>
      s.add(decodeChunk(buildChunkPayload(entity, { frame: 'sequence' }, comps, [{ id: rid(1, s.chunks.size), times: { frame: 1n }, cells }])));
    const img = { 'Image:buffer': [new Uint8Array(3)] };
    add('/cam', ['Pinhole:image_from_camera'], { 'Pinhole:image_from_camera': [[10, 0, 0, 0, 10, 0, 5, 5, 1]] });
    add('/cam/rgb', ['Image:buffer'], img);
    add('/cam/rgb/det', ['Boxes2D:half_sizes'], { 'Boxes2D:half_sizes': [[1, 1]] });
    add('/photo', ['Image:buffer'], img);
    add('/photo/mask', ['Image:buffer'], img);
    add('/photo/kp', ['Points2D:positions'], { 'Points2D:positions': [[1, 1]] });
    add('/sketch/pts', ['Points2D:positions'], { 'Points2D:positions': [[1, 1]] });
    add('/side/image', ['Image:buffer'], img);
    add('/side/dets', ['Boxes2D:half_sizes'], { 'Boxes2D:half_sizes': [[1, 1]] });
    add('/net/nodes', ['GraphNodes:node_ids'], { 'GraphNodes:node_ids': ['a'] });
    add('/ctx', ['AnnotationContext:context'], { 'AnnotationContext:context': [{ class_id: 1, label: 'x', color: null }] });
    add('/any', ['speed'], { speed: [1.5] });
    return s;
  };

  it('puts 2D data in the nearest camera, else the outermost image, else a view of its subtree', () => {
    const s = store();
    expect(space2d(s, '/cam/rgb/det')).toEqual({ kind: 'spatial2d', root: '/cam' });
    expect(space2d(s, '/photo/mask')).toEqual({ kind: 'image', root: '/photo' });
    expect(space2d(s, '/sketch/pts')).toBeNull();
    // Beside exactly one image: drawn over it.
    expect(space2d(s, '/side/dets')).toEqual({ kind: 'image', root: '/side/image' });
    expect(chooseViews(s).map((v) => v.id)).toEqual(['spatial3d:/', 'image:/photo', 'image:/side/image', 'spatial2d:/cam', 'spatial2d:/sketch', 'graph:/net']);
  });

  it('marks entities whose archetypes no view draws, not contexts', () => {
    expect([...notDisplayed(store())]).toEqual(['/any']);
  });
});

describe('toRGBA', () => {
  it('converts u8 RGB, BGR and L pixels', () => {
    const rgb = new Uint8Array([10, 20, 30, 40, 50, 60]);
    expect(Array.from(toRGBA(rgb, 2, 1, ColorModel.RGB, ChannelDatatype.U8))).toEqual([10, 20, 30, 255, 40, 50, 60, 255]);
    expect(Array.from(toRGBA(rgb, 2, 1, ColorModel.BGR, ChannelDatatype.U8))).toEqual([30, 20, 10, 255, 60, 50, 40, 255]);
    expect(Array.from(toRGBA(new Uint8Array([7, 9]), 2, 1, ColorModel.L, ChannelDatatype.U8))).toEqual([7, 7, 7, 255, 9, 9, 9, 255]);
  });

  it('maps wider types to 0..255 and reads misaligned buffers', () => {
    const u16 = new Uint8Array(5);
    new DataView(u16.buffer).setUint16(1, 1000, true);
    new DataView(u16.buffer).setUint16(3, 3000, true);
    const out = toRGBA(u16.subarray(1), 2, 1, ColorModel.L, ChannelDatatype.U16);
    expect([out[0], out[4]]).toEqual([0, 255]);
    const f = new Float32Array([0, 0.5, 1, 1]);
    const rgba = toRGBA(new Uint8Array(f.buffer), 1, 1, ColorModel.RGBA, ChannelDatatype.F32);
    expect(Array.from(rgba)).toEqual([0, 128, 255, 255]);
    expect(() => toRGBA(new Uint8Array(3), 2, 2, ColorModel.RGB, ChannelDatatype.U8)).toThrow(/needs 12/);
  });
});

describe('formatTime', () => {
  it('formats each time type', () => {
    expect(formatTime(42n, 'sequence')).toBe('#42');
    expect(formatTime(1_500_000_000n, 'duration')).toBe('1.500 s');
    expect(formatTime(1_700_000_000_123_000_000n, 'timestamp')).toBe('2023-11-14 22:13:20.123Z');
  });
});
