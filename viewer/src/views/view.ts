// What every view gets each frame, and what it must provide.
import type { TimeType } from '../data/chunk';
import { compareRowIds } from '../data/chunk';
import type { RowRef, ViewerStore } from '../data/store';
import type { Pick } from './pick';
import * as C from '../data/components.generated';

export interface ViewContext {
  readonly store: ViewerStore;
  /** The selected timeline (null when the data has none yet: only static data). */
  readonly timeline: string | null;
  readonly timeType: TimeType;
  /** The time cursor. */
  readonly time: bigint;
  /** Changes whenever the store, the cursor, the timeline or the visibility changes. */
  readonly storeVersion: number;
  readonly cursorVersion: number;
  readonly visibilityVersion: number;
  isVisible(entity: string): boolean;
  setTime(t: bigint): void;
  /** The selected entity and instance (views may outline it). */
  readonly selection?: { readonly entity: string; readonly instance: number | null } | null;
}

export interface View {
  readonly id: string;
  readonly kind: string;
  readonly element: HTMLElement;
  update(ctx: ViewContext): void;
  dispose(): void;
  /** Bytes of the buffers the view derived from chunks (plot series), for status(). */
  bufferBytes?(): number;
  /** What is under the cursor (client coordinates), for selection and hover; null outside. */
  pick?(clientX: number, clientY: number): Pick | null;
}

/** Latest-at at the cursor, without Clear (static data only when there is no timeline yet). */
export function rawLatestAt(ctx: ViewContext, entity: string, component: string): RowRef | null {
  return ctx.store.latestAt(entity, component, ctx.timeline ?? '', ctx.timeline ? ctx.time : -(2n ** 63n));
}

/**
 * Latest-at at the cursor as reel's latest-at queries answer it: a row older than the
 * entity's most recent Clear (its own, or a recursive one on an ancestor) reads as empty.
 */
export function latestAt(ctx: ViewContext, entity: string, component: string): RowRef | null {
  const ref = rawLatestAt(ctx, entity, component);
  if (!ref) return null;
  const clear = effectiveClear(ctx, entity);
  return clear && compareRefs(ref, clear) < 0 ? null : ref;
}

/** Orders rows by (time, RowId), static rows before every time. */
export function compareRefs(a: RowRef, b: RowRef): number {
  if (a.time !== b.time) {
    if (a.time === null) return -1;
    if (b.time === null) return 1;
    return a.time < b.time ? -1 : 1;
  }
  return compareRowIds(a.chunk.rowIds, a.row, b.chunk.rowIds, b.row);
}

const clearCache = new WeakMap<ViewContext, Map<string, RowRef | null>>();

/** The most recent Clear that applies to an entity at the cursor, cached per frame. */
export function effectiveClear(ctx: ViewContext, entity: string): RowRef | null {
  let cache = clearCache.get(ctx);
  if (!cache) {
    cache = new Map();
    clearCache.set(ctx, cache);
    let any = false;
    for (const e of ctx.store.entities.values()) if (e.components.has(C.Clear.is_recursive)) any = true;
    if (!any) cache.set('*', null);
  }
  if (cache.has('*')) return null;
  if (cache.has(entity)) return cache.get(entity)!;
  let best: RowRef | null = null;
  let self = true;
  for (let path = entity; ; path = parentPath(path), self = false) {
    const ref = rawLatestAt(ctx, path, C.Clear.is_recursive);
    if (ref && (self || clearIsRecursive(ref)) && (!best || compareRefs(ref, best) > 0)) best = ref;
    if (path === '/') break;
  }
  cache.set(entity, best);
  return best;
}

function clearIsRecursive(ref: RowRef): boolean {
  const col = ref.chunk.components.get(C.Clear.is_recursive)!;
  const k = col.offsets[ref.row];
  if (col.offsets[ref.row + 1] <= k) return false;
  const d = col.instances;
  const bit = d.offset + k;
  return ((d.values as Uint8Array)[bit >> 3] & (1 << (bit & 7))) !== 0;
}

function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** A short key naming the row a latest-at lookup found, to skip redraws when unchanged. */
export function refKey(ref: RowRef | null): string {
  return ref ? `${ref.chunk.id}:${ref.row}` : '-';
}

/** The rows' instance range [start, end) of a component in the row a lookup found. */
export function instanceRange(ref: RowRef, component: string): [number, number] {
  const col = ref.chunk.components.get(component)!;
  return [col.offsets[ref.row], col.offsets[ref.row + 1]];
}

export function panel(kind: string, title: string): { element: HTMLElement; body: HTMLElement; header: HTMLElement } {
  const element = document.createElement('section');
  element.className = `panel panel-${kind}`;
  element.dataset.viewKind = kind;
  element.dataset.viewTitle = title;
  const header = document.createElement('header');
  header.className = 'panel-header';
  const name = document.createElement('span');
  name.className = 'panel-title';
  name.textContent = title;
  header.append(name);
  const body = document.createElement('div');
  body.className = 'panel-body';
  element.append(header, body);
  return { element, body, header };
}
