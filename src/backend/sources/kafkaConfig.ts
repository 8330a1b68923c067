/**
 * The data source's Kafka settings (src/common/settings.ts) as a validated
 * connection: brokers, TLS/SASL, the two topics and how a reading message is
 * decoded. Validation names the offending field; the SASL password appears in
 * no message and is listed in `secrets` for redaction.
 *
 * Used by the Live stream from a topic, by the anomaly publisher and by the
 * scoring worker (which builds the same settings from its environment).
 */
import type { ConnectionOptions } from 'node:tls';

import { METRICS, type Metric } from '../../common/query';
import {
  DEFAULT_SETTINGS,
  KAFKA_SASL_MECHANISMS,
  TIMESTAMP_UNITS,
  type AnomalyDataSourceOptions,
  type AnomalySecureJsonData,
  type KafkaSaslMechanism,
} from '../../common/settings';
import { SourceError } from './errors';
import { checkedName } from './names';
import { parseAttributePath, type ItemShape } from './parsing';

/** The SASL mechanism names the Kafka protocol (and the client) use. */
const SASL_NAMES: Readonly<Record<Exclude<KafkaSaslMechanism, 'none'>, 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'>> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

interface KafkaSasl {
  mechanism: (typeof SASL_NAMES)[keyof typeof SASL_NAMES];
  username: string;
  password: string;
}

export interface KafkaConnection {
  /** `host:port` each. */
  brokers: string[];
  tls: boolean;
  sasl?: KafkaSasl;
  readingsTopic: string;
  anomaliesTopic: string;
  publishAnomalies: boolean;
  /** How a reading message's JSON is decoded (the same decoder as DynamoDB items). */
  shape: ItemShape;
  /** Values to redact from any text that leaves the backend. */
  secrets: string[];
  /** "Kafka 10.0.0.1:9092, 10.0.0.2:9092" for messages (never credentials). */
  where: string;
}

function configError(field: string, problem: string): SourceError {
  return new SourceError('config', `${field}: ${problem}`);
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** "a:9092, b:9092" → ["a:9092", "b:9092"]; each entry host:port with a port from 1 to 65535. */
export function parseBrokers(text: string | undefined): string[] {
  const entries = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) {
    throw configError(
      'kafkaBrokers',
      'required for Kafka: a comma-separated list of host:port, e.g. "broker-1:9092,broker-2:9092"'
    );
  }
  for (const entry of entries) {
    const match = HOST_PORT.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw configError(
        'kafkaBrokers',
        `each entry must be host:port with a port from 1 to 65535 (got "${entry.slice(0, 80)}")`
      );
    }
  }
  return entries;
}

function parseTopic(field: string, value: string | undefined, fallback: string): string {
  return checkedName(field, value, 'kafkaTopic', { fallback });
}

function parsePath(field: string, value: string | undefined, fallback: string, allowEmpty: boolean): string[] {
  const path = value?.trim() ?? fallback;
  if (path === '' && allowEmpty) {
    return [];
  }
  try {
    return parseAttributePath(path === '' ? fallback : path, field);
  } catch (error) {
    throw configError(field, (error as Error).message.replace(`${field}: `, ''));
  }
}

function parseSasl(json: AnomalyDataSourceOptions, secure: AnomalySecureJsonData): KafkaSasl | undefined {
  const mechanism = json.kafkaSaslMechanism ?? DEFAULT_SETTINGS.kafkaSaslMechanism;
  if (!(KAFKA_SASL_MECHANISMS as readonly string[]).includes(mechanism)) {
    throw configError(
      'kafkaSaslMechanism',
      `must be one of ${KAFKA_SASL_MECHANISMS.map((m) => `"${m}"`).join(', ')} (got "${String(mechanism).slice(0, 40)}")`
    );
  }
  if (mechanism === 'none') {
    return undefined;
  }
  const username = json.kafkaUsername?.trim() ?? '';
  if (username === '') {
    throw configError('kafkaUsername', `required when kafkaSaslMechanism is "${mechanism}"`);
  }
  const password = secure.kafkaPassword ?? '';
  if (password === '') {
    throw configError('kafkaPassword', `required when kafkaSaslMechanism is "${mechanism}"`);
  }
  return { mechanism: SASL_NAMES[mechanism], username, password };
}

/** The reading message shape: the seed's DynamoDB item as plain JSON unless the settings say otherwise. */
function messageShape(json: AnomalyDataSourceOptions): ItemShape {
  const unit = json.timestampUnit ?? DEFAULT_SETTINGS.timestampUnit;
  if (!(TIMESTAMP_UNITS as readonly string[]).includes(unit)) {
    throw configError('timestampUnit', `must be one of ${TIMESTAMP_UNITS.map((u) => `"${u}"`).join(', ')}`);
  }
  const metricAttributes = Object.fromEntries(METRICS.map((m) => [m, m])) as Record<Metric, string>;
  return {
    sensorId: parsePath('kafkaSensorIdField', json.kafkaSensorIdField, DEFAULT_SETTINGS.kafkaSensorIdField, false),
    timestamp: parsePath('kafkaTimestampField', json.kafkaTimestampField, DEFAULT_SETTINGS.kafkaTimestampField, false),
    // Empty = the readings sit at the top level of the message.
    readings: parsePath('kafkaReadingsPath', json.kafkaReadingsPath, DEFAULT_SETTINGS.kafkaReadingsPath, true),
    metricAttributes,
    timestampUnit: unit,
  };
}

/** Validates the Kafka settings; throws a `config` SourceError naming the field. */
export function kafkaConnectionFromSettings(
  jsonData: AnomalyDataSourceOptions | undefined,
  secureJsonData: AnomalySecureJsonData | undefined
): KafkaConnection {
  const json = jsonData ?? {};
  const secure = secureJsonData ?? {};
  const brokers = parseBrokers(json.kafkaBrokers);
  const sasl = parseSasl(json, secure);
  return {
    brokers,
    tls: json.kafkaTls ?? DEFAULT_SETTINGS.kafkaTls,
    ...(sasl ? { sasl } : {}),
    readingsTopic: parseTopic('kafkaReadingsTopic', json.kafkaReadingsTopic, DEFAULT_SETTINGS.kafkaReadingsTopic),
    anomaliesTopic: parseTopic('kafkaAnomaliesTopic', json.kafkaAnomaliesTopic, DEFAULT_SETTINGS.kafkaAnomaliesTopic),
    publishAnomalies: json.kafkaPublishAnomalies ?? DEFAULT_SETTINGS.kafkaPublishAnomalies,
    shape: messageShape(json),
    secrets: sasl ? [sasl.password] : [],
    where: `Kafka ${brokers.join(', ')}`,
  };
}

/** What every client of this connection passes to @platformatic/kafka. */
export interface KafkaClientBase {
  clientId: string;
  bootstrapBrokers: string[];
  tls?: ConnectionOptions;
  sasl?: { mechanism: KafkaSasl['mechanism']; username: string; password: string };
  connectTimeout: number;
  requestTimeout: number;
  /** Retries of a failed request (metadata refresh, reconnect), then the error surfaces. */
  retries: number;
  retryDelay: number;
}

export function clientBase(conn: KafkaConnection, clientId: string): KafkaClientBase {
  return {
    clientId,
    bootstrapBrokers: conn.brokers,
    ...(conn.tls ? { tls: {} } : {}),
    ...(conn.sasl ? { sasl: { ...conn.sasl } } : {}),
    connectTimeout: 3000,
    requestTimeout: 30_000,
    retries: 10,
    retryDelay: 500,
  };
}
