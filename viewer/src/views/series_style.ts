// How each scalar series is drawn: instance i of an entity's Scalars takes element i (or the
// last) of its SeriesLines / SeriesPoints colors, names, widths, markers and marker sizes.
// SeriesPoints draws markers (without a line unless SeriesLines is logged too).
import { batch, batchKey, numberAt, stringOf, type Batch } from './instances';
import type { ViewContext } from './view';
import * as C from '../data/components.generated';

/** One series of a plot: an entity's Scalars instance. */
export interface SeriesSpec {
  readonly key: string;
  readonly entity: string;
  readonly instance: number;
  /** How many series the entity has. */
  readonly count: number;
}

export interface SeriesStyle {
  readonly name: string;
  /** 0xRRGGBBAA */
  readonly color: number;
  /** Line width in UI points; 0 draws no line. */
  readonly width: number;
  /** A MarkerShape code, or null for no markers. */
  readonly marker: number | null;
  /** Marker radius in UI points. */
  readonly markerSize: number;
}

/** Categorical colors for series without colors of their own (0xRRGGBBAA). */
export const kPalette = [0x4e9bf0ff, 0xf5a623ff, 0x5cc98aff, 0xe5606fff, 0xb68cf2ff, 0x3fc6c6ff, 0xe6d35aff, 0xf08fc0ff, 0x9aa4b2ff, 0x8fd14fff];

const kDefaultWidth = 1.25;
const kDefaultMarkerSize = 3;

function styleBatches(ctx: ViewContext, entity: string): Record<string, Batch | null> {
  return {
    lineColors: batch(ctx, entity, C.SeriesLines.colors),
    lineNames: batch(ctx, entity, C.SeriesLines.names),
    widths: batch(ctx, entity, C.SeriesLines.widths),
    pointColors: batch(ctx, entity, C.SeriesPoints.colors),
    pointNames: batch(ctx, entity, C.SeriesPoints.names),
    markers: batch(ctx, entity, C.SeriesPoints.markers),
    sizes: batch(ctx, entity, C.SeriesPoints.marker_sizes),
  };
}

/** Names the style rows of an entity, so plots are rebuilt when a style arrives or changes. */
export function styleKey(ctx: ViewContext, entity: string): string {
  const hasPoints = ctx.store.entities.get(entity)?.components.has(C.SeriesPoints.markers) ?? false;
  return `${Object.values(styleBatches(ctx, entity)).map(batchKey).join(',')}|${hasPoints}`;
}

export function seriesStyle(ctx: ViewContext, spec: SeriesSpec, index: number): SeriesStyle {
  const b = styleBatches(ctx, spec.entity);
  const i = spec.instance;
  const comps = ctx.store.entities.get(spec.entity)?.components;
  const points = !!comps && [C.SeriesPoints.colors, C.SeriesPoints.markers, C.SeriesPoints.marker_sizes, C.SeriesPoints.names].some((c) => comps.has(c));
  const lines = !!comps && [C.SeriesLines.colors, C.SeriesLines.widths, C.SeriesLines.names].some((c) => comps.has(c));
  const leaf = spec.entity.slice(spec.entity.lastIndexOf('/') + 1) || spec.entity;
  const name = stringOf(b.lineNames, i) ?? stringOf(b.pointNames, i) ?? (spec.count > 1 ? `${leaf}[${i}]` : leaf);
  return {
    name,
    color: numberAt(b.lineColors, i) ?? numberAt(b.pointColors, i) ?? kPalette[index % kPalette.length],
    width: points && !lines ? 0 : (numberAt(b.widths, i) ?? kDefaultWidth),
    marker: points ? (numberAt(b.markers, i) ?? C.MarkerShape.Circle) : null,
    markerSize: numberAt(b.sizes, i) ?? kDefaultMarkerSize,
  };
}

/** Draws one marker of radius r (device pixels) centered on (x, y). */
export function drawMarker(g: CanvasRenderingContext2D, shape: number, x: number, y: number, r: number): void {
  g.beginPath();
  switch (shape) {
    case C.MarkerShape.Square:
      g.rect(x - r, y - r, 2 * r, 2 * r);
      g.fill();
      return;
    case C.MarkerShape.Diamond:
      g.moveTo(x, y - r);
      g.lineTo(x + r, y);
      g.lineTo(x, y + r);
      g.lineTo(x - r, y);
      g.closePath();
      g.fill();
      return;
    case C.MarkerShape.Cross:
      g.moveTo(x - r, y - r);
      g.lineTo(x + r, y + r);
      g.moveTo(x + r, y - r);
      g.lineTo(x - r, y + r);
      g.stroke();
      return;
    case C.MarkerShape.Plus:
      g.moveTo(x - r, y);
      g.lineTo(x + r, y);
      g.moveTo(x, y - r);
      g.lineTo(x, y + r);
      g.stroke();
      return;
    default:
      g.arc(x, y, r, 0, 2 * Math.PI);
      g.fill();
  }
}
