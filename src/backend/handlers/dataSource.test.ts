import { DEFAULT_QUERY, LIMITS } from '../../common/query';
import { FRAME_STATS } from '../../common/frames';
import {
  QueryError,
  type DataQuery,
  type DataSourceSettings,
  type Frame,
  type RequestContext,
  type ResourceRequest,
  type StreamSender,
} from '../runtime';
import { lowerBound } from '../async/sortedSearch';
import { featureSpecOf, warmupMs } from '../scoring/features';
import { ModelCache } from '../scoring/modelCache';
import { ScoringPool } from '../scoring/pool';
import { createDataSource } from './dataSource';
import { acquireScoringServices, type ServicesLease } from './services';
import { SELFTEST_PATH } from './streams/selftest';
import { memoryConnections, type MemoryConnections } from './testing/memoryConnections';
import { testRequestContext } from './testing/requestContext';
import { simulatedSensor } from './testing/simulated';

const SENSORS = [0, 1].map((index) => simulatedSensor({ index, historyRows: 3000, recentRows: 2000 }));
const RECENT_START = SENSORS[0]!.recent.series.time[0]!;
const HOUR = 3_600_000;

// Training and scoring run inline here (no thread scripts under jest): seconds on a busy machine.
jest.setTimeout(60_000);
/** 1.5 h after the first reading (the features warm up for 1 h) to 5 h after it: 1,261 readings per sensor. */
const FROM = RECENT_START + 1.5 * HOUR;
const TO = RECENT_START + 5 * HOUR;
const READINGS_IN_RANGE = (TO - FROM) / 10_000 + 1;

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
  return testRequestContext({ signal, dataSource: settings() });
}

function dataQuery(model: unknown, range = { from: FROM, to: TO }): DataQuery {
  return { refId: 'A', queryType: '', maxDataPoints: 1000, intervalMs: 60_000, timeRange: range, model };
}

/** A data source over in-memory readings and histories, with its own model cache (inline scoring). */
function memorySource(over: { histories?: boolean } = {}) {
  const connections: MemoryConnections = memoryConnections({
    readings: SENSORS.map((s) => s.recent.series),
    histories: over.histories === false ? [] : SENSORS.map((s) => s.history.series),
  });
  const services: ServicesLease = {
    services: { pool: new ScoringPool(), models: new ModelCache() },
    release: async () => undefined,
  };
  return { connections, services, instance: createDataSource(settings(), undefined, { connections, services }) };
}

function field(frame: Frame, name: string) {
  const found = frame.fields.find((f) => f.name === name);
  if (!found) {
    throw new Error(`no field ${name} in ${frame.fields.map((f) => f.name).join(', ')}`);
  }
  return found;
}

function stat(frame: Frame, name: string): number | undefined {
  return frame.meta?.stats?.find((s) => s.displayName === name)?.value;
}

function texts(frame: Frame): string[] {
  return (frame.meta?.notices ?? []).map((n) => n.text);
}

