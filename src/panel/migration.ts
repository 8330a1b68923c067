/**
 * Panel options as saved in a dashboard, turned into today's shape.
 *
 * Dashboards saved with the first version of the panel (its own SVG chart)
 * carry flat options: `valueField`, `pointSize`, `pointColor`,
 * `showScoreBand`, `showCount`. Those are carried over, keeping every choice
 * that still means something. `valueField` is dropped: anomaly frames now
 * carry exactly one reading each (src/common/frames.ts), and other number
 * fields are hidden the Grafana way, with a field override.
 *
 * Hand-edited or half-written JSON (`"legend": null`, `"size": "9"`,
 * `"color": 5`) would otherwise reach the chart: Grafana fills in missing
 * options but keeps wrong-typed ones. Every option of the wrong type falls
 * back to its default; options this panel does not know are kept untouched.
 */
import { LegendDisplayMode, TooltipDisplayMode } from '@grafana/schema';
import { isEqual } from 'lodash';

import { type AnomalyPanelOptions, DEFAULT_PANEL_OPTIONS } from './types';

const FIRST_VERSION_KEYS = ['valueField', 'pointSize', 'pointColor', 'showScoreBand', 'showCount'] as const;

type SavedOptions = Record<string, unknown>;

/** Options whose value is one of a few words: any other word falls back to the default. */
const CHOICES: Readonly<Record<string, readonly unknown[]>> = {
  'legend.placement': ['bottom', 'right'],
  'legend.displayMode': Object.values(LegendDisplayMode),
  'tooltip.mode': Object.values(TooltipDisplayMode),
};

/** Numeric options that must be a positive, finite number (a canvas arc throws on a negative radius). */
const POSITIVE = new Set(['anomalies.size']);

/** True when the saved options are of the first version's shape or would not survive the chart as they are. */
export function needsMigration(panel: { options?: unknown }): boolean {
  const options = panel.options;
  if (!isObject(options)) {
    return options !== undefined;
  }
  return FIRST_VERSION_KEYS.some((key) => key in options) || !isEqual(conform(options, DEFAULT_PANEL_OPTIONS), options);
}

export function migrateOptions(saved: unknown): AnomalyPanelOptions {
  const {
    valueField: _dropped,
    pointSize,
    pointColor,
    showScoreBand,
    showCount,
    ...current
  } = isObject(saved) ? saved : {};
  const firstVersion = { color: pointColor, size: pointSize, showScoreBand, showCount };
  const anomalies = { ...withoutUndefined(firstVersion), ...(isObject(current.anomalies) ? current.anomalies : {}) };
  return conform({ ...current, anomalies }, DEFAULT_PANEL_OPTIONS) as unknown as AnomalyPanelOptions;
}

/**
 * `saved` with every option of `defaults` present and of its default's type
 * (objects recursively, lists as lists of the default's item type when it has
 * items, strings non-empty); keys the defaults do not name are kept.
 */
function conform(saved: SavedOptions, defaults: object, prefix = ''): SavedOptions {
  const out: SavedOptions = { ...saved };
  for (const [key, fallback] of Object.entries(defaults)) {
    const path = prefix + key;
    const value = saved[key];
    if (isObject(fallback)) {
      out[key] = conform(isObject(value) ? value : {}, fallback, `${path}.`);
    } else if (Array.isArray(fallback)) {
      out[key] = Array.isArray(value) ? value.filter((item) => typeof item === 'string') : fallback;
    } else {
      out[key] = isAcceptable(path, value, fallback) ? value : fallback;
    }
  }
  return out;
}

function isAcceptable(path: string, value: unknown, fallback: unknown): boolean {
  if (typeof value !== typeof fallback || value === '') {
    return false;
  }
  if (POSITIVE.has(path)) {
    return typeof value === 'number' && Number.isFinite(value) && value > 0;
  }
  return CHOICES[path]?.includes(value) ?? true;
}

function isObject(value: unknown): value is SavedOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutUndefined(value: SavedOptions): SavedOptions {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}
