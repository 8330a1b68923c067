/**
 * Pure decoding of sensor items, shared by the DynamoDB reader and the S3 CSV
 * loader. Both see the same shape: DynamoDB's typed attribute values
 * (`{"S": "22.8"}`, `{"N": "1"}`, `{"M": {...}}`), which the seed's CSV
 * `payload` column also uses, with lower-case tags (`s`, `n`, `m`) allowed.
 * Plain (untyped) JSON values are accepted as well.
 */
import { METRICS, type Metric } from '../../common/query';
import type { TimestampUnit } from '../../common/settings';
import type { SkipReason } from './types';

/** Epochs below this are seconds in `auto` mode (10^11 s is the year 5138; 10^11 ms is 1973). */
export const AUTO_SECONDS_BELOW = 1e11;

const TYPE_TAGS = new Set(['s', 'n', 'm', 'l', 'null', 'bool', 'b', 'ss', 'ns', 'bs']);

/** Returns the tag and payload of a typed attribute value, or undefined for a plain value. */
function typedTag(value: object): [string, unknown] | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    return undefined;
  }
  const tag = keys[0].toLowerCase();
  return TYPE_TAGS.has(tag) ? [tag, (value as Record<string, unknown>)[keys[0]]] : undefined;
}

/**
 * Strips DynamoDB type tags from one value: `{"S": "1"}` → "1", `{"M": {...}}` → {...},
 * `{"NULL": true}` → null. Plain values pass through unchanged.
 */
export function unwrapTyped(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return value;
  }
  const typed = typedTag(value);
  if (!typed) {
    return value;
  }
  const [tag, inner] = typed;
  return tag === 'null' ? null : inner;
}

/** Splits a dotted attribute path (`payload.data`), rejecting empty segments. */
export function parseAttributePath(path: string, field: string): string[] {
  const segments = path.split('.');
  if (path.trim() === '' || segments.some((s) => s.trim() === '')) {
    throw new Error(`${field}: must be a dotted attribute path like "payload.data" (got "${path}")`);
  }
  return segments.map((s) => s.trim());
}

/** Follows `segments` through nested (typed or plain) maps; undefined when any step is missing. */
export function readPath(doc: unknown, segments: readonly string[]): unknown {
  let current: unknown = doc;
  for (const segment of segments) {
    current = unwrapTyped(current);
    if (current === null || typeof current !== 'object' || Array.isArray(current)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return unwrapTyped(current);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A finite number from a number or a decimal numeric string. Returns undefined
 * for a missing value (undefined, null, empty string) and NaN for anything
 * unparseable, including decimals too large for a double ("1e400" would
 * otherwise become Infinity and reach the model as a reading).
 */
export function toNumber(value: unknown): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : Number.NaN;
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') {
      return undefined;
    }
    const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
    return Number.isFinite(n) ? n : Number.NaN;
  }
  return Number.NaN;
}

/** Converts an epoch in `unit` to milliseconds; 'auto' treats values below 10^11 as seconds. */
export function epochToMs(epoch: number, unit: TimestampUnit): number {
  if (unit === 's' || (unit === 'auto' && Math.abs(epoch) < AUTO_SECONDS_BELOW)) {
    return epoch * 1000;
  }
  return epoch;
}

export interface ItemShape {
  /** Path to the sensor id; `null` when the caller knows the sensor (one CSV per sensor). */
  sensorId: string[] | null;
  timestamp: string[];
  /** Path to the map of readings (the seed: payload.data); empty = the item itself. */
  readings: string[];
  /** Attribute name of each metric inside the readings map. */
  metricAttributes: Record<Metric, string>;
  timestampUnit: TimestampUnit;
}

export interface DecodedItem {
  sensorId: string;
  timeMs: number;
  /** In METRICS order; NaN where absent. */
  values: [number, number, number, number];
  /** Bit i set when METRICS[i] was absent. */
  missingMask: number;
}

/**
 * A skipped item says what could still be read of it: its sensor (once the id
 * decodes, so its skip is counted where that sensor is shown) and its time (once
 * the timestamp decodes, so a cache can keep the skip with the span it holds).
 */
export interface SkippedOutcome {
  ok: false;
  reason: SkipReason;
  sensorId?: string;
  timeMs?: number;
}

export type DecodeOutcome = { ok: true; item: DecodedItem } | SkippedOutcome;

function sensorIdOf(doc: unknown, shape: ItemShape, knownSensor: string): string | undefined {
  if (shape.sensorId === null) {
    return knownSensor;
  }
  const raw = readPath(doc, shape.sensorId);
  if (typeof raw === 'string' && raw.trim() !== '') {
    return raw;
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    return String(raw);
  }
  return undefined;
}

/** Decodes one item (a DynamoDB item or a parsed CSV payload) or says why it must be skipped. */
export function decodeItem(doc: unknown, shape: ItemShape, knownSensor = ''): DecodeOutcome {
  const sensorId = sensorIdOf(doc, shape, knownSensor);
  if (sensorId === undefined) {
    return { ok: false, reason: 'missing_sensor_id' };
  }
  const epoch = toNumber(readPath(doc, shape.timestamp));
  if (epoch === undefined) {
    return { ok: false, reason: 'missing_timestamp', sensorId };
  }
  if (!Number.isFinite(epoch) || epoch <= 0) {
    return { ok: false, reason: 'bad_timestamp', sensorId };
  }
  const timeMs = epochToMs(epoch, shape.timestampUnit);
  const readings = shape.readings.length === 0 ? unwrapTyped(doc) : readPath(doc, shape.readings);
  if (readings === null || typeof readings !== 'object' || Array.isArray(readings)) {
    return { ok: false, reason: 'no_readings', sensorId, timeMs };
  }
  const values: [number, number, number, number] = [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
  let missingMask = 0;
  for (let i = 0; i < METRICS.length; i++) {
    const v = toNumber(unwrapTyped((readings as Record<string, unknown>)[shape.metricAttributes[METRICS[i]]]));
    if (v === undefined) {
      missingMask |= 1 << i;
    } else if (Number.isNaN(v)) {
      return { ok: false, reason: 'non_numeric_reading', sensorId, timeMs };
    } else {
      values[i] = v;
    }
  }
  if (missingMask === (1 << METRICS.length) - 1) {
    return { ok: false, reason: 'no_readings', sensorId, timeMs };
  }
  return { ok: true, item: { sensorId, timeMs, values, missingMask } };
}
