// A graph view of a subtree: the GraphNodes of its entities (at their positions, or laid
// out on a circle in id order when they have none) and the GraphEdges between node ids of
// any of them, with arrow heads when directed; node labels as in the 2D view.
import { colorCss, defaultColor, stringAt, structField } from '../data/components';
import { CanvasView, type Bounds, type CanvasTransform } from './canvas_view';
import { batch, count, labelAt, numberAt, showLabels, stringOf, vectorAt } from './instances';
import { isUnder } from './layout';
import type { ViewContext } from './view';
import * as C from '../data/components.generated';

interface Node {
  entity: string;
  id: string;
  x: number;
  y: number;
  r: number;
  color: number;
  label: string | null;
}

interface Edge {
  from: string;
  to: string;
  directed: boolean;
}

export class GraphView extends CanvasView {
  private nodes: Node[] = [];
  private edges: Edge[] = [];

  constructor(id: string, root: string) {
    super(id, 'graph', root, false);
  }

  protected sync(ctx: ViewContext): string {
    const nodes: Node[] = [];
    const edges: Edge[] = [];
    const unplaced: Node[] = [];
    for (const e of [...ctx.store.entities.keys()].sort()) {
      if (!isUnder(e, this.root) || !ctx.isVisible(e)) continue;
      const ids = batch(ctx, e, C.GraphNodes.node_ids);
      if (ids) {
        const n = count(ids);
        const pos = batch(ctx, e, C.GraphNodes.positions);
        const colors = batch(ctx, e, C.GraphNodes.colors);
        const radii = batch(ctx, e, C.GraphNodes.radii);
        const labels = batch(ctx, e, C.GraphNodes.labels);
        const show = showLabels(batch(ctx, e, C.GraphNodes.show_labels), labels ? count(labels) : 0);
        for (let i = 0; i < n; i++) {
          const p = pos && i < count(pos) ? vectorAt(pos, i, 2) : null;
          const node: Node = {
            entity: e,
            id: stringOf(ids, i)!,
            x: p ? p[0] : 0,
            y: p ? p[1] : 0,
            r: numberAt(radii, i) ?? 6,
            color: numberAt(colors, i) ?? defaultColor(e),
            label: show ? labelAt(labels, i, n) : null,
          };
          nodes.push(node);
          if (!p) unplaced.push(node);
        }
      }
      const eb = batch(ctx, e, C.GraphEdges.edges);
      if (eb) {
        const first = structField(eb.col, 'first');
        const second = structField(eb.col, 'second');
        const directed = numberAt(batch(ctx, e, C.GraphEdges.graph_type), 0) === C.GraphType.Directed;
        for (let k = eb.start; k < eb.end; k++) edges.push({ from: stringAt(first, k), to: stringAt(second, k), directed });
      }
    }
    // Nodes without positions: on a circle, in the order they were found.
    const R = 100;
    unplaced.forEach((n, i) => {
      const a = (2 * Math.PI * i) / unplaced.length - Math.PI / 2;
      n.x = R * Math.cos(a);
      n.y = R * Math.sin(a);
    });
    this.nodes = nodes;
    this.edges = edges;
    this.info.textContent = `${nodes.length} nodes, ${edges.length} edges`;
    return '';
  }

  protected bounds(): Bounds | null {
    if (this.nodes.length === 0) return null;
    const xs = this.nodes.map((n) => n.x);
    const ys = this.nodes.map((n) => n.y);
    const pad = 10;
    return [Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) + pad, Math.max(...ys) + pad];
  }

  protected draw(g: CanvasRenderingContext2D, t: CanvasTransform): void {
    const byId = new Map(this.nodes.map((n) => [n.id, n]));
    const radius = (n: Node) => (n.r < 0 ? -n.r * t.ui : n.r * t.ui);
    g.strokeStyle = '#9aa4b2';
    g.fillStyle = '#9aa4b2';
    g.lineWidth = 1.5 * t.ui;
    for (const e of this.edges) {
      const a = byId.get(e.from);
      const b = byId.get(e.to);
      if (!a || !b) continue;
      const [x0, y0] = this.toPx(a.x, a.y);
      const [x1, y1] = this.toPx(b.x, b.y);
      g.beginPath();
      g.moveTo(x0, y0);
      g.lineTo(x1, y1);
      g.stroke();
      if (e.directed) {
        const len = Math.hypot(x1 - x0, y1 - y0) || 1;
        const ux = (x1 - x0) / len;
        const uy = (y1 - y0) / len;
        const tx = x1 - ux * radius(b);
        const ty = y1 - uy * radius(b);
        const h = 8 * t.ui;
        g.beginPath();
        g.moveTo(tx, ty);
        g.lineTo(tx - ux * h - uy * h * 0.5, ty - uy * h + ux * h * 0.5);
        g.lineTo(tx - ux * h + uy * h * 0.5, ty - uy * h - ux * h * 0.5);
        g.closePath();
        g.fill();
      }
    }
    g.font = `${Math.round(11 * t.ui)}px ui-sans-serif, system-ui, sans-serif`;
    g.textBaseline = 'middle';
    for (const n of this.nodes) {
      const [x, y] = this.toPx(n.x, n.y);
      g.fillStyle = colorCss(n.color);
      g.beginPath();
      g.arc(x, y, radius(n), 0, 2 * Math.PI);
      g.fill();
      if (n.label) {
        g.fillStyle = '#d6dbe3';
        g.fillText(n.label, x + radius(n) + 3 * t.ui, y);
      }
    }
  }

  inspect(): unknown {
    return {
      nodes: this.nodes.map((n) => ({ entity: n.entity, id: n.id, x: n.x, y: n.y, label: n.label, px: this.toPx(n.x, n.y) })),
      edges: this.edges,
    };
  }
}
