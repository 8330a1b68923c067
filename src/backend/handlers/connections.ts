/**
 * The data source's connections to the outside world, opened lazily from its
 * settings and closed on dispose. Opening on first use means a data source
 * whose settings are incomplete still starts, and the request that needs the
 * missing piece gets the error naming the field.
 */
import type { AnomalyDataSourceOptions, AnomalySecureJsonData } from '../../common/settings';
import type { DataSourceSettings } from '../runtime';
import {
  createDynamoClient,
  createS3Client,
  resolveAwsConnection,
  type AwsConnection,
} from '../sources/awsConfig';
import { DynamoReadingsSource, dynamoConfigFromSettings } from '../sources/dynamoReadings';
import { S3HistorySource, s3ConfigFromSettings } from '../sources/s3History';

export interface Connections {
  readonly options: AnomalyDataSourceOptions;
  /** The DynamoDB reader; throws a `config` SourceError naming the setting when it cannot be made. */
  readings(): DynamoReadingsSource;
  /** The S3 history reader; throws like `readings()`. */
  history(): S3HistorySource;
  close(): void;
}

function lazy<T>(open: () => T): { get(): T; peek(): T | undefined } {
  let value: T | undefined;
  return {
    get: () => (value ??= open()),
    peek: () => value,
  };
}

export function openConnections(settings: DataSourceSettings): Connections {
  const options = (settings.jsonData ?? {}) as AnomalyDataSourceOptions;
  const aws = lazy<AwsConnection>(() =>
    resolveAwsConnection(options, settings.secureJsonData as AnomalySecureJsonData)
  );
  const dynamo = lazy(() => createDynamoClient(aws.get()));
  const s3 = lazy(() => createS3Client(aws.get()));
  const readings = lazy(() => new DynamoReadingsSource(dynamo.get(), dynamoConfigFromSettings(options, aws.get())));
  const history = lazy(() => new S3HistorySource(s3.get(), s3ConfigFromSettings(options, aws.get())));
  return {
    options,
    readings: readings.get,
    history: history.get,
    close() {
      dynamo.peek()?.destroy();
      s3.peek()?.destroy();
    },
  };
}
