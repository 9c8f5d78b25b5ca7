// What is under the cursor in a view: the topmost 2D shape or image pixel, the nearest 3D
// point or the first box/mesh a ray hits, the series of a plot at an x. Views answer
// `pick(clientX, clientY)` with this; the app turns it into a selection or hover values.
import * as THREE from 'three';
import type { ImageLayer } from './image_layers';
import type { Primitives2D, Radius } from './primitives2d';

export interface SeriesValue {
  readonly name: string;
  readonly entity: string;
  readonly instance: number;
  /** The x of the series' sample shown (the last at or before the cursor's x), in plot units. */
  readonly x: number | null;
  readonly value: number | null;
}

export interface Pick {
  readonly view: string;
  /** The entity under the cursor, or null for empty space. */
  readonly entity: string | null;
  readonly instance: number | null;
  /** The archetype of the instance picked (`Points2D`, `Boxes3D`, ...). */
  readonly archetype?: string;
  /** Image layers under the cursor, topmost first, and the pixel. */
  readonly pixel?: { readonly x: number; readonly y: number; readonly layers: ImageLayer[] };
  /** A plot: the sample x nearest the cursor and every series' value there. */
  readonly plot?: { readonly path: string; readonly x: number; readonly series: SeriesValue[] };
}

function segmentDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / l2)) : 0;
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}

/**
 * The topmost shape at scene point (x, y) (later draw order first, later instances over
 * earlier ones), else the image layers there. `scale` is device pixels per scene unit,
 * `ui` device pixels per UI point; `slack` device pixels of tolerance.
 */
export function pick2d(
  view: string,
  prims: Primitives2D[],
  layers: ImageLayer[],
  x: number,
  y: number,
  scale: number,
  ui: number,
  slack = 3,
): Pick {
  const px = (r: Radius) => (r < 0 ? (-r * ui) / scale : r);
  const tol = slack / scale;
  const ordered = [...prims].sort((a, b) => b.drawOrder - a.drawOrder || b.entity.localeCompare(a.entity));
  for (const p of ordered) {
    for (let i = p.shapes.length - 1; i >= 0; i--) {
      const s = p.shapes[i];
      let hit = false;
      if (s.kind === 'point') hit = Math.hypot(x - s.x, y - s.y) <= Math.max(px(s.r), 0.5 / scale) + tol;
      else if (s.kind === 'box') {
        const m = px(s.r) + tol;
        hit = x >= Math.min(s.x0, s.x1) - m && x <= Math.max(s.x0, s.x1) + m && y >= Math.min(s.y0, s.y1) - m && y <= Math.max(s.y0, s.y1) + m;
      } else if (s.kind === 'strip') {
        for (let k = 0; k + 3 < s.points.length && !hit; k += 2) hit = segmentDistance(x, y, s.points[k], s.points[k + 1], s.points[k + 2], s.points[k + 3]) <= px(s.r) + tol;
      } else hit = segmentDistance(x, y, s.x, s.y, s.x + s.dx, s.y + s.dy) <= px(s.r) + tol;
      if (hit) return { view, entity: p.entity, instance: i, archetype: p.archetype };
    }
  }
  const under = layers
    .filter((l) => l.ready && x >= 0 && y >= 0 && x < l.width && y < l.height)
    .sort((a, b) => b.drawOrder - a.drawOrder || b.entity.localeCompare(a.entity));
  if (under.length === 0) return { view, entity: null, instance: null };
  return { view, entity: under[0].entity, instance: null, pixel: { x: Math.floor(x), y: Math.floor(y), layers: under } };
}

const kArchetypes3D: Record<string, string> = { points: 'Points3D', boxes: 'Boxes3D', strips: 'LineStrips3D', arrows: 'Arrows3D' };

/**
 * The 3D instance under the cursor: the point whose disc covers it (nearest the camera),
 * or the first box, mesh, line or shape a ray from the camera hits, whichever is nearer.
 * Visuals carry `userData.entity` and `userData.what` (see Spatial3DView.syncVisual).
 */
