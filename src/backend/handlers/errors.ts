/**
 * One table from the errors the layers below raise to what Grafana gets: an
 * HTTP-like status and who is to blame (`plugin` = the user's query or
 * settings; `downstream` = AWS, Kafka, the network). Queries, resources and
 * the health check all answer through it, so a missing table reads the same
 * everywhere.
 */
import { QueryFieldError } from '../../common/query';
import { QueryError, ResourceError, type ErrorSource } from '../runtime';
import { ScoringCancelledError } from '../scoring/features';
import { SourceError, type SourceErrorCode } from '../sources/errors';

interface Classified {
  status: number;
  source: ErrorSource;
}

const SOURCE_ERRORS: Readonly<Record<SourceErrorCode, Classified>> = {
  config: { status: 400, source: 'plugin' },
  key_schema: { status: 400, source: 'plugin' },
  access_denied: { status: 403, source: 'downstream' },
  table_not_found: { status: 404, source: 'downstream' },
  bucket_not_found: { status: 404, source: 'downstream' },
  object_not_found: { status: 404, source: 'downstream' },
  bad_csv: { status: 422, source: 'downstream' },
  // The caller went away; nobody reads this answer.
  aborted: { status: 499, source: 'plugin' },
  unreachable: { status: 502, source: 'downstream' },
  aws: { status: 502, source: 'downstream' },
};

/** A detector refused its input; from a pool thread it arrives as a plain error carrying the name. */
export function isDetectorInputError(error: unknown): error is Error {
  return (error as { name?: unknown } | null)?.name === 'DetectorInputError';
}

/** Status and blame for an error, or undefined when it is not one we expect (a bug: 500). */
function classifyError(error: unknown): Classified | undefined {
  if (error instanceof QueryFieldError || isDetectorInputError(error)) {
    // A detector refusing its input names the parameter: the query asked for something it cannot do.
    return { status: 400, source: 'plugin' };
  }
  if (error instanceof SourceError) {
    return SOURCE_ERRORS[error.code];
  }
  if (error instanceof ScoringCancelledError || (error as { name?: unknown } | null)?.name === 'AbortError') {
    // The request was cancelled (the scoring pool's or a DOM abort): nobody reads the answer.
    return SOURCE_ERRORS.aborted;
  }
  return undefined;
}

/** For QueryData: a refId's error with its status; unexpected errors pass through (the runtime makes them 500). */
export function toQueryError(error: unknown): unknown {
  const classified = classifyError(error);
  if (!classified) {
    return error;
  }
  return new QueryError(messageOf(error), { ...classified, cause: error });
}

/** An error's message; DOMExceptions from another realm are not `instanceof Error` but have one. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** For CallResource: the same statuses as HTTP answers. */
export function toResourceError(error: unknown): unknown {
  const classified = classifyError(error);
  if (!classified) {
    return error;
  }
  return new ResourceError(classified.status, messageOf(error));
}
