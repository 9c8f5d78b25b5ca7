// One entity's latest-at batches, read as the archetype's instances: the primary component
// sets N, every other component holds 0, 1 (a splat) or N values, and a shorter batch
// repeats its last value (DESIGN.md §1). Shared by the 2D and 3D views.
import type { Data } from 'apache-arrow';
import type { ComponentColumn } from '../data/chunk';
import { fixedSizeFloats, primitives, stringAt, type NumericArray } from '../data/components';
import type { RowRef } from '../data/store';
import { latestAt, refKey, type ViewContext } from './view';

/** The instances [start, end) a latest-at lookup found for one component. */
export interface Batch {
  readonly ref: RowRef;
  readonly col: ComponentColumn;
  readonly start: number;
  readonly end: number;
}

export function batchOf(ref: RowRef | null, component: string): Batch | null {
  if (!ref) return null;
  const col = ref.chunk.components.get(component)!;
  const start = col.offsets[ref.row];
  const end = col.offsets[ref.row + 1];
  return end > start ? { ref, col, start, end } : null;
}

/** The latest-at batch of a component at the cursor (Clear honoured), null when empty. */
export function batch(ctx: ViewContext, entity: string, component: string): Batch | null {
  return batchOf(latestAt(ctx, entity, component), component);
}

export function batchKey(b: Batch | null): string {
  return b ? refKey(b.ref) : '-';
}

export function count(b: Batch | null): number {
  return b ? b.end - b.start : 0;
}

/** Index into the column's instances of instance i (the last one repeats). */
function at(b: Batch, i: number): number {
  return b.start + Math.min(i, b.end - b.start - 1);
}

/** Numbers of a primitive component (Color, Radius, ClassId, DrawOrder, ...). */
export function numberAt(b: Batch | null, i: number): number | null {
  return b ? (primitives(b.col) as NumericArray)[at(b, i)] : null;
}

/** The flat floats of a fixed-size-list component's batch, `size` per instance. */
export function vectors(b: Batch, size: number): Float32Array {
  return fixedSizeFloats(b.col).flat.subarray(b.start * size, b.end * size);
}

/** Instance i of a fixed-size-list component, with the last one repeating. */
export function vectorAt(b: Batch | null, i: number, size: number): Float32Array | null {
  if (!b) return null;
  const k = at(b, i);
  return fixedSizeFloats(b.col).flat.subarray(k * size, k * size + size);
}

export function stringOf(b: Batch | null, i: number): string | null {
  return b ? stringAt(b.col.instances, at(b, i)) : null;
}

/** Label i: only where the batch has one per instance, or one label for all. */
export function labelAt(b: Batch | null, i: number, n: number): string | null {
  if (!b) return null;
  const m = b.end - b.start;
  if (m === 1 && n > 1) return i === 0 ? stringAt(b.col.instances, b.start) : null;
  return i < m ? stringAt(b.col.instances, b.start + i) : null;
}

/** Whether element k of an Arrow array is valid (not null). */
export function isValidAt(d: Data, k: number): boolean {
  const bitmap = d.nullBitmap;
  if (!bitmap || bitmap.length === 0 || d.nullCount === 0) return true;
  const bit = d.offset + k;
  return (bitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** A bool component's first value (ShowLabels, ClearIsRecursive), null when not logged. */
export function boolOf(b: Batch | null): boolean | null {
  if (!b) return null;
  const d = b.col.instances;
  if (!isValidAt(d, b.start)) return null;
  const bit = d.offset + b.start;
  return ((d.values as Uint8Array)[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** Rerun shows labels when asked, or when there are few enough of them to read. */
export const kMaxAutoLabels = 30;

export function showLabels(show: Batch | null, labels: number): boolean {
  const v = boolOf(show);
  return v ?? labels <= kMaxAutoLabels;
}