export function pick3d(view: string, top: THREE.Object3D, camera: THREE.PerspectiveCamera, canvas: HTMLCanvasElement, clientX: number, clientY: number): Pick {
  const r = canvas.getBoundingClientRect();
  const mx = clientX - r.left;
  const my = clientY - r.top;
  const ndc = new THREE.Vector2((mx / r.width) * 2 - 1, -(my / r.height) * 2 + 1);
  top.updateMatrixWorld(true);
  const dpr = canvas.width / Math.max(1, r.width);
  let best: { entity: string; instance: number | null; archetype?: string; depth: number } | null = null;
  const scale = canvas.height / (2 * Math.tan(THREE.MathUtils.degToRad(camera.fov) / 2));
  camera.updateMatrixWorld();
  const viewProj = new THREE.Matrix4().multiplyMatrices(camera.projectionMatrix, camera.matrixWorldInverse);
  const m = new THREE.Matrix4();
  top.traverseVisible((o) => {
    if (!(o instanceof THREE.Points)) return;
    const owner = visualOf(o);
    if (!owner) return;
    const pos = o.geometry.getAttribute('position') as THREE.BufferAttribute;
    const radii = o.geometry.getAttribute('radius') as THREE.BufferAttribute | undefined;
    const u = (o.material as THREE.ShaderMaterial).uniforms;
    const splat = (u?.uRadius?.value as number | undefined) ?? -1.5;
    // Clip coordinates in one pass over the positions (a cloud can have millions).
    const e = m.multiplyMatrices(viewProj, o.matrixWorld).elements;
    const a = pos.array as ArrayLike<number>;
    const stride = pos.itemSize;
    for (let i = 0; i < pos.count; i++) {
      const x = a[i * stride];
      const y = a[i * stride + 1];
      const z = a[i * stride + 2];
      // w is the view-space depth (-mv.z), as the shader sizes points by.
      const w = e[3] * x + e[7] * y + e[11] * z + e[15];
      if (w <= 1e-6) continue;
      const sx = (((e[0] * x + e[4] * y + e[8] * z + e[12]) / w + 1) / 2) * r.width;
      const sy = ((1 - (e[1] * x + e[5] * y + e[9] * z + e[13]) / w) / 2) * r.height;
      const dx = sx - mx;
      const dy = sy - my;
      const radius = radii ? radii.getX(i) : splat;
      // As the shader sizes them, in device pixels, then in CSS pixels.
      const devicePx = radius < 0 ? -radius : (radius * scale) / Math.max(w, 1e-3);
      const reach = Math.max(devicePx / dpr, 2.5) + 2;
      if (dx * dx + dy * dy <= reach * reach && (!best || w < best.depth)) {
        best = { entity: owner.entity, instance: i, archetype: kArchetypes3D[owner.what] ?? owner.what, depth: w };
      }
    }
  });
  const ray = new THREE.Raycaster();
  ray.setFromCamera(ndc, camera);
  ray.params.Line = { threshold: 0.02 };
  const hits = ray.intersectObject(top, true).filter((h) => !(h.object instanceof THREE.Points) && isShown(h.object) && visualOf(h.object));
  if (hits.length) {
    const h = hits[0];
    const owner = visualOf(h.object)!;
    if (!best || h.distance < (best as { depth: number }).depth) {
      // Boxes are one child group per instance.
      let instance: number | null = null;
      if (owner.what === 'boxes') {
        for (let o: THREE.Object3D | null = h.object; o && o.parent; o = o.parent) {
          if (o.parent === owner.object) instance = o.parent.children.indexOf(o);
        }
      }
      best = { entity: owner.entity, instance, archetype: kArchetypes3D[owner.what] ?? owner.what, depth: h.distance };
    }
  }
  const b = best as { entity: string; instance: number | null; archetype?: string } | null;
  return b ? { view, entity: b.entity, instance: b.instance, archetype: b.archetype } : { view, entity: null, instance: null };
}

function isShown(o: THREE.Object3D): boolean {
  for (let x: THREE.Object3D | null = o; x; x = x.parent) if (!x.visible) return false;
  return true;
}

function visualOf(o: THREE.Object3D): { entity: string; what: string; object: THREE.Object3D } | null {
  for (let x: THREE.Object3D | null = o; x; x = x.parent) {
    if (typeof x.userData.entity === 'string') return { entity: x.userData.entity as string, what: (x.userData.what as string) ?? '', object: x };
  }
  return null;
}

/** Index of the last x <= t in xs[0..n), or -1. */
function lastAtOrBefore(xs: Float64Array, n: number, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export interface PlotSeries {
  readonly name: string;
  readonly entity: string;
  readonly instance: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly length: number;
}

/**
 * A plot at cursor x `t` (plot units): the sample x nearest t over all series, and each
 * series' value there (its last sample at or before it, as latest-at reads it).
 */
export function plotValues(series: PlotSeries[], t: number): { x: number; series: SeriesValue[] } | null {
  let nearest = NaN;
  for (const s of series) {
    if (s.length === 0) continue;
    const i = lastAtOrBefore(s.x, s.length, t);
    for (const k of [i, i + 1]) {
      if (k >= 0 && k < s.length && (isNaN(nearest) || Math.abs(s.x[k] - t) < Math.abs(nearest - t))) nearest = s.x[k];
    }
  }
  if (isNaN(nearest)) return null;
  return {
    x: nearest,
    series: series.map((s) => {
      const i = lastAtOrBefore(s.x, s.length, nearest);
      return { name: s.name, entity: s.entity, instance: s.instance, x: i >= 0 ? s.x[i] : null, value: i >= 0 ? s.y[i] : null };
    }),
  };
}
