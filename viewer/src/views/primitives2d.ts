// The 2D primitives of one entity at the cursor: Points2D, Boxes2D, LineStrips2D and
// Arrows2D read from their latest-at batches into plain shapes in scene (pixel)
// coordinates, with colors and labels resolved through the AnnotationContext.
import { colorCss, defaultColor, lineStrips } from '../data/components';
import { instanceColor, instanceLabel, type Annotations } from './annotations';
import { batch, batchKey, count, labelAt, numberAt, showLabels, vectorAt, vectors, type Batch } from './instances';
import { kDrawOrder } from './image_layers';
import type { ViewContext } from './view';
import * as C from '../data/components.generated';

/** A radius: positive in scene units (image pixels), negative in UI points (as in Rerun). */
export type Radius = number;

export interface Label {
  readonly entity: string;
  readonly text: string;
  /** Anchor in scene coordinates. */
  readonly x: number;
  readonly y: number;
  readonly color: number;
}

export type Shape2D =
  | { kind: 'point'; x: number; y: number; r: Radius; color: number }
  | { kind: 'box'; x0: number; y0: number; x1: number; y1: number; r: Radius; color: number }
  | { kind: 'strip'; points: Float32Array; r: Radius; color: number }
  | { kind: 'arrow'; x: number; y: number; dx: number; dy: number; r: Radius; color: number };

/** The shapes of one archetype of one entity, drawn together at its draw order. */
export interface Primitives2D {
  readonly entity: string;
  readonly archetype: 'Points2D' | 'Boxes2D' | 'LineStrips2D' | 'Arrows2D';
  readonly drawOrder: number;
  readonly shapes: Shape2D[];
  readonly labels: Label[];
  /** Names the rows drawn, to skip work when nothing changed. */
  readonly key: string;
}

/** Rerun's default sizes: points of 2.5 UI points, lines of 1 (radius 0.5 is thin). */
const kDefaultPointRadius = -2.5;
const kDefaultLineRadius = -1;

function radiusAt(b: Batch | null, i: number, dflt: Radius): Radius {
  return numberAt(b, i) ?? dflt;
}

function colorOf(colors: Batch | null, classIds: Batch | null, ann: Annotations, i: number, entity: string): number {
  return instanceColor(colors, classIds, ann, i) ?? defaultColor(entity);
}

/** Reads every 2D archetype logged on an entity; empty when it has none at the cursor. */
export function primitives2d(ctx: ViewContext, entity: string, ann: Annotations): Primitives2D[] {
  const comps = ctx.store.entities.get(entity)?.components;
  if (!comps) return [];
  const out: Primitives2D[] = [];
  if (comps.has(C.Points2D.positions)) push(out, points(ctx, entity, ann));
  if (comps.has(C.Boxes2D.half_sizes)) push(out, boxes(ctx, entity, ann));
  if (comps.has(C.LineStrips2D.strips)) push(out, strips(ctx, entity, ann));
  if (comps.has(C.Arrows2D.vectors)) push(out, arrows(ctx, entity, ann));
  return out;
}

function push(out: Primitives2D[], p: Primitives2D | null): void {
  if (p) out.push(p);
}

interface Common {
  colors: Batch | null;
  radii: Batch | null;
  labels: Batch | null;
  classIds: Batch | null;
  show: Batch | null;
  order: Batch | null;
}

function common(ctx: ViewContext, entity: string, a: Record<string, string>): Common {
  return {
    colors: batch(ctx, entity, a.colors),
    radii: batch(ctx, entity, a.radii),
    labels: batch(ctx, entity, a.labels),
    classIds: batch(ctx, entity, a.class_ids),
    show: batch(ctx, entity, a.show_labels),
    order: batch(ctx, entity, a.draw_order),
  };
}

function keyOf(primary: Batch, c: Common, ann: Annotations): string {
  return [primary, c.colors, c.radii, c.labels, c.classIds, c.show, c.order].map(batchKey).join('|') + `|${ann.key}`;
}

/** Labels of n instances: their own, else their class's; none when show_labels says so. */
function labelsOf(entity: string, c: Common, ann: Annotations, n: number, anchor: (i: number) => [number, number], colors: number[]): Label[] {
  const texts: (string | null)[] = [];
  for (let i = 0; i < n; i++) texts.push(instanceLabel(labelAt(c.labels, i, n), c.classIds, ann, i));
  const shown = texts.filter((t) => t !== null).length;
  if (shown === 0 || !showLabels(c.show, shown)) return [];
  const out: Label[] = [];
  texts.forEach((text, i) => {
    if (text === null) return;
    const [x, y] = anchor(i);
    out.push({ entity, text, x, y, color: colors[i] });
  });
  return out;
}

