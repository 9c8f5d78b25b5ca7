// GeoPoints and GeoLineStrings of a subtree on a plain latitude/longitude plot (longitude
// right, latitude up, equirectangular; no map tiles: nothing outside the machine is
// fetched), with a graticule every few degrees.
import { colorCss, defaultColor, lineStrips } from '../data/components';
import { annotationsFor, instanceColor } from './annotations';
import { CanvasView, type Bounds, type CanvasTransform } from './canvas_view';
import { batch, count, numberAt, vectorAt } from './instances';
import { isUnder } from './layout';
import type { ViewContext } from './view';
import * as C from '../data/components.generated';

interface GeoPoint {
  entity: string;
  lat: number;
  lon: number;
  r: number;
  color: number;
}

interface GeoLine {
  entity: string;
  /** lat, lon pairs. */
  points: number[];
  r: number;
  color: number;
}

export class MapView extends CanvasView {
  private points: GeoPoint[] = [];
  private lines: GeoLine[] = [];

  constructor(id: string, root: string) {
    super(id, 'map', root, true);
  }

  protected sync(ctx: ViewContext): string {
    const points: GeoPoint[] = [];
    const lines: GeoLine[] = [];
    for (const e of [...ctx.store.entities.keys()].sort()) {
      if (!isUnder(e, this.root) || !ctx.isVisible(e)) continue;
      const pos = batch(ctx, e, C.GeoPoints.positions);
      if (pos) {
        const ann = annotationsFor(ctx, e);
        const colors = batch(ctx, e, C.GeoPoints.colors);
        const classIds = batch(ctx, e, C.GeoPoints.class_ids);
        const radii = batch(ctx, e, C.GeoPoints.radii);
        for (let i = 0; i < count(pos); i++) {
          const ll = vectorAt(pos, i, 2)!;
          points.push({ entity: e, lat: ll[0], lon: ll[1], r: numberAt(radii, i) ?? -4, color: instanceColor(colors, classIds, ann, i) ?? defaultColor(e) });
        }
      }
      const ls = batch(ctx, e, C.GeoLineStrings.line_strings);
      if (ls) {
        const { pointOffsets, points: flat } = lineStrips(ls.col);
        const colors = batch(ctx, e, C.GeoLineStrings.colors);
        const radii = batch(ctx, e, C.GeoLineStrings.radii);
        for (let i = 0; i < count(ls); i++) {
          const k = ls.start + i;
          lines.push({
            entity: e,
            points: Array.from(flat.subarray(pointOffsets[k] * 2, pointOffsets[k + 1] * 2)),
            r: numberAt(radii, i) ?? -1.5,
            color: numberAt(colors, i) ?? defaultColor(e),
          });
        }
      }
    }
    this.points = points;
    this.lines = lines;
    this.info.textContent = `${points.length} points, ${lines.length} lines`;
    return '';
  }

  protected bounds(): Bounds | null {
    const lats: number[] = this.points.map((p) => p.lat);
    const lons: number[] = this.points.map((p) => p.lon);
    for (const l of this.lines) for (let k = 0; k + 1 < l.points.length; k += 2) lats.push(l.points[k]), lons.push(l.points[k + 1]);
    if (lats.length === 0) return null;
    const pad = Math.max(Math.max(...lons) - Math.min(...lons), Math.max(...lats) - Math.min(...lats), 0.001) * 0.1;
    return [Math.min(...lons) - pad, Math.min(...lats) - pad, Math.max(...lons) + pad, Math.max(...lats) + pad];
  }

  protected draw(g: CanvasRenderingContext2D, t: CanvasTransform): void {
    const b = this.bounds();
    if (b) this.graticule(g, t, b);
    const px = (r: number) => (r < 0 ? -r * t.ui : r * t.ui);
    g.lineCap = 'round';
    g.lineJoin = 'round';
    for (const l of this.lines) {
      if (l.points.length < 4) continue;
      g.strokeStyle = colorCss(l.color);
      g.lineWidth = Math.max(1, 2 * px(l.r));
      g.beginPath();
      for (let k = 0; k + 1 < l.points.length; k += 2) {
        const [x, y] = this.toPx(l.points[k + 1], l.points[k]);
        if (k === 0) g.moveTo(x, y);
        else g.lineTo(x, y);
      }
      g.stroke();
    }
    for (const p of this.points) {
      const [x, y] = this.toPx(p.lon, p.lat);
      g.fillStyle = colorCss(p.color);
      g.beginPath();
      g.arc(x, y, px(p.r), 0, 2 * Math.PI);
      g.fill();
    }
  }

  /** Lines of constant latitude and longitude at a round step, labeled in degrees. */
  private graticule(g: CanvasRenderingContext2D, t: CanvasTransform, b: Bounds): void {
    const span = Math.max(b[2] - b[0], b[3] - b[1]);
    const step = Math.pow(10, Math.floor(Math.log10(span / 2)));
    g.strokeStyle = '#262c36';
    g.fillStyle = '#8a93a2';
    g.lineWidth = t.ui;
    g.font = `${Math.round(10 * t.ui)}px ui-sans-serif, system-ui, sans-serif`;
    const W = this.canvas.width;
    const H = this.canvas.height;
    for (let lon = Math.ceil((b[0] - span) / step) * step; lon <= b[2] + span; lon += step) {
      const [x] = this.toPx(lon, 0);
      g.beginPath();
      g.moveTo(x, 0);
      g.lineTo(x, H);
      g.stroke();
      g.fillText(`${+lon.toFixed(6)}°`, x + 2 * t.ui, H - 4 * t.ui);
    }
    for (let lat = Math.ceil((b[1] - span) / step) * step; lat <= b[3] + span; lat += step) {
      const [, y] = this.toPx(0, lat);
      g.beginPath();
      g.moveTo(0, y);
      g.lineTo(W, y);
      g.stroke();
      g.fillText(`${+lat.toFixed(6)}°`, 2 * t.ui, y - 2 * t.ui);
    }
  }

  inspect(): unknown {
    return {
      points: this.points.map((p) => ({ entity: p.entity, lat: p.lat, lon: p.lon, px: this.toPx(p.lon, p.lat) })),
      lines: this.lines.map((l) => ({ entity: l.entity, points: l.points.length / 2 })),
    };
  }
}
