/**
 * 100,000 items per table, read back across many pages with none lost or
 * duplicated: the Query path (uid + numeric timestamp key) and the Scan path
 * (a table keyed by something else), plus the item cap.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoReadingsSource,
  DEFAULT_DYNAMO_TUNING,
  type DynamoSourceConfig,
} from '../../src/backend/sources/dynamoReadings';
import { batchWrite, ensureTable } from '../../tools/simulator/writers';
import { dynamoClient, readerConfig, uniqueName } from './emulators';

const SENSORS = ['sensmitter_1', 'sensmitter_2', 'sensmitter_3', 'sensmitter_4'];
const PER_SENSOR = 25_000;
const TOTAL = SENSORS.length * PER_SENSOR;
const START_MS = 1_700_000_000_000;
const STEP_MS = 1000;

/** Item i of a sensor: time START + i·STEP (ms), temperature encodes (sensor, i) so duplicates/losses show. */
function* items(withId: boolean): Generator<Record<string, AttributeValue>> {
  for (let i = 0; i < PER_SENSOR; i++) {
    for (let s = 0; s < SENSORS.length; s++) {
      const item: Record<string, AttributeValue> = {
        uid: { S: SENSORS[s] },
        timestamp: { N: String(START_MS + i * STEP_MS) },
        payload: { M: { data: { M: { temperature: { N: String(s * PER_SENSOR + i) }, humidity: { N: '40' } } } } },
      };
      if (withId) {
        item.id = { S: `${SENSORS[s]}#${i}` };
      }
      yield item;
    }
  }
}

const config = (table: string, over: Partial<DynamoSourceConfig> = {}) =>
  readerConfig(table, { timestampUnit: 'ms', ...over });

/** Every sensor has exactly items 0..PER_SENSOR-1, in time order, once. */
function expectComplete(result: Awaited<ReturnType<DynamoReadingsSource['readRange']>>): void {
  expect(result.series.map((s) => s.sensorId)).toEqual(SENSORS);
  result.series.forEach((series, s) => {
    expect(series.time.length).toBe(PER_SENSOR);
    for (let i = 0; i < PER_SENSOR; i++) {
      if (series.time[i] !== START_MS + i * STEP_MS || series.readings.temperature[i] !== s * PER_SENSOR + i) {
        throw new Error(
          `${series.sensorId}[${i}]: time ${series.time[i]}, temperature ${series.readings.temperature[i]}`
        );
      }
    }
    expect(series.readings.pressure.every(Number.isNaN)).toBe(true);
  });
  expect(result.stats.itemsRead).toBe(TOTAL);
  expect(result.stats.itemsSkipped).toBe(0);
  expect(result.stats.missingReadings).toEqual({ pressure: TOTAL, light_level: TOTAL });
  expect(result.stats.truncated).toBe(false);
}

const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')} items/s`;

describe('100,000 items through every page', () => {
  let client: DynamoDBClient;
  const queryTable = uniqueName('paging-query');
  const scanTable = uniqueName('paging-scan');

  beforeAll(async () => {
    client = dynamoClient();
    await ensureTable(client, queryTable);
    await ensureTable(client, scanTable, { hash: { name: 'id', type: 'S' } });
    const t = Date.now();
    await Promise.all([
      batchWrite(client, queryTable, items(false), 32),
      batchWrite(client, scanTable, items(true), 32),
    ]);
    console.log(`fixture: ${2 * TOTAL} items written with BatchWriteItem at ${rate(2 * TOTAL, Date.now() - t)}`);
  });

  afterAll(() => client.destroy());

  it('Query path: one paginated Query per sensor returns every item once', async () => {
    const source = new DynamoReadingsSource(client, config(queryTable));
    expect((await source.checkTable()).accessPath).toBe('query');
    const t = Date.now();
    const result = await source.readRange({ sensors: [], fromMs: START_MS, toMs: START_MS + PER_SENSOR * STEP_MS });
    console.log(`Query read: ${TOTAL} items, ${result.stats.pages} pages, ${rate(TOTAL, Date.now() - t)}`);
    expect(result.stats.pages).toBeGreaterThan(SENSORS.length);
    expectComplete(result);
  });

  it('Scan path: parallel segments return every item once', async () => {
    const source = new DynamoReadingsSource(client, config(scanTable));
    expect((await source.checkTable()).accessPath).toBe('scan');
    const t = Date.now();
    const result = await source.readRange({ sensors: [], fromMs: START_MS, toMs: START_MS + PER_SENSOR * STEP_MS });
    console.log(
      `Scan read (${DEFAULT_DYNAMO_TUNING.scanSegments} segments): ${TOTAL} items, ${result.stats.pages} pages, ${rate(TOTAL, Date.now() - t)}`
    );
    expect(result.stats.pages).toBeGreaterThan(DEFAULT_DYNAMO_TUNING.scanSegments);
    expectComplete(result);
  });

  it('Scan path filters on sensors and time server-side', async () => {
    const source = new DynamoReadingsSource(client, config(scanTable, { scanSegments: 1 }));
    const result = await source.readRange({
      sensors: ['sensmitter_2'],
      fromMs: START_MS + 100 * STEP_MS,
      toMs: START_MS + 199 * STEP_MS,
    });
    expect(result.series.map((s) => s.sensorId)).toEqual(['sensmitter_2']);
    expect(Array.from(result.series[0].readings.temperature)).toEqual(
      Array.from({ length: 100 }, (_, i) => PER_SENSOR + 100 + i)
    );
  });

  it('listSensors finds every sensor id across pages', async () => {
    const source = new DynamoReadingsSource(client, config(queryTable));
    expect(await source.listSensors()).toEqual(SENSORS);
  });

  it.each(['query', 'scan'] as const)('the item cap stops a %s read and says so', async (path) => {
    const source = new DynamoReadingsSource(
      client,
      config(path === 'query' ? queryTable : scanTable, { maxItemsPerQuery: 30_000 })
    );
    const result = await source.readRange({ sensors: [], fromMs: START_MS, toMs: START_MS + PER_SENSOR * STEP_MS });
    expect(result.stats.truncated).toBe(true);
    expect(result.stats.itemCap).toBe(30_000);
    expect(result.stats.itemsRead).toBe(30_000);
    expect(result.series.reduce((n, s) => n + s.time.length, 0)).toBe(30_000);
  });

  it('a read that exactly fills the cap is not truncated', async () => {
    const source = new DynamoReadingsSource(client, config(queryTable, { maxItemsPerQuery: PER_SENSOR }));
    const result = await source.readRange({
      sensors: ['sensmitter_3'],
      fromMs: START_MS,
      toMs: START_MS + PER_SENSOR * STEP_MS,
    });
    expect(result.stats.truncated).toBe(false);
    expect(result.series[0].time.length).toBe(PER_SENSOR);
  });
});