function points(ctx: ViewContext, entity: string, ann: Annotations): Primitives2D | null {
  const pos = batch(ctx, entity, C.Points2D.positions);
  if (!pos) return null;
  const c = common(ctx, entity, C.Points2D);
  const n = count(pos);
  const xy = vectors(pos, 2);
  const shapes: Shape2D[] = [];
  const colors: number[] = [];
  for (let i = 0; i < n; i++) {
    const color = colorOf(c.colors, c.classIds, ann, i, entity);
    colors.push(color);
    shapes.push({ kind: 'point', x: xy[2 * i], y: xy[2 * i + 1], r: radiusAt(c.radii, i, kDefaultPointRadius), color });
  }
  const labels = labelsOf(entity, c, ann, n, (i) => [xy[2 * i], xy[2 * i + 1]], colors);
  return { entity, archetype: 'Points2D', drawOrder: numberAt(c.order, 0) ?? kDrawOrder.points, shapes, labels, key: keyOf(pos, c, ann) };
}

function boxes(ctx: ViewContext, entity: string, ann: Annotations): Primitives2D | null {
  const half = batch(ctx, entity, C.Boxes2D.half_sizes);
  if (!half) return null;
  const c = common(ctx, entity, C.Boxes2D);
  const centers = batch(ctx, entity, C.Boxes2D.centers);
  const n = count(half);
  const hs = vectors(half, 2);
  const shapes: Shape2D[] = [];
  const colors: number[] = [];
  for (let i = 0; i < n; i++) {
    const center = vectorAt(centers, i, 2);
    const cx = center?.[0] ?? 0;
    const cy = center?.[1] ?? 0;
    const color = colorOf(c.colors, c.classIds, ann, i, entity);
    colors.push(color);
    shapes.push({ kind: 'box', x0: cx - hs[2 * i], y0: cy - hs[2 * i + 1], x1: cx + hs[2 * i], y1: cy + hs[2 * i + 1], r: radiusAt(c.radii, i, kDefaultLineRadius), color });
  }
  // A box's label sits on its top-left corner.
  const labels = labelsOf(entity, c, ann, n, (i) => [(shapes[i] as { x0: number }).x0, (shapes[i] as { y0: number }).y0], colors);
  const key = keyOf(half, c, ann) + `|${batchKey(centers)}`;
  return { entity, archetype: 'Boxes2D', drawOrder: numberAt(c.order, 0) ?? kDrawOrder.box, shapes, labels, key };
}

function strips(ctx: ViewContext, entity: string, ann: Annotations): Primitives2D | null {
  const s = batch(ctx, entity, C.LineStrips2D.strips);
  if (!s) return null;
  const c = common(ctx, entity, C.LineStrips2D);
  const { pointOffsets, points: flat } = lineStrips(s.col);
  const n = count(s);
  const shapes: Shape2D[] = [];
  const colors: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = s.start + i;
    const color = colorOf(c.colors, c.classIds, ann, i, entity);
    colors.push(color);
    shapes.push({ kind: 'strip', points: flat.subarray(pointOffsets[k] * 2, pointOffsets[k + 1] * 2), r: radiusAt(c.radii, i, kDefaultLineRadius), color });
  }
  const labels = labelsOf(entity, c, ann, n, (i) => {
    const p = (shapes[i] as { points: Float32Array }).points;
    return p.length >= 2 ? [p[0], p[1]] : [0, 0];
  }, colors);
  return { entity, archetype: 'LineStrips2D', drawOrder: numberAt(c.order, 0) ?? kDrawOrder.lines, shapes, labels, key: keyOf(s, c, ann) };
}

function arrows(ctx: ViewContext, entity: string, ann: Annotations): Primitives2D | null {
  const v = batch(ctx, entity, C.Arrows2D.vectors);
  if (!v) return null;
  const c = common(ctx, entity, C.Arrows2D);
  const origins = batch(ctx, entity, C.Arrows2D.origins);
  const n = count(v);
  const d = vectors(v, 2);
  const shapes: Shape2D[] = [];
  const colors: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = vectorAt(origins, i, 2);
    const color = colorOf(c.colors, c.classIds, ann, i, entity);
    colors.push(color);
    shapes.push({ kind: 'arrow', x: o?.[0] ?? 0, y: o?.[1] ?? 0, dx: d[2 * i], dy: d[2 * i + 1], r: radiusAt(c.radii, i, kDefaultLineRadius), color });
  }
  // An arrow's label sits at its tip.
  const labels = labelsOf(entity, c, ann, n, (i) => {
    const a = shapes[i] as { x: number; y: number; dx: number; dy: number };
    return [a.x + a.dx, a.y + a.dy];
  }, colors);
  const key = keyOf(v, c, ann) + `|${batchKey(origins)}`;
  return { entity, archetype: 'Arrows2D', drawOrder: numberAt(c.order, 0) ?? kDrawOrder.lines, shapes, labels, key };
}

