// Class ids resolved through an AnnotationContext: the context logged on the entity or its
// nearest ancestor that has one (as in Rerun), read at the time cursor.
import { stringAt, structField } from '../data/components';
import { batch, batchKey, isValidAt, numberAt, type Batch } from './instances';
import { parentPath } from './layout';
import type { ViewContext } from './view';
import * as C from '../data/components.generated';

export interface ClassInfo {
  readonly label: string | null;
  /** 0xRRGGBBAA, or null when the class has no color of its own. */
  readonly color: number | null;
}

export interface Annotations {
  /** Names the context row, so views redraw when it changes. */
  readonly key: string;
  readonly classes: ReadonlyMap<number, ClassInfo>;
}

const kNone: Annotations = { key: '-', classes: new Map() };
const cache = new WeakMap<ViewContext, Map<string, Annotations>>();

export function annotationsFor(ctx: ViewContext, entity: string): Annotations {
  let perCtx = cache.get(ctx);
  if (!perCtx) {
    perCtx = new Map();
    cache.set(ctx, perCtx);
  }
  const hit = perCtx.get(entity);
  if (hit) return hit;
  let out = kNone;
  for (let path = entity; ; path = parentPath(path)) {
    if (ctx.store.entities.get(path)?.components.has(C.AnnotationContext.context)) {
      const b = batch(ctx, path, C.AnnotationContext.context);
      if (b) out = { key: `${path}@${batchKey(b)}`, classes: readClasses(b) };
      break;
    }
    if (path === '/') break;
  }
  perCtx.set(entity, out);
  return out;
}

function readClasses(b: Batch): Map<number, ClassInfo> {
  const ids = structField(b.col, 'class_id');
  const labels = structField(b.col, 'label');
  const colors = structField(b.col, 'color');
  const out = new Map<number, ClassInfo>();
  for (let k = b.start; k < b.end; k++) {
    const label = isValidAt(labels, k) ? stringAt(labels, k) : null;
    const color = isValidAt(colors, k) ? (colors.values as Uint32Array)[k] : null;
    out.set(Number(ids.values[k]), { label: label || null, color });
  }
  return out;
}

/**
 * The color of a class without one of its own, as an auto color: well-spread hues from
 * the id (golden-ratio steps), so neighbouring ids differ. Class 0 is black: in
 * segmentation images it is the background.
 */
export function autoClassColor(id: number): number {
  if (id === 0) return 0x000000ff;
  const hue = (id * 0.618033988749895) % 1;
  const f = (n: number) => {
    const k = (n + hue * 12) % 12;
    const a = 0.7 * Math.min(0.55, 0.45);
    return Math.round(255 * (0.55 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return ((f(0) << 24) | (f(8) << 16) | (f(4) << 8) | 255) >>> 0;
}

/**
 * Color of instance i: its own color, else its class's color from the context, else null
 * (the view's default). `classIds` without a context entry fall back to an auto color.
 */
export function instanceColor(colors: Batch | null, classIds: Batch | null, ann: Annotations, i: number): number | null {
  if (colors) return numberAt(colors, i);
  if (classIds) {
    const id = numberAt(classIds, i)!;
    return ann.classes.get(id)?.color ?? autoClassColor(id);
  }
  return null;
}

/** Label of instance i: its own label, else its class's label. */
export function instanceLabel(own: string | null, classIds: Batch | null, ann: Annotations, i: number): string | null {
  if (own !== null) return own;
  if (!classIds) return null;
  return ann.classes.get(numberAt(classIds, i)!)?.label ?? null;
}
