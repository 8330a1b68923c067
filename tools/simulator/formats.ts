/**
 * The seed system's data shapes, written by the simulator:
 * - history CSV: one `payload` column of DynamoDB-typed JSON with numbers as
 *   strings, type tags mixed the way the seed's export mixes them (`S`/`M`,
 *   lower-case `s`/`m`, and `N`);
 * - live DynamoDB items: `uid`, numeric `timestamp`, `payload.data` map with
 *   numbers (and some numeric strings, as seed devices send);
 * and, for tests and benchmarks that skip the storage, the readers' own shape
 * (one `SensorSeries` of a sensor's readings).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { stringify } from 'csv-stringify/sync';
import type { SensorSeries } from '../../src/backend/sources/types';
import { METRICS, type Metric } from '../../src/common/query';
import type { TimestampUnit } from '../../src/common/settings';
import { Rng, type AnomalyLabel, type SimReading } from './signals';

/** The unit the simulator writes epochs in; 'auto' is a way of reading them, not of writing. */
export type EpochUnit = Exclude<TimestampUnit, 'auto'>;

export function epochIn(unit: EpochUnit, timeMs: number): number {
  return unit === 's' ? Math.round(timeMs / 1000) : timeMs;
}

type Tagging = 'upper' | 'lower' | 'number';

function tagged(tagging: Tagging, value: string): Record<string, string> {
  return tagging === 'lower' ? { s: value } : tagging === 'number' ? { N: value } : { S: value };
}

/** One history row's `payload` JSON; `rng` picks the type-tag style of the row. */
export function payloadJson(reading: SimReading, unit: EpochUnit, rng: Rng): string {
  const r = rng.next();
  const tagging: Tagging = r < 0.7 ? 'upper' : r < 0.9 ? 'lower' : 'number';
  const data: Record<string, Record<string, string>> = {};
  for (const m of METRICS) {
    data[m] = tagged(tagging, String(reading.values[m]));
  }
  const mapTag = tagging === 'lower' ? 'm' : 'M';
  return JSON.stringify({
    timestamp: tagged(tagging === 'number' ? 'upper' : tagging, String(epochIn(unit, reading.timeMs))),
    data: { [mapTag]: data },
  });
}

export const HISTORY_HEADER = stringify([['payload']]);

/** One CSV line (RFC 4180 quoting by csv-stringify: the JSON's quotes doubled). */
export function historyRow(reading: SimReading, unit: EpochUnit, rng: Rng): string {
  return stringify([[payloadJson(reading, unit, rng)]]);
}

/** A live item in the seed's shape; about one in ten readings is a numeric string. */
export function dynamoItem(reading: SimReading, unit: EpochUnit, rng: Rng): Record<string, AttributeValue> {
  const data: Record<string, AttributeValue> = {};
  for (const m of METRICS) {
    const text = String(reading.values[m]);
    data[m] = rng.next() < 0.1 ? { S: text } : { N: text };
  }
  return {
    uid: { S: reading.sensorId },
    timestamp: { N: String(epochIn(unit, reading.timeMs)) },
    payload: { M: { data: { M: data } } },
  };
}

const LABEL_COLUMNS = ['sensor_id', 'kind', 'metric', 'start_ms', 'end_ms', 'start_iso', 'end_iso', 'points'];

/** The ground truth, one row per anomaly episode, with a header row. */
export function labelsCsv(labels: readonly AnomalyLabel[]): string {
  const rows = labels.map((l) => [
    l.sensorId,
    l.kind,
    l.metric,
    l.startMs,
    l.endMs,
    new Date(l.startMs).toISOString(),
    new Date(l.endMs).toISOString(),
    l.points,
  ]);
  return stringify(rows, { header: true, columns: LABEL_COLUMNS });
}

/** One sensor's readings (in time order) as the readers return them: a time column and one column per metric. */
export function sensorSeries(readings: readonly SimReading[], sensorId = readings[0]?.sensorId ?? ''): SensorSeries {
  const time = Float64Array.from(readings, (r) => r.timeMs);
  const columns = Object.fromEntries(
    METRICS.map((m) => [m, Float64Array.from(readings, (r) => r.values[m])])
  ) as Record<Metric, Float64Array>;
  return { sensorId, time, readings: columns };
}
