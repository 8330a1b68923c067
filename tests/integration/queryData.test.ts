/**
 * QueryData end to end on DynamoDB Local and the S3 server, seeded by the
 * shared test services with the simulator's deterministic, labelled data
 * (tools/stack/testServices.ts): the real readers, the real scoring pool
 * (worker threads), the real model store.
 *
 * Golden responses (tests/golden/*.json, infinity-datasource style): whole
 * QueryData answers as Grafana's frame JSON, for pinned data, time and seed,
 * from a data source that does not persist models (so every run trains, and
 * reads, the same). Only the training time is normalized. Rewrite them with
 * UPDATE_GOLDEN=1 after a deliberate change, and review the diff.
 */
import { testRequestContext } from '../../src/backend/handlers/testing/requestContext';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';

import { createDataSource } from '../../src/backend/handlers/dataSource';
import { poolScripts } from '../../src/backend/handlers/workerScripts';
import { frameToJSON, type DataQuery, type DataSourceSettings, type Frame } from '../../src/backend/runtime';
import { DEFAULT_QUERY } from '../../src/common/query';
import { featureSpecOf, warmupMs } from '../../src/backend/scoring/features';
import { ModelCache } from '../../src/backend/scoring/modelCache';
import { ScoringPool } from '../../src/backend/scoring/pool';
import { TEST_DATA, TEST_ENV } from '../../tools/stack/testServices';
import { s3Client, testServicesEnv, testServicesSettings } from './emulators';

const HOUR = 3_600_000;
const WARMUP_MS = warmupMs(featureSpecOf({ metrics: DEFAULT_QUERY.metrics, transforms: DEFAULT_QUERY.transforms }));
const GOLDEN_DIR = join(__dirname, '..', 'golden');
/** Golden responses come from a data source that trains every time: no model store in the way. */
const NOT_PERSISTED = { modelKeyPrefix: '' };

const NOW = Number(testServicesEnv(TEST_ENV.nowMs));
const LIVE_START = Number(testServicesEnv(TEST_ENV.liveStartMs));
const SENSORS = testServicesEnv(TEST_ENV.sensors).split(',');

let lastUpdated = 1;
function settings(over: object = {}): DataSourceSettings {
  return testServicesSettings({ uid: 'it-query', name: 'query-it', lastUpdatedMS: ++lastUpdated }, over);
}

function query(model: object, from: number, to: number, refId = 'A'): DataQuery {
  return { refId, queryType: '', maxDataPoints: 1000, intervalMs: 60_000, timeRange: { from, to }, model };
}

/** A data source instance with its own model cache and thread pool (a fresh process, as far as the models go). */
function freshSource(over: object = {}) {
  const pool = new ScoringPool({ scripts: poolScripts() });
  return {
    pool,
    instance: createDataSource(settings(over), undefined, {
      services: { services: { pool, models: new ModelCache() }, release: () => pool.destroy() },
    }),
  };
}

function field(frame: Frame, name: string) {
  return frame.fields.find((f) => f.name === name)!;
}

function stat(frame: Frame, name: string): number | undefined {
  return frame.meta?.stats?.find((s) => s.displayName === name)?.value;
}

/** The response as Grafana's frame JSON, with what varies between machines and runs normalized. */
function goldenJSON(frames: Frame[]): unknown {
  return frames.map((frame) => {
    const json = frameToJSON(frame) as { schema: { meta?: Record<string, unknown> } };
    const meta = json.schema.meta;
    if (meta) {
      const stats = meta.stats as Array<{ displayName: string; value: number }> | undefined;
      for (const s of stats ?? []) {
        if (s.displayName === 'Training time (ms)') {
          s.value = 0;
        }
      }
      const model = (meta.custom as { model?: Record<string, unknown> } | undefined)?.model;
      if (model) {
        model.trainingMs = 0;
      }
    }
    return json;
  });
}

