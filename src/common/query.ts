/**
 * The query model shared by the query editor (browser) and the backend.
 *
 * This file is the single source of truth for what a query may contain, its
 * defaults and the allowed ranges. It imports only its siblings in
 * `src/common/`, so both the frontend
 * bundle and the backend executable can use it, and the error texts a user sees
 * in the editor are the same ones the backend returns for a provisioned or
 * hand-written query.
 */

import {
  FEATURE_SETS,
  FEATURE_TRANSFORM_IDS,
  METRICS,
  featureColumnCount,
  transformsOf,
  type FeatureSet,
  type FeatureTransform,
  type Metric,
} from './features';

// The one import from outside src/common/: the detectors' parameter constraints, a pure-data leaf that imports
// nothing, so the limits and messages here are the detectors' own (scikit-learn's `_parameter_constraints` idea).
import {
  DBSCAN_CONSTRAINTS,
  ISOLATION_FOREST_CONSTRAINTS,
  describeAllowed,
  mustBe,
  satisfies,
  type IntegerConstraint,
  type IntervalConstraint,
  type ParameterConstraint,
} from '../detectors/constraints';

// The metric list lives with the feature catalog (explanation codes number the metrics); re-exported here
// because the query model is where readers and editors have always found it.
export { METRICS, type Metric };

export const MODELS = ['isolation_forest', 'dbscan'] as const;
export type ModelKind = (typeof MODELS)[number];

/**
 * What a query returns:
 * - `anomalies`: one frame per sensor with every reading, its anomaly score, flag and explanation;
 * - `anomaly_count`: one series per sensor counting anomalies per interval, the shape
 *   Grafana alert rules evaluate.
 * Either may be `live`: the answer then also names a Grafana Live channel that
 * scores readings as they arrive.
 */
