// A view drawn on one 2D canvas in its own scene coordinates, fitted to the content's
// bounds, with wheel zoom about the cursor, drag to pan and double click to fit again: the
// base of the bar chart, graph and map views.
import { panel, type View, type ViewContext } from './view';

export type Bounds = [number, number, number, number];

export interface CanvasTransform {
  /** Device pixels per scene unit on x and y (y may be negative: up is up). */
  readonly sx: number;
  readonly sy: number;
  /** Device position of the scene origin. */
  readonly ox: number;
  readonly oy: number;
  readonly ui: number;
}

export abstract class CanvasView implements View {
  readonly element: HTMLElement;
  protected readonly canvas = document.createElement('canvas');
  protected readonly info = document.createElement('span');
  protected transform: CanvasTransform = { sx: 1, sy: 1, ox: 0, oy: 0, ui: 1 };
  private zoom = 1;
  private pan: [number, number] = [0, 0];
  private dirty = true;
  private lastKey = '';
  private readonly resize: ResizeObserver;
  private drag: { x: number; y: number } | null = null;

  constructor(
    readonly id: string,
    readonly kind: string,
    protected readonly root: string,
    /** Whether scene y grows upward (maps, charts) or downward (graphs, like images). */
    private readonly yUp: boolean,
    /** The same scale on x and y (graphs, maps), or each axis fitted on its own (charts). */
    private readonly uniform = true,
  ) {
    const p = panel(kind, root);
    this.element = p.element;
    this.info.className = 'panel-info';
    p.header.append(this.info);
    this.canvas.className = 'view2d-canvas';
    p.body.append(this.canvas);
    this.resize = new ResizeObserver(() => (this.dirty = true));
    this.resize.observe(p.body);
    const c = this.canvas;
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const dpr = window.devicePixelRatio || 1;
      const r = c.getBoundingClientRect();
      const mx = (e.clientX - r.left) * dpr;
      const my = (e.clientY - r.top) * dpr;
      const f = Math.exp(-e.deltaY * 0.0015);
      const t = this.transform;
      const cx = c.width / 2;
      const cy = c.height / 2;
      this.pan = [mx - (mx - t.ox) * f - cx - (t.ox - cx - this.pan[0]) * f, my - (my - t.oy) * f - cy - (t.oy - cy - this.pan[1]) * f];
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

  /** Reads the data at the cursor; returns a key that changes when what is drawn changes. */
  protected abstract sync(ctx: ViewContext): string;
  /** The scene bounds to fit, or null when there is nothing. */
  protected abstract bounds(): Bounds | null;
  protected abstract draw(g: CanvasRenderingContext2D, t: CanvasTransform): void;

  /** Scene coordinates to device pixels. */
  protected toPx(x: number, y: number): [number, number] {
    const t = this.transform;
    return [x * t.sx + t.ox, y * t.sy + t.oy];
  }

  update(ctx: ViewContext): void {
    const key = `${ctx.storeVersion}|${ctx.cursorVersion}|${ctx.visibilityVersion}`;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.sync(ctx);
      this.element.classList.toggle('hidden-entity', !ctx.isVisible(this.root));
      this.dirty = true;
    }
    if (!this.dirty) return;
    this.dirty = false;
    const dpr = window.devicePixelRatio || 1;
    const W = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const H = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (this.canvas.width !== W || this.canvas.height !== H) {
      this.canvas.width = W;
      this.canvas.height = H;
    }
    const g = this.canvas.getContext('2d')!;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.fillStyle = '#0b0c0f';
    g.fillRect(0, 0, W, H);
    const b = this.bounds() ?? [0, 0, 1, 1];
    const margin = 28 * dpr;
    const bw = Math.max(b[2] - b[0], 1e-9);
    const bh = Math.max(b[3] - b[1], 1e-9);
    let fitX = (W - 2 * margin) / bw;
    let fitY = (H - 2 * margin) / bh;
    if (this.uniform) fitX = fitY = Math.min(fitX, fitY);
    const fx = (W - bw * fitX) / 2 - b[0] * fitX;
    const fy = this.yUp ? (H + bh * fitY) / 2 + b[1] * fitY : (H - bh * fitY) / 2 - b[1] * fitY;
    const ox = W / 2 + (fx - W / 2) * this.zoom + this.pan[0];
    const oy = H / 2 + (fy - H / 2) * this.zoom + this.pan[1];
    this.transform = { sx: fitX * this.zoom, sy: (this.yUp ? -fitY : fitY) * this.zoom, ox, oy, ui: dpr };
    this.draw(g, this.transform);
  }

  dispose(): void {
    this.resize.disconnect();
    this.element.remove();
  }
}
