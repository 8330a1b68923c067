/**
 * Maps the data source's AWS settings (the `@grafana/aws-sdk` shape, see
 * src/common/settings.ts) onto AWS SDK v3 clients: credentials from the
 * default chain, static keys or a shared-credentials profile, optionally
 * wrapped in an assumed role; region, endpoint overrides, retries and timeouts.
 *
 * Validation names the offending field. Secrets (accessKey, secretKey,
 * sessionToken) appear in no message: errors quote only non-secret fields, and
 * `connection.secrets` lets callers redact anything an SDK error might echo.
 */
import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  AUTH_TYPES,
  DEFAULT_SETTINGS,
  type AnomalyDataSourceOptions,
  type AnomalySecureJsonData,
  type AuthType,
} from '../../common/settings';
import { credentialProviders, dynamoDbLibrary, s3Library } from './clientLibraries';
import { AwsConfigError } from './errors';

/** Static keys or a provider, as the SDK clients accept them. */
type Credentials = NonNullable<DynamoDBClientConfig['credentials']>;
type StaticKeys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

export interface AwsConnection {
  authType: AuthType;
  region: string;
  credentials: Credentials;
  /** DynamoDB endpoint override (e.g. DynamoDB Local). */
  endpoint?: string;
  s3Endpoint?: string;
  s3ForcePathStyle: boolean;
  /** Secret values to redact from any text that leaves the backend. */
  secrets: string[];
  /** Human-readable "where" for error messages (region and endpoint, never credentials). */
  describeDynamo: string;
  describeS3: string;
}

export interface ClientTuning {
  /** Attempts per request including the first; throttling and 5xx are retried with backoff. */
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  /** TCP connect timeout; bounds how long an unreachable endpoint takes to fail. */
  connectionTimeoutMs: number;
  /** Whole-request timeout (a DynamoDB page or an S3 GetObject's headers). */
  requestTimeoutMs: number;
}

const DEFAULT_TUNING: ClientTuning = {
  maxAttempts: 4,
  retryMode: 'adaptive',
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 30_000,
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ACCESS_KEY = /^[A-Za-z0-9]{4,128}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function parseAuthType(value: unknown): AuthType {
  if (value === undefined || value === null || value === '') {
    return DEFAULT_SETTINGS.authType;
  }
  if (typeof value === 'string' && (AUTH_TYPES as readonly string[]).includes(value)) {
    return value as AuthType;
  }
  const safe = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
  throw new AwsConfigError('authType', `must be one of ${AUTH_TYPES.map((a) => `"${a}"`).join(', ')} (got ${safe})`);
}

function parseRegion(value: unknown): string {
  const region = text(value) ?? DEFAULT_SETTINGS.defaultRegion;
  if (!REGION.test(region)) {
    throw new AwsConfigError(
      'defaultRegion',
      `must be an AWS region code like "us-east-1" (got "${region.slice(0, 40)}")`
    );
  }
  return region;
}

function parseEndpoint(field: string, value: unknown): string | undefined {
  const endpoint = text(value);
  if (endpoint === undefined) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new AwsConfigError(
      field,
      `must be an http(s) URL like "http://localhost:8000" (got "${endpoint.slice(0, 80)}")`
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AwsConfigError(field, `must use http or https (got "${url.protocol}")`);
  }
  if (url.username || url.password) {
    throw new AwsConfigError(field, 'must not contain credentials; use the access key fields');
  }
  return endpoint.replace(/\/+$/, '');
}

function staticKeys(secure: AnomalySecureJsonData): StaticKeys {
  const accessKeyId = text(secure.accessKey);
  const secretAccessKey = text(secure.secretKey);
  if (!accessKeyId) {
    throw new AwsConfigError('accessKey', 'required when authType is "keys"');
  }
  if (!ACCESS_KEY.test(accessKeyId)) {
    // The key id is not secret (it is sent in every request), but do not echo it anyway.
    throw new AwsConfigError('accessKey', 'must be an AWS access key id (letters and digits only)');
  }
  if (!secretAccessKey) {
    throw new AwsConfigError('secretKey', 'required when authType is "keys"');
  }
  const sessionToken = text(secure.sessionToken);
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

function baseCredentials(
  authType: AuthType,
  json: AnomalyDataSourceOptions,
  secure: AnomalySecureJsonData
): Credentials {
  switch (authType) {
    case 'keys':
      return staticKeys(secure);
    case 'credentials':
      return credentialProviders().fromIni({ profile: text(json.profile) ?? 'default' });
    case 'default':
      return credentialProviders().fromNodeProviderChain();
  }
}

function assumeRole(json: AnomalyDataSourceOptions, region: string, base: Credentials): Credentials {
  const roleArn = text(json.assumeRoleArn);
  const externalId = text(json.externalId);
  if (!roleArn) {
    if (externalId) {
      throw new AwsConfigError(
        'externalId',
        'only applies with assumeRoleArn; set the role ARN or clear the external id'
      );
    }
    return base;
  }
  if (!ROLE_ARN.test(roleArn)) {
    throw new AwsConfigError('assumeRoleArn', 'must be an IAM role ARN like "arn:aws:iam::123456789012:role/name"');
  }
  if (externalId && !EXTERNAL_ID.test(externalId)) {
    throw new AwsConfigError('externalId', 'must be 2 to 1224 characters of letters, digits and +=,.@:/-');
  }
  return credentialProviders().fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: roleArn,
      RoleSessionName: 'grafana-iotlab-anomaly',
      ...(externalId ? { ExternalId: externalId } : {}),
    },
    clientConfig: { region },
  });
}

