/**
 * What the readers hand to the query layer: one series per sensor in columnar,
 * typed-array form, plus an account of every item that was read, skipped or
 * cut off, so nothing is lost silently.
 */
import type { Metric } from '../../common/query';

export interface SensorSeries {
  sensorId: string;
  /** Epoch milliseconds, ascending. */
  time: Float64Array;
  /** NaN where the item lacked that reading. */
  readings: Record<Metric, Float64Array>;
}

/** Why an item or row was dropped; the keys of `skipReasons`. */
export type SkipReason =
  | 'missing_timestamp'
  | 'bad_timestamp'
  | 'missing_sensor_id'
  | 'non_numeric_reading'
  | 'no_readings'
  | 'bad_payload'
  | 'other_sensor'
  | 'csv_syntax';

/** What was dropped, and why; what was kept with gaps. */
export interface SkipCounts {
  skipReasons: Partial<Record<SkipReason, number>>;
  /** Readings that were absent on a kept item and became NaN, per metric. */
  missingReadings: Partial<Record<Metric, number>>;
}

/** A skipped item whose time could be read. */
export interface TimedSkip {
  timeMs: number;
  reason: SkipReason;
}

/** The skips and gaps of one sensor's items (or of the items whose sensor could not be read). */
export interface SensorSkips extends SkipCounts {
  itemsSkipped: number;
  /**
   * Those of the skipped items whose time could be read, ascending; the others
   * lacked a usable timestamp. The recent-readings cache keeps these with the
   * span it holds, so a refresh still counts the malformed items of the whole
   * range it shows, not only of the few items it read again.
   */
  timed: TimedSkip[];
}

/**
 * Counts of a read. The totals (`itemsSkipped`, `skipReasons`,
 * `missingReadings`) are the sum of `bySensor` and `withoutSensor`; a query
 * shows each sensor its own share, where its user looks.
 */
export interface ReadStats extends SkipCounts {
  /** Items the reader received and examined, kept or skipped. */
  itemsRead: number;
  itemsSkipped: number;
  /** Per sensor id with any: its items that were skipped, and its kept items that lacked readings. */
  bySensor: Map<string, SensorSkips>;
  /** Items skipped before their sensor id could be read (absent or not a string or number): they belong to no sensor. */
  withoutSensor: SensorSkips;
  /** True when `maxItemsPerQuery` stopped the read before the range was exhausted. */
  truncated: boolean;
  /** The cap in force, so a notice can say "stopped after N items". */
  itemCap: number;
  /** DynamoDB response pages followed. */
  pages: number;
}

export interface ReadResult {
  series: SensorSeries[];
  stats: ReadStats;
}

export interface HistoryStats extends SkipCounts {
  rowsRead: number;
  rowsSkipped: number;
  /** The object's ETag the series was read from. */
  etag: string;
  /** True when the object was unchanged since the last read and not downloaded again. */
  cached: boolean;
  /** Which CSV layout the header announced. */
  layout: 'payload' | 'columns';
}

export interface HistoryResult {
  series: SensorSeries;
  stats: HistoryStats;
}
