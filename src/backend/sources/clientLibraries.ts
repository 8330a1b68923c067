/**
 * The client libraries of the outside world, each loaded on first use.
 *
 * Grafana starts the plugin when Grafana starts and keeps it running whether
 * or not a dashboard uses it, so what the process holds while idle is memory
 * taken from Grafana's host. Loading these at start-up cost about 85 MB
 * (measured in Node 24: the AWS SDK's DynamoDB and S3 clients and credential
 * providers 41 → 78 MB RSS, the Kafka client 41 → 102 MB); loaded when the
 * first connection opens, a data source that never streams from Kafka never
 * pays for that client, and an idle plugin pays for none.
 *
 * The types come from the usual imports (erased at build time); only the
 * values go through these functions.
 */
import type * as DynamoDbLibrary from '@aws-sdk/client-dynamodb';
import type * as S3Library from '@aws-sdk/client-s3';
import type * as CredentialProvidersLibrary from '@aws-sdk/credential-providers';
import type * as KafkaLibrary from '@platformatic/kafka';

function onFirstUse<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/* eslint-disable @typescript-eslint/no-require-imports -- deferred on purpose (see above); bundled like any import */
export const dynamoDbLibrary = onFirstUse(() => require('@aws-sdk/client-dynamodb') as typeof DynamoDbLibrary);
export const s3Library = onFirstUse(() => require('@aws-sdk/client-s3') as typeof S3Library);
export const credentialProviders = onFirstUse(
  () => require('@aws-sdk/credential-providers') as typeof CredentialProvidersLibrary
);
export const kafkaLibrary = onFirstUse(() => require('@platformatic/kafka') as typeof KafkaLibrary);
/* eslint-enable @typescript-eslint/no-require-imports */
