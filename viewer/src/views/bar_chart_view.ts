// A bar chart of one entity's latest-at BarChart: one bar per element of the 1-D values
// tensor, at the abscissa (default: the element's index), of the given widths (default 1),
// in its color.
import { binaryAt, structField } from '../data/components';
import { CanvasView, type Bounds, type CanvasTransform } from './canvas_view';
import { tensorValues } from './image_convert';
import { batch, numberAt, type Batch } from './instances';
import type { ViewContext } from './view';
import * as C from '../data/components.generated';

interface Bar {
  x: number;
  width: number;
  value: number;
}

/** The elements of the first TensorData of a batch, as numbers. */
function tensorOf(b: Batch | null): number[] | null {
  if (!b) return null;
  const k = b.start;
  const shape = structField(b.col, 'shape');
  const so = shape.valueOffsets as Int32Array;
  const dims = Array.from((shape.children[0].values as BigUint64Array).subarray(so[k], so[k + 1]), Number);
  const n = dims.reduce((a, d) => a * d, 1);
  const datatype = Number(structField(b.col, 'datatype').values[k]);
  const bytes = binaryAt(structField(b.col, 'buffer'), k);
  return Array.from(tensorValues(bytes, datatype, n));
}

export class BarChartView extends CanvasView {
  private bars: Bar[] = [];
  private color = 0xc8c8c8ff;

  constructor(id: string, entity: string) {
    super(id, 'bar_chart', entity, true, false);
  }

  protected sync(ctx: ViewContext): string {
    const e = this.root;
    const values = ctx.isVisible(e) ? tensorOf(batch(ctx, e, C.BarChart.values)) : null;
    const abscissa = tensorOf(batch(ctx, e, C.BarChart.abscissa));
    const widths = batch(ctx, e, C.BarChart.widths);
    this.color = numberAt(batch(ctx, e, C.BarChart.color), 0) ?? 0xc8c8c8ff;
    this.bars = (values ?? []).map((value, i) => ({ x: abscissa?.[i] ?? i, width: numberAt(widths, i) ?? 1, value }));
    this.info.textContent = `${this.bars.length} bars`;
    return '';
  }

  protected bounds(): Bounds | null {
    if (this.bars.length === 0) return null;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = 0;
    let y1 = 0;
    for (const b of this.bars) {
      x0 = Math.min(x0, b.x - b.width / 2);
      x1 = Math.max(x1, b.x + b.width / 2);
      y0 = Math.min(y0, b.value);
      y1 = Math.max(y1, b.value);
    }
    return [x0, y0, x1, y1 > y0 ? y1 : y0 + 1];
  }

  protected draw(g: CanvasRenderingContext2D, t: CanvasTransform): void {
    const [r, gg, b] = [this.color >>> 24, (this.color >>> 16) & 255, (this.color >>> 8) & 255];
    g.fillStyle = `rgb(${r},${gg},${b})`;
    for (const bar of this.bars) {
      const [xa, ya] = this.toPx(bar.x - bar.width / 2, 0);
      const [xb, yb] = this.toPx(bar.x + bar.width / 2, bar.value);
      // A small gap between neighbouring bars.
      const gap = Math.min(2 * t.ui, (xb - xa) * 0.1);
      g.fillRect(xa + gap / 2, Math.min(ya, yb), xb - xa - gap, Math.abs(yb - ya));
    }
    // The zero line.
    const [z0, zy] = this.toPx(this.bounds()?.[0] ?? 0, 0);
    const [z1] = this.toPx(this.bounds()?.[2] ?? 1, 0);
    g.strokeStyle = '#9aa4b2';
    g.lineWidth = t.ui;
    g.beginPath();
    g.moveTo(z0, zy);
    g.lineTo(z1, zy);
    g.stroke();
  }

  inspect(): unknown {
    return { bars: this.bars, color: this.color, transform: this.transform };
  }
}