function expectGolden(name: string, frames: Frame[]): void {
  const file = join(GOLDEN_DIR, `${name}.json`);
  const actual = JSON.parse(JSON.stringify(goldenJSON(frames)));
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(file, `${JSON.stringify(actual, null, 1)}\n`);
  }
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run with UPDATE_GOLDEN=1 once, review and commit it`);
  }
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('QueryData on the emulators (seeded simulator data)', () => {
  /** The live data minus its first two hours (the feature windows warm up for a bit more than one). */
  const from = LIVE_START + 2 * HOUR;
  const readingsPerSensor = (NOW - from) / TEST_DATA.liveIntervalMs + 1;

  test('anomalies for every sensor: every reading of the range scored, flagged 0/1 and explained when flagged', async () => {
    const { instance, pool } = freshSource();
    const frames = await instance.query(query({}, from, NOW), testRequestContext());
    expect(frames.map((f) => f.name)).toEqual(SENSORS);
    for (const frame of frames) {
      const flags = Array.from(field(frame, 'anomaly').values as Float64Array);
      expect(flags).toHaveLength(readingsPerSensor);
      expect(field(frame, 'anomaly').nulls).toBeUndefined();
      expect(field(frame, 'anomaly_score').nulls).toBeUndefined();
      const explanation = field(frame, 'explanation').values as Float64Array;
      flags.forEach((flag, i) => {
        expect(flag === 0 || flag === 1).toBe(true);
        expect(explanation[i]! >= 100).toBe(flag === 1);
      });
      expect(stat(frame, 'Training rows')).toBeGreaterThan(20_000);
      expect(stat(frame, 'DynamoDB items read')).toBe(readingsPerSensor + WARMUP_MS / TEST_DATA.liveIntervalMs);
    }
    expect(pool.stats.threadTasks).toBeGreaterThan(0);
    await instance.dispose!();
  });

  test('the model is persisted in S3 as models/<key>.json and a fresh process loads it instead of training', async () => {
    const first = freshSource();
    const [a] = await first.instance.query(query({ sensors: ['sensmitter_2'] }, from, NOW), testRequestContext());
    const key = (a!.meta?.custom?.model as { key: string }).key;
    const head = await s3Client().send(new HeadObjectCommand({ Bucket: TEST_DATA.bucket, Key: `models/${key}.json` }));
    expect(head.ContentType).toBe('application/json');
    expect(Number(head.Metadata?.rows)).toBe(stat(a!, 'Training rows'));
    const second = freshSource();
    const [b] = await second.instance.query(query({ sensors: ['sensmitter_2'] }, from, NOW), testRequestContext());
    expect(b!.meta?.custom?.model).toMatchObject({ key, source: 'store' });
    expect(Array.from(field(b!, 'anomaly_score').values as Float64Array)).toEqual(
      Array.from(field(a!, 'anomaly_score').values as Float64Array)
    );
    await Promise.all([first.instance.dispose!(), second.instance.dispose!()]);
  });

  test('golden: anomalies of one sensor over one hour (Isolation Forest on the S3 history)', async () => {
    const { instance } = freshSource(NOT_PERSISTED);
    expectGolden(
      'anomalies-if-sensmitter_1-1h',
      await instance.query(query({ sensors: ['sensmitter_1'] }, NOW - HOUR, NOW), testRequestContext())
    );
    await instance.dispose!();
  });

  test('golden: anomaly_count of every sensor over five hours in 30-minute buckets', async () => {
    const { instance } = freshSource(NOT_PERSISTED);
    expectGolden(
      'anomaly-count-all-5h',
      await instance.query(query({ queryType: 'anomaly_count', countInterval: '30m' }, from, NOW), testRequestContext())
    );
    await instance.dispose!();
  });

  test('golden: anomalies of one sensor over one hour with a model of the 4 hours of readings before it (raw readings)', async () => {
    const { instance } = freshSource(NOT_PERSISTED);
    const model = {
      sensors: ['sensmitter_3'],
      isolationForest: { training: 'window', trainingWindow: '4h' },
      featureSet: 'raw',
    };
    expectGolden(
      'anomalies-if-window-sensmitter_3-1h',
      await instance.query(query(model, NOW - HOUR, NOW), testRequestContext())
    );
    await instance.dispose!();
  });

  test('CheckHealth on the emulators names the table, its keys, the access path, an item and the history', async () => {
    const { instance } = freshSource();
    const health = await instance.checkHealth(testRequestContext());
    expect(health.status).toBe('OK');
    expect(health.message).toMatch(
      new RegExp(
        `DynamoDB table ${TEST_DATA.table} \\(uid, timestamp\\): Query by sensor, one item decoded .*; training data s3://${TEST_DATA.bucket}/sensmitter_\\d.csv: 23,000 rows, 0 skipped`
      )
    );
    await instance.dispose!();
  });
});
