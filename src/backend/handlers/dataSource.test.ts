import { DEFAULT_QUERY, LIMITS } from '../../common/query';
import {
  createLogger,
  QueryError,
  type DataQuery,
  type DataSourceSettings,
  type Frame,
  type RequestContext,
  type ResourceRequest,
  type StreamSender,
} from '../runtime';
import { createDataSource } from './dataSource';
import { MAX_POINTS, pointCount } from './query';
import { SELFTEST_PATH } from './streams/selftest';

const FROM = 1_700_000_000_000;
const TO = FROM + 3_600_000;

function settings(jsonData: unknown = { table: 'readings' }): DataSourceSettings {
  return {
    uid: 'ds1',
    name: 'anomalies',
    id: 1,
    url: '',
    jsonData,
    secureJsonData: { secretKey: 'do-not-echo-me' },
    lastUpdatedMS: 1,
  };
}

function context(signal = new AbortController().signal): RequestContext {
  return {
    pluginId: 'iotlab-anomaly-datasource',
    orgId: 1,
    dataSource: settings(),
    grafanaConfig: new Map(),
    headers: new Map(),
    fromAlert: false,
    signal,
    logger: createLogger({ module: 'test', write: () => undefined }),
  };
}

function dataQuery(model: unknown, maxDataPoints = 100): DataQuery {
  return { refId: 'A', queryType: '', maxDataPoints, intervalMs: 1000, timeRange: { from: FROM, to: TO }, model };
}

const instance = createDataSource(settings());

describe('data source (placeholder query): query', () => {
  test('anomalies: one frame per sensor named after it, fields time, <metric>, anomaly_score, anomaly', async () => {
    const frames = await instance.query(dataQuery({ sensors: ['s1', 's2'], metric: 'humidity' }), context());
    expect(frames.map((f) => f.name)).toEqual(['s1', 's2']);
    for (const frame of frames) {
      expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
        ['time', 'time'],
        ['humidity', 'number'],
        ['anomaly_score', 'number'],
        ['anomaly', 'number'],
      ]);
      expect(frame.fields[1]!.labels).toEqual({ sensor: frame.name });
    }
  });

  test('no sensors → a single sensor "demo"; the metric defaults to temperature', async () => {
    const frames = await instance.query(dataQuery({}), context());
    expect(frames.map((f) => f.name)).toEqual(['demo']);
    expect(frames[0]!.fields[1]!.name).toBe('temperature');
  });

  test('values: a sine over the time range with min(maxDataPoints, 10000) points; score = |sine|, anomaly = score > 0.99', async () => {
    const [frame] = await instance.query(dataQuery({}, 101), context());
    const [time, value, score, anomaly] = frame!.fields as [Frame['fields'][0], ...Frame['fields']];
    expect(time.values.length).toBe(101);
    expect(time.values[0]).toBe(FROM);
    expect(time.values[100]).toBe(TO);
    for (let i = 0; i < 101; i++) {
      expect(value!.values[i]).toBeCloseTo(Math.sin((2 * Math.PI * 4 * i) / 100), 12);
      expect(score!.values[i]).toBe(Math.abs(value!.values[i] as number));
      expect(anomaly!.values[i]).toBe((score!.values[i] as number) > 0.99 ? 1 : 0);
    }
    expect((anomaly!.values as Float64Array).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(pointCount(50_000)).toBe(MAX_POINTS);
    expect(pointCount(0)).toBe(MAX_POINTS);
  });

  test('anomaly_count: per sensor a timeseries-multi frame with time + anomaly_count labelled by sensor', async () => {
    const frames = await instance.query(dataQuery({ queryType: 'anomaly_count', sensors: ['s1'] }), context());
    expect(frames).toHaveLength(1);
    expect(frames[0]!.meta).toEqual({ type: 'timeseries-multi', typeVersion: [0, 1] });
    expect(frames[0]!.fields.map((f) => [f.name, f.type, f.labels])).toEqual([
      ['time', 'time', undefined],
      ['anomaly_count', 'number', { sensor: 's1' }],
    ]);
  });

  test('stream: an empty frame pointing at the Live channel ds/<uid>/selftest', async () => {
    expect(await instance.query(dataQuery({ live: true }), context())).toEqual([
      { fields: [], meta: { channel: 'ds/ds1/selftest' } },
    ]);
  });

  test.each([
    [{ model: 'xgboost' }, 'model'],
    [{ contamination: 0.9 }, 'contamination'],
    [{ sensors: 'one' }, 'sensors'],
  ])('an invalid query %j fails its refId with 400/plugin naming the field', async (model, field) => {
    const error = await instance.query(dataQuery(model), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ status: 400, source: 'plugin' });
    expect((error as Error).message.startsWith(`${field}: must be `)).toBe(true);
  });
});

describe('data source: health, resources, streams', () => {
  test('health: ERROR naming table when it is missing, OK otherwise, never echoing secrets', async () => {
    const missing = await createDataSource(settings({})).checkHealth(context());
    expect(missing.status).toBe('ERROR');
    expect(missing.message).toContain('table');
    const ok = await instance.checkHealth(context());
    expect(ok.status).toBe('OK');
    expect(ok.message).toContain('Placeholder backend is running');
    expect(JSON.stringify([missing, ok])).not.toContain('do-not-echo-me');
  });

  test('resource GET defaults → the query defaults and limits', async () => {
    const route = instance.resources!.find((r) => r.path === 'defaults' && r.method === 'GET')!;
    const response = await route.handler({} as ResourceRequest, context());
    expect(response).toEqual({ status: 200, body: { query: DEFAULT_QUERY, limits: LIMITS } });
    expect(instance.resources!.map((r) => `${r.method} ${r.path}`)).toEqual(['GET defaults', 'GET sensors']);
  });

  test('resource GET sensors with no table configured → 400 naming the setting, before any AWS call', async () => {
    const unconfigured = createDataSource(settings({}));
    const route = unconfigured.resources!.find((r) => r.path === 'sensors')!;
    await expect(route.handler({} as ResourceRequest, context())).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^table: required/),
    });
  });

  test('stream selftest: subscribe OK, other paths NOT_FOUND', async () => {
    expect(await instance.streams!.subscribe({ path: SELFTEST_PATH, data: null }, context())).toEqual({ status: 'OK' });
    expect(await instance.streams!.subscribe({ path: 'other', data: null }, context())).toEqual({
      status: 'NOT_FOUND',
    });
  });

  test('stream selftest: a time + value frame every 100 ms until cancelled', async () => {
    const controller = new AbortController();
    const frames: Frame[] = [];
    const sender: StreamSender = {
      sendFrame: async (frame) => {
        frames.push(frame);
        if (frames.length === 3) {
          controller.abort();
        }
      },
      sendJSON: async () => undefined,
    };
    const started = Date.now();
    await instance.streams!.run({ path: SELFTEST_PATH, data: null }, context(controller.signal), sender);
    expect(frames).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
    expect(frames[0]!.fields.map((f) => [f.name, f.type, f.values.length])).toEqual([
      ['time', 'time', 1],
      ['value', 'number', 1],
    ]);
  });
});
