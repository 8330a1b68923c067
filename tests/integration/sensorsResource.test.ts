/**
 * The data source's `sensors` resource end to end: the real plugin gRPC
 * server, called like Grafana calls CallResource, reading DynamoDB Local.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

import { createDataSource } from '../../src/backend/handlers/dataSource';
import { createLogger } from '../../src/backend/runtime/logger';
import { startPluginServer, type PluginServer } from '../../src/backend/runtime/server';
import { PluginClient, pluginContext } from '../../src/backend/runtime/testing/pluginClient';
import { batchWrite, ensureTable } from '../../tools/simulator/writers';
import { dynamoClient, endpoints, uniqueName } from './emulators';

const SECRET = 'SECRETsensors7DISTINCTIVE';

const item = (uid: string, ts: number): Record<string, AttributeValue> => ({
  uid: { S: uid },
  timestamp: { N: String(ts) },
  payload: { M: { data: { M: { temperature: { N: '21.5' } } } } },
});

describe('GET sensors', () => {
  const table = uniqueName('sensors');
  let server: PluginServer;
  let client: PluginClient;
  let lastUpdated = 1;

  beforeAll(async () => {
    const ddb = dynamoClient();
    await ensureTable(ddb, table);
    await batchWrite(ddb, table, [
      item('sensmitter_2', 1),
      item('sensmitter_1', 1),
      item('sensmitter_1', 2),
      item('lab:3', 5),
    ]);
    ddb.destroy();
    server = await startPluginServer({
      pluginId: 'iotlab-anomaly-datasource',
      createInstance: createDataSource,
      logger: createLogger({ module: 'test', write: () => undefined }),
      onShutdownRequest: () => undefined,
    });
    client = new PluginClient(server.address);
  });

  afterAll(async () => {
    client.close();
    await server.shutdown('tests done');
  });

  /** Each call gets fresh settings (a new lastUpdatedMS), as after "Save" in Grafana. */
  async function getSensors(jsonData: object) {
    const [first, ...rest] = await client.callResource({
      pluginContext: pluginContext({
        uid: 'sensors-it',
        lastUpdatedMS: ++lastUpdated,
        jsonData: Buffer.from(JSON.stringify(jsonData)),
        decryptedSecureJsonData: { accessKey: 'local', secretKey: SECRET },
      }),
      path: 'sensors',
      method: 'GET',
      url: 'sensors',
    });
    const body = Buffer.concat([first!.body, ...rest.map((m) => m.body)]).toString('utf8');
    return { code: first!.code, body: JSON.parse(body) as unknown };
  }

  const settings = (over: object = {}) => ({
    authType: 'keys',
    defaultRegion: 'us-east-1',
    endpoint: endpoints().dynamodb,
    table,
    ...over,
  });

  it('lists every sensor id in the table, once each, sorted', async () => {
    expect(await getSensors(settings())).toEqual({ code: 200, body: ['lab:3', 'sensmitter_1', 'sensmitter_2'] });
  });

  it('answers 404 naming a table that does not exist', async () => {
    const { code, body } = await getSensors(settings({ table: 'no_such_table' }));
    expect(code).toBe(404);
    expect(JSON.stringify(body)).toContain('no_such_table');
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it('answers 400 naming the missing setting', async () => {
    const { code, body } = await getSensors(settings({ table: '' }));
    expect(code).toBe(400);
    expect(body).toEqual({ message: expect.stringMatching(/^table: required/) });
  });
});
