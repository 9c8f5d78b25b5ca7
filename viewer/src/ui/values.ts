// Arrow values as text for the selection panel and hover: numbers (f32 as the shortest
// decimal that reads back as the same float), strings, colors (#rrggbbaa), binaries by size,
// lists and structs, with long lists truncated and their count said.
import { makeVector, Type, type Data } from 'apache-arrow';
import type { ComponentColumn } from '../data/chunk';
import { isValidAt } from '../views/instances';

/** Elements of a list shown before "… (n more)". */
export const kMaxListItems = 8;

/** The shortest decimal that reads back as the same f32. */
export function f32Text(v: number): string {
  if (!isFinite(v)) return String(v);
  for (let p = 1; p <= 9; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return String(s);
  }
  return String(v);
}

export function colorHex(c: number): string {
  return `#${(c >>> 0).toString(16).padStart(8, '0')}`;
}

function isColorType(componentType: string): boolean {
  return componentType === 'Color' || componentType.endsWith('.Color');
}

function listText(d: Data, from: number, to: number): string {
  const n = to - from;
  const shown: string[] = [];
  for (let k = from; k < Math.min(to, from + kMaxListItems); k++) shown.push(valueText(d, k, ''));
  return `[${shown.join(', ')}${n > kMaxListItems ? `, … (${n} in all)` : ''}]`;
}

/** Element k of an Arrow array as text; `componentType` names colors. */
export function valueText(d: Data, k: number, componentType: string): string {
  if (!isValidAt(d, k)) return 'null';
  const t = d.type as unknown as { precision?: number; bitWidth?: number; listSize?: number; children?: { name: string }[] };
  switch (d.typeId) {
    case Type.Float:
      if (t.precision === 1) return f32Text((d.values as Float32Array)[k]);
      if (t.precision === 2) return String((d.values as Float64Array)[k]);
      break;
    case Type.Int:
      if (isColorType(componentType) && t.bitWidth === 32) return colorHex((d.values as Uint32Array)[k]);
      return String((d.values as ArrayLike<number | bigint>)[k]);
    case Type.Bool: {
      const bit = d.offset + k;
      return ((d.values as Uint8Array)[bit >> 3] & (1 << (bit & 7))) !== 0 ? 'true' : 'false';
    }
    case Type.Utf8: {
      const o = d.valueOffsets as Int32Array;
      return JSON.stringify(new TextDecoder().decode((d.values as Uint8Array).subarray(o[k], o[k + 1])));
    }
    case Type.Binary: {
      const o = d.valueOffsets as Int32Array;
      return `${(o[k + 1] - o[k]).toLocaleString('en-US')} bytes`;
    }
    case Type.FixedSizeList: {
      const n = t.listSize!;
      return listText(d.children[0], k * n, k * n + n);
    }
    case Type.List: {
      const o = d.valueOffsets as Int32Array;
      return listText(d.children[0], o[k], o[k + 1]);
    }
    case Type.Struct:
      return `{${t.children!.map((f, i) => `${f.name}: ${valueText(d.children[i], k, f.name === 'color' ? 'Color' : '')}`).join(', ')}}`;
    case Type.Union: {
      const ids = d.typeIds as Int8Array;
      const typeIds = (d.type as unknown as { typeIds: number[] }).typeIds;
      const child = typeIds.indexOf(ids[k]);
      const off = d.valueOffsets ? (d.valueOffsets as Int32Array)[k] : k;
      const name = t.children![child]?.name ?? String(ids[k]);
      return child >= 0 ? `${name}: ${valueText(d.children[child], off, '')}` : '?';
    }
  }
  const v = makeVector(d).get(k) as unknown;
  return typeof v === 'object' && v !== null && 'toJSON' in v ? JSON.stringify(v) : String(v);
}

/** Instances [start, end) of a component column as text, at most kMaxListItems of them. */
export function instanceTexts(col: ComponentColumn, start: number, end: number): string[] {
  const out: string[] = [];
  for (let k = start; k < Math.min(end, start + kMaxListItems); k++) out.push(valueText(col.instances, k, col.componentType));
  return out;
}

/** The Arrow type of a column's instances ("Float32", "FixedSizeList[3]<Float32>", ...). */
export function arrowTypeText(col: ComponentColumn): string {
  return String(col.instances.type);
}
