// A 2D view: one 2D space (an image and what is logged under it, a camera's image space
// under its Pinhole, or the standalone 2D data of a subtree) drawn on one canvas in scene
// coordinates (image pixels): images, segmentation overlays, points, boxes, line strips and
// arrows by draw order, then labels. Wheel zooms about the cursor, dragging pans, a double
// click fits the content again.
import { annotationsFor } from './annotations';
import { ImageLayer } from './image_layers';
import { batch, vectorAt } from './instances';
import { view2dRoot } from './layout';
import { drawShapes, primitives2d, shapeBounds, type Label, type Primitives2D } from './primitives2d';
import { drawHighlight } from './highlight2d';
import { pick2d, type Pick } from './pick';
import { panel, type View, type ViewContext } from './view';
import * as C from '../data/components.generated';

type Bounds = [number, number, number, number];

/** What the view drew last, for the browser tests (window.reel.inspectView). */
export interface Spatial2DState {
  readonly kind: string;
  readonly root: string;
  readonly entities: string[];
  /** Scene bounds fitted to the canvas: [x0, y0, x1, y1]. */
  readonly bounds: Bounds | null;
  /** Device pixels per scene unit and the device position of the scene origin. */
  readonly scale: number;
  readonly origin: [number, number];
  readonly canvas: [number, number];
  readonly counts: Record<string, number>;
  /** Draw order of each layer as drawn, bottom first: `entity archetype order`. */
  readonly layers: string[];
  readonly labels: { entity: string; text: string; x: number; y: number }[];
}

export class Spatial2DView implements View {
  readonly element: HTMLElement;
  private readonly canvas = document.createElement('canvas');
  private readonly layerBox = document.createElement('div');
  private readonly info = document.createElement('span');
  private readonly message = document.createElement('div');
  private readonly layers = new Map<string, ImageLayer>();
  private prims: Primitives2D[] = [];
  private entities: string[] = [];
  private bounds: Bounds | null = null;
  /** User zoom (a factor) and pan (device pixels) on top of the fit. */
  private zoom = 1;
  private pan: [number, number] = [0, 0];
  private scale = 1;
  private origin: [number, number] = [0, 0];
  private drawnLayers: string[] = [];
  private drawnLabels: Spatial2DState['labels'] = [];
  private dirty = true;
  private lastStore = -1;
  private lastCursor = -1;
  private lastVisibility = -1;
  private lastSelection = '';
  private lastCtx: ViewContext | null = null;
  private readonly resize: ResizeObserver;
  private drag: { x: number; y: number } | null = null;

