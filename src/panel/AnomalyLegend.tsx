import { type DisplayValue, fieldReducers, getFieldSeriesColor, type GrafanaTheme2, reduceField } from '@grafana/data';
import type { VizLegendOptions } from '@grafana/schema';
import { VizLegend, type VizLegendItem } from '@grafana/ui';

import { type AnomalySeries, flaggedInRange } from './anomalyData';

interface Props {
  series: AnomalySeries[];
  options: VizLegendOptions;
  /** Each entry shows its number of flagged readings in the dashboard's range. */
  showCount: boolean;
  from: number;
  to: number;
  theme: GrafanaTheme2;
}

/**
 * Grafana's legend (VizLegend: list or table, placement, sorting, the chosen
 * calculations) with one more value per series: how many of its readings are
 * flagged. Clicking an entry goes through the panel context's series
 * visibility, as in Grafana's own time series, so hidden series lose their
 * line and their markers.
 */
export function AnomalyLegend({ series, options, showCount, from, to, theme }: Props) {
  const items: VizLegendItem[] = series
    .filter((s) => !s.field.config.custom?.hideFrom?.legend)
    .map((s) => ({
      label: s.name,
      color: getFieldSeriesColor(s.field, theme).color,
      yAxis: 1,
      disabled: Boolean(s.field.config.custom?.hideFrom?.viz),
      fieldIndex: { frameIndex: s.frameIndex, fieldIndex: s.fieldIndex },
      getItemKey: () => `${s.name}-${s.frameIndex}-${s.fieldIndex}`,
      getDisplayValues: () => [
        ...(showCount && s.flaggable ? [anomalyCount(flaggedInRange(s, from, to))] : []),
        ...calculations(s, options.calcs),
      ],
    }));
  return (
    <VizLegend
      items={items}
      placement={options.placement}
      displayMode={options.displayMode}
      sortBy={options.sortBy}
      sortDesc={options.sortDesc}
      isSortable={true}
      limit={options.limit}
    />
  );
}

function anomalyCount(count: number): DisplayValue {
  return { numeric: count, text: String(count), title: 'Anomalies', description: 'Flagged readings in the time range' };
}

/** The legend calculations the user picked (mean, max, …), formatted with the field's unit. */
function calculations(series: AnomalySeries, calcs: string[]): DisplayValue[] {
  if (calcs.length === 0) {
    return [];
  }
  const values = reduceField({ field: series.field, reducers: calcs });
  return calcs.map((id) => {
    const value: unknown = values[id];
    const display = series.field.display?.(value) ?? { numeric: Number(value), text: String(value) };
    return { ...display, title: fieldReducers.getIfExists(id)?.name ?? id };
  });
}
