/**
 * The anomaly layer drawn on uPlot's canvas after the lines: a marker for
 * every flagged reading (never thinned: the lines may be decimated by uPlot,
 * the markers are not) and the optional score band. Placement, hit-testing and
 * the band's maths are pure functions over a small view of the plot, so they
 * are tested without a browser.
 */
import type { AnomalySeries } from './anomalyData';

/** The part of a uPlot instance the layer reads (all positions in canvas pixels). */
export interface PlotView {
  /** Plot area in canvas pixels. */
  bbox: { left: number; top: number; width: number; height: number };
  /** Visible x range (epoch ms). */
  xMin: number;
  xMax: number;
  /** Canvas pixel of `value` on `scale`. */
  valToPos(value: number, scale: string): number;
}

/** An anomaly series bound to the uPlot series that draws its reading. */
export interface BoundSeries {
  series: AnomalySeries;
  /** uPlot's scale key for the reading (its unit's y axis). */
  scale: string;
  /** False when the user hid the series (legend click, override). */
  show: boolean;
}

/** Markers placed by one draw, in drawing order. */
export interface MarkerSet {
  count: number;
  /** Canvas pixels. */
  x: Float64Array;
  y: Float64Array;
  /** Index into the bound series list, and the row of that series. */
  seriesIndex: Uint32Array;
  row: Uint32Array;
}

export const EMPTY_MARKERS: MarkerSet = {
  count: 0,
  x: new Float64Array(0),
  y: new Float64Array(0),
  seriesIndex: new Uint32Array(0),
  row: new Uint32Array(0),
};

/** Places a marker on every flagged reading of the visible series inside the x range. */
export function placeMarkers(view: PlotView, bound: BoundSeries[]): MarkerSet {
  let capacity = 0;
  for (const b of bound) {
    capacity += b.show ? b.series.flagged.length : 0;
  }
  const set: MarkerSet = {
    count: 0,
    x: new Float64Array(capacity),
    y: new Float64Array(capacity),
    seriesIndex: new Uint32Array(capacity),
    row: new Uint32Array(capacity),
  };
  bound.forEach((b, index) => {
    if (!b.show) {
      return;
    }
    const { times, values, flagged } = b.series;
    for (const row of flagged) {
      const t = times[row];
      if (t < view.xMin || t > view.xMax) {
        continue;
      }
      const k = set.count++;
      set.x[k] = view.valToPos(t, 'x');
      set.y[k] = view.valToPos(values[row], b.scale);
      set.seriesIndex[k] = index;
      set.row[k] = row;
    }
  });
  return set;
}

/** The marker closest to (x, y) within `maxDistance` canvas pixels, as its index in the set, or -1. */
export function nearestMarker(set: MarkerSet, x: number, y: number, maxDistance: number): number {
  let best = -1;
  let bestSquared = maxDistance * maxDistance;
  for (let k = 0; k < set.count; k++) {
    const dx = set.x[k] - x;
    const dy = set.y[k] - y;
    const squared = dx * dx + dy * dy;
    // `<=` keeps the last of overlapping markers: the one drawn on top.
    if (squared <= bestSquared) {
      best = k;
      bestSquared = squared;
    }
  }
  return best;
}

export interface MarkerStyle {
  fill: string;
  /** A thin ring in the background colour keeps overlapping markers apart. */
  outline: string;
  /** Canvas pixels. */
  radius: number;
  outlineWidth: number;
}

/** Minimal 2D context surface the drawing needs (a CanvasRenderingContext2D in the browser). */
type Context = Pick<
  CanvasRenderingContext2D,
  'beginPath' | 'moveTo' | 'arc' | 'fill' | 'stroke' | 'fillStyle' | 'strokeStyle' | 'lineWidth'
>;

/** Draws every marker of the set: one path, one fill, one stroke, so thousands stay cheap. */
export function drawMarkers(ctx: Context, set: MarkerSet, style: MarkerStyle): void {
  if (set.count === 0) {
    return;
  }
  ctx.beginPath();
  for (let k = 0; k < set.count; k++) {
    ctx.moveTo(set.x[k] + style.radius, set.y[k]);
    ctx.arc(set.x[k], set.y[k], style.radius, 0, 2 * Math.PI);
  }
  ctx.lineWidth = style.outlineWidth;
  ctx.strokeStyle = style.outline;
  ctx.stroke();
  ctx.fillStyle = style.fill;
  ctx.fill();
}

/**
 * The score band: per cell of `cellWidth` canvas pixels across the plot, the
 * highest score any visible series reached there, scaled to [0, 1] between the
 * lowest and highest score in view (NaN where no reading falls in the cell).
 */
export function scoreBandCells(view: PlotView, bound: BoundSeries[], cellWidth: number): Float64Array {
  const cells = new Float64Array(Math.max(1, Math.ceil(view.bbox.width / cellWidth))).fill(NaN);
  const span = view.xMax - view.xMin;
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of bound) {
    const { scores, times } = b.series;
    if (!b.show || !scores || !(span > 0)) {
      continue;
    }
    for (let i = 0; i < times.length; i++) {
      const score = scores[i];
      if (!Number.isFinite(score) || times[i] < view.xMin || times[i] > view.xMax) {
        continue;
      }
      const cell = Math.min(
        cells.length - 1,
        Math.floor((((times[i] - view.xMin) / span) * view.bbox.width) / cellWidth)
      );
      cells[cell] = Number.isNaN(cells[cell]) ? score : Math.max(cells[cell], score);
      lo = Math.min(lo, score);
      hi = Math.max(hi, score);
    }
  }
  for (let c = 0; c < cells.length; c++) {
    if (!Number.isNaN(cells[c])) {
      cells[c] = hi > lo ? (cells[c] - lo) / (hi - lo) : 1;
    }
  }
  return cells;
}
