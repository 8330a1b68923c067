/**
 * A real grpc-js client for the plugin protocol, for tests: it talks to a real
 * server over loopback TCP exactly as Grafana's go-plugin client would (same
 * service paths, same protobuf encoding), so no part of gRPC is mocked.
 */
import * as grpc from '@grpc/grpc-js';

import { protocolServices } from '../proto/load';
import type {
  WireCallResourceRequest,
  WireCallResourceResponse,
  WireCheckHealthRequest,
  WireCheckHealthResponse,
  WireCollectMetricsResponse,
  WireDataResponse,
  WireDataSourceInstanceSettings,
  WireEntry,
  WirePluginContext,
  WireQueryDataRequest,
  WireQueryDataResponse,
  WireStreamPacket,
  WireStreamRequest,
  WireStreamResponse,
  WireStringList,
} from '../proto/messages';

/**
 * A protobuf map as tests write it: a record, or [key, value] pairs for keys
 * a record literal cannot hold as data (`__proto__`) or for repeated keys.
 */
export type MapInput<V> = Readonly<Record<string, V>> | ReadonlyArray<readonly [string, V]>;

function toEntries<V>(input: MapInput<V> | undefined): Array<WireEntry<V>> {
  const pairs: ReadonlyArray<readonly [string, V]> = Array.isArray(input)
    ? (input as ReadonlyArray<readonly [string, V]>)
    : Object.entries((input ?? {}) as Record<string, V>);
  return pairs.map(([key, value]) => ({ key, value }));
}

/** Entries as a record for assertions; Object.fromEntries keeps a `__proto__` key as an own property. */
function fromEntries<V>(entries: ReadonlyArray<WireEntry<V>>): Record<string, V> {
  return Object.fromEntries(entries.map(({ key, value }) => [key, value]));
}

type WithHeaders<T, V> = Omit<T, 'headers'> & { headers?: MapInput<V> };

function withHeaderEntries<T extends { headers?: unknown }, V>(request: T): T & { headers: Array<WireEntry<V>> } {
  return { ...request, headers: toEntries(request.headers as MapInput<V> | undefined) };
}

export type ResourceMessage = Omit<WireCallResourceResponse, 'headers'> & { headers: Record<string, WireStringList> };

type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

function clientFor(service: grpc.ServiceDefinition, address: string): AnyClient {
  const Constructor = grpc.makeGenericClientConstructor(service, 'test');
  return new Constructor(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
  }) as unknown as AnyClient;
}

function unary<Req, Res>(client: AnyClient, method: string, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    client[method]!(request, (error: grpc.ServiceError | null, response: Res) =>
      error ? reject(error) : resolve(response)
    );
  });
}

function collect<Res>(stream: grpc.ClientReadableStream<Res>): Promise<Res[]> {
  return new Promise((resolve, reject) => {
    const messages: Res[] = [];
    stream.on('data', (m: Res) => messages.push(m));
    stream.on('error', reject);
    stream.on('end', () => resolve(messages));
  });
}

export type SettingsInput = Partial<Omit<WireDataSourceInstanceSettings, 'decryptedSecureJsonData'>> & {
  decryptedSecureJsonData?: MapInput<string>;
};

export function pluginContext(settings: SettingsInput = {}, grafanaConfig: MapInput<string> = {}): WirePluginContext {
  const { decryptedSecureJsonData, ...rest } = settings;
  return {
    orgId: 1,
    pluginId: 'iotlab-anomaly-datasource',
    grafanaConfig: toEntries(grafanaConfig),
    pluginVersion: '0.1.0',
    userAgent: 'test',
    user: { login: 'admin', name: 'Admin', email: '', role: 'Admin' },
    dataSourceInstanceSettings: {
      id: 1,
      name: 'test',
      url: '',
      user: '',
      database: '',
      basicAuthEnabled: false,
      basicAuthUser: '',
      jsonData: Buffer.from('{}'),
      lastUpdatedMS: 1,
      uid: 'ds-uid',
      apiVersion: '',
      ...rest,
      decryptedSecureJsonData: toEntries(decryptedSecureJsonData),
    },
  };
}

export class PluginClient {
  private readonly clients: Record<'data' | 'diagnostics' | 'resource' | 'stream' | 'health' | 'controller', AnyClient>;

  constructor(address: string) {
    const services = protocolServices();
    this.clients = {
      data: clientFor(services.data, address),
      diagnostics: clientFor(services.diagnostics, address),
      resource: clientFor(services.resource, address),
      stream: clientFor(services.stream, address),
      health: clientFor(services.health, address),
      controller: clientFor(services.controller, address),
    };
  }

  /** The answers keyed by refId (a record built from the response's map entries). */
  async queryData(
    request: Partial<WithHeaders<WireQueryDataRequest, string>>
  ): Promise<{ responses: Record<string, WireDataResponse>; entries: Array<WireEntry<WireDataResponse>> }> {
    const response = await unary<unknown, WireQueryDataResponse>(
      this.clients.data,
      'QueryData',
      withHeaderEntries(request)
    );
    return { responses: fromEntries(response.responses), entries: response.responses };
  }

  checkHealth(request: Partial<WithHeaders<WireCheckHealthRequest, string>>): Promise<WireCheckHealthResponse> {
    return unary(this.clients.diagnostics, 'CheckHealth', withHeaderEntries(request));
  }

  collectMetrics(): Promise<WireCollectMetricsResponse> {
    return unary(this.clients.diagnostics, 'CollectMetrics', {});
  }

  /** Every message of the response, headers as a record. */
  async callResource(
    request: Partial<WithHeaders<WireCallResourceRequest, WireStringList>>
  ): Promise<ResourceMessage[]> {
    const call = this.clients.resource.CallResource!(withHeaderEntries(request));
    const messages = await collect(call as grpc.ClientReadableStream<WireCallResourceResponse>);
    return messages.map((message) => ({ ...message, headers: fromEntries(message.headers) }));
  }

  subscribeStream(request: Partial<WithHeaders<WireStreamRequest, string>>): Promise<WireStreamResponse> {
    return unary(this.clients.stream, 'SubscribeStream', withHeaderEntries(request));
  }

  publishStream(request: Partial<WithHeaders<WireStreamRequest, string>>): Promise<WireStreamResponse> {
    return unary(this.clients.stream, 'PublishStream', withHeaderEntries(request));
  }

  runStream(request: Partial<WithHeaders<WireStreamRequest, string>>): grpc.ClientReadableStream<WireStreamPacket> {
    return this.clients.stream.RunStream!(withHeaderEntries(request)) as grpc.ClientReadableStream<WireStreamPacket>;
  }

  healthCheck(service: string): Promise<{ status: number }> {
    return unary(this.clients.health, 'Check', { service });
  }

  shutdown(): Promise<unknown> {
    return unary(this.clients.controller, 'Shutdown', {});
  }

  close(): void {
    for (const client of Object.values(this.clients)) {
      client.close();
    }
  }
}
