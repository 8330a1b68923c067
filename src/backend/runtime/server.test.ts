import * as grpc from '@grpc/grpc-js';
import { tableFromIPC } from 'apache-arrow';

import type { DataQuery, DataSourceInstance, DataSourceSettings, RequestContext } from './api';
import { QueryError, ResourceError } from './errors';
import { numberField, timeField } from './frames/frame';
import { createLogger } from './logger';
import { startPluginServer, type PluginServer } from './server';
import { PluginClient, pluginContext } from './testing/pluginClient';

/**
 * The real server on a loopback port, called through a real grpc-js client:
 * only the data source behind the runtime is a test double.
 */

interface Probe {
  inFlight: number;
  maxInFlight: number;
  created: DataSourceSettings[];
  streamEnded: boolean;
}

function testInstance(settings: DataSourceSettings, probe: Probe): DataSourceInstance {
  probe.created.push(settings);
  return {
    async query(query: DataQuery, ctx: RequestContext) {
      probe.inFlight++;
      probe.maxInFlight = Math.max(probe.maxInFlight, probe.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      probe.inFlight--;
      const model = query.model as { fail?: string };
      if (model.fail === 'field') {
        throw new QueryError('contamination: must be a number in (0, 0.5] (got 2)', { status: 400, source: 'plugin' });
      }
      if (model.fail === 'downstream') {
        throw new QueryError('DynamoDB throttled the read', { status: 503, source: 'downstream' });
      }
      if (model.fail === 'bug') {
        throw new TypeError('undefined is not a function');
      }
      return [
        {
          name: `${query.refId}-${ctx.dataSource?.uid}`,
          fields: [
            timeField('time', Float64Array.of(query.timeRange.from, query.timeRange.to)),
            numberField('value', Float64Array.of(query.maxDataPoints, query.intervalMs)),
          ],
        },
        { name: 'second', fields: [] },
      ];
    },
    async checkHealth(ctx) {
      const jsonData = ctx.dataSource?.jsonData as { table?: string };
      if (jsonData.table === 'throw') {
        throw new Error(`cannot reach with key ${ctx.dataSource?.secureJsonData.secretKey}`);
      }
      return jsonData.table
        ? { status: 'OK', message: `table ${jsonData.table}`, details: { table: jsonData.table } }
        : { status: 'ERROR', message: 'table is not set' };
    },
    resources: [
      { method: 'GET', path: 'defaults', handler: async (req) => ({ status: 200, body: { q: req.query.get('q') } }) },
      {
        method: 'POST',
        path: 'echo',
        handler: async (req) => ({ status: 201, body: { bytes: req.body.length, json: req.json() } }),
      },
      { method: 'GET', path: 'teapot', handler: async () => Promise.reject(new ResourceError(418, 'short and stout')) },
      { method: 'GET', path: 'crash', handler: async () => Promise.reject(new Error('hidden detail')) },
      {
        method: 'GET',
        path: 'chunked',
        handler: async () => ({
          status: 200,
          headers: { 'content-type': 'text/plain' },
          chunks: (async function* () {
            yield 'one,';
            yield 'two';
          })(),
        }),
      },
    ],
    streams: {
      async subscribe(request) {
        return request.path === 'live' ? { status: 'OK', data: { hello: true } } : { status: 'NOT_FOUND' };
      },
      async run(_request, ctx, sender) {
        let i = 0;
        while (!ctx.signal.aborted) {
          await sender.sendFrame({ fields: [numberField('n', Float64Array.of(i++))] });
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        probe.streamEnded = true;
      },
    },
  };
}

let server: PluginServer;
let client: PluginClient;
let probe: Probe;
let logs: string[];
let shutdownRequested = 0;

beforeAll(async () => {
  probe = { inFlight: 0, maxInFlight: 0, created: [], streamEnded: false };
  logs = [];
  server = await startPluginServer({
    pluginId: 'test-plugin',
    createInstance: (settings) => testInstance(settings, probe),
    logger: createLogger({ module: 'test', write: (line) => logs.push(line) }),
    onShutdownRequest: () => shutdownRequested++,
  });
  client = new PluginClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.shutdown('tests done');
});

const range = { fromEpochMS: 1_700_000_000_000, toEpochMS: 1_700_000_060_000 };

function query(refId: string, model: object, extra: object = {}) {
  return {
    refId,
    maxDataPoints: 500,
    intervalMS: 1000,
    timeRange: range,
    json: Buffer.from(JSON.stringify(model)),
    queryType: '',
    ...extra,
  };
}

describe('QueryData', () => {
  test('answers every refId: frames with status 200, or the refId’s own error, status and source', async () => {
    const response = await client.queryData({
      pluginContext: pluginContext(),
      queries: [
        query('A', {}),
        query('B', { fail: 'field' }),
        query('C', { fail: 'downstream' }),
        query('D', { fail: 'bug' }),
      ],
    });
    expect(Object.keys(response.responses).sort()).toEqual(['A', 'B', 'C', 'D']);
    expect(response.responses.A).toMatchObject({ status: 200, error: '', errorSource: '' });
    expect(response.responses.B).toEqual({
      frames: [],
      status: 400,
      error: 'contamination: must be a number in (0, 0.5] (got 2)',
      errorSource: 'plugin',
      jsonMeta: Buffer.alloc(0),
    });
    expect(response.responses.C).toMatchObject({
      status: 503,
      errorSource: 'downstream',
      error: 'DynamoDB throttled the read',
    });
    expect(response.responses.D).toMatchObject({
      status: 500,
      errorSource: 'plugin',
      error: 'undefined is not a function',
    });
  });

  test('each frame is its own Arrow file carrying the refId; the query’s numbers arrive intact', async () => {
    const response = await client.queryData({ pluginContext: pluginContext(), queries: [query('A', {})] });
    const frames = response.responses.A!.frames.map((bytes) => tableFromIPC(bytes));
    expect(frames).toHaveLength(2);
    expect(frames.map((t) => t.schema.metadata.get('refId'))).toEqual(['A', 'A']);
    expect(frames[0]!.schema.metadata.get('name')).toBe('A-ds-uid');
    expect([...(frames[0]!.getChild('time')!.data[0]!.values as BigInt64Array)]).toEqual([
      1_700_000_000_000_000_000n,
      1_700_000_060_000_000_000n,
    ]);
    expect([...(frames[0]!.getChild('value')!.toArray() as Float64Array)]).toEqual([500, 1000]);
  });

  test('queries of one request run concurrently, bounded by GF_CONCURRENT_QUERY_COUNT', async () => {
    probe.maxInFlight = 0;
    const queries = Array.from({ length: 8 }, (_, i) => query(`Q${i}`, {}));
    const ctx = pluginContext({}, { GF_CONCURRENT_QUERY_COUNT: '3' });
    const response = await client.queryData({ pluginContext: ctx, queries });
    expect(Object.values(response.responses).every((r) => r.status === 200)).toBe(true);
    expect(probe.maxInFlight).toBe(3);
  });

  test('a query whose JSON does not parse fails its own refId with 400, never running as a default query', async () => {
    const response = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('A', {}), { ...query('B', {}), json: Buffer.from('{"model": "dbscan",') }],
    });
    expect(response.responses.A).toMatchObject({ status: 200 });
    expect(response.responses.B).toMatchObject({ status: 400, errorSource: 'plugin', frames: [] });
    expect(response.responses.B!.error).toMatch(/^query: must be valid JSON \(/);
  });

  test('settings whose jsonData does not parse fail every refId with 400, naming jsonData', async () => {
    const ctx = pluginContext({ uid: 'broken-json', jsonData: Buffer.from('{table: t1}') });
    const response = await client.queryData({ pluginContext: ctx, queries: [query('A', {}), query('B', {})] });
    for (const refId of ['A', 'B']) {
      expect(response.responses[refId]).toMatchObject({ status: 400, errorSource: 'plugin' });
      expect(response.responses[refId]!.error).toMatch(/^jsonData: must be valid JSON \(/);
    }
  });

  test('a request without data source settings fails each refId with 400, not the call', async () => {
    const response = await client.queryData({
      pluginContext: { ...pluginContext(), dataSourceInstanceSettings: null },
      queries: [query('A', {})],
    });
    expect(response.responses.A).toMatchObject({ status: 400, errorSource: 'plugin' });
    expect(response.responses.A!.error).toContain('no data source instance settings');
  });

  test('new lastUpdatedMS → a new instance built from the new settings', async () => {
    const before = probe.created.length;
    const ctx = pluginContext({ uid: 'changing', lastUpdatedMS: 10, jsonData: Buffer.from('{"table":"t1"}') });
    await client.queryData({ pluginContext: ctx, queries: [query('A', {})] });
    await client.queryData({ pluginContext: ctx, queries: [query('A', {})] });
    const changed = pluginContext({ uid: 'changing', lastUpdatedMS: 11, jsonData: Buffer.from('{"table":"t2"}') });
    await client.queryData({ pluginContext: changed, queries: [query('A', {})] });
    expect(probe.created.slice(before).map((s) => s.jsonData)).toEqual([{ table: 't1' }, { table: 't2' }]);
  });
});

describe('Diagnostics', () => {
  test('CheckHealth OK with details, ERROR with message', async () => {
    const ok = await client.checkHealth({
      pluginContext: pluginContext({ uid: 'h1', jsonData: Buffer.from('{"table":"readings"}') }),
    });
    expect(ok.status).toBe(1);
    expect(ok.message).toBe('table readings');
    expect(JSON.parse(Buffer.from(ok.jsonDetails).toString())).toEqual({ table: 'readings' });
    const error = await client.checkHealth({ pluginContext: pluginContext({ uid: 'h2' }) });
    expect(error).toMatchObject({ status: 2, message: 'table is not set' });
  });

  test('a throwing health check is ERROR, and a secret it quotes is masked', async () => {
    const ctx = pluginContext({
      uid: 'h3',
      jsonData: Buffer.from('{"table":"throw"}'),
      decryptedSecureJsonData: { secretKey: 'sk-1234567890' },
    });
    const result = await client.checkHealth({ pluginContext: ctx });
    expect(result.status).toBe(2);
    expect(result.message).toBe('Health check failed: cannot reach with key [REDACTED]');
    expect(logs.join('')).not.toContain('sk-1234567890');
  });

  test('settings that are not JSON are an ERROR result naming jsonData, not a gRPC error', async () => {
    const result = await client.checkHealth({
      pluginContext: pluginContext({ uid: 'h4', jsonData: Buffer.from('{table: t1}') }),
    });
    expect(result.status).toBe(2);
    expect(result.message).toMatch(/^Health check failed: jsonData: must be valid JSON \(/);
  });

  test('CollectMetrics returns Prometheus text with the per-method counters', async () => {
    const text = Buffer.from((await client.collectMetrics()).metrics.prometheus).toString();
    expect(text).toMatch(/^iotlab_anomaly_grpc_requests_total\{method="QueryData"\} \d+$/m);
    expect(text).toMatch(/^iotlab_anomaly_query_errors_total\{source="downstream"\} 1$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });
});

describe('CallResource', () => {
  const call = (path: string, method = 'GET', body?: string) =>
    client.callResource({
      pluginContext: pluginContext(),
      path,
      method,
      url: `${path}?q=1`,
      headers: {},
      body: Buffer.from(body ?? ''),
    });
  const json = (message: { body: Uint8Array }) => JSON.parse(Buffer.from(message.body).toString());

  test('a route answers with its status, a JSON body and content-type', async () => {
    const [message, ...rest] = await call('defaults');
    expect(rest).toHaveLength(0);
    expect(message!.code).toBe(200);
    expect(message!.headers['content-type']!.values).toEqual(['application/json']);
    expect(json(message!)).toEqual({ q: '1' });
  });

  test('leading slashes are ignored and POST bodies reach the handler', async () => {
    const [message] = await call('/echo', 'post', '{"a":1}');
    expect(message!.code).toBe(201);
    expect(json(message!)).toEqual({ bytes: 7, json: { a: 1 } });
  });

  test('unknown path → 404, known path with another method → 405 with Allow', async () => {
    const [missing] = await call('nope');
    expect(missing!.code).toBe(404);
    expect(json(missing!).message).toContain('nope');
    const [wrong] = await call('defaults', 'DELETE');
    expect(wrong!.code).toBe(405);
    expect(wrong!.headers.allow!.values).toEqual(['GET']);
  });

  test('handler errors: ResourceError keeps its status, anything else is a 500 without internals', async () => {
    const [teapot] = await call('teapot');
    expect([teapot!.code, json(teapot!)]).toEqual([418, { message: 'short and stout' }]);
    const [crash] = await call('crash');
    expect([crash!.code, json(crash!)]).toEqual([500, { message: 'internal error' }]);
    const [badJson] = await call('echo', 'POST', 'not json');
    expect(badJson!.code).toBe(400);
  });

  test('chunked responses: status and headers in the first message, one message per chunk', async () => {
    const messages = await call('chunked');
    expect(messages.map((m) => [m.code, Buffer.from(m.body).toString()])).toEqual([
      [200, 'one,'],
      [200, 'two'],
    ]);
    expect(messages[0]!.headers['content-type']!.values).toEqual(['text/plain']);
  });

  test('accepts request bodies above grpc-js’s 4 MiB default (limit 16 MiB)', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(10 * 1024 * 1024) });
    const [message] = await call('echo', 'POST', big);
    expect(message!.code).toBe(201);
    expect(json(message!).bytes).toBe(big.length);
  });
});

