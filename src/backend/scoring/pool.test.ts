import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { writeScoringWorkerSync } from '../../../tools/backend-build/workerBundle';
import { DEFAULT_QUERY } from '../../common/query';
import { IsolationForest } from '../../detectors';
import { simulatedSensor } from '../handlers/testing/simulated';
import { featureSpecOf, warmupMs } from './features';
import { planChunks, ScoringPool, type RangeScores } from './pool';
import { shareModel } from './tasks';
import { modelCacheKey, trainModel } from './train';
import type { ForestParams } from './types';

const spec = featureSpecOf({ metrics: DEFAULT_QUERY.metrics, transforms: DEFAULT_QUERY.transforms });
const params: ForestParams = { nEstimators: 100, maxSamples: 'auto', maxFeatures: 1, contamination: 0.01, seed: 42 };
const { history, recent } = simulatedSensor({ historyRows: 3000, recentRows: 12_000 });
const trained = trainModel([history.series], spec, params, { identity: 'test' });
if (!trained.ok) {
  throw new Error('fixture: too few rows to train');
}
const model = shareModel(modelCacheKey('test', spec, params), JSON.stringify(trained.model));
/** Score the last 11,000 readings; the first 1,000 (10 s apart, ~2.8 h) warm the windows up. */
const scoreFromMs = recent.series.time[1000]!;

// Thread start-up, training and inline scoring of 11,000 readings take seconds on a busy shared machine.
jest.setTimeout(60_000);

let dir: string;
let threaded: ScoringPool;
const inline = new ScoringPool();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iotlab-pool-test-'));
  threaded = new ScoringPool({ scripts: writeScoringWorkerSync(dir), threads: 2, minChunkRows: 1000 });
});

