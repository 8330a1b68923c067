import {
  LegendDisplayMode,
  type OptionsWithLegend,
  type OptionsWithTooltip,
  SortOrder,
  TooltipDisplayMode,
} from '@grafana/schema';
import type { TooltipPlugin2 } from '@grafana/ui';
import type { ComponentProps } from 'react';

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

const DEFAULT_MARKER_OPTIONS: AnomalyMarkerOptions = {
  color: 'red',
  size: 7,
  showScoreBand: false,
  showCount: true,
};

/**
 * uPlot's chart instance, as @grafana/ui hands it to plugins (the package
 * itself is @grafana/ui's dependency, not ours).
 */
export type Plot = Parameters<ComponentProps<typeof TooltipPlugin2>['render']>[0];

export const DEFAULT_PANEL_OPTIONS: AnomalyPanelOptions = {
  legend: { showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] },
  tooltip: { mode: TooltipDisplayMode.Single, sort: SortOrder.None, hideZeros: false },
  anomalies: DEFAULT_MARKER_OPTIONS,
};