describe('Stream', () => {
  test('SubscribeStream: OK with data for known paths, NOT_FOUND otherwise; no publish handler → NOT_FOUND', async () => {
    const ok = await client.subscribeStream({ pluginContext: pluginContext(), path: 'live' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(Buffer.from(ok.data).toString())).toEqual({ hello: true });
    expect((await client.subscribeStream({ pluginContext: pluginContext(), path: 'other' })).status).toBe(1);
    expect((await client.publishStream({ pluginContext: pluginContext(), path: 'live' })).status).toBe(1);
  });

  test('RunStream sends frame JSON (schema first, then data only) and ends when the client cancels', async () => {
    probe.streamEnded = false;
    const stream = client.runStream({ pluginContext: pluginContext(), path: 'live' });
    const packets: unknown[] = [];
    const ended = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    stream.on('data', (packet: { data: Uint8Array }) => {
      packets.push(JSON.parse(Buffer.from(packet.data).toString()));
      if (packets.length === 3) {
        stream.cancel();
      }
    });
    expect((await ended).code).toBe(grpc.status.CANCELLED);
    expect(packets[0]).toEqual({
      schema: { fields: [{ name: 'n', type: 'number', typeInfo: { frame: 'float64' } }] },
      data: { values: [[0]] },
    });
    expect(packets[1]).toEqual({ data: { values: [[1]] } });
    for (let i = 0; i < 50 && !probe.streamEnded; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(probe.streamEnded).toBe(true);
  });
});

describe('go-plugin services', () => {
  test('grpc.health.v1 reports SERVING for "plugin", NOT_FOUND for other names', async () => {
    expect(await client.healthCheck('plugin')).toEqual({ status: 1 });
    await expect(client.healthCheck('other')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
  });

  test('unserved methods answer UNIMPLEMENTED', async () => {
    const Untyped = grpc.makeGenericClientConstructor({}, 'x');
    const raw = new Untyped(server.address, grpc.credentials.createInsecure());
    const error = await new Promise<grpc.ServiceError>((resolve) =>
      raw.makeUnaryRequest(
        '/pluginv2.Data/QueryChunkedData',
        (x: Buffer) => x,
        (x: Buffer) => x,
        Buffer.alloc(0),
        (e) => resolve(e!)
      )
    );
    raw.close();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });
});

describe('Shutdown', () => {
  test('GRPCController/Shutdown answers, cancels running streams and reports the request', async () => {
    probe.streamEnded = false;
    const stream = client.runStream({ pluginContext: pluginContext(), path: 'live' });
    const closed = new Promise((resolve) => stream.on('close', resolve));
    stream.on('error', () => undefined);
    await new Promise((resolve) => stream.once('data', resolve));
    await client.shutdown();
    await closed;
    for (let i = 0; i < 100 && shutdownRequested === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(shutdownRequested).toBe(1);
    expect(probe.streamEnded).toBe(true);
    expect(await client.healthCheck('plugin').catch((e: grpc.ServiceError) => e.code)).toBe(grpc.status.UNAVAILABLE);
  });
});