/** Scene bounds of shapes [x0, y0, x1, y1], or null when there are none. */
export function shapeBounds(list: Primitives2D[]): [number, number, number, number] | null {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const add = (x: number, y: number, r: number) => {
    const m = r > 0 ? r : 0;
    x0 = Math.min(x0, x - m);
    y0 = Math.min(y0, y - m);
    x1 = Math.max(x1, x + m);
    y1 = Math.max(y1, y + m);
  };
  for (const p of list) {
    for (const s of p.shapes) {
      if (s.kind === 'point') add(s.x, s.y, s.r);
      else if (s.kind === 'box') {
        add(s.x0, s.y0, s.r);
        add(s.x1, s.y1, s.r);
      } else if (s.kind === 'strip') for (let k = 0; k + 1 < s.points.length; k += 2) add(s.points[k], s.points[k + 1], s.r);
      else {
        add(s.x, s.y, s.r);
        add(s.x + s.dx, s.y + s.dy, s.r);
      }
    }
  }
  return isFinite(x0) ? [x0, y0, x1, y1] : null;
}

/**
 * Draws shapes on a 2D canvas; `s` is device pixels per scene unit, `ui` device pixels per UI
 * point, (ox, oy) the device position of the scene origin.
 */
export function drawShapes(g: CanvasRenderingContext2D, p: Primitives2D, s: number, ox: number, oy: number, ui: number): void {
  const px = (r: Radius) => (r < 0 ? -r * ui : r * s);
  g.lineCap = 'round';
  g.lineJoin = 'round';
  for (const sh of p.shapes) {
    const css = colorCss(sh.color);
    if (sh.kind === 'point') {
      g.fillStyle = css;
      g.beginPath();
      g.arc(sh.x * s + ox, sh.y * s + oy, Math.max(0.5, px(sh.r)), 0, 2 * Math.PI);
      g.fill();
    } else if (sh.kind === 'box') {
      g.strokeStyle = css;
      g.lineWidth = Math.max(1, 2 * px(sh.r));
      g.lineJoin = 'miter';
      g.strokeRect(sh.x0 * s + ox, sh.y0 * s + oy, (sh.x1 - sh.x0) * s, (sh.y1 - sh.y0) * s);
      g.lineJoin = 'round';
    } else if (sh.kind === 'strip') {
      if (sh.points.length < 4) continue;
      g.strokeStyle = css;
      g.lineWidth = Math.max(1, 2 * px(sh.r));
      g.beginPath();
      g.moveTo(sh.points[0] * s + ox, sh.points[1] * s + oy);
      for (let k = 2; k + 1 < sh.points.length; k += 2) g.lineTo(sh.points[k] * s + ox, sh.points[k + 1] * s + oy);
      g.stroke();
    } else {
      const w = Math.max(1, 2 * px(sh.r));
      const len = Math.hypot(sh.dx, sh.dy) * s;
      if (len === 0) continue;
      const ux = (sh.dx * s) / len;
      const uy = (sh.dy * s) / len;
      const tip = Math.min(len, 4 * w);
      const x0 = sh.x * s + ox;
      const y0 = sh.y * s + oy;
      const x1 = x0 + ux * len;
      const y1 = y0 + uy * len;
      g.strokeStyle = css;
      g.fillStyle = css;
      g.lineWidth = w;
      g.lineCap = 'butt';
      g.beginPath();
      g.moveTo(x0, y0);
      g.lineTo(x1 - ux * tip, y1 - uy * tip);
      g.stroke();
      g.lineCap = 'round';
      g.beginPath();
      g.moveTo(x1, y1);
      g.lineTo(x1 - ux * tip - uy * tip * 0.5, y1 - uy * tip + ux * tip * 0.5);
      g.lineTo(x1 - ux * tip + uy * tip * 0.5, y1 - uy * tip - ux * tip * 0.5);
      g.closePath();
      g.fill();
    }
  }
}
