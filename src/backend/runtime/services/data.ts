import { mapLimited } from '../../async/mapLimited';
import type { DataSourceInstance, RequestContext } from '../api';
import { unaryHandler, withInstance, type ServiceDeps } from '../calls';
import { toDataQuery, toRequestContext } from '../context';
import { QueryError } from '../errors';
import { encodeFrame } from '../frames/arrow';
import type { WireDataQuery, WireDataResponse, WireQueryDataRequest, WireQueryDataResponse } from '../proto/messages';

/** Queries of one request run at most this many at a time unless Grafana says otherwise. */
const DEFAULT_QUERY_CONCURRENCY = 10;
const MAX_QUERY_CONCURRENCY = 32;

/** Grafana passes its `[query] concurrent_query_count` as GF_CONCURRENT_QUERY_COUNT. */
function queryConcurrency(grafanaConfig: ReadonlyMap<string, string>): number {
  const configured = Number.parseInt(grafanaConfig.get('GF_CONCURRENT_QUERY_COUNT') ?? '', 10);
  return Number.isInteger(configured) && configured > 0
    ? Math.min(configured, MAX_QUERY_CONCURRENCY)
    : DEFAULT_QUERY_CONCURRENCY;
}

/** The error text Grafana shows; registered secrets are masked in case a message quotes one. */
function errorResponse(deps: ServiceDeps, error: unknown): WireDataResponse {
  if (error instanceof QueryError) {
    return {
      frames: [],
      error: deps.secrets.maskString(error.message),
      status: error.status,
      errorSource: error.source,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    frames: [],
    error: deps.secrets.maskString(message || 'internal error'),
    status: 500,
    errorSource: 'plugin',
  };
}

async function runQuery(
  deps: ServiceDeps,
  instance: DataSourceInstance,
  wire: WireDataQuery,
  ctx: RequestContext
): Promise<WireDataResponse> {
  try {
    const query = toDataQuery(wire);
    const frames = await instance.query(query, ctx);
    return {
      frames: frames.map((frame) => encodeFrame(frame, frame.refId ?? query.refId)),
      error: '',
      status: 200,
      errorSource: '',
    };
  } catch (error) {
    const response = errorResponse(deps, error);
    deps.metrics.queryErrors.inc({ source: response.errorSource });
    // A refused query (4xx) is the user's to fix; a 5xx is ours or downstream's.
    const level = response.status >= 500 ? 'error' : 'warn';
    ctx.logger[level]('Query failed', { refId: wire.refId, status: response.status, error });
    return response;
  }
}

/**
 * pluginv2.Data/QueryData: every refId is answered — with frames and status
 * 200, or with its own error, status and errorSource. A gRPC error would fail
 * every query of the request, so it is never used for one bad query.
 */
async function queryData(
  deps: ServiceDeps,
  request: WireQueryDataRequest,
  signal: AbortSignal
): Promise<WireQueryDataResponse> {
  const queries = request.queries;
  let answers: WireDataResponse[];
  try {
    const ctx = toRequestContext(request.pluginContext, request.headers, signal, deps.logger);
    answers = await withInstance(deps, ctx, (instance) =>
      mapLimited(queries, queryConcurrency(ctx.grafanaConfig), (query) => runQuery(deps, instance, query, ctx))
    );
  } catch (error) {
    // No instance (bad settings, a factory error): every query gets that error.
    deps.logger.error('Data source instance unavailable', { error });
    answers = queries.map(() => errorResponse(deps, error));
  }
  // Entries, not an object keyed by refId: a refId "__proto__" must stay an answer.
  // A refId sent twice gets one answer, the last, as a protobuf map would keep.
  const byRefId = new Map(queries.map((query, i) => [query.refId, answers[i]!]));
  return { responses: [...byRefId].map(([key, value]) => ({ key, value })) };
}

export function dataService(deps: ServiceDeps) {
  return {
    QueryData: unaryHandler<WireQueryDataRequest, WireQueryDataResponse>(deps, 'QueryData', (request, { signal }) =>
      queryData(deps, request, signal)
    ),
  };
}
