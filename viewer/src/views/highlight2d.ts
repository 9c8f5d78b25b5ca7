// The selected entity (or instance) outlined in a 2D view, over what is drawn.
import type { Primitives2D, Radius } from './primitives2d';

export interface Highlight {
  readonly entity: string;
  readonly instance: number | null;
}

/** Outlines the selected shapes; `s` device pixels per scene unit, `ui` per UI point. */
export function drawHighlight(g: CanvasRenderingContext2D, prims: Primitives2D[], sel: Highlight | null | undefined, s: number, ox: number, oy: number, ui: number): void {
  if (!sel) return;
  const px = (r: Radius) => (r < 0 ? -r * ui : r * s);
  g.save();
  g.strokeStyle = '#ffffff';
  g.lineWidth = 1.5 * ui;
  g.setLineDash([4 * ui, 3 * ui]);
  for (const p of prims) {
    if (p.entity !== sel.entity) continue;
    p.shapes.forEach((sh, i) => {
      if (sel.instance !== null && i !== sel.instance) return;
      const m = px(sh.r) + 3 * ui;
      g.beginPath();
      if (sh.kind === 'point') g.arc(sh.x * s + ox, sh.y * s + oy, Math.max(0.5, px(sh.r)) + 3 * ui, 0, 2 * Math.PI);
      else if (sh.kind === 'box') g.rect(sh.x0 * s + ox - m, sh.y0 * s + oy - m, (sh.x1 - sh.x0) * s + 2 * m, (sh.y1 - sh.y0) * s + 2 * m);
      else if (sh.kind === 'strip') {
        for (let k = 0; k + 1 < sh.points.length; k += 2) {
          const x = sh.points[k] * s + ox;
          const y = sh.points[k + 1] * s + oy;
          if (k === 0) g.moveTo(x, y);
          else g.lineTo(x, y);
        }
      } else {
        g.moveTo(sh.x * s + ox, sh.y * s + oy);
        g.lineTo((sh.x + sh.dx) * s + ox, (sh.y + sh.dy) * s + oy);
      }
      g.stroke();
    });
  }
  g.restore();
}
