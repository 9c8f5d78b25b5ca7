// Time-series plots (uPlot): one plot per parent entity, one series per Scalars instance
// of the entities under it (a batch of n scalars is n series). Each series keeps all its points in Float64Arrays; what uPlot draws is the
// min/max decimation of the visible window to the plot's pixel width.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TimeType } from '../data/chunk';
import { colorCss } from '../data/components';
import { decimateMinMax, type XY } from '../data/decimate';
import { kScalarComponent, ScalarSeries, scalarInstances } from '../data/series';
import { fromPlotUnits, toPlotUnits } from '../data/time';
import { isUnder, parentPath } from './layout';
import { drawMarker, seriesStyle, styleKey, type SeriesSpec, type SeriesStyle } from './series_style';
import { plotValues, type Pick } from './pick';
import { panel, type View, type ViewContext } from './view';

/** The decimated window of each series as uPlot's aligned data (x shared by all series). */
export function alignedData(parts: XY[]): uPlot.AlignedData {
  if (parts.length === 0) return [new Float64Array(0)];
  const x0 = parts[0].x;
  const same = parts.every((p) => p.x.length === x0.length && p.x.every((v, i) => v === x0[i]));
  if (same) return [x0, ...parts.map((p) => p.y)];
  return uPlot.join(parts.map((p) => [p.x, p.y] as uPlot.AlignedData));
}

class Plot {
  readonly element = document.createElement('div');
  readonly series = new Map<string, ScalarSeries>();
  private uplot: uPlot | null = null;
  private seriesKey = '';
  private dataKey = '';
  /** The zoomed x window, or null to show everything (and follow new data). */
  private window: [number, number] | null = null;
  private programmatic = false;
  private cursorX = NaN;
  private ctx: ViewContext | null = null;
  private width = 0;
  /** Height of the plotting canvas (uPlot's height; the legend and title come on top). */
  private height = 170;
  private downX = NaN;
  /** The series drawn, in uPlot's order (after the x series), with their styles. */
  private drawn: { spec: SeriesSpec; style: SeriesStyle }[] = [];
  /** Device positions of the markers drawn last, per drawn series. */
  private markerPositions: [number, number][][] = [];

  constructor(readonly path: string) {
    this.element.className = 'plot';
    this.element.dataset.plot = path;
  }

  update(ctx: ViewContext, specs: SeriesSpec[], width: number, height: number): void {
    this.ctx = ctx;
    const timeline = ctx.timeline!;
    let changed = false;
    for (const spec of specs) {
      let s = this.series.get(spec.key);
      if (!s || s.timeline !== timeline) {
        s = new ScalarSeries(spec.entity, timeline, spec.instance);
        this.series.set(spec.key, s);
        changed = true;
      }
      if (s.update(ctx.store)) changed = true;
    }
    const keys = new Set(specs.map((s) => s.key));
    for (const k of [...this.series.keys()]) {
      if (!keys.has(k)) {
        this.series.delete(k);
        changed = true;
      }
    }
    const entities = [...new Set(specs.map((s) => s.entity))];
    const key = `${timeline}|${[...keys].join(',')}|${ctx.visibilityVersion}|${entities.map((e) => styleKey(ctx, e)).join(';')}`;
    if (key !== this.seriesKey || !this.uplot) {
      this.seriesKey = key;
      this.window = null;
      this.create(ctx, specs, width);
      changed = true;
    }
    if (width !== this.width || height !== this.height) {
      this.width = width;
      this.height = height;
      this.uplot!.setSize({ width, height });
      changed = true;
    }
    const cursorX = toPlotUnits(ctx.time, ctx.timeType);
    const dataKey = `${[...this.series.values()].map((s) => s.version).join(',')}|${this.window?.join(',')}`;
    if (changed || dataKey !== this.dataKey) {
      this.dataKey = dataKey;
      this.cursorX = cursorX;
      this.setData();
    } else if (cursorX !== this.cursorX) {
      this.cursorX = cursorX;
      this.uplot!.redraw(false, false);
    }
  }

