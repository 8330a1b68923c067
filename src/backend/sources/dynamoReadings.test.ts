import { DynamoReadingsSource, dynamoConfigFromSettings, epochRanges, projectionFor } from './dynamoReadings';

describe('epochRanges', () => {
  const from = 1_700_000_000_000;
  const to = 1_700_000_600_000;

  it('converts to the configured unit, keeping both ends', () => {
    expect(epochRanges(from, to, 's')).toEqual([[1_700_000_000, 1_700_000_600]]);
    expect(epochRanges(from, to, 'ms')).toEqual([[from, to]]);
  });

  it('asks for both units in auto mode without overlap', () => {
    expect(epochRanges(from, to, 'auto')).toEqual([
      [1_700_000_000, 1_700_000_600],
      [from, to],
    ]);
    const [[, secondsHigh], [msLow]] = epochRanges(0, to, 'auto');
    expect(secondsHigh).toBeLessThan(1e11);
    expect(msLow).toBe(1e11);
  });
});

describe('dynamoConfigFromSettings', () => {
  const conn = { describeDynamo: 'region us-east-1', secrets: [] };
  it('fills the seed defaults', () => {
    expect(dynamoConfigFromSettings({ table: 'lab_sensmitter_1' }, conn)).toMatchObject({
      table: 'lab_sensmitter_1',
      sensorIdAttribute: 'uid',
      timestampAttribute: 'timestamp',
      readingsPath: 'payload.data',
      timestampUnit: 'auto',
      maxItemsPerQuery: 200_000,
    });
  });

  it.each([
    [{}, /^table: required/],
    [{ table: 'a b' }, /^table: must be 3 to 255 characters/],
    [{ table: 'ok_table', maxItemsPerQuery: 0 }, /^maxItemsPerQuery: must be an integer from 1 to 10000000 \(got 0\)/],
  ])('rejects %j naming the field', (json, message) => {
    expect(() => dynamoConfigFromSettings(json, conn)).toThrow(message);
  });
});

describe('projectionFor', () => {
  it('asks only for the sensor id, the timestamp and each metric under the readings path', () => {
    const p = projectionFor({
      sensorId: ['uid'],
      timestamp: ['timestamp'],
      readings: ['payload', 'data'],
      metricAttributes: { temperature: 'temp', humidity: 'humidity', pressure: 'pressure', light_level: 'light_level' },
      timestampUnit: 'auto',
    });
    expect(p.expression).toBe('#sid, #ts, #r0.#r1.#m0, #r0.#r1.#m1, #r0.#r1.#m2, #r0.#r1.#m3');
    expect(p.names).toEqual({
      '#sid': 'uid',
      '#ts': 'timestamp',
      '#r0': 'payload',
      '#r1': 'data',
      '#m0': 'temp',
      '#m1': 'humidity',
      '#m2': 'pressure',
      '#m3': 'light_level',
    });
  });
});

/** DescribeTable's answer for the seed's table: (uid S, timestamp N), so reads take the Query path. */
const SEED_TABLE = {
  TableStatus: 'ACTIVE',
  KeySchema: [
    { AttributeName: 'uid', KeyType: 'HASH' },
    { AttributeName: 'timestamp', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'uid', AttributeType: 'S' },
    { AttributeName: 'timestamp', AttributeType: 'N' },
  ],
};

describe('DynamoReadingsSource.readRange', () => {
  /**
   * A DynamoDB client double: sensor "broken" fails on its first page, sensor
   * "endless" always has another page. It records the pages it served.
   */
  function flakyClient() {
    const served: string[] = [];
    const client = {
      async send(command: { input: Record<string, unknown> }, options?: { abortSignal?: AbortSignal }) {
        if ('KeySchema' in command.input || !('KeyConditionExpression' in command.input)) {
          return { Table: SEED_TABLE };
        }
        const values = command.input.ExpressionAttributeValues as Record<string, { S?: string }>;
        const sensor = Object.values(values).find((v) => v.S !== undefined)?.S ?? '';
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (options?.abortSignal?.aborted) {
          throw Object.assign(new Error('aborted'), { name: 'AbortError' });
        }
        served.push(sensor);
        if (sensor === 'broken') {
          throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
        }
        // Endless, but bounded so that a regression fails this test instead of hanging it.
        const more = served.length < 100;
        return {
          Items: [],
          LastEvaluatedKey: more ? { uid: { S: sensor }, timestamp: { N: String(served.length) } } : undefined,
        };
      },
    };
    return { client, served };
  }

  it('stops the other sensors’ page loops when one read fails', async () => {
    const { client, served } = flakyClient();
    const conn = { describeDynamo: 'http://127.0.0.1:1 (region us-east-1)', secrets: [] };
    const source = new DynamoReadingsSource(client as never, dynamoConfigFromSettings({ table: 'readings' }, conn));

    await expect(source.readRange({ sensors: ['endless', 'broken'], fromMs: 0, toMs: 1_000 })).rejects.toMatchObject({
      code: 'access_denied',
    });
    const pagesAtFailure = served.filter((s) => s === 'endless').length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(served.filter((s) => s === 'endless').length).toBeLessThanOrEqual(pagesAtFailure + 1);
  });
});

describe('DynamoReadingsSource: the DescribeTable cache', () => {
  /** Counts DescribeTable calls; the first `failures` of them fail, each answer takes a tick. */
  function describingClient(failures = 0) {
    const calls = { describe: 0 };
    const client = {
      async send(command: { input: Record<string, unknown> }) {
        if ('KeyConditionExpression' in command.input) {
          return { Items: [] };
        }
        calls.describe++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (calls.describe <= failures) {
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        }
        return { Table: SEED_TABLE };
      },
    };
    return { client, calls };
  }

  const conn = { describeDynamo: 'region us-east-1', secrets: [] };
  const read = (source: DynamoReadingsSource, signal?: AbortSignal) =>
    source.readRange({ sensors: ['s1'], fromMs: 0, toMs: 1000, signal });

  it('asks once for concurrent and later reads within the TTL, and again for Save & test', async () => {
    const { client, calls } = describingClient();
    const source = new DynamoReadingsSource(client as never, dynamoConfigFromSettings({ table: 'readings' }, conn));
    await Promise.all([read(source), read(source), read(source)]);
    await read(source);
    expect(calls.describe).toBe(1);
    expect((await source.checkTable()).accessPath).toBe('query');
    expect(calls.describe).toBe(2);
  });

  it('does not keep a failed DescribeTable: the next read asks again', async () => {
    const { client, calls } = describingClient(1);
    const source = new DynamoReadingsSource(client as never, dynamoConfigFromSettings({ table: 'readings' }, conn));
    await expect(read(source)).rejects.toMatchObject({ code: 'aws' });
    await expect(read(source)).resolves.toMatchObject({ stats: { itemsRead: 0 } });
    expect(calls.describe).toBe(2);
  });

  it('a caller that gives up does not fail the others waiting on the same DescribeTable', async () => {
    const { client, calls } = describingClient();
    const source = new DynamoReadingsSource(client as never, dynamoConfigFromSettings({ table: 'readings' }, conn));
    const impatient = new AbortController();
    const first = read(source, impatient.signal);
    const second = read(source);
    impatient.abort();
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    await expect(second).resolves.toMatchObject({ stats: { itemsRead: 0 } });
    expect(calls.describe).toBe(1);
  });
});
