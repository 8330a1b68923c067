/**
 * The only writer of the frame contract (src/common/frames.ts): per sensor a
 * wide `anomalies` frame or a `timeseries-multi` `anomaly_count` frame, with
 * the stats and notices that say what was read, trained and left out.
 *
 * Wide means time and numbers only: the flag is 0/1, the explanation a
 * feature code whose value mappings show its name. Every numeric field is
 * labelled `sensor` + `series`, so no two series of a response look alike to
 * Grafana's expressions and each sensor is its own alert instance.
 */
import { explanationValueMappings } from '../../common/features';
import {
  ANOMALY_FRAME,
  COUNT_FRAME,
  COUNT_FRAME_TYPE,
  FRAME_STATS,
  LABELS,
  VALUE_FIELD_TYPE,
  type ContractField,
} from '../../common/frames';
import type { Metric } from '../../common/query';
import {
  numberField,
  timeField,
  type Field,
  type FieldConfig,
  type Frame,
  type Notice,
  type QueryStat,
} from '../runtime';

type FieldOptions = Parameters<typeof numberField>[2];

/** A field as the contract declares it: its name and its type come from src/common/frames.ts, never from here. */
function contractField(spec: ContractField, values: Float64Array, options?: FieldOptions): Field {
  return spec.type === 'time' ? timeField(spec.name, values, options) : numberField(spec.name, values, options);
}

const valueField = (metric: Metric): ContractField => ({ name: metric, type: VALUE_FIELD_TYPE });

/** How each metric is shown: Grafana unit ids and a display name. */
const METRIC_DISPLAY: Readonly<Record<Metric, { label: string; unit: string }>> = {
  temperature: { label: 'Temperature', unit: 'celsius' },
  humidity: { label: 'Humidity', unit: 'humidity' },
  pressure: { label: 'Pressure', unit: 'pressurehpa' },
  light_level: { label: 'Light level', unit: 'lux' },
};

/** Stats shown besides the contract's (src/common/frames.ts FRAME_STATS), for the query inspector. */
const EXTRA_STATS = {
  scored: 'Readings scored',
  itemsSkipped: 'DynamoDB items skipped',
  reused: 'Readings reused from the cache',
} as const;

/** Scores of the readings of a range, aligned with its `time`; rows not scored are null. */
export interface RangeScoring {
  score: Float64Array;
  flag: Float64Array;
  explanation: Float64Array;
  /** 1 = scored; 0 = no row (warming up, missing reading, duplicate time). */
  scored: Uint8Array;
  /** Scores above it are flagged (Isolation Forest), or NaN when the model has no single threshold. */
  threshold: number;
}

export interface ModelInfo {
  key: string;
  /** `cache`: reused; `store`: loaded from S3; `trained`: trained for this request; `range` (DBSCAN): fitted on the range. */
  source: 'cache' | 'store' | 'trained' | 'range';
  identity: string;
  trainingRows: number;
  trainingMs: number;
}

/** Everything the frames of one sensor say. */
export interface SensorOutcome {
  sensorId: string;
  metric: Metric;
  /** The readings of the query's range, ascending. */
  time: Float64Array;
  value: Float64Array;
  scoring?: RangeScoring;
  model?: ModelInfo;
  itemsRead: number;
  itemsSkipped: number;
  reused: number;
  notices: Notice[];
  /** A one-line description of what ran, for the query inspector. */
  description: string;
}

function nullsWhere(values: Float64Array, isNull: (i: number) => boolean): Uint8Array | undefined {
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < values.length; i++) {
    if (isNull(i)) {
      nulls ??= new Uint8Array(values.length);
      nulls[i] = 1;
    }
  }
  return nulls;
}

function labels(sensor: string, series: string) {
  return { [LABELS.sensor]: sensor, [LABELS.series]: series };
}

function countFlags(scoring: RangeScoring | undefined): number {
  let n = 0;
  for (let i = 0; scoring && i < scoring.flag.length; i++) {
    n += scoring.scored[i] ? scoring.flag[i]! : 0;
  }
  return n;
}

function scoredCount(outcome: SensorOutcome): number {
  let n = 0;
  for (let i = 0; outcome.scoring && i < outcome.scoring.scored.length; i++) {
    n += outcome.scoring.scored[i]!;
  }
  return n;
}

function stats(outcome: SensorOutcome): QueryStat[] {
  const list: QueryStat[] = [
    { displayName: FRAME_STATS.readings, value: outcome.time.length },
    { displayName: EXTRA_STATS.scored, value: scoredCount(outcome) },
    { displayName: FRAME_STATS.anomalies, value: countFlags(outcome.scoring) },
    { displayName: FRAME_STATS.itemsRead, value: outcome.itemsRead },
    { displayName: EXTRA_STATS.itemsSkipped, value: outcome.itemsSkipped },
    { displayName: EXTRA_STATS.reused, value: outcome.reused },
  ];
  if (outcome.model) {
    list.push(
      { displayName: FRAME_STATS.trainingRows, value: outcome.model.trainingRows },
      { displayName: FRAME_STATS.trainingMs, value: Math.round(outcome.model.trainingMs), unit: 'ms' }
    );
  }
  return list;
}

