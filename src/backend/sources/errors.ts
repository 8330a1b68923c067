/**
 * Errors the readers raise. Each names what is wrong in words a Grafana user
 * can act on; none carries an AWS secret (see `redactSecrets`).
 */
import { redactSecrets } from '../async/redact';

export type SourceErrorCode =
  | 'config'
  | 'table_not_found'
  | 'key_schema'
  | 'access_denied'
  | 'unreachable'
  | 'bucket_not_found'
  | 'object_not_found'
  | 'bad_csv'
  | 'aborted'
  | 'aws';

export class SourceError extends Error {
  constructor(
    readonly code: SourceErrorCode,
    message: string
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A data source setting that failed validation; `field` is the jsonData/secureJsonData key. */
export class AwsConfigError extends SourceError {
  constructor(
    readonly field: string,
    problem: string
  ) {
    super('config', `${field}: ${problem}`);
    this.name = 'AwsConfigError';
  }
}

/** The backend's one redactor (same marker as the logs), which the readers' error messages use. */
export { redactSecrets };

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const ACCESS_DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);

const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

function isNetworkError(e: AwsLikeError): boolean {
  return (
    NETWORK.has(e.code ?? '') ||
    NETWORK.has(e.name ?? '') ||
    e.name === 'TimeoutError' ||
    e.name === 'RequestTimeout' ||
    /socket hang up|connect ECONNREFUSED|timed? ?out/i.test(e.message ?? '')
  );
}

function isAbort(e: unknown): boolean {
  const name = (e as AwsLikeError | undefined)?.name;
  return name === 'AbortError';
}

/**
 * Turns an AWS SDK or network error into a SourceError that says what to fix.
 * `what` names the resource ("DynamoDB table \"x\""), `where` the endpoint/region.
 */
export function describeAwsError(
  e: unknown,
  ctx: { service: 'DynamoDB' | 'S3'; what: string; where: string; secrets: ReadonlyArray<string | undefined> }
): SourceError {
  if (e instanceof SourceError) {
    return e;
  }
  const err = (e ?? {}) as AwsLikeError;
  const name = err.name ?? 'Error';
  const detail = redactSecrets(`${name}: ${err.message ?? String(e)}`, ctx.secrets);
  if (isAbort(e)) {
    return new SourceError('aborted', `${ctx.service} request for ${ctx.what} was cancelled`);
  }
  if (name === 'ResourceNotFoundException') {
    return new SourceError('table_not_found', `${ctx.what} does not exist at ${ctx.where} (${detail})`);
  }
  if (name === 'NoSuchBucket') {
    return new SourceError('bucket_not_found', `${ctx.what}: the bucket does not exist at ${ctx.where}`);
  }
  if (name === 'NoSuchKey' || (name === 'NotFound' && err.$metadata?.httpStatusCode === 404)) {
    return new SourceError('object_not_found', `${ctx.what} does not exist at ${ctx.where}`);
  }
  if (ACCESS_DENIED.has(name) || err.$metadata?.httpStatusCode === 403) {
    return new SourceError(
      'access_denied',
      `${ctx.service} denied access to ${ctx.what} at ${ctx.where}: check the credentials and IAM permissions (${detail})`
    );
  }
  if (isNetworkError(err)) {
    return new SourceError(
      'unreachable',
      `${ctx.service} endpoint ${ctx.where} could not be reached for ${ctx.what} (${detail}); check the endpoint, region and network`
    );
  }
  return new SourceError('aws', `${ctx.service} error on ${ctx.what} at ${ctx.where}: ${detail}`);
}

/** The error a source gives a caller that stopped waiting (its request was cancelled). */
export function cancelledError(what: string): () => SourceError {
  return () => new SourceError('aborted', `${what} was cancelled`);
}