describe('query: anomalies', () => {
  const source = memorySource();

  test('one wide frame per sensor: time, the metric, anomaly, anomaly_score, explanation — numbers only, labelled sensor + series', async () => {
    const frames = await source.instance.query(dataQuery({ metric: 'humidity' }), context());
    expect(frames.map((f) => f.name)).toEqual(['sensmitter_1', 'sensmitter_2']);
    for (const frame of frames) {
      expect(frame.fields.map((f) => [f.name, f.type, f.labels])).toEqual([
        ['time', 'time', undefined],
        ['humidity', 'number', { sensor: frame.name, series: 'humidity' }],
        ['anomaly', 'number', { sensor: frame.name, series: 'anomaly' }],
        ['anomaly_score', 'number', { sensor: frame.name, series: 'anomaly_score' }],
        ['explanation', 'number', { sensor: frame.name, series: 'explanation' }],
      ]);
      expect(field(frame, 'humidity').config).toEqual({ displayName: `Humidity ${frame.name}`, unit: 'humidity' });
      expect(field(frame, 'explanation').config?.mappings).toHaveLength(1);
    }
  });

  test('every reading of the range is scored; flags are 0/1 and explained exactly when set', async () => {
    const [frame] = await source.instance.query(
      dataQuery({ sensors: ['sensmitter_1'], contamination: 0.05 }),
      context()
    );
    const time = field(frame!, 'time').values as Float64Array;
    const flag = field(frame!, 'anomaly');
    const explanation = field(frame!, 'explanation').values as Float64Array;
    expect(time.length).toBe(READINGS_IN_RANGE);
    expect(time[0]).toBe(FROM);
    expect(time[time.length - 1]).toBe(TO);
    expect(flag.nulls).toBeUndefined();
    const flags = Array.from(flag.values as Float64Array);
    expect(new Set(flags)).toEqual(new Set([0, 1]));
    flags.forEach((f, i) => expect(explanation[i]! >= 100).toBe(f === 1));
    expect(stat(frame!, 'Readings')).toBe(READINGS_IN_RANGE);
    expect(stat(frame!, 'Anomalies')).toBe(flags.filter((f) => f === 1).length);
    expect(stat(frame!, 'Training rows')).toBeGreaterThan(2900);
    expect(frame!.meta?.custom).toMatchObject({
      model: { source: expect.stringMatching(/trained|cache/), key: expect.stringMatching(/^if-/) },
    });
  });

  test('the model is trained once, persisted, and reused by the next query (cache) and by a new process (store)', async () => {
    const fresh = memorySource();
    const first = await fresh.instance.query(dataQuery({ sensors: ['sensmitter_2'] }), context());
    const second = await fresh.instance.query(dataQuery({ sensors: ['sensmitter_2'] }), context());
    const model = (f: Frame[]) => f[0]!.meta?.custom?.model as { key: string; source: string };
    expect(model(first).source).toBe('trained');
    expect(model(second)).toEqual({ ...model(first), source: 'cache' });
    expect([...fresh.connections.store.objects.keys()]).toEqual([model(first).key]);
    // Another process: empty model cache, same S3 store.
    const restarted = createDataSource(settings(), undefined, {
      connections: fresh.connections,
      services: { services: { pool: new ScoringPool(), models: new ModelCache() }, release: async () => undefined },
    });
    const third = await restarted.query(dataQuery({ sensors: ['sensmitter_2'] }), context());
    expect(model(third)).toMatchObject({ key: model(first).key, source: 'store' });
    expect(field(third[0]!, 'anomaly_score').values).toEqual(field(first[0]!, 'anomaly_score').values);
  });

  test('a refresh reads only what is new, and answers the same', async () => {
    const fresh = memorySource();
    const first = await fresh.instance.query(dataQuery({}), context());
    const readBefore = fresh.connections.table.itemsRead;
    const again = await fresh.instance.query(dataQuery({}), context());
    expect(fresh.connections.table.itemsRead - readBefore).toBe(2 * 7); // the 60 s overlap, both ends included
    expect(again.map((f) => f.fields.map((x) => Array.from(x.values as Float64Array)))).toEqual(
      first.map((f) => f.fields.map((x) => Array.from(x.values as Float64Array)))
    );
    // Everything the second query needed (the range and its warm-up) but the overlap came from the cache.
    const warmup = warmupMs(featureSpecOf({ metrics: DEFAULT_QUERY.metrics, transforms: DEFAULT_QUERY.transforms }));
    expect(stat(again[0]!, 'Readings reused from the cache')).toBe(READINGS_IN_RANGE + warmup / 10_000 - 7);
  });

  test('no history object: a notice, and the readings shown unscored (null), not an error', async () => {
    const noHistory = memorySource({ histories: false });
    const [frame] = await noHistory.instance.query(dataQuery({ sensors: ['sensmitter_1'] }), context());
    expect(texts(frame!).join(' ')).toMatch(/No training history for sensmitter_1.*training "window"/);
    expect(field(frame!, 'temperature').values.length).toBe(READINGS_IN_RANGE);
    expect(Array.from(field(frame!, 'anomaly_score').nulls!)).toEqual(new Array(READINGS_IN_RANGE).fill(1));
  });

  test('too little training data (a 1-hour window that is mostly before the data): a notice naming the window', async () => {
    const [frame] = await source.instance.query(
      dataQuery(
        { sensors: ['sensmitter_1'], isolationForest: { training: 'window', trainingWindow: '1h' } },
        { from: RECENT_START + 8 * 60_000, to: TO }
      ),
      context()
    );
    expect(texts(frame!).join(' ')).toMatch(
      /Not enough training data in the 1h of readings of sensmitter_1 .* at least 50/
    );
    expect(field(frame!, 'anomaly').nulls).toBeDefined();
  });

  test('maxSamples above the training rows: every tree grows on all rows, and a notice says so', async () => {
    const [capped] = await source.instance.query(
      dataQuery({ sensors: ['sensmitter_1'], isolationForest: { nEstimators: 5, maxSamples: 1_000_000 } }),
      context()
    );
    const trainingRows = stat(capped!, FRAME_STATS.trainingRows);
    expect(texts(capped!).join(' ')).toContain(
      `isolationForest.maxSamples 1000000 is more than the ${trainingRows} training rows: each tree is grown on all ${trainingRows}.`
    );
    const [fraction] = await source.instance.query(
      dataQuery({ sensors: ['sensmitter_1'], isolationForest: { nEstimators: 5, maxSamples: 1 } }),
      context()
    );
    expect(texts(fraction!).join(' ')).not.toContain('maxSamples');
  });

  test('readings too close to the start of the data are shown unscored, with a notice saying why', async () => {
    const [frame] = await source.instance.query(
      dataQuery({ sensors: ['sensmitter_1'] }, { from: RECENT_START, to: RECENT_START + 2 * HOUR }),
      context()
    );
    const nulls = field(frame!, 'anomaly').nulls!;
    expect(nulls[0]).toBe(1);
    expect(nulls[nulls.length - 1]).toBe(0);
    expect(texts(frame!).join(' ')).toMatch(
      /readings of the range are not scored: \d+ were too close to the start of the data/
    );
  });

  test('a sensor without readings in the range: its frame is empty and says so', async () => {
    const [frame] = await source.instance.query(dataQuery({ sensors: ['nobody'] }), context());
    expect(frame!.name).toBe('nobody');
    expect(field(frame!, 'time').values.length).toBe(0);
    expect(texts(frame!)).toContain('No readings of nobody in this time range.');
  });

  test('an empty range (from = to) gives empty frames for the named sensors, else the "no data" frame, each saying so', async () => {
    const named = await source.instance.query(
      dataQuery({ sensors: ['sensmitter_1'] }, { from: FROM, to: FROM }),
      context()
    );
    expect(named.map((f) => [f.name, f.fields[0]!.values.length])).toEqual([['sensmitter_1', 0]]);
    expect(texts(named[0]!).join(' ')).toMatch(/The time range is empty/);
    const all = await source.instance.query(dataQuery({}, { from: FROM, to: FROM }), context());
    expect(all.map((f) => [f.name, f.fields[0]!.values.length])).toEqual([['no data', 0]]);
    expect(texts(all[0]!).join(' ')).toMatch(/The time range is empty/);
  });

  test('DBSCAN with an eps that makes most readings noise says so; the default eps "auto" does not', async () => {
    const dbscan = { sensors: ['sensmitter_1'], model: 'dbscan' };
    const [small] = await source.instance.query(dataQuery({ ...dbscan, dbscan: { eps: 0.05 } }), context());
    expect(texts(small!).join(' ')).toMatch(
      /DBSCAN called \d+ of \d+ scored readings noise: dbscan.eps 0.05 is too small/
    );
    const [auto] = await source.instance.query(dataQuery(dbscan), context());
    expect(texts(auto!).join(' ')).not.toMatch(/noise/);
    const flags = field(auto!, 'anomaly').values as Float64Array;
    expect(flags.reduce((a, b) => a + b, 0)).toBeLessThan(flags.length / 10);
  });

  test('DBSCAN eps "auto" on a stuck sensor: a notice for that sensor, the others still scored', async () => {
    const time = SENSORS[0]!.recent.series.time;
    const constant = (value: number) => new Float64Array(time.length).fill(value);
    const stuck = {
      sensorId: 'stuck',
      time,
      readings: {
        temperature: constant(20),
        humidity: constant(40),
        pressure: constant(1000),
        light_level: constant(0),
      },
    };
    const connections = memoryConnections({ readings: [SENSORS[0]!.recent.series, stuck], histories: [] });
    const instance = createDataSource(settings(), undefined, { connections, services: source.services });
    const frames = await instance.query(
      dataQuery({ sensors: ['sensmitter_1', 'stuck'], model: 'dbscan', dbscan: { eps: 'auto' } }),
      context()
    );
    const [scored, unscored] = frames;
    expect(texts(unscored!).join(' ')).toMatch(
      /DBSCAN cannot cluster the readings of stuck: data: must be more than 10 distinct rows/
    );
    expect(Array.from(field(unscored!, 'anomaly').nulls!).every((n) => n === 1)).toBe(true);
    expect(field(scored!, 'anomaly').values.length).toBe(READINGS_IN_RANGE);
    expect(texts(scored!).join(' ')).not.toMatch(/cannot cluster/);
  });

  test('malformed items and missing readings are counted on their own sensor’s frame; items of no sensor on the first, for the table', async () => {
    const second = SENSORS[1]!.recent.series;
    const humidity = second.readings.humidity.slice();
    humidity[lowerBound(second.time, FROM + HOUR)] = Number.NaN;
    const connections = memoryConnections({
      readings: [SENSORS[0]!.recent.series, { ...second, readings: { ...second.readings, humidity } }],
      histories: [],
      malformed: [
        { sensorId: 'sensmitter_2', timeMs: FROM + 2 * HOUR, reason: 'non_numeric_reading' },
        { sensorId: 'sensmitter_2', timeMs: FROM + 2 * HOUR + 5000, reason: 'no_readings' },
        { sensorId: 'sensmitter_2', reason: 'bad_timestamp' },
        { sensorId: 'sensmitter_2', timeMs: TO + HOUR, reason: 'no_readings' }, // after the range: not counted
        { reason: 'missing_sensor_id' },
      ],
    });
    const instance = createDataSource(settings(), undefined, { connections, services: source.services });
    const query = dataQuery({ sensors: ['sensmitter_1', 'sensmitter_2'], model: 'dbscan' });
    // The refresh reads only the last minute again; the counts are still those of the whole range shown.
    for (const pass of ['first read', 'refresh']) {
      const readBefore = connections.table.itemsRead;
      const [clean, faulty] = await instance.query(query, context());
      if (pass === 'refresh') {
        expect(connections.table.itemsRead - readBefore).toBeLessThan(2 * 10); // 7 of each sensor's readings
      }
      expect({ pass, notices: texts(faulty!).slice(0, 2) }).toEqual({
        pass,
        notices: [
          '3 items of sensmitter_2 in table memory_readings were skipped as malformed (1 non_numeric_reading, 1 no_readings, 1 bad_timestamp).',
          'Items of sensmitter_2 in table memory_readings without some readings: 1 without humidity.',
        ],
      });
      expect(stat(faulty!, 'DynamoDB items skipped')).toBe(3);
      expect({ pass, notices: texts(clean!) }).toEqual({
        pass,
        notices: [
          "1 item of table memory_readings was skipped because their sensor id could not be read (1 missing_sensor_id): they belong to no sensor, so no sensor's counts include them.",
        ],
      });
      expect(stat(clean!, 'DynamoDB items skipped')).toBe(0);
    }
  });

  test('DBSCAN on too few readings: a notice saying how many and why the rest give no feature row', async () => {
    const [frame] = await source.instance.query(
      dataQuery({ sensors: ['sensmitter_1'], model: 'dbscan' }, { from: RECENT_START, to: RECENT_START + 60_000 }),
      context()
    );
    expect(texts(frame!).join(' ')).toMatch(
      /DBSCAN needs more than 10 scorable readings; the range has 0 \(readings without a feature row: 7 warming up\)/
    );
  });

  test('a cancelled query rejects as cancelled (499)', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(memorySource().instance.query(dataQuery({}), context(controller.signal))).rejects.toMatchObject({
      status: 499,
    });
  });

  test.each([
    [{ model: 'xgboost' }, 'model'],
    [{ contamination: 0.9 }, 'contamination'],
    [{ sensors: 'one' }, 'sensors'],
  ])('an invalid query %j fails its refId with 400/plugin naming the field', async (model, name) => {
    const error = await source.instance.query(dataQuery(model), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ status: 400, source: 'plugin' });
    expect((error as Error).message.startsWith(`${name}: must be `)).toBe(true);
  });

  test('live: the frames of the range, each naming its sensor’s Live channel', async () => {
    const frames = await source.instance.query(dataQuery({ live: true }), context());
    expect(frames.map((f) => f.name)).toEqual(['sensmitter_1', 'sensmitter_2']);
    for (const frame of frames) {
      expect(frame.meta?.channel).toMatch(/^ds\/ds1\/.+/);
      expect(field(frame, 'anomaly').values.length).toBe(READINGS_IN_RANGE);
    }
  });
});

