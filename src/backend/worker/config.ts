/**
 * The scoring worker's configuration: environment variables, each overridable
 * by a command-line flag of the same name (`IOTLAB_KAFKA_BROKERS` ↔
 * `--kafka-brokers`). One table below defines every option, its default and
 * its help text; the values are turned into the data source's own settings
 * shape, so the worker validates them with the same code (and the same error
 * messages) as the plugin, and reads the same history and models.
 */
import { parseArgs } from 'node:util';

import { resolveQuery, type ResolvedQuery } from '../../common/query';
import type { AnomalyDataSourceOptions, AnomalySecureJsonData } from '../../common/settings';
import { resolveAwsConnection, type AwsConnection } from '../sources/awsConfig';
import { SourceError } from '../sources/errors';
import { kafkaConnectionFromSettings, type KafkaConnection } from '../sources/kafkaConfig';
import { modelStoreConfigFromSettings, type ModelStoreConfig } from '../sources/modelStore';
import { s3ConfigFromSettings, type S3HistoryConfig } from '../sources/s3History';

interface OptionSpec {
  env: string;
  help: string;
  default?: string;
  secret?: boolean;
}

/** Every option of the worker; the flag of `IOTLAB_X_Y` is `--x-y`. */
const WORKER_OPTIONS = {
  brokers: { env: 'IOTLAB_KAFKA_BROKERS', help: 'Kafka bootstrap brokers, host:port[,host:port…] (required)' },
  readingsTopic: {
    env: 'IOTLAB_KAFKA_READINGS_TOPIC',
    help: 'topic of reading messages, keyed by sensor id',
    default: 'readings',
  },
  anomaliesTopic: { env: 'IOTLAB_KAFKA_ANOMALIES_TOPIC', help: 'topic the anomalies go to', default: 'anomalies' },
  group: {
    env: 'IOTLAB_KAFKA_GROUP',
    help: 'consumer group; start more workers with the same group to scale out',
    default: 'iotlab-anomaly-worker',
  },
  start: {
    env: 'IOTLAB_KAFKA_START',
    help: 'where a partition without a committed offset starts: earliest | latest',
    default: 'earliest',
  },
  tls: { env: 'IOTLAB_KAFKA_TLS', help: 'connect with TLS: true | false', default: 'false' },
  saslMechanism: {
    env: 'IOTLAB_KAFKA_SASL_MECHANISM',
    help: 'none | plain | scram-sha-256 | scram-sha-512',
    default: 'none',
  },
  username: { env: 'IOTLAB_KAFKA_USERNAME', help: 'SASL user name' },
  password: { env: 'IOTLAB_KAFKA_PASSWORD', help: 'SASL password (prefer the environment to a flag)', secret: true },
  sensorIdField: {
    env: 'IOTLAB_KAFKA_SENSOR_ID_FIELD',
    help: 'JSON path of the sensor id in a message',
    default: 'uid',
  },
  timestampField: {
    env: 'IOTLAB_KAFKA_TIMESTAMP_FIELD',
    help: 'JSON path of the epoch timestamp',
    default: 'timestamp',
  },
  readingsPath: {
    env: 'IOTLAB_KAFKA_READINGS_PATH',
    help: 'JSON path of the readings map ("" = top level)',
    default: 'payload.data',
  },
  timestampUnit: { env: 'IOTLAB_TIMESTAMP_UNIT', help: 'auto | s | ms', default: 'auto' },
  region: { env: 'IOTLAB_REGION', help: 'AWS region of the history bucket', default: 'us-east-1' },
  s3Endpoint: { env: 'IOTLAB_S3_ENDPOINT', help: 'S3 endpoint override (an S3-compatible server)' },
  bucket: { env: 'IOTLAB_BUCKET', help: 'S3 bucket of the training history and the persisted models (required)' },
  historyKeyTemplate: {
    env: 'IOTLAB_HISTORY_KEY_TEMPLATE',
    help: 'history object key, {sensor} = sensor id',
    default: '{sensor}.csv',
  },
  modelKeyPrefix: {
    env: 'IOTLAB_MODEL_KEY_PREFIX',
    help: 'where models are persisted in the bucket',
    default: 'models/',
  },
  authType: { env: 'IOTLAB_AUTH_TYPE', help: 'AWS credentials: default (the SDK chain) | keys', default: 'default' },
  accessKey: { env: 'IOTLAB_ACCESS_KEY', help: 'AWS access key id (authType keys)', secret: true },
  secretKey: { env: 'IOTLAB_SECRET_KEY', help: 'AWS secret access key (authType keys)', secret: true },
  query: {
    env: 'IOTLAB_WORKER_QUERY',
    help: 'the query whose model scores the stream, as JSON (the dashboard query: metrics, featureSet, contamination, isolationForest)',
    default: '{}',
  },
  publish: {
    env: 'IOTLAB_WORKER_PUBLISH',
    help: 'what goes to the anomalies topic: anomalies | all (every scored reading)',
    default: 'anomalies',
  },
  batch: { env: 'IOTLAB_WORKER_BATCH', help: 'most messages scored, produced and committed at once', default: '5000' },
  metricsPort: {
    env: 'IOTLAB_WORKER_METRICS_PORT',
    help: 'HTTP port of /metrics (Prometheus) and /healthz; 0 = a free port',
    default: '9464',
  },
  metricsHost: { env: 'IOTLAB_WORKER_METRICS_HOST', help: 'address the metrics server binds', default: '127.0.0.1' },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof WORKER_OPTIONS;

export interface WorkerConfig {
  kafka: KafkaConnection;
  group: string;
  start: 'earliest' | 'latest';
  aws: AwsConnection;
  history: S3HistoryConfig;
  /** Undefined when models are not persisted (empty prefix). */
  modelStore: ModelStoreConfig | undefined;
  query: ResolvedQuery;
  publish: 'anomalies' | 'all';
  batch: number;
  metricsPort: number;
  metricsHost: string;
}

export class WorkerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerConfigError';
  }
}

