/**
 * The subset of Grafana's plugin protocol (package `pluginv2`) this runtime
 * serves. Field numbers follow the Grafana plugin SDK's `proto/backend.proto`
 * (see docs/grafana-plugin-protocol.md §2–3); the text is ours. Services we do not
 * serve (QueryChunkedData, AdmissionControl, ResourceConversion) are left out so
 * that grpc-js answers them with UNIMPLEMENTED, which Grafana tolerates.
 *
 * The `format` fields (Arrow vs JSON frames) are left out on purpose: we always
 * answer Arrow, which is the proto3 default and so never on the wire, and their
 * field numbers differ between SDK versions.
 *
 * Kept as a string so the bundled executable carries it without reading files.
 */
export const BACKEND_PROTO = `
syntax = "proto3";
package pluginv2;

message AppInstanceSettings {
  bytes jsonData = 3;
  repeated StringEntry decryptedSecureJsonData = 4;
  int64 lastUpdatedMS = 5;
  string apiVersion = 6;
}

message DataSourceInstanceSettings {
  int64 id = 1;
  string name = 2;
  string url = 3;
  string user = 4;
  string database = 5;
  bool basicAuthEnabled = 6;
  string basicAuthUser = 7;
  bytes jsonData = 8;
  repeated StringEntry decryptedSecureJsonData = 9;
  int64 lastUpdatedMS = 10;
  string uid = 11;
  string apiVersion = 12;
}

message User {
  string login = 1;
  string name = 2;
  string email = 3;
  string role = 4;
}

message PluginContext {
  int64 orgId = 1;
  string pluginId = 2;
  User user = 3;
  AppInstanceSettings appInstanceSettings = 4;
  DataSourceInstanceSettings dataSourceInstanceSettings = 5;
  repeated StringEntry grafanaConfig = 6;
  string pluginVersion = 7;
  string userAgent = 8;
  string apiVersion = 9;
  string namespace = 10;
}

message StringList {
  repeated string values = 1;
}

// Map entries. Every map<K, V> of the SDK's proto is declared here as the
// repeated entry message it is on the wire (protobuf encodes map fields
// exactly so), so that keys Grafana forwards from users (refIds, header and
// setting names) reach us as data: protobufjs would assign them to a plain
// object, where a key "__proto__" sets the prototype instead of an entry.
message StringEntry {
  string key = 1;
  string value = 2;
}

message StringListEntry {
  string key = 1;
  StringList value = 2;
}

// ---- Data ----

message TimeRange {
  int64 fromEpochMS = 1;
  int64 toEpochMS = 2;
}

message DataQuery {
  string refId = 1;
  int64 maxDataPoints = 2;
  int64 intervalMS = 3;
  TimeRange timeRange = 4;
  bytes json = 5;
  string queryType = 6;
}

message QueryDataRequest {
  PluginContext pluginContext = 1;
  repeated StringEntry headers = 2;
  repeated DataQuery queries = 3;
}

message DataResponse {
  repeated bytes frames = 1;
  string error = 2;
  bytes jsonMeta = 3;
  int32 status = 4;
  string errorSource = 5;
}

message DataResponseEntry {
  string key = 1;
  DataResponse value = 2;
}

message QueryDataResponse {
  repeated DataResponseEntry responses = 1;
}

service Data {
  rpc QueryData(QueryDataRequest) returns (QueryDataResponse);
}

// ---- Diagnostics ----

message CheckHealthRequest {
  PluginContext pluginContext = 1;
  repeated StringEntry headers = 2;
}

message CheckHealthResponse {
  enum HealthStatus {
    UNKNOWN = 0;
    OK = 1;
    ERROR = 2;
  }
  HealthStatus status = 1;
  string message = 2;
  bytes jsonDetails = 3;
}

message CollectMetricsRequest {
  PluginContext pluginContext = 1;
}

message CollectMetricsResponse {
  message Payload {
    bytes prometheus = 1;
  }
  Payload metrics = 1;
}

service Diagnostics {
  rpc CheckHealth(CheckHealthRequest) returns (CheckHealthResponse);
  rpc CollectMetrics(CollectMetricsRequest) returns (CollectMetricsResponse);
}

// ---- Resource ----

message CallResourceRequest {
  PluginContext pluginContext = 1;
  string path = 2;
  string method = 3;
  string url = 4;
  repeated StringListEntry headers = 5;
  bytes body = 6;
}

message CallResourceResponse {
  int32 code = 1;
  repeated StringListEntry headers = 2;
  bytes body = 3;
}

service Resource {
  rpc CallResource(CallResourceRequest) returns (stream CallResourceResponse);
}

// ---- Stream (Grafana Live) ----

message SubscribeStreamRequest {
  PluginContext pluginContext = 1;
  string path = 2;
  bytes data = 3;
  repeated StringEntry headers = 4;
}

message SubscribeStreamResponse {
  enum Status {
    OK = 0;
    NOT_FOUND = 1;
    PERMISSION_DENIED = 2;
  }
  Status status = 1;
  bytes data = 2;
}

message RunStreamRequest {
  PluginContext pluginContext = 1;
  string path = 2;
  bytes data = 3;
  repeated StringEntry headers = 4;
}

message StreamPacket {
  bytes data = 1;
}

message PublishStreamRequest {
  PluginContext pluginContext = 1;
  string path = 2;
  bytes data = 3;
  repeated StringEntry headers = 4;
}

message PublishStreamResponse {
  enum Status {
    OK = 0;
    NOT_FOUND = 1;
    PERMISSION_DENIED = 2;
  }
  Status status = 1;
  bytes data = 2;
}

service Stream {
  rpc SubscribeStream(SubscribeStreamRequest) returns (SubscribeStreamResponse);
  rpc RunStream(RunStreamRequest) returns (stream StreamPacket);
  rpc PublishStream(PublishStreamRequest) returns (PublishStreamResponse);
}
`;