  private extent(): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of this.series.values()) {
      if (s.length === 0) continue;
      lo = Math.min(lo, s.x[0]);
      hi = Math.max(hi, s.x[s.length - 1]);
    }
    if (!isFinite(lo)) return [0, 1];
    return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
  }

  private setData(): void {
    const u = this.uplot!;
    const [x0, x1] = this.window ?? this.extent();
    const buckets = Math.max(64, Math.round(this.width));
    const visible = this.drawn.map((d) => this.series.get(d.spec.key)!);
    const parts = visible.map((s) => decimateMinMax(s.x, s.y, s.length, x0, x1, buckets));
    this.element.dataset.points = String(visible.reduce((n, s) => n + s.length, 0));
    this.element.dataset.drawn = String(parts.reduce((n, p) => n + p.x.length, 0));
    this.programmatic = true;
    u.batch(() => {
      u.setData(alignedData(parts), false);
      u.setScale('x', { min: x0, max: x1 });
    });
    this.programmatic = false;
  }

  private create(ctx: ViewContext, specs: SeriesSpec[], width: number): void {
    this.uplot?.destroy();
    const type: TimeType = ctx.timeType;
    const series: uPlot.Series[] = [{ label: ctx.timeline ?? 'time' }];
    this.drawn = [];
    specs.forEach((spec, i) => {
      if (!ctx.isVisible(spec.entity)) return;
      const style = seriesStyle(ctx, spec, i);
      this.drawn.push({ spec, style });
      series.push({
        label: style.name,
        stroke: colorCss(style.color),
        fill: undefined,
        width: style.width,
        spanGaps: true,
        // Markers are drawn by drawMarkers; a markers-only series draws no line.
        paths: style.width > 0 ? undefined : () => null,
        points: { show: false },
      });
    });
    const visible = this.drawn;
    const opts: uPlot.Options = {
      width,
      height: this.height,
      series,
      legend: { show: true, live: true },
      scales: {
        x: { time: type === 'timestamp' },
        // A flat series gets a unit band around its value instead of uPlot's 0..100.
        // Padded on both sides, so markers at the extremes are drawn whole.
        y: { range: (_u, lo, hi) => (lo === hi || lo == null || hi == null ? [(lo ?? 0) - 1, (hi ?? 0) + 1] : [lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo)]) },
      },
      axes: [
        {
          stroke: '#9aa4b2',
          grid: { stroke: '#2a303a' },
          ticks: { stroke: '#2a303a' },
          values: type === 'duration' ? (_u, vals) => vals.map((v) => `${+v.toFixed(6)}s`) : undefined,
        },
        { stroke: '#9aa4b2', grid: { stroke: '#2a303a' }, ticks: { stroke: '#2a303a' }, size: 56 },
      ],
      cursor: { drag: { x: true, y: false } },
      hooks: {
        setScale: [
          (u, key) => {
            if (key !== 'x' || this.programmatic) return;
            const { min, max } = u.scales.x;
            if (min != null && max != null) this.window = [min, max];
          },
        ],
        draw: [(u) => this.drawMarkers(u), (u) => this.drawCursor(u)],
      },
    };
    this.uplot = new uPlot(opts, [new Float64Array(0), ...visible.map(() => new Float64Array(0))], this.element);
    this.width = width;
    const over = this.uplot.over;
    over.addEventListener('dblclick', () => {
      this.window = null;
      this.dataKey = '';
    });
    over.addEventListener('mousedown', (e) => (this.downX = e.clientX));
    over.addEventListener('mouseup', (e) => {
      if (Math.abs(e.clientX - this.downX) > 3 || !this.ctx || !this.uplot) return;
      const x = this.uplot.posToVal(e.offsetX, 'x');
      this.ctx.setTime(fromPlotUnits(x, this.ctx.timeType));
    });
  }

  private drawMarkers(u: uPlot): void {
    const dpr = window.devicePixelRatio || 1;
    const g = u.ctx;
    this.markerPositions = this.drawn.map(() => []);
    this.drawn.forEach((d, k) => {
      if (d.style.marker === null) return;
      const xs = u.data[0];
      const ys = u.data[k + 1];
      const color = colorCss(d.style.color);
      g.save();
      g.beginPath();
      g.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      g.clip();
      g.fillStyle = color;
      g.strokeStyle = color;
      g.lineWidth = 1.5 * dpr;
      for (let i = 0; i < xs.length; i++) {
        const y = ys[i];
        if (y === null || y === undefined || !isFinite(y)) continue;
        const px = u.valToPos(xs[i], 'x', true);
        const py = u.valToPos(y, 'y', true);
        drawMarker(g, d.style.marker!, px, py, d.style.markerSize * dpr);
        this.markerPositions[k].push([px, py]);
      }
      g.restore();
    });
  }

  /** Pixels the plot takes beyond its canvas height (title, legend, margin). */
  overhead(): number {
    return this.uplot ? Math.max(0, this.element.offsetHeight - this.height) : 60;
  }

  /** The series' values at the sample x nearest the cursor; the series within 8 px of it. */
  pick(view: string, clientX: number, clientY: number): Pick | null {
    const u = this.uplot;
    if (!u) return null;
    const r = u.over.getBoundingClientRect();
    if (clientX < r.left || clientY < r.top || clientX >= r.right || clientY >= r.bottom) return null;
    const series = this.drawn.map((d) => {
      const s = this.series.get(d.spec.key)!;
      return { name: d.style.name, entity: d.spec.entity, instance: d.spec.instance, x: s.x, y: s.y, length: s.length };
    });
    const v = plotValues(series, u.posToVal(clientX - r.left, 'x'));
    if (!v) return { view, entity: null, instance: null };
    let entity: string | null = null;
    let instance: number | null = null;
    let nearest = 8;
    v.series.forEach((s, k) => {
      if (s.value === null) return;
      const d = Math.abs(u.valToPos(s.value, 'y') - (clientY - r.top));
      if (d <= nearest) {
        nearest = d;
        entity = s.entity;
        instance = this.drawn[k].spec.count > 1 ? s.instance : null;
      }
    });
    return { view, entity, instance, archetype: entity ? 'Scalars' : undefined, plot: { path: this.path, x: v.x, series: v.series } };
  }

  /** What the plot drew last, for the browser tests. */
  inspect(): unknown {
    const u = this.uplot;
    return {
      path: this.path,
      // Device pixels of the plotting area and the scales' ranges (linear), to find a value.
      bbox: u ? [u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height] : null,
      x: u ? [u.scales.x.min, u.scales.x.max] : null,
      y: u ? [u.scales.y.min, u.scales.y.max] : null,
      series: this.drawn.map((d, k) => ({
        entity: d.spec.entity,
        instance: d.spec.instance,
        ...d.style,
        points: this.series.get(d.spec.key)?.length ?? 0,
        markers: this.markerPositions[k] ?? [],
      })),
    };
  }

  private drawCursor(u: uPlot): void {
    if (!isFinite(this.cursorX)) return;
    const x = u.valToPos(this.cursorX, 'x', true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
    const c = u.ctx;
    c.save();
    c.strokeStyle = '#f5a623';
    c.lineWidth = 1.5 * (window.devicePixelRatio || 1);
    c.beginPath();
    c.moveTo(x, u.bbox.top);
    c.lineTo(x, u.bbox.top + u.bbox.height);
    c.stroke();
    c.restore();
  }

  dispose(): void {
    this.uplot?.destroy();
    this.element.remove();
  }
}