  constructor(
    readonly id: string,
    readonly kind: 'image' | 'spatial2d',
    private readonly root: string,
  ) {
    const p = panel(kind, root);
    this.element = p.element;
    this.info.className = 'panel-info';
    p.header.append(this.info);
    // The image layers at their own resolution (the sources the canvas draws from).
    this.layerBox.className = 'image-layers';
    this.canvas.className = 'view2d-canvas';
    this.message.className = 'panel-message';
    p.body.append(this.layerBox, this.canvas, this.message);
    this.resize = new ResizeObserver(() => {
      this.fitCanvas();
      this.dirty = true;
    });
    this.resize.observe(p.body);
    this.listen();
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const dpr = window.devicePixelRatio || 1;
      const r = c.getBoundingClientRect();
      const mx = (e.clientX - r.left) * dpr;
      const my = (e.clientY - r.top) * dpr;
      const f = Math.exp(-e.deltaY * 0.0015);
      // Keep the scene point under the cursor where it is: origin' = m - (m - origin) * f,
      // with origin = center + (fitted origin - center) * zoom + pan.
      const cx = c.width / 2;
      const cy = c.height / 2;
      const nx = mx - (mx - this.origin[0]) * f;
      const ny = my - (my - this.origin[1]) * f;
      this.pan = [nx - cx - (this.origin[0] - cx - this.pan[0]) * f, ny - cy - (this.origin[1] - cy - this.pan[1]) * f];
      this.zoom *= f;
      this.dirty = true;
    });
    c.addEventListener('mousedown', (e) => (this.drag = { x: e.clientX, y: e.clientY }));
    window.addEventListener('mouseup', () => (this.drag = null));
    c.addEventListener('mousemove', (e) => {
      if (!this.drag || (e.buttons & 1) === 0) return;
      const dpr = window.devicePixelRatio || 1;
      this.pan = [this.pan[0] + (e.clientX - this.drag.x) * dpr, this.pan[1] + (e.clientY - this.drag.y) * dpr];
      this.drag = { x: e.clientX, y: e.clientY };
      this.dirty = true;
    });
    c.addEventListener('dblclick', () => {
      this.zoom = 1;
      this.pan = [0, 0];
      this.dirty = true;
    });
  }

  private fitCanvas(): void {
    const dpr = window.devicePixelRatio || 1;
    const el = this.canvas;
    const w = Math.max(1, Math.round(el.clientWidth * dpr));
    const h = Math.max(1, Math.round(el.clientHeight * dpr));
    if (el.width !== w || el.height !== h) {
      el.width = w;
      el.height = h;
    }
  }

  update(ctx: ViewContext): void {
    this.lastCtx = ctx;
    if (ctx.storeVersion !== this.lastStore || ctx.cursorVersion !== this.lastCursor || ctx.visibilityVersion !== this.lastVisibility) {
      this.lastStore = ctx.storeVersion;
      this.lastCursor = ctx.cursorVersion;
      this.lastVisibility = ctx.visibilityVersion;
      this.sync(ctx);
      this.dirty = true;
    }
    const sel = ctx.selection ? `${ctx.selection.entity}#${ctx.selection.instance}` : '';
    if (sel !== this.lastSelection) {
      this.lastSelection = sel;
      this.dirty = true;
    }
    if (this.dirty) {
      this.dirty = false;
      this.render();
    }
  }

  private sync(ctx: ViewContext): void {
    const store = ctx.store;
    const entities = [...store.entities.keys()].filter((e) => view2dRoot(store, e) === this.root).sort();
    this.entities = entities;
    const prims: Primitives2D[] = [];
    const seen = new Set<string>();
    for (const e of entities) {
      const ann = annotationsFor(ctx, e);
      const comps = store.entities.get(e)!.components;
      const kinds: ('color' | 'segmentation')[] = [];
      if (comps.has(C.Image.buffer) || comps.has(C.EncodedImage.blob) || comps.has(C.DepthImage.buffer) || comps.has(C.Tensor.data)) kinds.push('color');
      if (comps.has(C.SegmentationImage.buffer)) kinds.push('segmentation');
      for (const kind of kinds) {
        const key = `${kind}:${e}`;
        let layer = this.layers.get(key);
        if (!layer) {
          layer = new ImageLayer(e, kind, () => (this.dirty = true));
          this.layers.set(key, layer);
        }
        if (layer.update(ctx, ann)) seen.add(key);
      }
      if (ctx.isVisible(e)) prims.push(...primitives2d(ctx, e, ann));
    }
    for (const [key, layer] of this.layers) {
      if (!seen.has(key)) {
        layer.canvas.remove();
        this.layers.delete(key);
      }
    }
    // The layer canvases in entity order, the root's first.
    const order = [...this.layers.keys()].sort((a, b) => (a.endsWith(`:${this.root}`) ? -1 : b.endsWith(`:${this.root}`) ? 1 : a.localeCompare(b)));
    this.layerBox.replaceChildren(...order.map((k) => this.layers.get(k)!.canvas));
    this.prims = prims;
    const visible = ctx.isVisible(this.root);
    this.element.classList.toggle('hidden-entity', !visible);
    this.bounds = this.contentBounds(ctx);
    this.updateHeader();
  }

  /** The root image's description (set again once an encoded image has decoded). */
  private updateHeader(): void {
    const rootLayer = this.layers.get(`color:${this.root}`) ?? this.layers.get(`segmentation:${this.root}`);
    if (this.kind === 'image') {
      this.info.textContent = rootLayer?.info ?? '';
      this.message.textContent = rootLayer ? rootLayer.message : 'no image at this time';
    } else {
      const n = this.prims.reduce((k, p) => k + p.shapes.length, 0);
      this.info.textContent = `${n.toLocaleString('en-US')} shapes`;
      this.message.textContent = '';
    }
  }

  /** The image (or camera resolution) the space is about, else the shapes' extent. */
  private contentBounds(ctx: ViewContext): Bounds | null {
    let b: Bounds | null = null;
    const res = vectorAt(batch(ctx, this.root, C.Pinhole.resolution), 0, 2);
    if (res) b = [0, 0, res[0], res[1]];
    for (const l of this.layers.values()) {
      if (!l.ready) continue;
      b = b ? [Math.min(b[0], 0), Math.min(b[1], 0), Math.max(b[2], l.width), Math.max(b[3], l.height)] : [0, 0, l.width, l.height];
    }
    if (b) return b;
    const s = shapeBounds(this.prims);
    if (!s) return null;
    const pad = Math.max(s[2] - s[0], s[3] - s[1], 1) * 0.05;
    return [s[0] - pad, s[1] - pad, s[2] + pad, s[3] + pad];
  }

  private render(): void {
    this.fitCanvas();
    const g = this.canvas.getContext('2d')!;
    const W = this.canvas.width;
    const H = this.canvas.height;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = '#0b0c0f';
    g.fillRect(0, 0, W, H);
    // Encoded images that finished decoding may change the bounds.
    if (this.lastCtx) this.bounds = this.contentBounds(this.lastCtx);
    this.updateHeader();
    const b = this.bounds ?? [0, 0, 1, 1];
    const bw = Math.max(b[2] - b[0], 1e-9);
    const bh = Math.max(b[3] - b[1], 1e-9);
    const fit = Math.min(W / bw, H / bh);
    const s = fit * this.zoom;
    const fx = (W - bw * fit) / 2 - b[0] * fit;
    const fy = (H - bh * fit) / 2 - b[1] * fit;
    // The pan applies after zooming about the fitted origin.
    this.scale = s;
    this.origin = [W / 2 + (fx - W / 2) * this.zoom + this.pan[0], H / 2 + (fy - H / 2) * this.zoom + this.pan[1]];
    this.drawnLayers = this.draw(g, s, this.origin[0], this.origin[1], window.devicePixelRatio || 1, true);
  }

  /** Draws every layer by draw order, then the labels; returns what it drew, bottom first. */
  private draw(g: CanvasRenderingContext2D, s: number, ox: number, oy: number, ui: number, withDepth: boolean): string[] {
    const ctx = this.lastCtx;
    type Item = { order: number; entity: string; what: string; draw: () => void };
    const items: Item[] = [];
    for (const l of this.layers.values()) {
      if (!l.ready || (ctx && !ctx.isVisible(l.entity)) || (l.isDepth && !withDepth)) continue;
      items.push({
        order: l.drawOrder,
        entity: l.entity,
        what: l.kind === 'segmentation' ? 'SegmentationImage' : 'image',
        draw: () => {
          g.imageSmoothingEnabled = false;
          g.globalAlpha = Math.max(0, Math.min(1, l.opacity));
          g.drawImage(l.canvas, ox, oy, l.width * s, l.height * s);
          g.globalAlpha = 1;
        },
      });
    }
    for (const p of this.prims) items.push({ order: p.drawOrder, entity: p.entity, what: p.archetype, draw: () => drawShapes(g, p, s, ox, oy, ui) });
    items.sort((a, b) => a.order - b.order || a.entity.localeCompare(b.entity));
    for (const it of items) it.draw();
    if (withDepth) drawHighlight(g, this.prims, ctx?.selection, s, ox, oy, ui);
    if (this.kind === 'spatial2d' && this.bounds && this.layers.size === 0 && ctx) {
      // A camera's image space: its resolution's outline.
      const res = vectorAt(batch(ctx, this.root, C.Pinhole.resolution), 0, 2);
      if (res) {
        g.strokeStyle = '#3a4250';
        g.lineWidth = 1;
        g.strokeRect(ox, oy, res[0] * s, res[1] * s);
      }
    }
    this.drawLabels(g, s, ox, oy, ui);
    return items.map((it) => `${it.entity} ${it.what} ${it.order}`);
  }

  /**
   * Draws the space (without depth images) into `target` at `k` pixels per scene unit, over
   * [0, 0, width, height] of the camera's resolution: a camera's image plane in the 3D view.
   * Returns true when it drew something new.
   */
  renderTo(ctx: ViewContext, target: HTMLCanvasElement, width: number, height: number, k: number): boolean {
    const before = `${this.lastStore}|${this.lastCursor}|${this.lastVisibility}|${[...this.layers.values()].map((l) => l.version).join(',')}`;
    this.lastCtx = ctx;
    if (ctx.storeVersion !== this.lastStore || ctx.cursorVersion !== this.lastCursor || ctx.visibilityVersion !== this.lastVisibility) {
      this.lastStore = ctx.storeVersion;
      this.lastCursor = ctx.cursorVersion;
      this.lastVisibility = ctx.visibilityVersion;
      this.sync(ctx);
    }
    const after = `${this.lastStore}|${this.lastCursor}|${this.lastVisibility}|${[...this.layers.values()].map((l) => l.version).join(',')}`;
    const W = Math.max(1, Math.round(width * k));
    const H = Math.max(1, Math.round(height * k));
    if (before === after && target.width === W && target.height === H && !this.dirty) return false;
    this.dirty = false;
    target.width = W;
    target.height = H;
    const g = target.getContext('2d')!;
    g.clearRect(0, 0, W, H);
    this.draw(g, k, 0, 0, k / 4, false);
    return true;
  }

  /** Whether anything but depth images would be drawn on a camera's image plane. */
  hasPlaneContent(): boolean {
    return this.prims.length > 0 || [...this.layers.values()].some((l) => l.ready && !l.isDepth);
  }

  private drawLabels(g: CanvasRenderingContext2D, s: number, ox: number, oy: number, ui: number): void {
    // A few thousand labels at most: more would be unreadable, and slow to draw.
    const labels: Label[] = this.prims.flatMap((p) => p.labels).slice(0, 5000);
    this.drawnLabels = labels.map((l) => ({ entity: l.entity, text: l.text, x: l.x, y: l.y }));
    if (labels.length === 0) return;
    const size = Math.round(11 * ui);
    g.font = `${size}px ui-sans-serif, system-ui, sans-serif`;
    g.textBaseline = 'bottom';
    for (const l of labels) {
      const x = l.x * s + ox + 3 * ui;
      const y = l.y * s + oy - 2 * ui;
      const w = g.measureText(l.text).width;
      // The label on a plate of its instance's color, in black or white, whichever reads.
      const [r, gg, b] = [l.color >>> 24, (l.color >>> 16) & 255, (l.color >>> 8) & 255];
      g.fillStyle = `rgba(${r},${gg},${b},0.85)`;
      g.fillRect(x - 2 * ui, y - size - 1 * ui, w + 4 * ui, size + 2 * ui);
      g.fillStyle = 0.299 * r + 0.587 * gg + 0.114 * b > 140 ? '#000' : '#fff';
      g.fillText(l.text, x, y);
    }
  }

  pick(clientX: number, clientY: number): Pick | null {
    const r = this.canvas.getBoundingClientRect();
    if (clientX < r.left || clientY < r.top || clientX >= r.right || clientY >= r.bottom) return null;
    const dpr = window.devicePixelRatio || 1;
    const x = ((clientX - r.left) * dpr - this.origin[0]) / this.scale;
    const y = ((clientY - r.top) * dpr - this.origin[1]) / this.scale;
    const ctx = this.lastCtx;
    const layers = [...this.layers.values()].filter((l) => !ctx || ctx.isVisible(l.entity));
    return pick2d(this.id, this.prims, layers, x, y, this.scale, dpr, 3 * dpr);
  }

  inspect(): Spatial2DState {
    const counts: Record<string, number> = { Points2D: 0, Boxes2D: 0, LineStrips2D: 0, Arrows2D: 0, images: 0 };
    for (const p of this.prims) counts[p.archetype] += p.shapes.length;
    for (const l of this.layers.values()) if (l.ready) counts.images++;
    return {
      kind: this.kind,
      root: this.root,
      entities: this.entities,
      bounds: this.bounds,
      scale: this.scale,
      origin: this.origin,
      canvas: [this.canvas.width, this.canvas.height],
      counts,
      layers: this.drawnLayers,
      labels: this.drawnLabels,
    };
  }

  dispose(): void {
    this.resize.disconnect();
    this.element.remove();
  }
}