export const QUERY_TYPES = ['anomalies', 'anomaly_count'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/**
 * Where the Isolation Forest learns what "normal" looks like: the sensor's
 * history CSV in S3, or a window of DynamoDB readings just before the range.
 */
export const TRAINING_SOURCES = ['history', 'window'] as const;
export type TrainingSource = (typeof TRAINING_SOURCES)[number];

/** Where a live query's new readings come from. */
export const LIVE_SOURCES = ['dynamodb', 'kafka'] as const;
export type LiveSource = (typeof LIVE_SOURCES)[number];

interface IsolationForestParams {
  nEstimators: number;
  /**
   * 'auto' = min(256, n); a fraction in (0, 1] of the readings; or a count ≥ 2.
   * JSON cannot tell 1 from 1.0, so 1 is the fraction: all readings.
   */
  maxSamples: 'auto' | number;
  /** A fraction in (0, 1] of the features (1 = all), or a count ≥ 2. */
  maxFeatures: number;
  seed: number;
  training: TrainingSource;
  /** With training "window": how far back before the range, a duration such as "24h" or "7d". */
  trainingWindow: string;
}

interface DbscanParams {
  /** Neighbourhood radius on standardized readings, or 'auto' (derived from contamination). */
  eps: 'auto' | number;
  minSamples: number;
}

/** The query fields owned by this plugin (Grafana adds refId, datasource, hide, …). */
export interface AnomalyQueryModel {
  queryType?: QueryType;
  /** Sensor ids, e.g. `sensmitter_1`; empty means every sensor the table holds. */
  sensors?: string[];
  /** The reading plotted and reported as the value of the series. */
  metric?: Metric;
  /** The readings the model sees; the timestamp itself is never a feature. */
  metrics?: Metric[];
  /** Which features are computed from those readings (src/common/features.ts). */
  featureSet?: FeatureSet;
  /** The transforms of a `custom` feature set. */
  transforms?: FeatureTransform[];
  model?: ModelKind;
  /** Expected share of anomalies, in (0, 0.5]; 'auto' only for Isolation Forest. */
  contamination?: number | 'auto';
  isolationForest?: Partial<IsolationForestParams>;
  dbscan?: Partial<DbscanParams>;
  /** `anomaly_count` bucket width, a duration such as "5m"; empty = the panel's interval. */
  countInterval?: string;
  /** Keep scoring new readings as they arrive (Grafana Live). */
  live?: boolean;
  liveSource?: LiveSource;
  /** Kafka only: minutes of the topic to replay when the stream starts; 0 = only new messages. */
  liveReplayMinutes?: number;
}

/** A query after validation: every field present and within range. */
export interface ResolvedQuery {
  queryType: QueryType;
  sensors: string[];
  metric: Metric;
  metrics: Metric[];
  featureSet: FeatureSet;
  /** The transforms the feature set stands for, in catalog order. */
  transforms: FeatureTransform[];
  model: ModelKind;
  contamination: number | 'auto';
  isolationForest: IsolationForestParams;
  dbscan: DbscanParams;
  /** Duration text as given, '' = the panel's interval. */
  countInterval: string;
  live: boolean;
  liveSource: LiveSource;
  liveReplayMinutes: number;
}

/**
 * The product's defaults. Contamination is a percentile threshold (1 %), not
 * scikit-learn's 'auto': on sensor data 'auto' flags about a fifth of all
 * readings, which is useless for alerting.
 */
export const DEFAULT_QUERY: ResolvedQuery = {
  queryType: 'anomalies',
  sensors: [],
  metric: 'temperature',
  metrics: [...METRICS],
  featureSet: 'default',
  transforms: transformsOf('default'),
  model: 'isolation_forest',
  contamination: 0.01,
  isolationForest: {
    nEstimators: 100,
    maxSamples: 'auto',
    maxFeatures: 1,
    seed: 42,
    training: 'history',
    trainingWindow: '7d',
  },
  // eps "auto" (from contamination): a fixed radius on standardized features depends on how many there are,
  // and 0.3 on the default set's 16 called every reading noise.
  dbscan: { eps: 'auto', minSamples: 10 },
  countInterval: '',
  live: false,
  liveSource: 'dynamodb',
  liveReplayMinutes: 0,
};

const range = ({ min, max }: IntegerConstraint | IntervalConstraint) => ({ min, max }) as const;

/** Numeric limits, for editors and GET defaults; the detectors' ones come from their constraints table. */
export const LIMITS = {
  contamination: range(ISOLATION_FOREST_CONSTRAINTS.contamination.constraint),
  nEstimators: range(ISOLATION_FOREST_CONSTRAINTS.nEstimators.constraint),
  minSamples: range(DBSCAN_CONSTRAINTS.minSamples.constraint),
  eps: range(DBSCAN_CONSTRAINTS.eps.constraint),
  maxSensors: 100,
  /** Training window before the range, in ms: 1 hour to 90 days. */
  trainingWindowMs: { min: 3_600_000, max: 90 * 86_400_000 },
  /** anomaly_count bucket, in ms: 1 second to 1 day. */
  countIntervalMs: { min: 1000, max: 86_400_000 },
  liveReplayMinutes: { min: 0, max: 1440 },
} as const;

/** A query field that failed validation; `field` uses the query JSON's dotted path. */
export class QueryFieldError extends Error {
  constructor(
    readonly field: string,
    readonly allowed: string,
    readonly got: unknown
  ) {
    super(mustBe(field, allowed, got));
    this.name = 'QueryFieldError';
  }
}

function oneOf<T extends string>(field: string, allowed: readonly T[], value: unknown, fallback: T): T {
  if (value === undefined || value === null || value === '') {
    return fallback;
  }
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw new QueryFieldError(field, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
}

function finiteNumber(field: string, allowed: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new QueryFieldError(field, allowed, value);
  }
  return value;
}

function integerIn(field: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null) {
    return fallback;
  }
  const allowed = `an integer from ${min} to ${max}`;
  const n = finiteNumber(field, allowed, value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new QueryFieldError(field, allowed, value);
  }
  return n;
}

function parseContamination(value: unknown, model: ModelKind): number | 'auto' {
  // DBSCAN has no "auto": its eps comes from a number.
  const alsoAllowed = model === 'isolation_forest' ? ['auto'] : [];
  return fromTable('contamination', ISOLATION_FOREST_CONSTRAINTS.contamination, value, DEFAULT_QUERY.contamination, {
    alsoAllowed,
  });
}

