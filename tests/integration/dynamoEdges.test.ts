/**
 * Time-range edges (both ends inclusive), timestamp units, malformed items,
 * and the errors a user meets: missing table, wrong key schema, rejected
 * credentials, unreachable or unresponsive endpoints.
 */
import { DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createServer, type Server, type Socket } from 'node:net';
import { createDynamoClient, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import { DynamoReadingsSource } from '../../src/backend/sources/dynamoReadings';
import { SourceError } from '../../src/backend/sources/errors';
import { freePort } from '../../tools/stack/freePort';
import { batchWrite, ensureTable } from '../../tools/simulator/writers';
import { dynamoClient, endpoints, readerConfig, uniqueName } from './emulators';

const SECRET = 'SECRETzz9DISTINCTIVEqq7';
const TOKEN = 'TOKENxx4DISTINCTIVEww2';
const T0 = 1_700_000_000; // seconds

const config = readerConfig;

const reading = (
  uid: string,
  ts: AttributeValue,
  temperature: AttributeValue = { N: '20' }
): Record<string, AttributeValue> => ({
  uid: { S: uid },
  timestamp: ts,
  payload: {
    M: { data: { M: { temperature, humidity: { S: '41.5' }, pressure: { N: '1013' }, light_level: { N: '0' } } } },
  },
});

async function errorOf(p: Promise<unknown>): Promise<SourceError> {
  try {
    await p;
  } catch (e) {
    return e as SourceError;
  }
  throw new Error('expected the read to fail');
}

describe('DynamoDB reader edges', () => {
  let client: DynamoDBClient;
  const secondsTable = uniqueName('edges-s');
  const msTable = uniqueName('edges-ms');
  const scanTable = uniqueName('edges-scan');
  const stringKeyTable = uniqueName('edges-strkey');
  const numericIdTable = uniqueName('edges-numid');

  beforeAll(async () => {
    client = dynamoClient();
    await ensureTable(client, secondsTable);
    await ensureTable(client, msTable);
    await ensureTable(client, scanTable, { hash: { name: 'id', type: 'S' } });
    await ensureTable(client, stringKeyTable, {
      hash: { name: 'uid', type: 'S' },
      range: { name: 'timestamp', type: 'S' },
    });
    // Seconds table: one reading per second T0..T0+9, plus one in milliseconds (auto mode must read both).
    await batchWrite(client, secondsTable, [
      ...Array.from({ length: 10 }, (_, i) => reading('a', { N: String(T0 + i) }, { N: String(i) })),
      reading('a', { N: String((T0 + 20) * 1000) }, { N: '20' }),
    ]);
    await batchWrite(
      client,
      msTable,
      Array.from({ length: 10 }, (_, i) => reading('a', { N: String((T0 + i) * 1000) }, { N: String(i) }))
    );
    const malformed: Array<Record<string, AttributeValue>> = [
      { ...reading('good', { N: String(T0) }), id: { S: '1' } },
      { ...reading('good', { S: String(T0 + 1) }), id: { S: '2' } }, // numeric-string timestamp: fine
      { ...reading('good', { N: String(T0 + 2) }, { S: 'hot' }), id: { S: '3' } }, // non-numeric reading
      { ...reading('good', { S: 'yesterday' }), id: { S: '4' } }, // unparseable timestamp
      { id: { S: '5' }, uid: { S: 'good' }, payload: { M: {} } }, // no timestamp
      { id: { S: '6' }, timestamp: { N: String(T0 + 3) }, payload: { M: {} } }, // no sensor id
      {
        id: { S: '7' },
        uid: { S: 'good' },
        timestamp: { N: String(T0 + 4) },
        payload: { M: { data: { M: { humidity: { N: '50' } } } } },
      },
      { ...reading('good', { S: String(T0 + 500) }), id: { S: '8' } }, // string timestamp outside the range
      { id: { S: '9' }, uid: { S: 'good' }, timestamp: { N: String(T0 + 5) } }, // no payload at all
    ];
    await batchWrite(client, scanTable, malformed);
    // Sensor ids stored as numbers in a table keyed by something else (read by Scan).
    await ensureTable(client, numericIdTable, { hash: { name: 'id', type: 'S' } });
    await batchWrite(client, numericIdTable, [
      { ...reading('x', { N: String(T0) }), id: { S: '1' }, uid: { N: '7' } },
      { ...reading('x', { N: String(T0 + 1) }), id: { S: '2' }, uid: { S: '7' } },
      { ...reading('x', { N: String(T0 + 2) }), id: { S: '3' }, uid: { N: '8' } },
    ]);
  });

  afterAll(() => client.destroy());

  const ms = (s: number) => s * 1000;

  it.each([
    ['s', secondsTable],
    ['ms', msTable],
    ['auto', secondsTable],
    ['auto', msTable],
  ] as const)('includes both ends of the range (unit %s)', async (unit, table) => {
    const source = new DynamoReadingsSource(client, config(table, { timestampUnit: unit }));
    const result = await source.readRange({ sensors: ['a'], fromMs: ms(T0 + 2), toMs: ms(T0 + 5) });
    expect(Array.from(result.series[0].time)).toEqual([2, 3, 4, 5].map((i) => ms(T0 + i)));
    expect(Array.from(result.series[0].readings.temperature)).toEqual([2, 3, 4, 5]);
  });

  it('excludes items one millisecond outside the range', async () => {
    const source = new DynamoReadingsSource(client, config(msTable, { timestampUnit: 'ms' }));
    const result = await source.readRange({ sensors: ['a'], fromMs: ms(T0 + 2) + 1, toMs: ms(T0 + 5) - 1 });
    expect(Array.from(result.series[0].readings.temperature)).toEqual([3, 4]);
  });

  it('auto mode reads seconds and milliseconds items of one table together', async () => {
    const source = new DynamoReadingsSource(client, config(secondsTable, { timestampUnit: 'auto' }));
    const result = await source.readRange({ sensors: ['a'], fromMs: ms(T0 + 8), toMs: ms(T0 + 30) });
    expect(Array.from(result.series[0].time)).toEqual([ms(T0 + 8), ms(T0 + 9), ms(T0 + 20)]);
  });

  it('a forced unit that does not match the data finds nothing rather than misplaced points', async () => {
    const source = new DynamoReadingsSource(client, config(msTable, { timestampUnit: 's' }));
    const result = await source.readRange({ sensors: ['a'], fromMs: ms(T0), toMs: ms(T0 + 9) });
    expect(result.series[0].time.length).toBe(0);
  });

  it('skips malformed items and counts them by reason; missing readings become NaN', async () => {
    const source = new DynamoReadingsSource(client, config(scanTable, { scanSegments: 2 }));
    const result = await source.readRange({ sensors: [], fromMs: ms(T0), toMs: ms(T0 + 100) });
    const good = result.series.find((s) => s.sensorId === 'good')!;
    expect(Array.from(good.time)).toEqual([ms(T0), ms(T0 + 1), ms(T0 + 4)]);
    expect(good.readings.temperature[2]).toBeNaN();
    expect(good.readings.humidity[2]).toBe(50);
    expect(result.stats.skipReasons).toEqual({
      non_numeric_reading: 1,
      bad_timestamp: 1,
      missing_timestamp: 1,
      missing_sensor_id: 1,
      no_readings: 1,
    });
    expect(result.stats.itemsSkipped).toBe(5);
    expect(result.stats.itemsRead).toBe(8); // the string timestamp outside the range is filtered, not read
    expect(result.stats.missingReadings).toEqual({ temperature: 1, pressure: 1, light_level: 1 });
  });

  it('finds a sensor whose id a Scan table stores as a number as well as one storing it as a string', async () => {
    const source = new DynamoReadingsSource(client, config(numericIdTable));
    const result = await source.readRange({ sensors: ['7'], fromMs: ms(T0), toMs: ms(T0 + 100) });
    expect(result.series.map((s) => [s.sensorId, Array.from(s.time)])).toEqual([['7', [ms(T0), ms(T0 + 1)]]]);
  });

  it('reports a missing table clearly', async () => {
    const source = new DynamoReadingsSource(client, config('no_such_table'));
    const e = await errorOf(source.readRange({ sensors: ['a'], fromMs: 0, toMs: 1 }));
    expect(e).toBeInstanceOf(SourceError);
    expect(e.code).toBe('table_not_found');
    expect(e.message).toContain('table "no_such_table" does not exist at http://127.0.0.1:');
  });

  it('rejects a string timestamp sort key with a clear key-schema error', async () => {
    const source = new DynamoReadingsSource(client, config(stringKeyTable));
    const e = await errorOf(source.checkTable());
    expect(e.code).toBe('key_schema');
    expect(e.message).toMatch(/sort key "timestamp" has type S.*number \(N\)/);
  });

  it('reports rejected credentials without echoing any secret', async () => {
    // DynamoDB Local rejects access key ids that are not alphanumeric; the settings
    // validation would refuse this key id first, so the client is built directly.
    const bad = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: endpoints().dynamodb,
      credentials: { accessKeyId: 'bad_key', secretAccessKey: SECRET, sessionToken: TOKEN },
      maxAttempts: 1,
    });
    const source = new DynamoReadingsSource(bad, config(secondsTable, { secrets: ['bad_key', SECRET, TOKEN] }));
    const e = await errorOf(source.readRange({ sensors: ['a'], fromMs: 0, toMs: 1 }));
    bad.destroy();
    expect(e.code).toBe('access_denied');
    expect(e.message).toMatch(/denied access to table .* check the credentials/);
    for (const text of [e.message, String(e.stack), JSON.stringify(e)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(TOKEN);
    }
  });

  it('settings errors never contain the secret either', () => {
    let error: unknown;
    try {
      resolveAwsConnection({ authType: 'keys' }, { secretKey: SECRET, sessionToken: TOKEN });
    } catch (e) {
      error = e;
    }
    expect(String(error)).toContain('accessKey: required when authType is "keys"');
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain(SECRET);
  });

  it('fails fast on an endpoint where nothing listens', async () => {
    const port = await freePort();
    const conn = resolveAwsConnection(
      { authType: 'keys', endpoint: `http://127.0.0.1:${port}` },
      { accessKey: 'local', secretKey: SECRET, sessionToken: TOKEN }
    );
    const c = createDynamoClient(conn, { maxAttempts: 2, connectionTimeoutMs: 1000 });
    const source = new DynamoReadingsSource(
      c,
      config(secondsTable, { where: conn.describeDynamo, secrets: conn.secrets })
    );
    const e = await errorOf(source.readRange({ sensors: ['a'], fromMs: 0, toMs: 1 }));
    c.destroy();
    expect(e.code).toBe('unreachable');
    expect(e.message).toContain(`endpoint http://127.0.0.1:${port} (region us-east-1) could not be reached`);
    expect(e.message).not.toContain(SECRET);
  });

  it('gives up on an endpoint that accepts connections but never answers, within the request timeout', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const conn = resolveAwsConnection(
      { authType: 'keys', endpoint: `http://127.0.0.1:${port}` },
      { accessKey: 'local', secretKey: 'x' }
    );
    const c = createDynamoClient(conn, { maxAttempts: 2, requestTimeoutMs: 1000 });
    const source = new DynamoReadingsSource(c, config(secondsTable, { where: conn.describeDynamo }));
    const started = Date.now();
    const e = await errorOf(source.readRange({ sensors: ['a'], fromMs: 0, toMs: 1 }));
    const elapsed = Date.now() - started;
    c.destroy();
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
    expect(e.code).toBe('unreachable');
    // Two attempts of one second each plus backoff: far below jest's timeout, far above zero.
    expect(elapsed).toBeGreaterThanOrEqual(1000);
  });

  it('honours an abort signal', async () => {
    const source = new DynamoReadingsSource(client, config(secondsTable));
    const controller = new AbortController();
    controller.abort();
    const e = await errorOf(
      source.readRange({ sensors: ['a'], fromMs: 0, toMs: ms(T0 + 100), signal: controller.signal })
    );
    expect(e.code).toBe('aborted');
  });

  it('puts a single late item in place (table written by a live writer)', async () => {
    await client.send(new PutItemCommand({ TableName: msTable, Item: reading('b', { N: String(ms(T0 + 1)) }) }));
    const source = new DynamoReadingsSource(client, config(msTable, { timestampUnit: 'ms', cacheTtlMs: 0 }));
    expect(await source.listSensors()).toEqual(['a', 'b']);
  });
});