/** Every Scalars entity under `root`, grouped into one plot per parent entity. */
export function plotGroups(ctx: ViewContext, root: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const paths = [...ctx.store.entities.values()]
    .filter((e) => e.components.has(kScalarComponent) && isUnder(e.path, root))
    .map((e) => e.path)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const p of paths) {
    const parent = paths.length === 1 ? p : parentPath(p);
    if (!groups.has(parent)) groups.set(parent, []);
    groups.get(parent)!.push(p);
  }
  return groups;
}

export class PlotsView implements View {
  readonly kind = 'plots';
  readonly element: HTMLElement;
  private readonly list = document.createElement('div');
  private readonly plots = new Map<string, Plot>();
  private readonly info = document.createElement('span');
  private lastKey = '';
  /** Re-fits of the plots' heights after their legends' heights became known. */
  private refits = 0;

  constructor(
    readonly id: string,
    private readonly root: string,
  ) {
    const p = panel('plots', root);
    this.element = p.element;
    this.info.className = 'panel-info';
    p.header.append(this.info);
    this.list.className = 'plot-list';
    p.body.append(this.list);
  }

  update(ctx: ViewContext): void {
    if (!ctx.timeline) return;
    const key = `${ctx.storeVersion}|${ctx.cursorVersion}|${ctx.visibilityVersion}|${ctx.timeline}|${this.list.clientWidth}|${this.list.clientHeight}`;
    if (key === this.lastKey) return;
    if (this.lastKey !== '') this.refits = 0;
    this.lastKey = key;
    const groups = plotGroups(ctx, this.root);
    const width = Math.max(200, this.list.clientWidth - 12);
    // The plots share the height they are given (each at least 100 px of canvas).
    const shown = [...groups.values()].filter((es) => es.some((e) => ctx.isVisible(e))).length;
    const share = Math.floor((this.list.clientHeight - 8) / Math.max(1, shown));
    let points = 0;
    for (const [path, entities] of groups) {
      let plot = this.plots.get(path);
      if (!plot) {
        plot = new Plot(path);
        const title = document.createElement('div');
        title.className = 'plot-title';
        title.textContent = path;
        plot.element.append(title);
        this.plots.set(path, plot);
        this.insertSorted(plot);
      }
      plot.element.classList.toggle('hidden-entity', !entities.some((e) => ctx.isVisible(e)));
      const specs: SeriesSpec[] = entities.flatMap((e) => {
        const n = Math.max(1, scalarInstances(ctx.store, e));
        return Array.from({ length: n }, (_, i) => ({ key: `${e}#${i}`, entity: e, instance: i, count: n }));
      });
      plot.update(ctx, specs, width, Math.max(100, share - plot.overhead() - 6));
      for (const s of plot.series.values()) points += s.length;
    }
    for (const [path, plot] of this.plots) {
      if (!groups.has(path)) {
        plot.dispose();
        this.plots.delete(path);
      }
    }
    this.info.textContent = `${this.plots.size} plots, ${points.toLocaleString('en-US')} points`;
    // A plot's title and legend are measured once drawn: fit again when the plots do not
    // fill the list (a few times at most, to settle on the measured heights).
    let used = 0;
    for (const p of this.plots.values()) if (!p.element.classList.contains('hidden-entity')) used += p.element.offsetHeight + 6;
    if (shown > 0 && share - 6 > 160 && Math.abs(used - (this.list.clientHeight - 8)) > 2 * shown && this.refits < 3) {
      this.refits++;
      this.lastKey = '';
    }
  }

  inspect(): unknown {
    return { plots: [...this.plots.values()].map((p) => p.inspect()) };
  }

  pick(clientX: number, clientY: number): Pick | null {
    for (const p of this.plots.values()) {
      const hit = p.pick(this.id, clientX, clientY);
      if (hit) return hit;
    }
    return null;
  }

  bufferBytes(): number {
    let n = 0;
    for (const p of this.plots.values()) for (const s of p.series.values()) n += s.x.byteLength + s.y.byteLength;
    return n;
  }

  private insertSorted(plot: Plot): void {
    const after = [...this.plots.values()]
      .filter((p) => p !== plot && p.path.localeCompare(plot.path, 'en', { numeric: true }) > 0)
      .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }))[0];
    this.list.insertBefore(plot.element, after ? after.element : null);
  }

  dispose(): void {
    for (const p of this.plots.values()) p.dispose();
    this.element.remove();
  }
}