/**
 * A detector parameter, checked and worded by its constraints table: the
 * fallback when absent, else a number the table allows or one of its words
 * (`alsoAllowed` replaces the table's words where the query differs, e.g. eps
 * "auto", which the query layer resolves). `maxCount` caps a count.
 */
function fromTable<T extends number | string>(
  field: string,
  parameter: ParameterConstraint,
  value: unknown,
  fallback: T,
  options: { alsoAllowed?: readonly string[]; maxCount?: number } = {}
): T {
  if (value === undefined || value === null) {
    return fallback;
  }
  const p = options.alsoAllowed ? { ...parameter, alsoAllowed: options.alsoAllowed } : parameter;
  if (typeof value === 'string' && p.alsoAllowed.includes(value)) {
    return value as T;
  }
  const { maxCount = Number.POSITIVE_INFINITY } = options;
  if (!satisfies(p.constraint, value) || (value > 1 && value > maxCount)) {
    throw new QueryFieldError(field, describeAllowed(p, { maxCount }), value);
  }
  return value as T;
}

function parseMetricList(field: string, value: unknown, fallback: Metric[]): Metric[] {
  if (value === undefined || value === null) {
    return fallback;
  }
  const allowed = `a non-empty list of ${METRICS.map((m) => `"${m}"`).join(', ')}`;
  if (!Array.isArray(value) || value.length === 0) {
    throw new QueryFieldError(field, allowed, value);
  }
  const metrics = value.map((item) => oneOf<Metric>(field, METRICS, item, 'temperature'));
  return [...new Set(metrics)];
}

/**
 * Sensor ids become DynamoDB key values and S3 object keys, so they are held to
 * the characters IoT ids use: no slashes, spaces or control characters that
 * could point a read somewhere else.
 */
const SENSOR_ID = /^[A-Za-z0-9_.:@-]{1,128}$/;

function parseSensors(value: unknown): string[] {
  if (value === undefined || value === null) {
    return [];
  }
  const allowed = `a list of at most ${LIMITS.maxSensors} sensor ids of 1 to 128 letters, digits and _ . : @ -`;
  if (!Array.isArray(value) || value.length > LIMITS.maxSensors) {
    throw new QueryFieldError('sensors', allowed, value);
  }
  const ids = value.map((id: unknown) => (typeof id === 'string' ? id.trim() : id));
  const bad = ids.find((id) => typeof id !== 'string' || !SENSOR_ID.test(id));
  if (bad !== undefined) {
    throw new QueryFieldError('sensors', allowed, bad);
  }
  return [...new Set(ids as string[])];
}

function parseMaxFeatures(value: unknown, columnCount: number): number {
  return fromTable(
    'isolationForest.maxFeatures',
    ISOLATION_FOREST_CONSTRAINTS.maxFeatures,
    value,
    DEFAULT_QUERY.isolationForest.maxFeatures,
    { maxCount: columnCount }
  );
}

function parseTransforms(set: FeatureSet, value: unknown): FeatureTransform[] {
  if (set !== 'custom') {
    return transformsOf(set);
  }
  const allowed = `a non-empty list of ${FEATURE_TRANSFORM_IDS.map((t) => `"${t}"`).join(', ')} (featureSet "custom")`;
  if (!Array.isArray(value) || value.length === 0) {
    throw new QueryFieldError('transforms', allowed, value);
  }
  const bad = value.find(
    (t: unknown) => typeof t !== 'string' || !(FEATURE_TRANSFORM_IDS as readonly string[]).includes(t)
  );
  if (bad !== undefined) {
    throw new QueryFieldError('transforms', allowed, bad);
  }
  return transformsOf('custom', value as FeatureTransform[]);
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A Grafana-style duration ("30s", "5m", "24h", "7d", "1w") in milliseconds,
 * or undefined when the text is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/.exec(text);
  if (!match) {
    return undefined;
  }
  return Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
}

function durationIn(field: string, value: unknown, fallback: string, limits: { min: number; max: number }): string {
  if (value === undefined || value === null || value === '') {
    return fallback;
  }
  const allowed = `a duration from ${formatDuration(limits.min)} to ${formatDuration(limits.max)}, such as "5m", "24h" or "7d"`;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || ms < limits.min || ms > limits.max) {
    throw new QueryFieldError(field, allowed, value);
  }
  return (value as string).trim();
}

