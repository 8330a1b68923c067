import { tableFromIPC } from 'apache-arrow';

import type { DataQuery, DataSourceInstance, RequestContext, ResourceRequest } from './api';
import { numberField, timeField } from './frames/frame';
import { createLogger } from './logger';
import { startPluginServer, type PluginServer } from './server';
import { PluginClient, pluginContext } from './testing/pluginClient';

/**
 * Adversarial requests, sent through a real grpc-js client to the real server,
 * as a hostile or careless Grafana user could make them. The data source
 * behind the runtime behaves like a real one: it walks the query model
 * (JSON.stringify, as a validator or a log line does) and answers the range.
 */

let seen: { ctx?: RequestContext; resource?: ResourceRequest } = {};

function echoInstance(): DataSourceInstance {
  return {
    async query(query: DataQuery, ctx: RequestContext) {
      seen.ctx = ctx;
      const model = JSON.stringify(query.model);
      const { from, to } = query.timeRange;
      const producerBug = (query.model as { timeAfter2262?: boolean }).timeAfter2262;
      const times = producerBug ? Float64Array.of(from, Date.UTC(2300, 0, 1)) : Float64Array.of(from, to);
      return [
        { name: model.slice(0, 20), fields: [timeField('time', times), numberField('value', Float64Array.of(1, 2))] },
      ];
    },
    async checkHealth() {
      return { status: 'OK', message: 'fine' };
    },
    resources: [
      {
        method: 'POST',
        path: 'echo',
        handler: async (request) => {
          seen.resource = request;
          return { status: 200, body: { json: JSON.stringify(request.json()).length } };
        },
      },
    ],
  };
}

let server: PluginServer;
let client: PluginClient;

beforeAll(async () => {
  server = await startPluginServer({
    pluginId: 'robustness',
    createInstance: echoInstance,
    logger: createLogger({ module: 'test', write: () => undefined }),
  });
  client = new PluginClient(server.address);
});

afterAll(async () => {
  client.close();
  await server.shutdown('tests done');
});

beforeEach(() => {
  seen = {};
});

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 4, 1);

function query(refId: string, json: string, fromEpochMS = NOW - HOUR, toEpochMS = NOW) {
  return {
    refId,
    queryType: '',
    maxDataPoints: 100,
    intervalMS: 1000,
    timeRange: { fromEpochMS, toEpochMS },
    json: Buffer.from(json),
  };
}

function timesOf(frame: Uint8Array): number[] {
  return Array.from(tableFromIPC(frame).getChildAt(0)!.toArray() as BigInt64Array, (ns) => Number(ns / 1_000_000n));
}