describe('query: anomaly_count', () => {
  const source = memorySource();

  test('per sensor a timeseries-multi frame of anomalies per interval, summing to the flags of the anomalies frame', async () => {
    const model = { countInterval: '10m', contamination: 0.05 };
    const counts = await source.instance.query(dataQuery({ ...model, queryType: 'anomaly_count' }), context());
    const anomalies = await source.instance.query(dataQuery(model), context());
    expect(counts.map((f) => f.name)).toEqual(['sensmitter_1', 'sensmitter_2']);
    counts.forEach((frame, i) => {
      expect(frame.meta).toMatchObject({ type: 'timeseries-multi', typeVersion: [0, 1] });
      expect(frame.fields.map((f) => [f.name, f.type, f.labels])).toEqual([
        ['time', 'time', undefined],
        ['anomaly_count', 'number', { sensor: frame.name, series: 'anomaly_count' }],
      ]);
      const time = Array.from(field(frame, 'time').values as Float64Array);
      expect(time.every((t, k) => k === 0 || t - time[k - 1]! === 600_000)).toBe(true);
      const total = (field(frame, 'anomaly_count').values as Float64Array).reduce((a, b) => a + b, 0);
      expect(total).toBe(stat(anomalies[i]!, 'Anomalies'));
    });
  });
});

