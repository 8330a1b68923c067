/**
 * The emulators the integration tests share: started once by globalSetup,
 * found by the tests through environment variables, stopped by globalTeardown.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  createDynamoClient,
  createS3Client,
  resolveAwsConnection,
  type ClientTuning,
} from '../../src/backend/sources/awsConfig';
import type { DataSourceSettings } from '../../src/backend/runtime';
import { DEFAULT_DYNAMO_TUNING, type DynamoSourceConfig } from '../../src/backend/sources/dynamoReadings';
import { TEST_DATA, TEST_ENV } from '../../tools/stack/testServices';

export const ENV_DYNAMODB = 'IOTLAB_IT_DYNAMODB_ENDPOINT';
export const ENV_S3 = 'IOTLAB_IT_S3_ENDPOINT';

export function endpoints(): { dynamodb: string; s3: string } {
  const dynamodb = process.env[ENV_DYNAMODB];
  const s3 = process.env[ENV_S3];
  if (!dynamodb || !s3) {
    throw new Error(
      `${ENV_DYNAMODB}/${ENV_S3} unset: run through "npm run test:integration" (globalSetup starts the emulators)`
    );
  }
  return { dynamodb, s3 };
}

/** Settings as a user would enter them for the local emulators. */
export function localConnection(overrides: { endpoint?: string; s3Endpoint?: string } = {}) {
  const e = endpoints();
  return resolveAwsConnection(
    {
      authType: 'keys',
      defaultRegion: 'us-east-1',
      endpoint: overrides.endpoint ?? e.dynamodb,
      s3Endpoint: overrides.s3Endpoint ?? e.s3,
    },
    { accessKey: 'local', secretKey: 'local' }
  );
}

export function dynamoClient(tuning: Partial<ClientTuning> = {}): DynamoDBClient {
  return createDynamoClient(localConnection(), tuning);
}

export function s3Client(tuning: Partial<ClientTuning> = {}): S3Client {
  return createS3Client(localConnection(), tuning);
}

/** A table name unique to this test file and run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

/** Reader config for the seed's item shape on the local DynamoDB. */
export function readerConfig(table: string, over: Partial<DynamoSourceConfig> = {}): DynamoSourceConfig {
  const conn = localConnection();
  return {
    table,
    sensorIdAttribute: 'uid',
    timestampAttribute: 'timestamp',
    readingsPath: 'payload.data',
    timestampUnit: 'auto',
    maxItemsPerQuery: 1_000_000,
    ...DEFAULT_DYNAMO_TUNING,
    where: conn.describeDynamo,
    secrets: conn.secrets,
    ...over,
  };
}

/** A variable the shared test services set (tools/stack/testServices.ts), or an error saying who sets it. */
export function testServicesEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} unset: the integration globalSetup starts the test services`);
  }
  return value;
}

/** The data source settings Grafana would send for the shared test services' table and bucket. */
export function testServicesSettings(
  identity: { uid: string; name: string; lastUpdatedMS: number },
  jsonData: object = {}
): DataSourceSettings {
  return {
    ...identity,
    id: 1,
    url: '',
    jsonData: {
      authType: 'keys',
      defaultRegion: TEST_DATA.region,
      endpoint: testServicesEnv(TEST_ENV.dynamodb),
      s3Endpoint: testServicesEnv(TEST_ENV.s3),
      table: TEST_DATA.table,
      historyBucket: TEST_DATA.bucket,
      ...jsonData,
    },
    secureJsonData: { accessKey: TEST_DATA.accessKey, secretKey: TEST_DATA.secretKey },
  };
}