function flagName(env: string): string {
  return env
    .replace(/^IOTLAB_/, '')
    .toLowerCase()
    .replace(/_/g, '-');
}

export function helpText(): string {
  const lines = Object.values(WORKER_OPTIONS as Record<string, OptionSpec>).map(
    (o) =>
      `  --${flagName(o.env).padEnd(24)} ${o.env.padEnd(30)} ${o.help}${o.default !== undefined ? ` (default ${o.default === '' ? '""' : o.default})` : ''}`
  );
  return `iotlab-anomaly-worker: scores a Kafka topic of sensor readings with the dashboards' model and publishes the anomalies.\n\nEvery option is an environment variable or a flag (the flag wins):\n${lines.join('\n')}\n  --help`;
}

/** Raw option values: flags over environment over defaults. */
function readOptions(argv: readonly string[], env: NodeJS.ProcessEnv): Record<OptionName, string | undefined> {
  const entries = Object.entries(WORKER_OPTIONS as Record<OptionName, OptionSpec>);
  const { values } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(entries.map(([, o]) => [flagName(o.env), { type: 'string' as const }])),
    strict: true,
    allowPositionals: false,
  });
  const flags = values as Record<string, string | undefined>;
  return Object.fromEntries(
    entries.map(([name, o]) => [name, flags[flagName(o.env)] ?? env[o.env] ?? o.default])
  ) as Record<OptionName, string | undefined>;
}

function oneOf<T extends string>(name: OptionName, value: string | undefined, allowed: readonly T[]): T {
  if (value !== undefined && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw new WorkerConfigError(
    `${WORKER_OPTIONS[name].env}: must be one of ${allowed.join(', ')} (got "${value ?? ''}")`
  );
}

function integer(name: OptionName, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new WorkerConfigError(
      `${WORKER_OPTIONS[name].env}: must be an integer from ${min} to ${max} (got "${value ?? ''}")`
    );
  }
  return n;
}

/** The query the worker scores with: validated like a dashboard query; Isolation Forest on the S3 history only. */
function workerQuery(text: string | undefined): ResolvedQuery {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? '{}');
  } catch (error) {
    throw new WorkerConfigError(`${WORKER_OPTIONS.query.env}: not JSON (${(error as Error).message})`);
  }
  let query: ResolvedQuery;
  try {
    query = resolveQuery(raw);
  } catch (error) {
    throw new WorkerConfigError(`${WORKER_OPTIONS.query.env}: ${(error as Error).message}`);
  }
  if (query.model !== 'isolation_forest' || query.isolationForest.training !== 'history') {
    // DBSCAN fits the range it is shown and a window model moves with the range: neither exists for an endless stream.
    throw new WorkerConfigError(
      `${WORKER_OPTIONS.query.env}: the worker scores with an Isolation Forest trained on the S3 history ("model": "isolation_forest", "isolationForest.training": "history")`
    );
  }
  return query;
}

