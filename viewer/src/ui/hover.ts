// Hover and click in the views: what is under the cursor (each view's `pick`) becomes the
// hover card (an instance's values, an image pixel's value, every series of a plot at that
// x; `window.reel.hover()`), and a click selects it (empty space clears the selection).
import { annotationsFor } from '../views/annotations';
import { bytesAt, formatAt, type ImageLayer } from '../views/image_layers';
import { bytesPerChannel, ChannelDatatype, channels, ColorModel } from '../views/image_convert';
import { batch, count, numberAt } from '../views/instances';
import type { Pick, SeriesValue } from '../views/pick';
import { latestAt, type View, type ViewContext } from '../views/view';
import * as C from '../data/components.generated';
import type { Selection } from './selection_panel';
import { valueText } from './values';

export interface PixelValue {
  readonly entity: string;
  /** `RGB`, `RGBA`, `L`, `depth` or `class`. */
  readonly kind: string;
  readonly value: number[];
  readonly text: string;
}

export interface HoverInfo {
  readonly view: string;
  readonly entity: string | null;
  readonly instance: number | null;
  readonly archetype: string | null;
  /** The instance's component values by field (`positions`, `colors`, `labels`, `class_ids`...). */
  readonly values: Record<string, string>;
  /** The AnnotationContext label of the instance's class id. */
  readonly class_label: string | null;
  readonly pixel: { readonly x: number; readonly y: number; readonly values: PixelValue[] } | null;
  readonly plot: { readonly path: string; readonly x: number; readonly series: SeriesValue[] } | null;
}

