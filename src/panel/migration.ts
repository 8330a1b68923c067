/**
 * Dashboards saved with the first version of the panel (its own SVG chart)
 * carry flat options: `valueField`, `pointSize`, `pointColor`,
 * `showScoreBand`, `showCount`. Grafana calls the migration handler when a
 * dashboard's panel was saved by another plugin version; this turns those
 * options into today's shape and keeps every choice that still means something.
 *
 * `valueField` is dropped: anomaly frames now carry exactly one reading each
 * (src/common/frames.ts), and other number fields are hidden the Grafana way,
 * with a field override.
 */
import { type AnomalyPanelOptions, DEFAULT_PANEL_OPTIONS } from './types';

const FIRST_VERSION_KEYS = ['valueField', 'pointSize', 'pointColor', 'showScoreBand', 'showCount'] as const;

interface FirstVersionOptions {
  valueField?: unknown;
  pointSize?: unknown;
  pointColor?: unknown;
  showScoreBand?: unknown;
  showCount?: unknown;
}

/** True when the saved options still have the first version's flat shape. */
export function needsMigration(panel: { options?: unknown }): boolean {
  const options = panel.options;
  return typeof options === 'object' && options !== null && FIRST_VERSION_KEYS.some((key) => key in options);
}

export function migrateOptions(saved: unknown): AnomalyPanelOptions {
  const old = (typeof saved === 'object' && saved !== null ? saved : {}) as FirstVersionOptions &
    Partial<AnomalyPanelOptions>;
  const { valueField: _dropped, pointSize, pointColor, showScoreBand, showCount, ...current } = old;
  const defaults = DEFAULT_PANEL_OPTIONS;
  return {
    ...current,
    legend: current.legend ?? defaults.legend,
    tooltip: current.tooltip ?? defaults.tooltip,
    anomalies: {
      color: typeof pointColor === 'string' && pointColor !== '' ? pointColor : defaults.anomalies.color,
      size: typeof pointSize === 'number' && pointSize > 0 ? pointSize : defaults.anomalies.size,
      showScoreBand: typeof showScoreBand === 'boolean' ? showScoreBand : defaults.anomalies.showScoreBand,
      showCount: typeof showCount === 'boolean' ? showCount : defaults.anomalies.showCount,
      ...current.anomalies,
    },
  };
}
