/**
 * The S3 history loader against moto's S3 server: 23,000-row CSVs in both
 * layouts (values checked against the simulator that wrote them), ETag
 * caching, a corrupt file, and missing bucket/object errors.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { S3HistorySource, type S3HistoryConfig } from '../../src/backend/sources/s3History';
import { HISTORY_HEADER, historyRow } from '../../tools/simulator/formats';
import { createSensors, readingsAt, Rng, type SimReading } from '../../tools/simulator/signals';
import { ensureBucket, putObject } from '../../tools/simulator/writers';
import { localConnection, s3Client, uniqueName } from './emulators';

const ROWS = 23_000;
const START_MS = Date.UTC(2026, 0, 1);
const STEP_MS = 60_000;

function sensorReadings(index: number): SimReading[] {
  const sim = createSensors(index + 1, 7)[index];
  return [...readingsAt(sim, START_MS, STEP_MS, ROWS)];
}

function payloadCsv(readings: SimReading[]): string {
  const rng = new Rng(1);
  return HISTORY_HEADER + readings.map((r) => historyRow(r, 's', rng)).join('');
}

function columnsCsv(readings: SimReading[], uid: string): string {
  const rows = readings.map(
    (r) =>
      `${r.timeMs},${r.values.temperature},${r.values.humidity},${r.values.pressure},${r.values.light_level},${uid}`
  );
  return `timestamp,temperature,humidity,pressure,light_level,uid\n${rows.join('\n')}\n`;
}

function expectSeries(
  series: { time: Float64Array; readings: Record<string, Float64Array> },
  readings: SimReading[]
): void {
  expect(series.time.length).toBe(readings.length);
  readings.forEach((r, i) => {
    if (
      series.time[i] !== r.timeMs ||
      series.readings.temperature[i] !== r.values.temperature ||
      series.readings.light_level[i] !== r.values.light_level
    ) {
      throw new Error(
        `row ${i}: got ${series.time[i]}/${series.readings.temperature[i]}, want ${r.timeMs}/${r.values.temperature}`
      );
    }
  });
}

const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')} rows/s`;

describe('S3 history loader', () => {
  let client: S3Client;
  const bucket = uniqueName('history').toLowerCase();
  const config = (over: Partial<S3HistoryConfig> = {}): S3HistoryConfig => {
    const conn = localConnection();
    return {
      bucket,
      keyTemplate: 'history/{sensor}.csv',
      timestampUnit: 'auto',
      where: conn.describeS3,
      secrets: conn.secrets,
      maxCachedObjects: 8,
      ...over,
    };
  };

  beforeAll(async () => {
    client = s3Client();
    await ensureBucket(client, bucket);
  });

  afterAll(() => client.destroy());

  it('streams the seed layout (typed JSON payload, mixed S/s/N and M/m tags) and caches by ETag', async () => {
    const readings = sensorReadings(0);
    const csv = payloadCsv(readings);
    expect(csv).toMatch(/""s"":/);
    expect(csv).toMatch(/""N"":/);
    expect(csv).toMatch(/""m"":/);
    await putObject(client, bucket, 'history/sensmitter_1.csv', csv);
    const source = new S3HistorySource(client, config());
    const t = Date.now();
    const first = await source.loadHistory('sensmitter_1');
    console.log(`S3 CSV (payload layout, ${(csv.length / 1e6).toFixed(1)} MB): ${rate(ROWS, Date.now() - t)}`);
    expect(first.stats).toMatchObject({
      rowsRead: ROWS,
      rowsSkipped: 0,
      cached: false,
      layout: 'payload',
      skipReasons: {},
    });
    expect(first.stats.etag).not.toBe('');
    expectSeries(first.series, readings);

    const again = await source.loadHistory('sensmitter_1');
    expect(again.stats.cached).toBe(true);
    expect(again.series).toBe(first.series);

    const changed = readings.slice(0, 100);
    await putObject(client, bucket, 'history/sensmitter_1.csv', payloadCsv(changed));
    const reloaded = await source.loadHistory('sensmitter_1');
    expect(reloaded.stats.cached).toBe(false);
    expect(reloaded.stats.etag).not.toBe(first.stats.etag);
    expectSeries(reloaded.series, changed);
  });

  it('shares one download between concurrent loads of the same object', async () => {
    await putObject(client, bucket, 'history/sensmitter_9.csv', payloadCsv(sensorReadings(0).slice(0, 500)));
    const source = new S3HistorySource(client, config());
    const [a, b] = await Promise.all([source.loadHistory('sensmitter_9'), source.loadHistory('sensmitter_9')]);
    expect(a).toBe(b);
  });

  it('reads the plain column layout (milliseconds, uid column; other sensors skipped and counted)', async () => {
    const readings = sensorReadings(1);
    const other = `${Date.UTC(2026, 0, 1)},1,2,3,4,sensmitter_7\n`;
    await putObject(client, bucket, 'history/sensmitter_2.csv', columnsCsv(readings, 'sensmitter_2') + other);
    const source = new S3HistorySource(client, config());
    const t = Date.now();
    const result = await source.loadHistory('sensmitter_2');
    console.log(`S3 CSV (column layout): ${rate(ROWS, Date.now() - t)}`);
    expect(result.stats).toMatchObject({
      rowsRead: ROWS + 1,
      rowsSkipped: 1,
      skipReasons: { other_sensor: 1 },
      layout: 'columns',
    });
    expectSeries(result.series, readings);
  });

  it('skips and counts every kind of corrupt row', async () => {
    const good = (ts: number, t: string) =>
      `"{""timestamp"": {""S"": ""${ts}""}, ""data"": {""M"": {""temperature"": {""S"": ""${t}""}}}}"`;
    const csv = [
      'id,payload,note',
      `1,${good(1612137600, '22.5')},ok`,
      `2,"{not json",bad`,
      `3,"{""data"": {""M"": {""temperature"": {""S"": ""1""}}}}",no timestamp`,
      `4,${good(1612137660, 'warm')},not a number`,
      `5,"{""timestamp"": {""S"": ""soon""}, ""data"": {""M"": {""temperature"": {""N"": ""1""}}}}",bad timestamp`,
      `6,"{""timestamp"": {""N"": ""1612137720""}}",no readings`,
      `7,"unterminated`,
      '',
    ].join('\n');
    // The unterminated quote swallows the rest of the file; put it last, and a good row before it.
    await putObject(client, bucket, 'history/corrupt.csv', csv);
    const source = new S3HistorySource(client, config());
    const result = await source.loadHistory('corrupt');
    expect(Array.from(result.series.time)).toEqual([1612137600000]);
    expect(Array.from(result.series.readings.temperature)).toEqual([22.5]);
    expect(result.series.readings.humidity[0]).toBeNaN();
    expect(result.stats.missingReadings).toEqual({ humidity: 1, pressure: 1, light_level: 1 });
    expect(result.stats.skipReasons).toEqual({
      bad_payload: 1,
      missing_timestamp: 1,
      non_numeric_reading: 1,
      bad_timestamp: 1,
      no_readings: 1,
      csv_syntax: 1,
    });
    expect(result.stats.rowsSkipped).toBe(6);
  });

  it('refuses an empty object instead of reporting a layout it never saw', async () => {
    await putObject(client, bucket, 'history/empty.csv', '');
    await expect(new S3HistorySource(client, config()).loadHistory('empty')).rejects.toMatchObject({
      code: 'bad_csv',
      message: expect.stringContaining('history/empty.csv: the object is empty (no CSV header)'),
    });
  });

  it('skips rows with the wrong number of fields as CSV syntax errors', async () => {
    await putObject(
      client,
      bucket,
      'history/ragged.csv',
      'timestamp,temperature\n1612137600,1\n1612137660,2,3\n1612137720,3\n'
    );
    const result = await new S3HistorySource(client, config()).loadHistory('ragged');
    expect(Array.from(result.series.readings.temperature)).toEqual([1, 3]);
    expect(result.stats.skipReasons).toEqual({ csv_syntax: 1 });
  });

  it('rejects a header it does not understand', async () => {
    await putObject(client, bucket, 'history/strange.csv', 'a,b\n1,2\n');
    await expect(new S3HistorySource(client, config()).loadHistory('strange')).rejects.toMatchObject({
      code: 'bad_csv',
      message: expect.stringContaining('header must have a "payload" column'),
    });
  });

  it('reports a missing object and a missing bucket clearly', async () => {
    await expect(new S3HistorySource(client, config()).loadHistory('nobody')).rejects.toMatchObject({
      code: 'object_not_found',
      message: expect.stringContaining(`s3://${bucket}/history/nobody.csv does not exist`),
    });
    const missing = new S3HistorySource(client, config({ bucket: 'no-such-bucket-here' }));
    await expect(missing.checkBucket()).rejects.toMatchObject({ code: 'bucket_not_found' });
    await expect(missing.loadHistory('x')).rejects.toMatchObject({ code: 'bucket_not_found' });
    await expect(new S3HistorySource(client, config()).checkBucket()).resolves.toMatchObject({ bucket });
  });
});
