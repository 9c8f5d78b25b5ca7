// Typed views of component instances (docs/components.md). Each accessor returns the
// underlying typed array of a column's instances, so a row's batch is a subarray of it.
import { Type, type Data } from 'apache-arrow';
import type { ComponentColumn } from './chunk';

export type NumericArray =
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | Int8Array
  | Int16Array
  | Int32Array;

/** Instances of a primitive component (Color, Radius, Scalar, ClassId, ...). */
export function primitives(col: ComponentColumn): NumericArray {
  return col.instances.values as NumericArray;
}

/** Instances of a fixed_size_list<f32>[n] component (Position3D, HalfSize3D, ...), flat. */
export function fixedSizeFloats(col: ComponentColumn): { flat: Float32Array; size: number } {
  const d = col.instances;
  if (d.typeId !== Type.FixedSizeList) throw new Error(`${col.name}: not a fixed-size list`);
  const size = (d.type as unknown as { listSize: number }).listSize;
  return { flat: d.children[0].values as Float32Array, size };
}

/** Instances of a fixed_size_list<u8>[n] component (ViewCoordinates). */
export function fixedSizeBytes(col: ComponentColumn): { flat: Uint8Array; size: number } {
  const d = col.instances;
  const size = (d.type as unknown as { listSize: number }).listSize;
  return { flat: d.children[0].values as Uint8Array, size };
}

const utf8 = new TextDecoder();

/** The bytes of instance `k` of a binary or utf8 array. */
export function binaryAt(d: Data, k: number): Uint8Array {
  const o = d.valueOffsets as Int32Array;
  return (d.values as Uint8Array).subarray(o[k], o[k + 1]);
}

export function stringAt(d: Data, k: number): string {
  return utf8.decode(binaryAt(d, k));
}

/** Strings of instances [start, end) of a utf8 component. */
export function strings(col: ComponentColumn, start: number, end: number): string[] {
  const out: string[] = [];
  for (let k = start; k < end; k++) out.push(stringAt(col.instances, k));
  return out;
}

/**
 * Line strips (list<fixed_size_list<f32>[n]>): strip k spans points
 * [pointOffsets[k], pointOffsets[k+1]) of `points` (flat, `size` floats per point).
 */
export function lineStrips(col: ComponentColumn): { pointOffsets: Int32Array; points: Float32Array; size: number } {
  const d = col.instances;
  const pointList = d.children[0];
  const size = (pointList.type as unknown as { listSize: number }).listSize;
  return { pointOffsets: d.valueOffsets as Int32Array, points: pointList.children[0].values as Float32Array, size };
}

/** A struct component's child array by field name. */
export function structField(col: ComponentColumn, name: string): Data {
  const d = col.instances;
  const fields = (d.type as unknown as { children: { name: string }[] }).children;
  const i = fields.findIndex((f) => f.name === name);
  if (i < 0) throw new Error(`${col.name}: no struct field ${name}`);
  return d.children[i];
}

/** Colors are u32 0xRRGGBBAA. */
export function unpackColor(c: number): [number, number, number, number] {
  return [(c >>> 24) & 255, (c >>> 16) & 255, (c >>> 8) & 255, c & 255];
}

export function colorCss(c: number): string {
  const [r, g, b, a] = unpackColor(c);
  return `rgba(${r},${g},${b},${(a / 255).toFixed(3)})`;
}

/** A stable, pleasant default color for an entity without colors (0xRRGGBBAA). */
export function defaultColor(entity: string): number {
  let h = 2166136261;
  for (let i = 0; i < entity.length; i++) h = Math.imul(h ^ entity.charCodeAt(i), 16777619);
  const hue = ((h >>> 0) % 360) / 360;
  const [r, g, b] = hslToRgb(hue, 0.65, 0.6);
  return ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h * 12) % 12;
    const a = s * Math.min(l, 1 - l);
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
