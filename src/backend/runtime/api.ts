/**
 * The plugin-facing API: what a data source implementation sees. It speaks in
 * parsed JSON, epoch milliseconds and typed frames; nothing here mentions gRPC,
 * protobuf or Arrow, and nothing in the runtime knows what the plugin queries.
 */
import type { Registry } from 'prom-client';

import type { Frame } from './frames/frame';
import type { FrameJSONInclude } from './frames/json';
import type { Logger } from './logger';

export interface DataSourceSettings {
  uid: string;
  name: string;
  /** Deprecated numeric id; use uid. */
  id: number;
  url: string;
  /** The data source's jsonData, parsed (an empty object when Grafana sends none). */
  jsonData: unknown;
  /**
   * Decrypted secrets (a record without a prototype: no key reaches Object.prototype).
   * Never log them: the runtime's logger masks them, your own output must too.
   */
  secureJsonData: Readonly<Record<string, string>>;
  /** Epoch ms of the last save; a change re-creates the instance. */
  lastUpdatedMS: number;
}

export interface RequestUser {
  login: string;
  role: string;
}

export interface RequestContext {
  pluginId: string;
  orgId: number;
  /** Absent when Grafana itself makes the call (alerting, Live). */
  user?: RequestUser;
  dataSource?: DataSourceSettings;
  /**
   * Grafana's per-request settings, e.g. GF_CONCURRENT_QUERY_COUNT
   * (docs/grafana-plugin-protocol.md §1.2). A Map: the keys are data.
   */
  grafanaConfig: ReadonlyMap<string, string>;
  /**
   * Forwarded HTTP headers (`http_`-prefixed) plus Authorization, Cookie,
   * FromAlert, … A Map, since users choose the names (`constructor`, `__proto__`).
   */
  headers: ReadonlyMap<string, string>;
  /** True when an alert rule evaluation made this request. */
  fromAlert: boolean;
  /** Aborted when Grafana cancels the call or the plugin shuts down. */
  signal: AbortSignal;
  logger: Logger;
}

export interface DataQuery {
  refId: string;
  queryType: string;
  maxDataPoints: number;
  intervalMs: number;
  /**
   * Epoch milliseconds; `from` ≤ `to`, both within the span Grafana's time
   * fields hold (MIN_TIME_MS…MAX_TIME_MS): the runtime answers 400 otherwise.
   */
  timeRange: { from: number; to: number };
  /** The query JSON from the editor or alert rule, parsed; nested at most MAX_JSON_DEPTH deep. */
  model: unknown;
}

export interface HealthResult {
  status: 'OK' | 'ERROR';
  message: string;
  /** Shown in the data source's "Save & test" result; must be a JSON object. */
  details?: Record<string, unknown>;
}

// ---- Resources (HTTP over gRPC) ----

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResourceRequest {
  method: string;
  /** Without leading or trailing slash, e.g. `defaults`. */
  path: string;
  query: URLSearchParams;
  /** Header names lower-cased. A Map, since users choose the names. */
  headers: ReadonlyMap<string, readonly string[]>;
  body: Uint8Array;
  /** The body parsed as JSON; throws ResourceError(400) when it is not, or is nested too deep. */
  json(): unknown;
}

export type ResourceHeaders = Readonly<Record<string, string | readonly string[]>>;

/**
 * `body` is sent as JSON; `raw` as-is; `chunks` as a streamed (chunked)
 * response, one gRPC message per chunk after the first.
 */
export type ResourceResponse =
  | { status: number; headers?: ResourceHeaders; body: unknown }
  | { status: number; headers?: ResourceHeaders; raw: Uint8Array | string }
  | { status: number; headers?: ResourceHeaders; chunks: AsyncIterable<Uint8Array | string> };

export interface ResourceRoute {
  method: HttpMethod;
  path: string;
  handler(request: ResourceRequest, ctx: RequestContext): Promise<ResourceResponse>;
}

// ---- Streams (Grafana Live) ----

export type StreamStatus = 'OK' | 'NOT_FOUND' | 'PERMISSION_DENIED';

export interface StreamRequest {
  /** The channel path after `ds/<uid>/`. */
  path: string;
  /** The subscriber's JSON payload, parsed (null when none). */
  data: unknown;
}

export interface StreamReply {
  status: StreamStatus;
  /** JSON returned to the subscriber / published to the channel. */
  data?: unknown;
}

export interface FrameSendOptions {
  /**
   * Default: the schema is included in the first packet and whenever it
   * changes; later packets carry data only.
   */
  include?: FrameJSONInclude;
}

export interface StreamSender {
  sendFrame(frame: Frame, options?: FrameSendOptions): Promise<void>;
  sendJSON(value: unknown): Promise<void>;
}

export interface StreamHandler {
  subscribe(request: StreamRequest, ctx: RequestContext): Promise<StreamReply>;
  /** Runs until ctx.signal is aborted (no subscribers left, settings changed, shutdown). */
  run(request: StreamRequest, ctx: RequestContext, sender: StreamSender): Promise<void>;
  publish?(request: StreamRequest, ctx: RequestContext): Promise<StreamReply>;
}

// ---- The data source ----

export interface DataSourceInstance {
  /** Throw QueryError to fail this refId with a status; other errors become 500. */
  query(query: DataQuery, ctx: RequestContext): Promise<Frame[]>;
  checkHealth(ctx: RequestContext): Promise<HealthResult>;
  resources?: readonly ResourceRoute[];
  streams?: StreamHandler;
  /** Called when the settings changed (a new instance replaces this one) and at shutdown. */
  dispose?(): void | Promise<void>;
}

/** What a factory gets besides the settings. */
export interface InstanceEnvironment {
  logger: Logger;
  /** The prom-client registry CollectMetrics renders; register the data source's own metrics here. */
  metrics: Registry;
}

export type InstanceFactory = (
  settings: DataSourceSettings,
  env: InstanceEnvironment
) => DataSourceInstance | Promise<DataSourceInstance>;
