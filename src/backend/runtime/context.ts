import type { DataQuery, DataSourceSettings, RequestContext } from './api';
import { QueryError } from './errors';
import { MAX_TIME_MS, MIN_TIME_MS, TIME_SPAN_TEXT } from './frames/frame';
import { parseBoundedJson } from './json';
import type { Logger } from './logger';
import type { WireDataQuery, WireDataSourceInstanceSettings, WireEntry, WirePluginContext } from './proto/messages';

/**
 * Parses UTF-8 JSON bytes; empty → `fallback`. Text that is not JSON, or is
 * nested absurdly deep, is refused (status 400, naming `what`) rather than
 * read as an empty object, which would quietly run a default query in its place.
 */
export function parseJsonBytes(bytes: Uint8Array | undefined, fallback: unknown, what: string): unknown {
  if (!bytes || bytes.length === 0) {
    return fallback;
  }
  try {
    return parseBoundedJson(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), what);
  } catch (cause) {
    throw new QueryError((cause as Error).message, { status: 400, source: 'plugin', cause });
  }
}

/** A protobuf map as a Map: keys are data, never property names (a header `__proto__` stays a header). */
function entriesToMap<V>(entries: ReadonlyArray<WireEntry<V>> | undefined): Map<string, V> {
  return new Map((entries ?? []).map(({ key, value }) => [key, value]));
}

/** Secrets as a frozen record without a prototype, so no key can reach Object.prototype. */
function secretRecord(entries: ReadonlyArray<WireEntry<string>>): Readonly<Record<string, string>> {
  const record = Object.create(null) as Record<string, string>;
  for (const { key, value } of entries) {
    record[key] = value;
  }
  return Object.freeze(record);
}

function toDataSourceSettings(wire: WireDataSourceInstanceSettings): DataSourceSettings {
  return {
    uid: wire.uid,
    name: wire.name,
    id: wire.id,
    url: wire.url,
    jsonData: parseJsonBytes(wire.jsonData, {}, 'jsonData'),
    secureJsonData: secretRecord(wire.decryptedSecureJsonData ?? []),
    lastUpdatedMS: wire.lastUpdatedMS,
  };
}

export function toRequestContext(
  wire: WirePluginContext | null | undefined,
  headers: ReadonlyArray<WireEntry<string>> | undefined,
  signal: AbortSignal,
  logger: Logger
): RequestContext {
  const dataSource = wire?.dataSourceInstanceSettings
    ? toDataSourceSettings(wire.dataSourceInstanceSettings)
    : undefined;
  const headerMap = entriesToMap(headers);
  const ctx: RequestContext = {
    pluginId: wire?.pluginId ?? '',
    orgId: wire?.orgId ?? 0,
    grafanaConfig: entriesToMap(wire?.grafanaConfig),
    headers: headerMap,
    fromAlert: isFromAlert(headerMap),
    signal,
    logger: dataSource ? logger.child('request', { datasource: dataSource.uid }) : logger.child('request'),
  };
  if (wire?.user) {
    ctx.user = { login: wire.user.login, role: wire.user.role };
  }
  if (dataSource) {
    ctx.dataSource = dataSource;
  }
  return ctx;
}

/** Alert evaluations carry the unprefixed header `FromAlert: true` (docs/grafana-plugin-protocol.md §4.1). */
function isFromAlert(headers: ReadonlyMap<string, string>): boolean {
  for (const [key, value] of headers) {
    if (key.toLowerCase() === 'fromalert') {
      return value.toLowerCase() === 'true';
    }
  }
  return false;
}

/** The farthest a JS Date reaches either side of the epoch. */
const MAX_DATE_MS = 8.64e15;

function describeMs(ms: number): string {
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : `${ms} ms since the epoch`;
}

/**
 * Refuses a time range no frame can answer: ends outside what Grafana's
 * nanosecond time fields hold (they would wrap round, 2300 becoming 1715) or
 * running backwards. Either way the query is the user's to fix: status 400.
 */
function checkTimeRange(from: number, to: number): void {
  for (const [end, ms] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!Number.isFinite(ms) || ms < MIN_TIME_MS || ms > MAX_TIME_MS) {
      throw new QueryError(
        `timeRange: "${end}" is ${describeMs(ms)}, outside the times Grafana can show (${TIME_SPAN_TEXT})`,
        { status: 400, source: 'plugin' }
      );
    }
  }
  if (from > to) {
    throw new QueryError(
      `timeRange: "from" (${describeMs(from)}) is after "to" (${describeMs(to)}); the time range must run forwards`,
      { status: 400, source: 'plugin' }
    );
  }
}

export function toDataQuery(wire: WireDataQuery): DataQuery {
  const timeRange = { from: wire.timeRange?.fromEpochMS ?? 0, to: wire.timeRange?.toEpochMS ?? 0 };
  checkTimeRange(timeRange.from, timeRange.to);
  return {
    refId: wire.refId,
    queryType: wire.queryType,
    maxDataPoints: wire.maxDataPoints,
    intervalMs: wire.intervalMS,
    timeRange,
    model: parseJsonBytes(wire.json, {}, 'query'),
  };
}