afterAll(async () => {
  await threaded.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function expectSameScores(a: RangeScores, b: RangeScores): void {
  expect(a.rows).toBe(b.rows);
  expect(Array.from(a.rowIndex)).toEqual(Array.from(b.rowIndex));
  expect(Array.from(a.score)).toEqual(Array.from(b.score));
  expect(Array.from(a.flag)).toEqual(Array.from(b.flag));
  expect(Array.from(a.explanation)).toEqual(Array.from(b.explanation));
  expect(a.dropped).toEqual(b.dropped);
  expect(a.threshold).toBe(b.threshold);
}

describe('scoring pool', () => {
  test('chunk plan: boundaries only where time increases, each chunk reads its warm-up before its first row', () => {
    const time = Float64Array.from([0, 10, 20, 20, 20, 30, 40, 50, 60, 70]);
    expect(planChunks(time, 20, 15, 2)).toEqual([
      { from: 1, first: 2, to: 6, scoreFromMs: 20 },
      { from: 5, first: 6, to: 10, scoreFromMs: 40 },
    ]);
    // A boundary that would split the three readings at 20 moves past them.
    expect(planChunks(time, 0, 15, 3)).toEqual([
      { from: 0, first: 0, to: 5, scoreFromMs: 0 },
      { from: 2, first: 5, to: 7, scoreFromMs: 30 },
      { from: 6, first: 7, to: 10, scoreFromMs: 50 },
    ]);
  });

  test('threads score exactly what one inline pass scores (chunks are bit-identical)', async () => {
    const one = await inline.scoreRange(recent.series, { spec, scoreFromMs, model });
    const split = await threaded.scoreRange(recent.series, { spec, scoreFromMs, model });
    expect(one.rows).toBeGreaterThan(10_000);
    expect(split.rows).toBe(one.rows);
    expectSameScores(split, one);
    expect(threaded.stats.threadTasks).toBeGreaterThanOrEqual(2);
  });

  test('every reading from scoreFromMs on gets a row once the windows are warm', async () => {
    const scores = await threaded.scoreRange(recent.series, { spec, scoreFromMs, model });
    expect(scores.rows).toBe(recent.series.time.length - 1000);
    expect(scores.rowIndex[0]).toBe(1000);
    expect(warmupMs(spec)).toBeLessThan(1000 * 10_000);
  });

  test('training on a thread gives the model trainModel gives inline', async () => {
    const result = await threaded.train([history.series], { spec, params, identity: 'test' });
    expect(result.ok).toBe(true);
    const text = result.ok ? new TextDecoder().decode(new Uint8Array(result.text, 0, result.byteLength).slice()) : '';
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(trained.model)));
  });

  test('an Isolation Forest fitted and scored on the threads is the one IsolationForest.fit gives on one', async () => {
    const x = { data: Float64Array.from(history.series.readings.temperature.slice(0, 3000)), rows: 1000, cols: 3 };
    const options = { nEstimators: 50, contamination: 0.02, seed: 9 };
    const pooled = await threaded.fitForest(x, options);
    const whole = IsolationForest.fit(x, options);
    expect(pooled.parts).toHaveLength(2);
    expect(JSON.stringify(pooled.forest)).toBe(JSON.stringify(whole));
    expect(Array.from(await threaded.scoreForest(pooled, x))).toEqual(Array.from(whole.scoreSamples(x)));
  });

  test('the event loop stays free while threads train (p99 delay under 100 ms)', async () => {
    const big = simulatedSensor({ historyRows: 20_000, recentRows: 10 }).history.series;
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const result = await threaded.train([big], { spec, params: { ...params, nEstimators: 300 }, identity: 'big' });
    delay.disable();
    expect(result.ok).toBe(true);
    expect(delay.percentile(99) / 1e6).toBeLessThan(100);
  });

  test('a cancelled training stops using CPU within 100 ms and rejects as cancelled', async () => {
    const big = simulatedSensor({ historyRows: 30_000, recentRows: 10 }).history.series;
    const controller = new AbortController();
    // Trees grown on all 30,000 rows: seconds of work, so the abort lands mid-training.
    const heavy = { ...params, nEstimators: 1000, maxSamples: 1 };
    const training = threaded.train([big], { spec, params: heavy, identity: 'cancel', signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const abortedAt = performance.now();
    controller.abort();
    await expect(training).rejects.toMatchObject({ name: 'AbortError' });
    expect(performance.now() - abortedAt).toBeLessThan(150);
    // From 100 ms after the abort, the process (all its threads) is idle.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, abortedAt + 100 - performance.now())));
    const cpuBefore = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const cpu = process.cpuUsage(cpuBefore);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(100);
    // The pool still works: a new task runs.
    await expect(threaded.scoreRange(recent.series, { spec, scoreFromMs, model })).resolves.toMatchObject({
      rows: recent.series.time.length - 1000,
    });
  });

  test('an already-aborted signal rejects before any work', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      threaded.scoreRange(recent.series, { spec, scoreFromMs, model, signal: controller.signal })
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('a few rows score inline with a small model, but on a thread with a big model not yet decoded here', async () => {
    const fewFrom = recent.series.time[recent.series.time.length - 100]!;
    const before = threaded.stats;
    await threaded.scoreRange(recent.series, { spec, scoreFromMs: fewFrom, model });
    expect(threaded.stats.inlineTasks).toBe(before.inlineTasks + 1);
    const wide = trainModel([history.series], spec, { ...params, maxSamples: 1 }, { identity: 'big' });
    const big = shareModel('big', JSON.stringify(wide.ok && wide.model));
    expect(big.byteLength).toBeGreaterThan(1024 * 1024);
    await threaded.scoreRange(recent.series, { spec, scoreFromMs: fewFrom, model: big });
    expect(threaded.stats.threadTasks).toBe(before.threadTasks + 1);
  });

  test('after destroy, tasks run inline and still answer', async () => {
    const pool = new ScoringPool({ scripts: writeScoringWorkerSync(dir), threads: 1 });
    await pool.destroy();
    const scores = await pool.scoreRange(recent.series, { spec, scoreFromMs, model });
    expect(scores.rows).toBeGreaterThan(0);
    expect(pool.stats.threadTasks).toBe(0);
  });
});