/** Instance i's value of each component of `archetype` on the entity (a splat repeats). */
export function instanceValues(ctx: ViewContext, entity: string, archetype: string, i: number): Record<string, string> {
  const out: Record<string, string> = {};
  const e = ctx.store.entities.get(entity);
  if (!e) return out;
  for (const c of [...e.components.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    if (c.archetype !== archetype) continue;
    const b = batch(ctx, entity, c.name);
    if (!b) continue;
    const n = count(b);
    // Labels belong to their instance only (one label for many is the first's).
    if (c.field === 'labels' && n > 1 && i >= n) continue;
    out[c.field] = valueText(b.col.instances, b.start + Math.min(i, n - 1), c.componentType);
  }
  return out;
}

function readChannel(bytes: Uint8Array, datatype: number, k: number): number {
  const w = bytesPerChannel(datatype);
  const v = new DataView(bytes.buffer, bytes.byteOffset + k * w, w);
  switch (datatype) {
    case ChannelDatatype.U8:
      return v.getUint8(0);
    case ChannelDatatype.U16:
      return v.getUint16(0, true);
    case ChannelDatatype.U32:
      return v.getUint32(0, true);
    case ChannelDatatype.I8:
      return v.getInt8(0);
    case ChannelDatatype.I16:
      return v.getInt16(0, true);
    case ChannelDatatype.I32:
      return v.getInt32(0, true);
    case ChannelDatatype.U64:
      return Number(v.getBigUint64(0, true));
    case ChannelDatatype.I64:
      return Number(v.getBigInt64(0, true));
    case ChannelDatatype.F32:
      return v.getFloat32(0, true);
    case ChannelDatatype.F64:
      return v.getFloat64(0, true);
  }
  return NaN;
}

/** The raw value of pixel (x, y) of an image layer: its channels, depth or class id. */
export function pixelValue(ctx: ViewContext, layer: ImageLayer, x: number, y: number): PixelValue | null {
  const e = layer.entity;
  const raw = (buffer: string, format: string) => {
    const b = latestAt(ctx, e, buffer);
    const f = latestAt(ctx, e, format);
    const bytes = b ? bytesAt(b, buffer) : null;
    const fmt = f ? formatAt(f, format) : null;
    if (!bytes || !fmt || x >= fmt.width || y >= fmt.height) return null;
    const nc = channels(fmt.colorModel);
    const base = (y * fmt.width + x) * nc;
    if ((base + nc) * bytesPerChannel(fmt.datatype) > bytes.length) return null;
    const v = Array.from({ length: nc }, (_, c) => readChannel(bytes, fmt.datatype, base + c));
    return { v, model: fmt.colorModel };
  };
  if (layer.kind === 'segmentation') {
    const r = raw(C.SegmentationImage.buffer, C.SegmentationImage.format);
    if (!r) return null;
    const label = annotationsFor(ctx, e).classes.get(r.v[0])?.label ?? null;
    return { entity: e, kind: 'class', value: r.v, text: `class ${r.v[0]}${label ? ` ${label}` : ''}` };
  }
  if (layer.isDepth) {
    const r = raw(C.DepthImage.buffer, C.DepthImage.format);
    if (!r) return null;
    const meter = numberAt(batch(ctx, e, C.DepthImage.meter), 0);
    return { entity: e, kind: 'depth', value: r.v, text: `depth ${r.v[0]}${meter ? ` (${+(r.v[0] / meter).toPrecision(6)} m)` : ''}` };
  }
  if (latestAt(ctx, e, C.Image.buffer)) {
    const r = raw(C.Image.buffer, C.Image.format);
    if (!r) return null;
    let v = r.v;
    let kind = r.model === ColorModel.L ? 'L' : r.model === ColorModel.RGBA || r.model === ColorModel.BGRA ? 'RGBA' : 'RGB';
    if (r.model === ColorModel.BGR || r.model === ColorModel.BGRA) v = [v[2], v[1], v[0], ...v.slice(3)];
    if (r.model !== ColorModel.L && v.length < 3) kind = 'L';
    return { entity: e, kind, value: v, text: `${kind} ${v.join(', ')}` };
  }
  // Encoded images and tensors: the pixel as decoded (RGBA8).
  if (x >= layer.canvas.width || y >= layer.canvas.height) return null;
  const d = layer.canvas.getContext('2d')!.getImageData(x, y, 1, 1).data;
  const v = [d[0], d[1], d[2], d[3]];
  return { entity: e, kind: 'RGBA', value: v, text: `RGBA ${v.join(', ')}` };
}

export function hoverInfo(ctx: ViewContext, pick: Pick): HoverInfo {
  let values: Record<string, string> = {};
  let classLabel: string | null = null;
  if (pick.entity && pick.instance !== null && pick.archetype && pick.archetype !== 'Scalars') {
    values = instanceValues(ctx, pick.entity, pick.archetype, pick.instance);
    const ids = batch(ctx, pick.entity, `${pick.archetype}:class_ids`);
    if (ids) classLabel = annotationsFor(ctx, pick.entity).classes.get(numberAt(ids, pick.instance)!)?.label ?? null;
  }
  const pixel = pick.pixel
    ? { x: pick.pixel.x, y: pick.pixel.y, values: pick.pixel.layers.map((l) => pixelValue(ctx, l, pick.pixel!.x, pick.pixel!.y)).filter((p): p is PixelValue => p !== null) }
    : null;
  return {
    view: pick.view,
    entity: pick.entity,
    instance: pick.instance,
    archetype: pick.archetype ?? null,
    values,
    class_label: classLabel,
    pixel,
    plot: pick.plot ?? null,
  };
}

/** Pointer input over the views: hover cards and click selection. */
export class Inspector {
  readonly card = document.createElement('div');
  private hover: HoverInfo | null = null;
  private pending: { x: number; y: number; target: EventTarget | null } | null = null;
  private down: { x: number; y: number } | null = null;

  constructor(
    viewsEl: HTMLElement,
    private readonly viewOf: (panel: Element) => View | undefined,
    private readonly context: () => ViewContext | null,
    private readonly select: (sel: Selection | null) => void,
  ) {
    this.card.className = 'hover-card';
    this.card.hidden = true;
    document.body.append(this.card);
    viewsEl.addEventListener('pointermove', (e) => {
      if (e.buttons !== 0) return this.clear();
      this.pending = { x: e.clientX, y: e.clientY, target: e.target };
    });
    viewsEl.addEventListener('pointerleave', () => this.clear());
    viewsEl.addEventListener('pointerdown', (e) => (this.down = { x: e.clientX, y: e.clientY }));
    viewsEl.addEventListener('click', (e) => {
      const d = this.down;
      this.down = null;
      // A drag (pan, orbit, zoom box) is not a click.
      if (e.button !== 0 || !d || Math.hypot(e.clientX - d.x, e.clientY - d.y) > 3) return;
      const pick = this.pickAt(e.clientX, e.clientY, e.target);
      if (pick === undefined) return;
      this.select(pick?.entity ? { entity: pick.entity, instance: pick.instance } : null);
    });
  }

  /** The view's pick under the point; undefined outside any view body. */
  private pickAt(x: number, y: number, target: EventTarget | null): Pick | null | undefined {
    const el = target instanceof Element ? target : null;
    if (!el || !el.closest('.panel-body')) return undefined;
    const panel = el.closest('.panel');
    const view = panel ? this.viewOf(panel) : undefined;
    if (!view?.pick) return undefined;
    return view.pick(x, y);
  }

  /** Called once per animation frame: at most one pick per frame. */
  frame(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const ctx = this.context();
    const pick = this.pickAt(p.x, p.y, p.target);
    // A card for instances, pixels and plots (not for a log row, say, which shows itself).
    if (!ctx || !pick || (!pick.plot && !pick.pixel && !(pick.entity && pick.archetype))) return this.clear();
    this.hover = hoverInfo(ctx, pick);
    this.render(p.x, p.y);
  }

  current(): HoverInfo | null {
    return this.hover;
  }

  clear(): void {
    this.pending = null;
    this.hover = null;
    this.card.hidden = true;
  }

  private render(x: number, y: number): void {
    const h = this.hover!;
    const lines: string[] = [];
    if (h.entity) lines.push(h.instance !== null && h.archetype !== 'Scalars' ? `${h.entity} [${h.instance}]` : h.entity);
    for (const [k, v] of Object.entries(h.values)) lines.push(`${k}: ${v}${k === 'class_ids' && h.class_label ? ` (${h.class_label})` : ''}`);
    if (h.pixel) {
      lines.push(`pixel ${h.pixel.x}, ${h.pixel.y}`);
      for (const p of h.pixel.values) lines.push(`${p.entity}: ${p.text}`);
    }
    if (h.plot) {
      lines.push(`x ${+h.plot.x.toPrecision(10)}`);
      for (const s of h.plot.series) lines.push(`${s.name}: ${s.value === null ? '—' : +s.value.toPrecision(10)}`);
    }
    this.card.textContent = lines.join('\n');
    this.card.hidden = false;
    const w = this.card.offsetWidth;
    this.card.style.left = `${Math.min(x + 14, window.innerWidth - w - 4)}px`;
    this.card.style.top = `${y + 14}px`;
  }
}