/** The data source settings these options stand for (what the plugin would get from Grafana). */
function asSettings(o: Record<OptionName, string | undefined>): {
  json: AnomalyDataSourceOptions;
  secure: AnomalySecureJsonData;
} {
  const json: AnomalyDataSourceOptions = {
    authType: oneOf('authType', o.authType, ['default', 'keys'] as const),
    defaultRegion: o.region,
    ...(o.s3Endpoint ? { s3Endpoint: o.s3Endpoint } : {}),
    historyBucket: o.bucket,
    historyKeyTemplate: o.historyKeyTemplate,
    modelKeyPrefix: o.modelKeyPrefix,
    timestampUnit: oneOf('timestampUnit', o.timestampUnit, ['auto', 's', 'ms'] as const),
    kafkaBrokers: o.brokers,
    kafkaReadingsTopic: o.readingsTopic,
    kafkaAnomaliesTopic: o.anomaliesTopic,
    kafkaTls: oneOf('tls', o.tls, ['true', 'false'] as const) === 'true',
    kafkaSaslMechanism: oneOf('saslMechanism', o.saslMechanism, [
      'none',
      'plain',
      'scram-sha-256',
      'scram-sha-512',
    ] as const),
    kafkaUsername: o.username,
    kafkaSensorIdField: o.sensorIdField,
    kafkaTimestampField: o.timestampField,
    kafkaReadingsPath: o.readingsPath,
  };
  const secure: AnomalySecureJsonData = {
    ...(o.accessKey ? { accessKey: o.accessKey } : {}),
    ...(o.secretKey ? { secretKey: o.secretKey } : {}),
    ...(o.password ? { kafkaPassword: o.password } : {}),
  };
  return { json, secure };
}

/** Settings field names in messages become the worker's own option names. */
const SETTING_TO_OPTION: ReadonlyArray<[string, OptionName]> = [
  ['kafkaBrokers', 'brokers'],
  ['kafkaReadingsTopic', 'readingsTopic'],
  ['kafkaAnomaliesTopic', 'anomaliesTopic'],
  ['kafkaSaslMechanism', 'saslMechanism'],
  ['kafkaUsername', 'username'],
  ['kafkaPassword', 'password'],
  ['kafkaSensorIdField', 'sensorIdField'],
  ['kafkaTimestampField', 'timestampField'],
  ['kafkaReadingsPath', 'readingsPath'],
  ['historyBucket', 'bucket'],
  ['historyKeyTemplate', 'historyKeyTemplate'],
  ['modelKeyPrefix', 'modelKeyPrefix'],
  ['defaultRegion', 'region'],
  ['s3Endpoint', 's3Endpoint'],
  ['accessKey', 'accessKey'],
  ['secretKey', 'secretKey'],
];

function renamed(error: unknown): WorkerConfigError {
  const message = error instanceof Error ? error.message : String(error);
  const field = message.split(':')[0] ?? '';
  const option = SETTING_TO_OPTION.find(([setting]) => setting === field)?.[1];
  return new WorkerConfigError(option ? `${WORKER_OPTIONS[option].env}${message.slice(field.length)}` : message);
}

export function workerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): WorkerConfig {
  const o = readOptions(argv, env);
  const { json, secure } = asSettings(o);
  if (!o.bucket) {
    throw new WorkerConfigError(
      `${WORKER_OPTIONS.bucket.env}: required (the S3 bucket of the training history and the models)`
    );
  }
  try {
    const kafka = kafkaConnectionFromSettings(json, secure);
    const aws = resolveAwsConnection(json, secure);
    const history = s3ConfigFromSettings(json, aws);
    return {
      kafka,
      group: o.group?.trim() || WORKER_OPTIONS.group.default,
      start: oneOf('start', o.start, ['earliest', 'latest'] as const),
      aws,
      history,
      modelStore: modelStoreConfigFromSettings(json, aws, history.bucket),
      query: workerQuery(o.query),
      publish: oneOf('publish', o.publish, ['anomalies', 'all'] as const),
      batch: integer('batch', o.batch, 1, 100_000),
      metricsPort: integer('metricsPort', o.metricsPort, 0, 65535),
      metricsHost: o.metricsHost ?? '127.0.0.1',
    };
  } catch (error) {
    if (error instanceof WorkerConfigError) {
      throw error;
    }
    if (error instanceof SourceError || error instanceof Error) {
      throw renamed(error);
    }
    throw error;
  }
}
