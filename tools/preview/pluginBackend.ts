/**
 * The Grafana server's side of two browser calls, answered by the real
 * backend executable over the plugin protocol:
 *
 * - `POST /api/ds/query` → QueryData (each query's JSON, time range,
 *   interval and max data points, as Grafana fills them) → frames as JSON;
 * - `/api/datasources/uid/<uid>/resources/<path>` → CallResource.
 *
 * The backend is started the way Grafana starts it (a child process, the
 * go-plugin handshake, gRPC on loopback) with data source settings the caller
 * provides, as Grafana would from its database.
 */
import { addressOf, handshake, launchBackend, type LaunchedBackend } from '../../src/backend/runtime/testing/launch';
import { PluginClient, pluginContext } from '../../src/backend/runtime/testing/pluginClient';
import type { WireDataQuery, WireDataResponse, WireEntry } from '../../src/backend/runtime/proto/messages';
import type { AnomalyDataSourceOptions, AnomalySecureJsonData } from '../../src/common/settings';
import { arrowToFrameJSON } from './arrowFrames';

export interface DataSourceSettings {
  uid: string;
  name: string;
  jsonData: AnomalyDataSourceOptions;
  secureJsonData: AnomalySecureJsonData;
}

/** The body the browser posts to `/api/ds/query` (DataSourceWithBackend.query). */
export interface DsQueryBody {
  from?: string;
  to?: string;
  queries?: Array<Record<string, unknown>>;
}

/** An HTTP answer: status and JSON body. */
export interface JsonReply {
  status: number;
  body: unknown;
}

export interface PluginBackend {
  /** `/api/ds/query`: the answer Grafana's server would send. */
  query(body: DsQueryBody): Promise<JsonReply>;
  resource(method: string, path: string, query: string, body: Buffer): Promise<JsonReply>;
  /** The backend's log so far (stderr), for error reports. */
  log(): string;
  stop(): Promise<void>;
}

/** Grafana's defaults when a query does not say (pkg/api/dtos, pkg/tsdb/legacydata). */
const DEFAULT_MAX_DATA_POINTS = 100;
const DEFAULT_INTERVAL_MS = 1000;

/**
 * Starts `executable` (or, when undefined, what the runtime's launcher picks:
 * `dist/`'s build, else the TypeScript entry through tsx) and connects to it.
 */
export async function startPluginBackend(settings: DataSourceSettings, executable?: string): Promise<PluginBackend> {
  const backend = launchWith(executable);
  let client: PluginClient | undefined;
  try {
    client = new PluginClient(addressOf(await handshake(backend)));
  } catch (error) {
    backend.child.kill('SIGKILL');
    throw error;
  }
  const connected = client;
  const context = pluginContext({
    uid: settings.uid,
    name: settings.name,
    jsonData: Buffer.from(JSON.stringify(settings.jsonData)),
    decryptedSecureJsonData: { ...settings.secureJsonData } as Record<string, string>,
  });
  return {
    async query(body) {
      const request = toQueryDataRequest(body);
      if (typeof request === 'string') {
        return { status: 400, body: { message: request } };
      }
      const response = await connected.queryData({ pluginContext: context, headers: {}, queries: request });
      return toDsQueryReply(response.entries);
    },
    async resource(method, path, query, body) {
      const url = query ? `${path}?${query}` : path;
      const [first] = await connected.callResource({ pluginContext: context, path, method, url, headers: {}, body });
      const text = Buffer.from(first?.body ?? new Uint8Array()).toString('utf8');
      return { status: first?.code ?? 500, body: text === '' ? null : parseJson(text) };
    },
    log: () => backend.stderr(),
    async stop() {
      await connected.shutdown().catch(() => undefined);
      connected.close();
      const exited = await Promise.race([backend.exited.then(() => true), delay(2000).then(() => false)]);
      if (!exited) {
        backend.child.kill('SIGKILL');
      }
    },
  };
}

function launchWith(executable: string | undefined): LaunchedBackend {
  if (executable === undefined) {
    return launchBackend();
  }
  // The launcher reads the executable from the environment, as the Go conformance suite's runs do.
  const previous = process.env.BACKEND_EXECUTABLE;
  process.env.BACKEND_EXECUTABLE = executable;
  try {
    return launchBackend();
  } finally {
    if (previous === undefined) {
      delete process.env.BACKEND_EXECUTABLE;
    } else {
      process.env.BACKEND_EXECUTABLE = previous;
    }
  }
}

/** The QueryData queries Grafana builds from the browser's body, or a message naming what is wrong. */
export function toQueryDataRequest(body: DsQueryBody): WireDataQuery[] | string {
  const from = Number(body.from);
  const to = Number(body.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    return `from and to must be epoch milliseconds (got ${JSON.stringify(body.from)} and ${JSON.stringify(body.to)})`;
  }
  if (!Array.isArray(body.queries) || body.queries.length === 0) {
    return 'queries: at least one query is needed';
  }
  return body.queries.map((query, i) => ({
    refId: typeof query.refId === 'string' ? query.refId : `Q${i}`,
    queryType: typeof query.queryType === 'string' ? query.queryType : '',
    maxDataPoints: positive(query.maxDataPoints) ?? DEFAULT_MAX_DATA_POINTS,
    intervalMS: positive(query.intervalMs) ?? DEFAULT_INTERVAL_MS,
    timeRange: { fromEpochMS: from, toEpochMS: to },
    json: Buffer.from(JSON.stringify(query)),
  }));
}

/**
 * QueryData's answer as `/api/ds/query` sends it: per refId the frames as
 * JSON, or the error with its status. Like Grafana, the HTTP status is 200
 * unless every query failed, then the first failure's status.
 */
export function toDsQueryReply(responses: ReadonlyArray<WireEntry<WireDataResponse>>): JsonReply {
  const failures: number[] = [];
  const results = responses.map(({ key: refId, value: answer }) => {
    const status = answer.status || (answer.error ? 500 : 200);
    if (answer.error) {
      failures.push(status);
      return [refId, { status, error: answer.error, errorSource: answer.errorSource || undefined, frames: [] }];
    }
    return [refId, { status, frames: answer.frames.map((bytes) => arrowToFrameJSON(bytes)) }];
  });
  const allFailed = failures.length > 0 && failures.length === results.length;
  // fromEntries: a refId such as `__proto__` stays an ordinary key.
  return { status: allFailed ? failures[0] : 200, body: { results: Object.fromEntries(results) } };
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
