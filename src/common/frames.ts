/**
 * The frame contract between the backend and the browser: the names AND types
 * of every field the backend writes and the panel, the annotations and alert
 * rules read. Imports nothing, like the rest of `src/common/`.
 *
 * Frames stay *wide* for Grafana (time and numbers only): a string or boolean
 * field makes a frame "long", and server-side expressions and alerting refuse
 * long frames. So the anomaly flag is a 0/1 number and the explanation is a
 * number whose value mappings (in the field config) show the feature's name.
 */

/** The field types the contract uses: Grafana's `FieldType.time` and `FieldType.number`. */
export type ContractFieldType = 'time' | 'number';

export interface ContractField {
  name: string;
  type: ContractFieldType;
}

/**
 * `anomalies`: one frame per sensor, rows in time order:
 *   time · <metric> (the reading; its name is the metric, e.g. `temperature`) ·
 *   anomaly (0/1) · anomaly_score (higher = more anomalous) · explanation (feature code, mapped to text).
 */
export const ANOMALY_FRAME = {
  time: { name: 'time', type: 'time' },
  flag: { name: 'anomaly', type: 'number' },
  score: { name: 'anomaly_score', type: 'number' },
  explanation: { name: 'explanation', type: 'number' },
} as const satisfies Record<string, ContractField>;

/** The reading's field: named after the metric, always a number. */
export const VALUE_FIELD_TYPE: ContractFieldType = 'number';

/** `anomaly_count`: one frame per sensor (data-plane `timeseries-multi` 0.1): time · anomaly_count. */
export const COUNT_FRAME = {
  time: { name: 'time', type: 'time' },
  count: { name: 'anomaly_count', type: 'number' },
} as const satisfies Record<string, ContractField>;

/** Data-plane type of `anomaly_count` frames. */
export const COUNT_FRAME_TYPE = { type: 'timeseries-multi', typeVersion: [0, 1] } as const;

/** Label keys on every numeric field: together they make each series unique for alerting. */
export const LABELS = {
  sensor: 'sensor',
  /** What the series is: the metric name for the reading, else the field name (`anomaly`, `anomaly_score`, …). */
  series: 'series',
} as const;

/** Explanation code of a reading that was not flagged (or could not be explained). */
export const NO_EXPLANATION = 0;

/**
 * Field names the panel and annotations look up. Kept for readers that only
 * need names; writers use ANOMALY_FRAME / COUNT_FRAME with their types.
 */
export const FRAME_FIELDS = {
  time: ANOMALY_FRAME.time.name,
  score: ANOMALY_FRAME.score.name,
  flag: ANOMALY_FRAME.flag.name,
  explanation: ANOMALY_FRAME.explanation.name,
  count: COUNT_FRAME.count.name,
} as const;

/** An anomaly flag as a frame carries it: 1 (this contract), or `true` from older frames. */
export function isFlagged(value: unknown): boolean {
  return value === 1 || value === true;
}

/**
 * `meta.stats` entries (display names) the backend writes on every frame, one
 * frame per sensor; Grafana shows them in the query inspector. The query
 * editor reads `readings` to say how many readings a contamination flags.
 */
export const FRAME_STATS = {
  /** Readings of the range that were scored (rows of the `anomalies` frame). */
  readings: 'Readings',
  anomalies: 'Anomalies',
  trainingRows: 'Training rows',
  trainingMs: 'Training time (ms)',
  itemsRead: 'DynamoDB items read',
} as const;
