import {
  LegendDisplayMode,
  type OptionsWithLegend,
  type OptionsWithTooltip,
  SortOrder,
  TooltipDisplayMode,
} from '@grafana/schema';

/** How flagged readings are drawn on top of the lines. */
export interface AnomalyMarkerOptions {
  /** Marker colour: a theme colour name (`red`) or any CSS colour. */
  color: string;
  /** Marker diameter in CSS pixels. */
  size: number;
  /** A strip along the bottom of the chart whose intensity follows the anomaly score. */
  showScoreBand: boolean;
  /** Each legend entry shows how many of its readings are flagged. */
  showCount: boolean;
}

/**
 * The panel's options (edited in the panel editor; see module.ts). Legend and
 * tooltip are Grafana's own option shapes, so their editors and dashboard JSON
 * read like any time series panel's. Line styles, units, colours, thresholds
 * and overrides live in the field config, not here.
 */
export interface AnomalyPanelOptions extends OptionsWithLegend, OptionsWithTooltip {
  anomalies: AnomalyMarkerOptions;
}

export const DEFAULT_MARKER_OPTIONS: AnomalyMarkerOptions = {
  color: 'red',
  size: 7,
  showScoreBand: false,
  showCount: true,
};

export const DEFAULT_PANEL_OPTIONS: AnomalyPanelOptions = {
  legend: { showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] },
  tooltip: { mode: TooltipDisplayMode.Single, sort: SortOrder.None, hideZeros: false },
  anomalies: DEFAULT_MARKER_OPTIONS,
};
