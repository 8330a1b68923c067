/**
 * The data source's connections to the outside world, opened lazily from its
 * settings and closed on dispose. Opening on first use means a data source
 * whose settings are incomplete still starts, and the request that needs the
 * missing piece gets the error naming the field.
 */
import {
  DEFAULT_SETTINGS,
  SETTINGS_LIMITS,
  type AnomalyDataSourceOptions,
  type AnomalySecureJsonData,
} from '../../common/settings';
import type { DataSourceSettings } from '../runtime';
import { createDynamoClient, createS3Client, resolveAwsConnection, type AwsConnection } from '../sources/awsConfig';
import { DynamoReadingsSource, dynamoConfigFromSettings, type DynamoSourceConfig } from '../sources/dynamoReadings';
import { SourceError } from '../sources/errors';
import { ModelStore, modelStoreConfigFromSettings } from '../sources/modelStore';
import { RecentReadings } from '../sources/recentReadings';
import { S3HistorySource, historyKey, s3ConfigFromSettings, type S3HistoryConfig } from '../sources/s3History';

/** What the handlers use of each source (unit tests put in-memory ones in their place). */
export type ReadingsReader = Pick<DynamoReadingsSource, 'readRange' | 'listSensors' | 'checkTable' | 'sampleItem'>;
type RecentReader = Pick<RecentReadings, 'readRange'>;
export type HistoryReader = Pick<S3HistorySource, 'loadHistory' | 'checkBucket'>;
export type ModelPersistence = Pick<ModelStore, 'load' | 'save' | 'location' | 'prefixLocation'>;

export interface Connections {
  readonly options: AnomalyDataSourceOptions;
  /** The DynamoDB reader; throws a `config` SourceError naming the setting when it cannot be made. */
  readings(): ReadingsReader;
  /** The same reader behind the per-sensor cache of recent readings (dashboard refreshes, alert rules). */
  recent(): RecentReader;
  /** The S3 history reader; throws like `readings()`. */
  history(): HistoryReader;
  /** Where trained models are persisted, or undefined when `modelKeyPrefix` is empty. */
  models(): ModelPersistence | undefined;
  /** The table and its config, for identities and messages. */
  dynamoConfig(): Pick<DynamoSourceConfig, 'table'>;
  /** The bucket and the object key of a sensor's history. */
  historyLocation(sensor: string): { bucket: string; key: string };
  close(): void;
}

function lazy<T>(open: () => T): { get(): T; peek(): T | undefined } {
  let value: T | undefined;
  let opened = false;
  return {
    get: () => {
      if (!opened) {
        value = open();
        opened = true;
      }
      return value as T;
    },
    peek: () => value,
  };
}

/** `refreshOverlapMs` within its limits (src/common/settings.ts). */
function refreshOverlapOf(options: AnomalyDataSourceOptions): number {
  const value = options.refreshOverlapMs ?? DEFAULT_SETTINGS.refreshOverlapMs;
  const { min, max } = SETTINGS_LIMITS.refreshOverlapMs;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SourceError(
      'config',
      `refreshOverlapMs: must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`
    );
  }
  return value;
}

export function openConnections(settings: DataSourceSettings): Connections {
  const options = (settings.jsonData ?? {}) as AnomalyDataSourceOptions;
  const aws = lazy<AwsConnection>(() =>
    resolveAwsConnection(options, settings.secureJsonData as AnomalySecureJsonData)
  );
  const dynamo = lazy(() => createDynamoClient(aws.get()));
  const s3 = lazy(() => createS3Client(aws.get()));
  const dynamoConfig = lazy(() => dynamoConfigFromSettings(options, aws.get()));
  const s3Config = lazy<S3HistoryConfig>(() => s3ConfigFromSettings(options, aws.get()));
  const readings = lazy(() => new DynamoReadingsSource(dynamo.get(), dynamoConfig.get()));
  const recent = lazy(() => new RecentReadings(readings.get(), { overlapMs: refreshOverlapOf(options) }));
  const history = lazy(() => new S3HistorySource(s3.get(), s3Config.get()));
  const models = lazy(() => {
    const config = modelStoreConfigFromSettings(options, aws.get(), s3Config.get().bucket);
    return config ? new ModelStore(s3.get(), config) : undefined;
  });
  return {
    options,
    readings: readings.get,
    recent: recent.get,
    history: history.get,
    models: models.get,
    dynamoConfig: dynamoConfig.get,
    historyLocation: (sensor) => ({
      bucket: s3Config.get().bucket,
      key: historyKey(s3Config.get().keyTemplate, sensor),
    }),
    close() {
      recent.peek()?.clear();
      dynamo.peek()?.destroy();
      s3.peek()?.destroy();
    },
  };
}
