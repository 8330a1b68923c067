/**
 * The local stack's fixed defaults, shared by `npm start`, `npm run simulate`
 * and the provisioning env file. Override ports with IOTLAB_DYNAMODB_PORT /
 * IOTLAB_S3_PORT (or the flags of each command).
 */
import type { AnomalyDataSourceOptions, AnomalySecureJsonData } from '../../src/common/settings';

export const LOCAL = {
  dynamodbPort: Number(process.env.IOTLAB_DYNAMODB_PORT ?? 8000),
  s3Port: Number(process.env.IOTLAB_S3_PORT ?? 9000),
  /** `npm start --kafka`: the broker's client port (its controller uses the next one). */
  kafkaPort: Number(process.env.IOTLAB_KAFKA_PORT ?? 9092),
  region: 'us-east-1',
  table: 'iotlab_readings',
  bucket: 'iotlab-history',
  historyKeyTemplate: '{sensor}.csv',
  /** Emulators accept any key; DynamoDB Local wants an alphanumeric key id. */
  accessKey: 'local',
  secretKey: 'local',
} as const;

export const endpointFor = (port: number) => `http://127.0.0.1:${port}`;

/** Data source settings pointing at the local emulators. */
export function localSettings(
  dynamodbEndpoint: string,
  s3Endpoint: string
): {
  jsonData: AnomalyDataSourceOptions;
  secureJsonData: AnomalySecureJsonData;
} {
  return {
    jsonData: {
      authType: 'keys',
      defaultRegion: LOCAL.region,
      endpoint: dynamodbEndpoint,
      s3Endpoint,
      s3ForcePathStyle: true,
      table: LOCAL.table,
      historyBucket: LOCAL.bucket,
      historyKeyTemplate: LOCAL.historyKeyTemplate,
    },
    secureJsonData: { accessKey: LOCAL.accessKey, secretKey: LOCAL.secretKey },
  };
}