describe('health, resources, streams', () => {
  const source = memorySource();

  test('health: ERROR naming the table when it is missing, never echoing secrets', async () => {
    const unconfigured = createDataSource(settings({}));
    const missing = await unconfigured.checkHealth(context());
    await unconfigured.dispose!();
    expect(missing.status).toBe('ERROR');
    expect(missing.message).toContain('table');
    expect(JSON.stringify(missing)).not.toContain('do-not-echo-me');
  });

  test('health: OK saying what was checked — table, key schema, access path, an item, the history, the models', async () => {
    const ok = await source.instance.checkHealth(context());
    expect(ok.status).toBe('OK');
    expect(ok.message).toMatch(
      /^Settings decoded; DynamoDB table memory_readings \(uid, timestamp\): Query by sensor, one item decoded \(sensor sensmitter_1, .*\); training data s3:\/\/memory-history\/sensmitter_1.csv: 3,000 rows, 0 skipped; models persisted under memory:\/\/models\/$/
    );
    expect(Object.keys(ok.details ?? {})).toEqual(['settings', 'dynamodb', 's3', 'models']);
  });

  test('resource GET defaults → the query defaults and limits', async () => {
    const route = source.instance.resources!.find((r) => r.path === 'defaults' && r.method === 'GET')!;
    const response = await route.handler({} as ResourceRequest, context());
    expect(response).toEqual({ status: 200, body: { query: DEFAULT_QUERY, limits: LIMITS } });
    expect(source.instance.resources!.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET defaults',
      'GET sensors',
      'GET models',
    ]);
  });

  test('resource GET models lists the cached models with what they were trained on', async () => {
    await source.instance.query(dataQuery({ sensors: ['sensmitter_1'] }), context());
    const route = source.instance.resources!.find((r) => r.path === 'models')!;
    const response = (await route.handler({} as ResourceRequest, context())) as { body: { models: unknown[] } };
    expect(response.body.models).toEqual([
      expect.objectContaining({
        key: expect.stringMatching(/^if-/),
        identity: 'history:s3://memory-history/sensmitter_1.csv@"v1"',
        rows: expect.any(Number),
        source: 'trained',
        bytes: expect.any(Number),
      }),
    ]);
  });

  test('resource GET sensors with no table configured → 400 naming the setting, before any AWS call', async () => {
    const unconfigured = createDataSource(settings({}));
    const route = unconfigured.resources!.find((r) => r.path === 'sensors')!;
    await expect(route.handler({} as ResourceRequest, context())).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/^table: required/),
    });
    await unconfigured.dispose!();
  });

  test('stream selftest: subscribe OK, other paths NOT_FOUND', async () => {
    expect(await source.instance.streams!.subscribe({ path: SELFTEST_PATH, data: null }, context())).toEqual({
      status: 'OK',
    });
    expect(await source.instance.streams!.subscribe({ path: 'other', data: null }, context())).toEqual({
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
    await source.instance.streams!.run({ path: SELFTEST_PATH, data: null }, context(controller.signal), sender);
    expect(frames).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });
});

describe('process-wide scoring services', () => {
  test('instances share one pool; it ends when the last instance is disposed, not before', async () => {
    const a = acquireScoringServices();
    const b = acquireScoringServices();
    expect(b.services.pool).toBe(a.services.pool);
    const destroy = jest.spyOn(a.services.pool, 'destroy');
    await a.release();
    await a.release();
    expect(destroy).not.toHaveBeenCalled();
    await b.release();
    expect(destroy).toHaveBeenCalledTimes(1);
    const c = acquireScoringServices();
    expect(c.services.pool).not.toBe(a.services.pool);
    expect(c.services.models).toBe(a.services.models);
    await c.release();
  });
});
