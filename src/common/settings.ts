/**
 * Data source settings shared by the config editor and the backend.
 *
 * The AWS connection keys are those of `@grafana/aws-sdk` (Grafana's own AWS
 * data sources), so provisioning files and habits carry over. Secrets live only
 * in `secureJsonData`, which Grafana encrypts and hands to the backend alone.
 */

export const AUTH_TYPES = ['default', 'keys', 'credentials'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];

export const TIMESTAMP_UNITS = ['auto', 's', 'ms'] as const;
/** 'auto' reads an epoch below 10^11 as seconds and anything larger as milliseconds. */
export type TimestampUnit = (typeof TIMESTAMP_UNITS)[number];

export interface AnomalyDataSourceOptions {
  // AWS connection (same keys as @grafana/aws-sdk's AwsAuthDataSourceJsonData).
  authType?: AuthType;
  profile?: string;
  assumeRoleArn?: string;
  externalId?: string;
  defaultRegion?: string;
  /** DynamoDB endpoint override, e.g. DynamoDB Local. */
  endpoint?: string;

  // Live readings in DynamoDB.
  table?: string;
  /** Attribute holding the sensor id (the seed: `uid`). */
  sensorIdAttribute?: string;
  /** Attribute holding the epoch timestamp (the seed: `timestamp`). */
  timestampAttribute?: string;
  timestampUnit?: TimestampUnit;
  /** Dotted path to the map of readings (the seed: `payload.data`). */
  readingsPath?: string;
  /** Most items one query reads before it stops and says so in a frame notice. */
  maxItemsPerQuery?: number;

  // Training history in S3.
  historyBucket?: string;
  /** Object key per sensor; `{sensor}` is replaced by the sensor id. */
  historyKeyTemplate?: string;
  /** S3 endpoint override, e.g. a local S3-compatible server. */
  s3Endpoint?: string;
  /** Path-style addressing, needed by most S3-compatible servers. */
  s3ForcePathStyle?: boolean;
  /**
   * Where trained models are persisted as versioned JSON (same bucket as the
   * history), so the Kafka scoring worker scores with the dashboards' model.
   * Empty = models are not persisted.
   */
  modelKeyPrefix?: string;

  // Refreshes and Live.
  /** How far back a refresh re-reads before the cached tail, for late writes (ms). */
  refreshOverlapMs?: number;
  /** How often a live DynamoDB stream polls for new items (ms). */
  livePollIntervalMs?: number;

  // Kafka (Live from a topic, anomalies published to a topic).
  /** Comma-separated host:port list; empty = Kafka is not used. */
  kafkaBrokers?: string;
  kafkaReadingsTopic?: string;
  kafkaAnomaliesTopic?: string;
  /** Publish each anomaly a live stream finds to `kafkaAnomaliesTopic`. */
  kafkaPublishAnomalies?: boolean;
  kafkaTls?: boolean;
  kafkaSaslMechanism?: KafkaSaslMechanism;
  kafkaUsername?: string;
  /** JSON field paths of a reading message; defaults follow the DynamoDB item shape above. */
  kafkaSensorIdField?: string;
  kafkaTimestampField?: string;
  kafkaReadingsPath?: string;
}

export const KAFKA_SASL_MECHANISMS = ['none', 'plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export interface AnomalySecureJsonData {
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  kafkaPassword?: string;
}

export const DEFAULT_SETTINGS = {
  authType: 'default',
  defaultRegion: 'us-east-1',
  sensorIdAttribute: 'uid',
  timestampAttribute: 'timestamp',
  timestampUnit: 'auto',
  readingsPath: 'payload.data',
  maxItemsPerQuery: 200_000,
  historyKeyTemplate: '{sensor}.csv',
  s3ForcePathStyle: true,
  modelKeyPrefix: 'models/',
  refreshOverlapMs: 60_000,
  livePollIntervalMs: 1000,
  kafkaReadingsTopic: 'readings',
  kafkaAnomaliesTopic: 'anomalies',
  kafkaPublishAnomalies: false,
  kafkaTls: false,
  kafkaSaslMechanism: 'none',
  kafkaSensorIdField: 'uid',
  kafkaTimestampField: 'timestamp',
  kafkaReadingsPath: 'payload.data',
} as const satisfies AnomalyDataSourceOptions;

export interface NumericSettingLimit {
  min: number;
  max: number;
  /** Whole numbers only. */
  integer: boolean;
}

/**
 * Allowed ranges of the numeric settings. The config editor and the backend
 * both check them with `checkNumericSetting`, so they agree on the limit and
 * on the message.
 */
export const SETTINGS_LIMITS = {
  maxItemsPerQuery: { min: 1, max: 10_000_000, integer: true },
  refreshOverlapMs: { min: 0, max: 3_600_000, integer: true },
  livePollIntervalMs: { min: 100, max: 60_000, integer: true },
} as const satisfies Record<string, NumericSettingLimit>;

export type NumericSetting = keyof typeof SETTINGS_LIMITS;

export type SettingCheck = { ok: true; value: number } | { ok: false; message: string };

/**
 * Checks one numeric setting against SETTINGS_LIMITS. `raw` is the value as
 * saved (a number) or as typed in a text box (a string, read as a number);
 * the message names the setting and the allowed range and quotes `raw`, e.g.
 * `maxItemsPerQuery: must be an integer from 1 to 10000000 (got "2.5")`.
 */
export function checkNumericSetting(name: NumericSetting, raw: unknown): SettingCheck {
  const { min, max, integer } = SETTINGS_LIMITS[name];
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
  const fits =
    typeof value === 'number' &&
    (integer ? Number.isInteger(value) : Number.isFinite(value)) &&
    value >= min &&
    value <= max;
  return fits
    ? { ok: true, value }
    : {
        ok: false,
        message: `${name}: must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max} (got ${JSON.stringify(raw)})`,
      };
}

/** host:port; the host a name, an IPv4 address or a bracketed IPv6 address. */
const BROKER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export type BrokersCheck = { ok: true; brokers: string[] } | { ok: false; message: string };

/**
 * Reads `kafkaBrokers` ("a:9092, b:9092") for the config editor and the
 * backend alike: the entries, or a message naming the first entry that is not
 * host:port with a port from 1 to 65535. Empty text is no brokers (Kafka not
 * used); whoever needs Kafka says that brokers are required.
 */
export function checkKafkaBrokers(text: string | undefined): BrokersCheck {
  const brokers = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of brokers) {
    const match = BROKER.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      return {
        ok: false,
        message: `kafkaBrokers: each entry must be host:port with a port from 1 to 65535 (got "${entry.slice(0, 80)}")`,
      };
    }
  }
  return { ok: true, brokers };
}
