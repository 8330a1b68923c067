/**
 * Turns the panel's data frames into what it draws: frames with only the
 * readings (handed to Grafana's TimeSeries, which draws the lines), and per
 * reading field the flagged rows with their score and explanation (drawn as
 * markers and shown in the tooltip). Pure functions, no React.
 *
 * Anomaly frames follow src/common/frames.ts: `time`, the reading, `anomaly`
 * (0/1), `anomaly_score`, `explanation` (a code shown through value mappings).
 * Frames without an `anomaly` field are plotted as plain lines.
 */
import {
  type DataFrame,
  type Field,
  FieldType,
  formattedValueToString,
  getDisplayProcessor,
  getFieldDisplayName,
  type GrafanaTheme2,
} from '@grafana/data';

import { FRAME_FIELDS, isFlagged, NO_EXPLANATION } from '../common/frames';

/** Contract fields that travel beside a reading: used for markers and tooltips, never plotted. */
const SIDE_FIELDS = new Set<string>([FRAME_FIELDS.flag, FRAME_FIELDS.score, FRAME_FIELDS.explanation]);

/** One plotted field: a reading of an anomaly frame, or a number of a plain frame (no flags). */
export interface AnomalySeries {
  /**
   * Where the reading sits in the plot frames: TimeSeries keeps this as the
   * aligned field's `state.origin`, which is how a uPlot series finds its anomalies.
   */
  frameIndex: number;
  fieldIndex: number;
  /** Grafana's field, with the display processor the panel's unit and decimals configure. */
  field: Field;
  /** Grafana's display name: what the legend shows and series-visibility overrides match. */
  name: string;
  /** Epoch milliseconds per row. */
  times: Float64Array;
  /** Whether `times` ascend (the contract's order), so rows can be found by binary search. */
  sorted: boolean;
  /** NaN where the reading is missing. */
  values: Float64Array;
  /** NaN where a row has no score; undefined when the frame has no score field. */
  scores: Float64Array | undefined;
  /** Whether the frame carries anomaly flags at all (plain frames are plotted without markers). */
  flaggable: boolean;
  /** Rows flagged as anomalous whose reading can be placed on the chart (a finite value). */
  flagged: Uint32Array;
  explanation: Field | undefined;
}

export interface PanelModel {
  /** What TimeSeries plots: per input frame with a time field, the time and the readings only. */
  frames: DataFrame[];
  /** Every plotted field, in plot order (frame by frame, field by field). */
  series: AnomalySeries[];
}

/** Builds the plot frames and the anomaly series from the panel's data (after Grafana applied field config). */
export function buildPanelModel(data: DataFrame[]): PanelModel {
  const frames: DataFrame[] = [];
  const series: AnomalySeries[] = [];
  let seriesIndex = 0;
  for (const frame of data) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    const flag = frame.fields.find((f) => f.name === FRAME_FIELDS.flag && isFlagType(f));
    const plotted = frame.fields.filter((f) => f.type === FieldType.number && !(flag && SIDE_FIELDS.has(f.name)));
    if (!time || plotted.length === 0) {
      continue;
    }
    const frameIndex = frames.length;
    const readings = plotted.map((field) => withSeriesIndex(field, seriesIndex++));
    frames.push({ ...frame, fields: [time, ...readings] });
    const times = toFloat64(time);
    const sorted = isAscending(times);
    const score = flag && frame.fields.find((f) => f.name === FRAME_FIELDS.score && f.type === FieldType.number);
    const scores = score ? toFloat64(score) : undefined;
    const explanation = flag && frame.fields.find((f) => f.name === FRAME_FIELDS.explanation);
    readings.forEach((field, i) => {
      const values = toFloat64(field);
      series.push({
        frameIndex,
        fieldIndex: i + 1,
        field,
        name: getFieldDisplayName(field, frame, data),
        times,
        sorted,
        values,
        scores,
        flaggable: flag !== undefined,
        flagged: flag ? flaggedRows(flag, values) : new Uint32Array(0),
        explanation: explanation || undefined,
      });
    });
  }
  return { frames, series };
}

/**
 * The reading numbered among the plotted fields only: Grafana numbered every
 * number field, so the hidden flag, score and explanation fields would take
 * palette colours and leave the readings with every fourth colour.
 */
function withSeriesIndex(field: Field, seriesIndex: number): Field {
  return { ...field, state: { ...field.state, seriesIndex } };
}

function isFlagType(field: Field): boolean {
  return field.type === FieldType.number || field.type === FieldType.boolean;
}

function toFloat64(field: Field): Float64Array {
  const out = new Float64Array(field.values.length);
  for (let i = 0; i < out.length; i++) {
    const v: unknown = field.values[i];
    out[i] = typeof v === 'number' ? v : v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

function flaggedRows(flag: Field, values: Float64Array): Uint32Array {
  const rows: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (isFlagged(flag.values[i]) && Number.isFinite(values[i])) {
      rows.push(i);
    }
  }
  return Uint32Array.from(rows);
}

/** How many of the series' flagged readings lie in [from, to]. */
export function flaggedInRange(series: AnomalySeries, from: number, to: number): number {
  let count = 0;
  for (const row of series.flagged) {
    const t = series.times[row];
    if (t >= from && t <= to) {
      count++;
    }
  }
  return count;
}

/**
 * The feature that explains a row's flag, as the explanation field's value
 * mappings name it; undefined for "no explanation" or when there is no field.
 */
export function explanationAt(series: AnomalySeries, row: number, theme: GrafanaTheme2): string | undefined {
  const field = series.explanation;
  const code: unknown = field?.values[row];
  if (!field || code === null || code === undefined || code === NO_EXPLANATION || code === '') {
    return undefined;
  }
  const display = field.display ?? getDisplayProcessor({ field, theme });
  return formattedValueToString(display(code));
}

/** The row of `series` at time `t` (exact match), or -1. */
export function rowAtTime(series: AnomalySeries, t: number): number {
  const { times } = series;
  let lo = 0;
  let hi = times.length - 1;
  if (series.sorted) {
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid] < t) {
        lo = mid + 1;
      } else if (times[mid] > t) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -1;
  }
  return times.lastIndexOf(t);
}

function isAscending(times: Float64Array): boolean {
  for (let i = 1; i < times.length; i++) {
    if (times[i] < times[i - 1]) {
      return false;
    }
  }
  return true;
}

/** A score with three significant decimals, or exponent notation for very small and very large ones. */
export function formatScore(score: number): string {
  const abs = Math.abs(score);
  return abs !== 0 && (abs < 0.01 || abs >= 1e6) ? score.toExponential(2) : String(Math.round(score * 1000) / 1000);
}
