/**
 * TypeScript shapes of the wire messages as the loader hands them over (see
 * load.ts: keepCase, int64 → number, enums → number, defaults filled in).
 * Only what the runtime reads or writes is typed.
 */

/**
 * One entry of a protobuf map. The proto declares every map as its repeated
 * entry message (wire-identical; see backend.proto), so user-chosen keys
 * such as a refId `__proto__` never become property names of a plain object.
 */
export interface WireEntry<V> {
  key: string;
  value: V;
}

export interface WireDataSourceInstanceSettings {
  id: number;
  name: string;
  url: string;
  user: string;
  database: string;
  basicAuthEnabled: boolean;
  basicAuthUser: string;
  jsonData: Buffer;
  decryptedSecureJsonData: Array<WireEntry<string>>;
  lastUpdatedMS: number;
  uid: string;
  apiVersion: string;
}

interface WireUser {
  login: string;
  name: string;
  email: string;
  role: string;
}

export interface WirePluginContext {
  orgId: number;
  pluginId: string;
  user?: WireUser | null;
  dataSourceInstanceSettings?: WireDataSourceInstanceSettings | null;
  grafanaConfig: Array<WireEntry<string>>;
  pluginVersion: string;
  userAgent: string;
}

export interface WireDataQuery {
  refId: string;
  maxDataPoints: number;
  intervalMS: number;
  timeRange?: { fromEpochMS: number; toEpochMS: number } | null;
  json: Buffer;
  queryType: string;
}

export interface WireQueryDataRequest {
  pluginContext?: WirePluginContext | null;
  headers: Array<WireEntry<string>>;
  queries: WireDataQuery[];
}

export interface WireDataResponse {
  frames: Uint8Array[];
  error: string;
  status: number;
  errorSource: string;
}

export interface WireQueryDataResponse {
  responses: Array<WireEntry<WireDataResponse>>;
}

/** CheckHealthResponse.HealthStatus; 0 (UNKNOWN) is never sent: Grafana reports it as "not implemented". */
export const enum WireHealthStatus {
  OK = 1,
  ERROR = 2,
}

export interface WireCheckHealthRequest {
  pluginContext?: WirePluginContext | null;
  headers: Array<WireEntry<string>>;
}

export interface WireCheckHealthResponse {
  status: WireHealthStatus;
  message: string;
  jsonDetails: Uint8Array;
}

export interface WireCollectMetricsResponse {
  metrics: { prometheus: Uint8Array };
}

export interface WireStringList {
  values: string[];
}

export interface WireCallResourceRequest {
  pluginContext?: WirePluginContext | null;
  path: string;
  method: string;
  url: string;
  headers: Array<WireEntry<WireStringList>>;
  body: Buffer;
}

export interface WireCallResourceResponse {
  code: number;
  headers: Array<WireEntry<WireStringList>>;
  body: Uint8Array;
}

/** StreamStatusResponse.Status (the SDK's SubscribeStreamResponse and PublishStreamResponse share it). */
export const enum WireStreamStatus {
  OK = 0,
  NOT_FOUND = 1,
  PERMISSION_DENIED = 2,
}

export interface WireStreamRequest {
  pluginContext?: WirePluginContext | null;
  path: string;
  data: Buffer;
  headers: Array<WireEntry<string>>;
}

export interface WireStreamResponse {
  status: WireStreamStatus;
  data: Uint8Array;
}

export interface WireStreamPacket {
  data: Uint8Array;
}

export const enum WireServingStatus {
  UNKNOWN = 0,
  SERVING = 1,
  NOT_SERVING = 2,
  SERVICE_UNKNOWN = 3,
}