describe('deeply nested JSON', () => {
  const deep = (depth: number) => `{"sensors":${'['.repeat(depth)}${']'.repeat(depth)}}`;

  test('a query nested 100,000 arrays deep is refused with 400 naming the field; the other queries still run', async () => {
    const { responses } = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('deep', deep(100_000)), query('fine', '{"sensors":[["a"]]}')],
    });
    expect(responses.deep).toMatchObject({ status: 400, errorSource: 'plugin', frames: [] });
    expect(responses.deep!.error).toMatch(/^query\.sensors\[0\]\[0\]\[0\]…: nested more than 64 levels deep/);
    expect(responses.fine).toMatchObject({ status: 200, error: '' });
  });

  test('settings nested too deep fail every query with 400 naming jsonData', async () => {
    const ctx = pluginContext({
      uid: 'deep-settings',
      jsonData: Buffer.from(`{"table":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    });
    const { responses } = await client.queryData({ pluginContext: ctx, queries: [query('A', '{}')] });
    expect(responses.A).toMatchObject({ status: 400 });
    expect(responses.A!.error).toMatch(/^jsonData\.table\[0\]\[0\]\[0\]…: nested more than 64 levels deep/);
  });

  test('a resource body nested too deep is a 400 naming the body', async () => {
    const body = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
    const [message] = await client.callResource({
      pluginContext: pluginContext(),
      path: 'echo',
      method: 'POST',
      url: 'echo',
      body,
    });
    expect(message!.code).toBe(400);
    expect(JSON.parse(Buffer.from(message!.body).toString()).message).toMatch(
      /^request body\[0\]\[0\]\[0\]\[0\]…: nested more than 64/
    );
  });
});

describe('time ranges', () => {
  test('a range that runs backwards is refused with 400 naming the time range, never answered backwards', async () => {
    const { responses } = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('A', '{}', NOW, NOW - HOUR)],
    });
    expect(responses.A).toMatchObject({ status: 400, errorSource: 'plugin', frames: [] });
    expect(responses.A!.error).toBe(
      'timeRange: "from" (2026-05-01T00:00:00.000Z) is after "to" (2026-04-30T23:00:00.000Z); the time range must run forwards'
    );
  });

  test('an empty range (from = to) is a valid query', async () => {
    const { responses } = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('A', '{}', NOW, NOW)],
    });
    expect(responses.A).toMatchObject({ status: 200 });
  });

  test.each([
    [
      'after 2262',
      NOW,
      Date.UTC(2300, 0, 1),
      /^timeRange: "to" is 2300-01-01T00:00:00\.000Z, outside the times Grafana can show \(1677-09-21/,
    ],
    [
      'before 1677',
      Date.UTC(1600, 0, 1),
      NOW,
      /^timeRange: "from" is 1600-01-01T00:00:00\.000Z, outside the times Grafana can show/,
    ],
    [
      'at the int64 limit',
      NOW,
      Number.MAX_SAFE_INTEGER,
      /^timeRange: "to" is 9007199254740991 ms since the epoch, outside/,
    ],
  ])('a range ending %s is refused with 400 instead of wrapping round', async (_, from, to, message) => {
    const { responses } = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('A', '{}', from, to)],
    });
    expect(responses.A).toMatchObject({ status: 400, errorSource: 'plugin' });
    expect(responses.A!.error).toMatch(message);
  });

  test('the last representable millisecond still encodes exactly', async () => {
    const last = Date.UTC(2262, 3, 11, 23, 47, 16, 854);
    const { responses } = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('A', '{}', last - 1, last)],
    });
    expect(responses.A).toMatchObject({ status: 200 });
    expect(timesOf(responses.A!.frames[0]!)).toEqual([last - 1, last]);
  });

  test('a frame whose time lies beyond 2262 fails its refId with a message naming the field, not a date in 1715', async () => {
    const { responses } = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('A', '{"timeAfter2262":true}')],
    });
    expect(responses.A).toMatchObject({ status: 500, frames: [] });
    expect(responses.A!.error).toMatch(
      /^time field "time": row 1 is 10413792000000 ms since the epoch, outside what Grafana's nanosecond/
    );
  });
});

describe('keys chosen by users stay data', () => {
  test('a refId "__proto__" is answered under its own name, next to "constructor" and "A"', async () => {
    const { entries, responses } = await client.queryData({
      pluginContext: pluginContext(),
      queries: [query('__proto__', '{}'), query('constructor', '{}'), query('A', '{}')],
    });
    expect(entries.map((entry) => entry.key).sort()).toEqual(['A', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(responses, '__proto__')?.value).toMatchObject({ status: 200 });
  });

  test('request headers and Grafana settings named "constructor" and "__proto__" reach the data source as entries', async () => {
    const ctx = pluginContext({}, [
      ['__proto__', 'polluted?'],
      ['GF_CONCURRENT_QUERY_COUNT', '2'],
    ]);
    const headers = [
      ['constructor', 'c'],
      ['__proto__', 'p'],
      ['FromAlert', 'true'],
    ] as const;
    const { responses } = await client.queryData({ pluginContext: ctx, headers, queries: [query('A', '{}')] });
    expect(responses.A).toMatchObject({ status: 200 });
    expect([...seen.ctx!.headers]).toEqual(headers);
    expect(seen.ctx!.fromAlert).toBe(true);
    expect(seen.ctx!.grafanaConfig.get('__proto__')).toBe('polluted?');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('resource headers named "__proto__" are headers, and the call still answers', async () => {
    const [message] = await client.callResource({
      pluginContext: pluginContext(),
      path: 'echo',
      method: 'POST',
      url: 'echo',
      headers: [
        ['__proto__', { values: ['x'] }],
        ['Constructor', { values: ['y'] }],
      ],
      body: Buffer.from('{"a":1}'),
    });
    expect(message!.code).toBe(200);
    expect(seen.resource!.headers.get('__proto__')).toEqual(['x']);
    expect(seen.resource!.headers.get('constructor')).toEqual(['y']);
  });

  test('a secret named "__proto__" is an own key of a record without a prototype', async () => {
    const ctx = pluginContext({ uid: 'proto-secret', decryptedSecureJsonData: [['__proto__', 'secret-value']] });
    await client.queryData({ pluginContext: ctx, queries: [query('A', '{}')] });
    const secure = seen.ctx!.dataSource!.secureJsonData;
    expect(Object.getPrototypeOf(secure)).toBeNull();
    expect(Object.keys(secure)).toEqual(['__proto__']);
  });
});
