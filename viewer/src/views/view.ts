// What every view gets each frame, and what it must provide.
import type { TimeType } from '../data/chunk';
import type { RowRef, ViewerStore } from '../data/store';

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
}

export interface View {
  readonly id: string;
  readonly kind: string;
  readonly element: HTMLElement;
  update(ctx: ViewContext): void;
  dispose(): void;
  /** Bytes of the buffers the view derived from chunks (plot series), for status(). */
  bufferBytes?(): number;
}

/** Latest-at at the cursor (static data only when there is no timeline yet). */
export function latestAt(ctx: ViewContext, entity: string, component: string): RowRef | null {
  return ctx.store.latestAt(entity, component, ctx.timeline ?? '', ctx.timeline ? ctx.time : -(2n ** 63n));
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
