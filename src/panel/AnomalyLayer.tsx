import type { DataFrame, GrafanaTheme2 } from '@grafana/data';
import type { UPlotConfigBuilder } from '@grafana/ui';
import { type RefObject, useLayoutEffect, useRef } from 'react';

import type { AnomalySeries } from './anomalyData';
import {
  type BoundSeries,
  drawMarkers,
  EMPTY_MARKERS,
  type MarkerSet,
  placeMarkers,
  type PlotView,
  scoreBandCells,
} from './markers';
import type { AnomalyMarkerOptions, Plot } from './types';

/** What the last draw put on the canvas; the tooltip reads it to find the hovered marker. */
export interface LayerState {
  bound: BoundSeries[];
  markers: MarkerSet;
}

/** CSS pixels: the score band's height and the width of one of its cells. */
const BAND_HEIGHT = 6;
const BAND_CELL = 3;

interface Props {
  config: UPlotConfigBuilder;
  alignedFrame: DataFrame;
  series: AnomalySeries[];
  options: AnomalyMarkerOptions;
  theme: GrafanaTheme2;
  /** Shared with the tooltip. */
  layer: RefObject<LayerState>;
  /** Gets `data-drawn` (markers drawn) after every draw, for tests and assistive tools. */
  status: RefObject<HTMLDivElement | null>;
}

/**
 * Adds the anomaly layer to the chart: after uPlot draws the lines, a hook
 * draws the score band and the markers onto the same canvas. The hook is
 * added once per uPlot config and reads the latest props through a ref, so
 * new data or options redraw without rebuilding the chart.
 */
export function AnomalyLayer({ config, alignedFrame, series, options, theme, layer, status }: Props) {
  const latest = useRef({ alignedFrame, series, options, theme });
  // Children's layout effects run before the chart (their parent) redraws with new data.
  useLayoutEffect(() => {
    latest.current = { alignedFrame, series, options, theme };
  });

  useLayoutEffect(() => {
    config.addHook('draw', (u: Plot) => {
      const { alignedFrame, series, options, theme } = latest.current;
      const bound = bindSeries(u, alignedFrame, series);
      const view = plotView(u);
      const pxRatio = window.devicePixelRatio || 1;
      const ctx = u.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
      ctx.clip();
      const fill = theme.visualization.getColorByName(options.color);
      if (options.showScoreBand) {
        drawScoreBand(ctx, view, bound, fill, pxRatio);
      }
      const markers = placeMarkers(view, bound);
      drawMarkers(ctx, markers, {
        fill,
        outline: theme.colors.background.primary,
        radius: (options.size / 2) * pxRatio,
        outlineWidth: pxRatio,
      });
      ctx.restore();
      layer.current = { bound, markers };
      status.current?.setAttribute('data-drawn', String(markers.count));
    });
    return () => {
      layer.current = { bound: [], markers: EMPTY_MARKERS };
    };
  }, [config, layer, status]);

  return null;
}

/**
 * Pairs each uPlot series with its anomaly series: TimeSeries joins the plot
 * frames into one aligned frame whose field i is uPlot's series i and
 * remembers where each field came from (`state.origin`).
 */
function bindSeries(u: Plot, alignedFrame: DataFrame, series: AnomalySeries[]): BoundSeries[] {
  const bound: BoundSeries[] = [];
  alignedFrame.fields.forEach((field, i) => {
    const origin = field.state?.origin;
    const plotSeries = u.series[i];
    if (i === 0 || !origin || !plotSeries) {
      return;
    }
    const match = series.find((s) => s.frameIndex === origin.frameIndex && s.fieldIndex === origin.fieldIndex);
    if (match?.flaggable) {
      bound.push({ series: match, scale: plotSeries.scale ?? 'y', show: plotSeries.show !== false });
    }
  });
  return bound;
}

function plotView(u: Plot): PlotView {
  return {
    bbox: u.bbox,
    xMin: u.scales.x?.min ?? 0,
    xMax: u.scales.x?.max ?? 0,
    valToPos: (value, scale) => u.valToPos(value, scale, true),
  };
}

function drawScoreBand(
  ctx: CanvasRenderingContext2D,
  view: PlotView,
  bound: BoundSeries[],
  color: string,
  pxRatio: number
): void {
  const cellWidth = BAND_CELL * pxRatio;
  const height = BAND_HEIGHT * pxRatio;
  const top = view.bbox.top + view.bbox.height - height;
  const cells = scoreBandCells(view, bound, cellWidth);
  ctx.fillStyle = color;
  cells.forEach((intensity, c) => {
    if (!Number.isNaN(intensity)) {
      // Faint even at the lowest score, so the band shows where readings were scored at all.
      ctx.globalAlpha = 0.08 + 0.72 * intensity;
      ctx.fillRect(view.bbox.left + c * cellWidth, top, cellWidth, height);
    }
  });
  ctx.globalAlpha = 1;
}