/** Validates the settings and builds the connection; throws AwsConfigError naming the field. */
export function resolveAwsConnection(
  jsonData: AnomalyDataSourceOptions | undefined,
  secureJsonData: AnomalySecureJsonData | undefined
): AwsConnection {
  const json = jsonData ?? {};
  const secure = secureJsonData ?? {};
  const authType = parseAuthType(json.authType);
  const region = parseRegion(json.defaultRegion);
  const endpoint = parseEndpoint('endpoint', json.endpoint);
  const s3Endpoint = parseEndpoint('s3Endpoint', json.s3Endpoint);
  const credentials = assumeRole(json, region, baseCredentials(authType, json, secure));
  const secrets = [secure.accessKey, secure.secretKey, secure.sessionToken].filter(
    (s): s is string => typeof s === 'string' && s !== ''
  );
  return {
    authType,
    region,
    credentials,
    endpoint,
    s3Endpoint,
    s3ForcePathStyle: json.s3ForcePathStyle ?? DEFAULT_SETTINGS.s3ForcePathStyle,
    secrets,
    describeDynamo: endpoint ? `${endpoint} (region ${region})` : `region ${region}`,
    describeS3: s3Endpoint ? `${s3Endpoint} (region ${region})` : `region ${region}`,
  };
}

/** What the DynamoDB and S3 clients share: where, as whom, and how hard to try. */
function clientConfig(conn: AwsConnection, endpoint: string | undefined, tuning: Partial<ClientTuning>) {
  const t = { ...DEFAULT_TUNING, ...tuning };
  return {
    region: conn.region,
    credentials: conn.credentials,
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: t.maxAttempts,
    retryMode: t.retryMode,
    requestHandler: {
      connectionTimeout: t.connectionTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}

export function createDynamoClient(conn: AwsConnection, tuning: Partial<ClientTuning> = {}): DynamoDBClient {
  const { DynamoDBClient } = dynamoDbLibrary();
  return new DynamoDBClient(clientConfig(conn, conn.endpoint, tuning));
}

export function createS3Client(conn: AwsConnection, tuning: Partial<ClientTuning> = {}): S3Client {
  const { S3Client } = s3Library();
  return new S3Client({
    ...clientConfig(conn, conn.s3Endpoint, tuning),
    forcePathStyle: conn.s3ForcePathStyle,
    // The SDK's default checksums stream uploads as aws-chunked bodies, which some S3-compatible
    // servers store framing and all (a silently corrupted object): checksum only when required.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
