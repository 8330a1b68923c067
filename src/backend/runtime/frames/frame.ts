/**
 * The data-frame model plugin code fills in. Columns are typed arrays so that
 * producers write numbers without boxing and the encoders read them directly.
 *
 * Nulls: every field may carry `nulls` (1 = null at that row). A field is
 * declared nullable when it has `nulls` or `nullable: true`; NaN in a number
 * field is a value, not a null.
 */

export type Labels = Readonly<Record<string, string>>;

/** Grafana's FieldConfig (the JSON the Go SDK decodes into data.FieldConfig). */
export interface FieldConfig {
  displayName?: string;
  displayNameFromDS?: string;
  description?: string;
  unit?: string;
  /** Digits after the decimal point (a uint16 on the Go side). */
  decimals?: number;
  min?: number | null;
  max?: number | null;
  /** Expected milliseconds between points. */
  interval?: number;
  color?: { mode: string; fixedColor?: string; seriesBy?: string };
  noValue?: string;
  filterable?: boolean;
  thresholds?: { mode: 'absolute' | 'percentage'; steps: Array<{ value: number | null; color: string }> };
  links?: Array<{ title: string; url: string; targetBlank?: boolean }>;
  mappings?: unknown[];
  custom?: Record<string, unknown>;
}

interface FieldBase {
  name: string;
  labels?: Labels;
  config?: FieldConfig;
  /** 1 at row i = null. */
  nulls?: Uint8Array;
  /** Declare the column nullable even when no row is null (e.g. a stream whose later rows may be). */
  nullable?: boolean;
}

/**
 * Epoch milliseconds; a fraction carries sub-millisecond time. A double holds
 * today's epoch ms to about 0.25 µs, so encoders keep whole microseconds.
 */
export interface TimeFieldData extends FieldBase {
  type: 'time';
  values: Float64Array;
}

export interface NumberFieldData extends FieldBase {
  type: 'number';
  values: Float64Array;
}

export interface StringFieldData extends FieldBase {
  type: 'string';
  values: readonly string[];
}

/** 0 = false, anything else = true. */
export interface BooleanFieldData extends FieldBase {
  type: 'boolean';
  values: Uint8Array;
}

export type Field = TimeFieldData | NumberFieldData | StringFieldData | BooleanFieldData;
export type FieldType = Field['type'];

/** Grafana's data-plane frame types (docs/grafana-plugin-protocol.md §5.2). */
export type FrameType =
  | 'timeseries-wide'
  | 'timeseries-long'
  | 'timeseries-multi'
  | 'directory-listing'
  | 'table'
  | 'numeric-wide'
  | 'numeric-multi'
  | 'numeric-long'
  | 'log-lines';

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  text: string;
  link?: string;
  inspect?: 'meta' | 'error' | 'data' | 'stats';
}

export interface QueryStat extends FieldConfig {
  displayName: string;
  value: number;
}

export interface FrameMeta {
  type?: FrameType;
  /** [major, minor] of the data-plane type contract, e.g. [0, 1]. */
  typeVersion?: readonly [number, number];
  /** Grafana Live address, `ds/<uid>/<path>`: the frontend replaces the frame with that stream. */
  channel?: string;
  notices?: Notice[];
  stats?: QueryStat[];
  custom?: Record<string, unknown>;
  executedQueryString?: string;
  preferredVisualisationType?: 'graph' | 'table' | 'logs' | 'trace' | 'nodeGraph' | 'flamegraph' | 'rawPrometheus';
  preferredVisualisationPluginId?: string;
}

export interface Frame {
  name?: string;
  refId?: string;
  meta?: FrameMeta;
  fields: Field[];
}