function meta(outcome: SensorOutcome): Frame['meta'] {
  return {
    stats: stats(outcome),
    ...(outcome.notices.length > 0 ? { notices: outcome.notices } : {}),
    custom: {
      ...(outcome.model ? { model: outcome.model } : {}),
      ...(outcome.scoring && Number.isFinite(outcome.scoring.threshold)
        ? { threshold: outcome.scoring.threshold }
        : {}),
    },
    executedQueryString: outcome.description,
  };
}

function scoreConfig(sensor: string, threshold: number | undefined): FieldConfig {
  const config: FieldConfig = { displayName: `Anomaly score ${sensor}`, decimals: 3 };
  if (threshold !== undefined && Number.isFinite(threshold)) {
    config.thresholds = {
      mode: 'absolute',
      steps: [
        { value: null, color: 'green' },
        { value: threshold, color: 'red' },
      ],
    };
  }
  return config;
}

/** `anomalies`: time · <metric> · anomaly · anomaly_score · explanation, one row per reading of the range. */
export function anomalyFrame(outcome: SensorOutcome): Frame {
  const { sensorId: sensor, metric, time, value, scoring } = outcome;
  const n = time.length;
  const notScored = (i: number) => !scoring || scoring.scored[i] === 0;
  const display = METRIC_DISPLAY[metric];
  return {
    name: sensor,
    meta: meta(outcome),
    fields: [
      contractField(ANOMALY_FRAME.time, time),
      contractField(valueField(metric), value, {
        labels: labels(sensor, metric),
        config: { displayName: `${display.label} ${sensor}`, unit: display.unit },
        nulls: nullsWhere(value, (i) => Number.isNaN(value[i]!)),
        // Always nullable: the schema must not depend on whether this range happens to lack a reading.
        nullable: true,
      }),
      contractField(ANOMALY_FRAME.flag, scoring?.flag ?? new Float64Array(n), {
        labels: labels(sensor, ANOMALY_FRAME.flag.name),
        config: { displayName: `Anomaly ${sensor}`, min: 0, max: 1, decimals: 0 },
        nulls: nullsWhere(time, notScored),
        nullable: true,
      }),
      contractField(ANOMALY_FRAME.score, scoring?.score ?? new Float64Array(n), {
        labels: labels(sensor, ANOMALY_FRAME.score.name),
        config: scoreConfig(sensor, scoring?.threshold),
        nulls: nullsWhere(time, notScored),
        nullable: true,
      }),
      contractField(ANOMALY_FRAME.explanation, scoring?.explanation ?? new Float64Array(n), {
        labels: labels(sensor, ANOMALY_FRAME.explanation.name),
        config: { displayName: `Explanation ${sensor}`, mappings: explanationValueMappings() },
        nulls: nullsWhere(time, notScored),
        nullable: true,
      }),
    ],
  };
}

/** Anomalies per interval-aligned bucket of the range, empty buckets 0 (what alert rules evaluate). */
/**
 * The non-zero counts of a tally, each followed by what it counts, for a
 * notice: `{ bad_time: 3, no_readings: 1 }` → "3 bad_time, 1 no_readings".
 */
/** "1 item … was", "2 items … were": a count of items as notices say it, `of` naming whose. */
export function itemsWere(n: number, of: string): string {
  return n === 1 ? `1 item of ${of} was` : `${n} items of ${of} were`;
}

export function countsText(
  counts: Readonly<Partial<Record<string, number>>>,
  what: (key: string) => string = (key) => key
): string {
  return Object.entries(counts)
    .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
    .map(([key, n]) => `${n} ${what(key)}`)
    .join(', ');
}

export interface Counts {
  time: Float64Array;
  count: Float64Array;
}

/** `anomaly_count`: data-plane `timeseries-multi` 0.1, time · anomaly_count. */
export function countFrame(outcome: SensorOutcome, counts: Counts): Frame {
  const sensor = outcome.sensorId;
  return {
    name: sensor,
    meta: { ...COUNT_FRAME_TYPE, ...meta(outcome) },
    fields: [
      contractField(COUNT_FRAME.time, counts.time),
      contractField(COUNT_FRAME.count, counts.count, {
        labels: labels(sensor, COUNT_FRAME.count.name),
        config: { displayName: `Anomalies ${sensor}`, decimals: 0 },
      }),
    ],
  };
}

/** An outcome with no readings: the frame of a sensor that has none in the range. */
export function emptyOutcome(sensorId: string, metric: Metric, notices: Notice[], description: string): SensorOutcome {
  return {
    sensorId,
    metric,
    time: new Float64Array(0),
    value: new Float64Array(0),
    itemsRead: 0,
    itemsSkipped: 0,
    reused: 0,
    notices,
    description,
  };
}

/**
 * The one frame of a query that found no sensor at all, carrying the notices
 * that say why: for `anomalies` the contract's first fields with no rows, for
 * `anomaly_count` the data plane's field-less "no data" frame.
 */
export function noDataFrame(queryType: 'anomalies' | 'anomaly_count', metric: Metric, notices: Notice[]): Frame {
  const empty = new Float64Array(0);
  if (queryType === 'anomaly_count') {
    // The data plane's "no data" for a timeseries-multi answer: one typed frame without fields.
    return { meta: { ...COUNT_FRAME_TYPE, notices }, fields: [] };
  }
  return {
    name: 'no data',
    meta: { notices },
    fields: [contractField(ANOMALY_FRAME.time, empty), contractField(valueField(metric), empty)],
  };
}