/** The largest whole unit that divides `ms`: 3600000 → "1h". */
export function formatDuration(ms: number): string {
  const units = Object.entries(DURATION_UNITS_MS).sort((a, b) => b[1] - a[1]);
  for (const [unit, size] of units) {
    if (ms >= size && ms % size === 0) {
      return `${ms / size}${unit}`;
    }
  }
  return `${ms}ms`;
}

function parseBoolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value !== 'boolean') {
    throw new QueryFieldError(field, 'true or false', value);
  }
  return value;
}

function parseEps(value: unknown): 'auto' | number {
  // "auto" is the query layer's (autoEps from contamination); the detector itself takes a number.
  return fromTable('dbscan.eps', DBSCAN_CONSTRAINTS.eps, value, DEFAULT_QUERY.dbscan.eps, { alsoAllowed: ['auto'] });
}

function asObject(field: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new QueryFieldError(field, 'an object', value);
  }
  return value as Record<string, unknown>;
}

/**
 * Validates a query's JSON (as sent by the editor, a provisioned alert rule or
 * the HTTP API) and fills in defaults. Throws {@link QueryFieldError} naming the
 * first offending field and its allowed range.
 */
export function resolveQuery(raw: unknown): ResolvedQuery {
  const q = asObject('query', raw);
  const model = oneOf('model', MODELS, q.model, DEFAULT_QUERY.model);
  const metrics = parseMetricList('metrics', q.metrics, DEFAULT_QUERY.metrics);
  const featureSet = oneOf('featureSet', FEATURE_SETS, q.featureSet, DEFAULT_QUERY.featureSet);
  const transforms = parseTransforms(featureSet, q.transforms);
  const contamination = parseContamination(q.contamination, model);
  const forest = asObject('isolationForest', q.isolationForest);
  const dbscan = asObject('dbscan', q.dbscan);
  const defaults = DEFAULT_QUERY;
  return {
    queryType: oneOf('queryType', QUERY_TYPES, q.queryType, defaults.queryType),
    sensors: parseSensors(q.sensors),
    metric: oneOf('metric', METRICS, q.metric, defaults.metric),
    metrics,
    featureSet,
    transforms,
    model,
    contamination,
    isolationForest: {
      nEstimators: fromTable(
        'isolationForest.nEstimators',
        ISOLATION_FOREST_CONSTRAINTS.nEstimators,
        forest.nEstimators,
        defaults.isolationForest.nEstimators
      ),
      maxSamples: fromTable<number | 'auto'>(
        'isolationForest.maxSamples',
        ISOLATION_FOREST_CONSTRAINTS.maxSamples,
        forest.maxSamples,
        defaults.isolationForest.maxSamples
      ),
      maxFeatures: parseMaxFeatures(forest.maxFeatures, featureColumnCount(metrics.length, transforms)),
      seed: fromTable(
        'isolationForest.seed',
        ISOLATION_FOREST_CONSTRAINTS.seed,
        forest.seed,
        defaults.isolationForest.seed
      ),
      training: oneOf('isolationForest.training', TRAINING_SOURCES, forest.training, defaults.isolationForest.training),
      trainingWindow: durationIn(
        'isolationForest.trainingWindow',
        forest.trainingWindow,
        defaults.isolationForest.trainingWindow,
        LIMITS.trainingWindowMs
      ),
    },
    dbscan: {
      eps: parseEps(dbscan.eps),
      minSamples: fromTable(
        'dbscan.minSamples',
        DBSCAN_CONSTRAINTS.minSamples,
        dbscan.minSamples,
        defaults.dbscan.minSamples
      ),
    },
    countInterval: durationIn('countInterval', q.countInterval, defaults.countInterval, LIMITS.countIntervalMs),
    live: parseBoolean('live', q.live, defaults.live),
    liveSource: oneOf('liveSource', LIVE_SOURCES, q.liveSource, defaults.liveSource),
    liveReplayMinutes: integerIn(
      'liveReplayMinutes',
      q.liveReplayMinutes,
      defaults.liveReplayMinutes,
      LIMITS.liveReplayMinutes.min,
      LIMITS.liveReplayMinutes.max
    ),
  };
}