/** Row count of a frame; throws when its fields disagree (an Arrow record batch cannot hold that). */
export function frameLength(frame: Frame): number {
  const first = frame.fields[0];
  if (!first) {
    return 0;
  }
  const length = first.values.length;
  for (const field of frame.fields) {
    if (field.values.length !== length) {
      throw new Error(
        `frame ${JSON.stringify(frame.name ?? '')}: field ${JSON.stringify(field.name)} has ${field.values.length} rows, ` +
          `field ${JSON.stringify(first.name)} has ${length}`
      );
    }
    if (field.nulls && field.nulls.length !== length) {
      throw new Error(
        `frame ${JSON.stringify(frame.name ?? '')}: nulls of field ${JSON.stringify(field.name)} has ${field.nulls.length} rows, expected ${length}`
      );
    }
  }
  return length;
}

/**
 * The sub-millisecond part of a time value as nanoseconds, rounded to whole
 * microseconds (0…999 000); `fraction` is ms − floor(ms).
 */
export function subMillisecondNanos(fraction: number): number {
  return Math.min(Math.round(fraction * 1000), 999) * 1000;
}

export function isNullable(field: Field): boolean {
  return field.nullable === true || field.nulls !== undefined;
}

export function isNullAt(field: Field, row: number): boolean {
  return field.nulls !== undefined && field.nulls[row] !== 0;
}

/**
 * The span Grafana's time fields hold: int64 nanoseconds since the epoch,
 * 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z. In whole
 * epoch milliseconds (what Grafana sends as a time range) these are the ends.
 */
export const MIN_TIME_MS = -9_223_372_036_854;
export const MAX_TIME_MS = 9_223_372_036_854;
export const TIME_SPAN_TEXT = '1677-09-21T00:12:43.146Z to 2262-04-11T23:47:16.854Z';

/**
 * A time value both encoders can write. NaN or ±Infinity in a row not marked
 * null is a producer bug: Arrow has no way to say it, and writing 0 would put
 * a reading in 1970, so the frame is refused instead. So is a time outside
 * MIN_TIME_MS…MAX_TIME_MS: its nanoseconds would wrap round in int64 and a
 * reading of 2300 would show up in 1715.
 */
function requireFiniteTime(field: Field, row: number, ms: number): number {
  if (!Number.isFinite(ms)) {
    throw new Error(`time field ${JSON.stringify(field.name)}: row ${row} is ${ms}; mark it null or drop the row`);
  }
  if (ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
    throw new Error(
      `time field ${JSON.stringify(field.name)}: row ${row} is ${ms} ms since the epoch, outside what Grafana's ` +
        `nanosecond time fields hold (${TIME_SPAN_TEXT})`
    );
  }
  return ms;
}

/**
 * Calls `visit` for every row of a time field not marked null, with the time
 * as whole epoch milliseconds and the nanoseconds below them (rounded to whole
 * microseconds, see subMillisecondNanos): how both encoders split a time.
 * Throws on a time neither can write (requireFiniteTime).
 */
export function forEachTime(field: TimeFieldData, visit: (row: number, wholeMs: number, nanos: number) => void): void {
  for (let row = 0; row < field.values.length; row++) {
    if (isNullAt(field, row)) {
      continue;
    }
    const ms = requireFiniteTime(field, row, field.values[row]!);
    const whole = Math.floor(ms);
    visit(row, whole, subMillisecondNanos(ms - whole));
  }
}

type FieldOptions = Omit<FieldBase, 'name'>;

export function timeField(name: string, values: Float64Array, options: FieldOptions = {}): TimeFieldData {
  return { ...options, name, type: 'time', values };
}

export function numberField(name: string, values: Float64Array, options: FieldOptions = {}): NumberFieldData {
  return { ...options, name, type: 'number', values };
}

export function stringField(name: string, values: readonly string[], options: FieldOptions = {}): StringFieldData {
  return { ...options, name, type: 'string', values };
}

export function booleanField(name: string, values: Uint8Array, options: FieldOptions = {}): BooleanFieldData {
  return { ...options, name, type: 'boolean', values };
}
