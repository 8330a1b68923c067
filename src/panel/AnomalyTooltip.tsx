import {
  type DataFrame,
  dateTimeFormat,
  type Field,
  formattedValueToString,
  getFieldSeriesColor,
  type GrafanaTheme2,
  type TimeZone,
} from '@grafana/data';
import { TooltipDisplayMode } from '@grafana/schema';
import {
  VizTooltipColorIndicator,
  VizTooltipContent,
  VizTooltipHeader,
  type VizTooltipItem,
  VizTooltipWrapper,
} from '@grafana/ui';

import { testIds } from '../testIds';
import { type AnomalySeries, explanationAt, formatScore, rowAtTime } from './anomalyData';
import type { LayerState } from './AnomalyLayer';
import { nearestMarker } from './markers';
import type { Plot } from './types';

interface Props {
  u: Plot;
  alignedFrame: DataFrame;
  series: AnomalySeries[];
  /** uPlot's hovered data index per series (index 0 is x). */
  dataIdxs: Array<number | null>;
  /** The series closest to the cursor, if any. */
  seriesIdx: number | null;
  layer: LayerState;
  mode: TooltipDisplayMode;
  /** Marker radius in CSS pixels: the cursor must be this close (plus a little) to a marker. */
  markerRadius: number;
  markerColor: string;
  isPinned: boolean;
  timeZone: TimeZone;
  theme: GrafanaTheme2;
}

/** Slack around a marker, in CSS pixels, so a small marker is easy to hover. */
const HOVER_SLACK = 4;

/**
 * The chart's tooltip. Over an anomaly marker it describes that flagged
 * reading (sensor, time, value with unit, score, the feature that explains it);
 * elsewhere it shows the readings under the cursor like Grafana's time series.
 */
export function AnomalyTooltip(props: Props) {
  const { u, layer, markerRadius } = props;
  const pxRatio = window.devicePixelRatio || 1;
  const { left = -10, top = -10 } = u.cursor;
  const hit = nearestMarker(
    layer.markers,
    u.bbox.left + left * pxRatio,
    u.bbox.top + top * pxRatio,
    (markerRadius + HOVER_SLACK) * pxRatio
  );
  if (hit >= 0) {
    const series = layer.bound[layer.markers.seriesIndex[hit]].series;
    return <AnomalyDetails {...props} anomaly={series} row={layer.markers.row[hit]} />;
  }
  return <ReadingDetails {...props} />;
}

function AnomalyDetails({
  anomaly,
  row,
  isPinned,
  timeZone,
  theme,
  markerColor,
}: Props & { anomaly: AnomalySeries; row: number }) {
  const items: VizTooltipItem[] = [
    {
      label: 'Value',
      value: formatValue(anomaly.field, anomaly.values[row]),
      color: markerColor,
      colorIndicator: VizTooltipColorIndicator.marker_md,
    },
  ];
  const score = anomaly.scores?.[row];
  if (score !== undefined && Number.isFinite(score)) {
    items.push({ label: 'Anomaly score', value: formatScore(score) });
  }
  const explanation = explanationAt(anomaly, row, theme);
  if (explanation) {
    items.push({ label: 'Explained by', value: explanation });
  }
  return (
    <div data-testid={testIds.panel.anomalyTooltip}>
      <VizTooltipWrapper>
        <VizTooltipHeader
          item={{ label: `Anomaly · ${anomaly.name}`, value: formatTime(anomaly.times[row], timeZone) }}
          isPinned={isPinned}
        />
        <VizTooltipContent items={items} isPinned={isPinned} />
      </VizTooltipWrapper>
    </div>
  );
}

/** The readings at the cursor: the closest series (single mode) or every visible one (multi mode). */
function ReadingDetails({ u, alignedFrame, series, dataIdxs, seriesIdx, mode, isPinned, timeZone, theme }: Props) {
  const shown = alignedFrame.fields
    .map((field, i) => ({ field, i }))
    .filter(({ field, i }) => {
      if (i === 0 || dataIdxs[i] == null || u.series[i]?.show === false || field.config.custom?.hideFrom?.tooltip) {
        return false;
      }
      return mode === TooltipDisplayMode.Multi || i === (seriesIdx ?? firstShown(dataIdxs));
    });
  if (shown.length === 0) {
    return null;
  }
  const time = Number(u.data[0][dataIdxs[shown[0].i] ?? 0]);
  const items: VizTooltipItem[] = [];
  for (const { field, i } of shown) {
    const value = field.values[dataIdxs[i]!];
    const anomaly = seriesOf(field, series);
    const name = anomaly?.name ?? field.config.displayName ?? field.name;
    items.push({
      label: name,
      value: formatValue(field, value),
      color: getFieldSeriesColor(field, theme).color,
      colorIndicator: VizTooltipColorIndicator.series,
      isActive: i === seriesIdx,
    });
    const row = anomaly ? rowAtTime(anomaly, Number(u.data[0][dataIdxs[i]!])) : -1;
    const score = anomaly && row >= 0 ? anomaly.scores?.[row] : undefined;
    if (score !== undefined && Number.isFinite(score)) {
      items.push({ label: `${name} score`, value: formatScore(score) });
    }
  }
  return (
    <div data-testid={testIds.panel.readingTooltip}>
      <VizTooltipWrapper>
        <VizTooltipHeader item={{ label: 'Time', value: formatTime(time, timeZone) }} isPinned={isPinned} />
        <VizTooltipContent items={items} isPinned={isPinned} />
      </VizTooltipWrapper>
    </div>
  );
}

function firstShown(dataIdxs: Array<number | null>): number {
  return dataIdxs.findIndex((idx, i) => i > 0 && idx != null);
}

function seriesOf(field: Field, series: AnomalySeries[]): AnomalySeries | undefined {
  const origin = field.state?.origin;
  return origin && series.find((s) => s.frameIndex === origin.frameIndex && s.fieldIndex === origin.fieldIndex);
}

/** A value with the field's unit and decimals (Grafana's display processor for the field). */
function formatValue(field: Field, value: unknown): string {
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) {
    return '-';
  }
  return field.display ? formattedValueToString(field.display(value)) : String(value);
}

function formatTime(time: number, timeZone: TimeZone): string {
  return dateTimeFormat(time, { format: 'YYYY-MM-DD HH:mm:ss', timeZone });
}
