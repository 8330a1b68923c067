/**
 * The scoring worker and QueryData give identical scores on the same
 * readings: the seeded test data (tools/stack/testServices.ts) is read from
 * DynamoDB Local, written as reading messages to a real Kafka topic, scored
 * by QueryData (the dashboards' path: cache, S3 history, model store, scoring
 * pool) and by the worker (consumer group, incremental features, model from
 * the same store) — and every reading of the range must get the same score,
 * flag and explanation from both, to the last bit.
 */
import { testRequestContext } from '../../src/backend/handlers/testing/requestContext';
import { Consumer, stringDeserializers } from '@platformatic/kafka';

import { createDataSource } from '../../src/backend/handlers/dataSource';
import type { DataSourceSettings, Frame } from '../../src/backend/runtime';
import { createDynamoClient, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import { DynamoReadingsSource, dynamoConfigFromSettings } from '../../src/backend/sources/dynamoReadings';
import type { AnomalyMessage } from '../../src/backend/sources/kafkaAnomalies';
import { METRICS } from '../../src/common/query';
import { workerConfig } from '../../src/backend/worker/config';
import { startWorker } from '../../src/backend/worker/startWorker';
import { TEST_DATA, TEST_ENV } from '../../tools/stack/testServices';
import type { KafkaBroker } from '../../tools/stack/kafkaBroker';
import { createTopics, startBroker, TestProducer, uniqueTopic } from './kafkaFixtures';
import { testServicesEnv, testServicesSettings } from './emulators';

const HOUR = 3_600_000;
const QUERY = { contamination: 0.02 };

let broker: KafkaBroker;

beforeAll(async () => {
  broker = await startBroker();
}, 120_000);

afterAll(async () => {
  await broker?.destroy();
});

function settings(): DataSourceSettings {
  return testServicesSettings({ uid: 'it-parity', name: 'parity', lastUpdatedMS: 1 });
}

/** (sensor@time) → score/flag/explanation of every scored reading in QueryData's frames. */
function queryScores(frames: Frame[]): Map<string, [number, number, number]> {
  const out = new Map<string, [number, number, number]>();
  for (const frame of frames) {
    const field = (name: string) =>
      frame.fields.find((f) => f.name === name)! as { values: Float64Array; nulls?: Uint8Array };
    const [time, score, flag, why] = [field('time'), field('anomaly_score'), field('anomaly'), field('explanation')];
    for (let i = 0; i < time.values.length; i++) {
      if (!score.nulls?.[i]) {
        out.set(`${frame.name}@${time.values[i]}`, [score.values[i]!, flag.values[i]!, why.values[i]!]);
      }
    }
  }
  return out;
}

/** The output topic's messages, until every wanted (sensor@time) came or two minutes passed. */
async function readUntil(topic: string, wanted: ReadonlySet<string>): Promise<AnomalyMessage[]> {
  const consumer = new Consumer({
    groupId: `it-${topic}`,
    clientId: 'it',
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
  const out: AnomalyMessage[] = [];
  const missing = new Set(wanted);
  stream.on('data', (m) => {
    const message = JSON.parse(m.value) as AnomalyMessage;
    out.push(message);
    missing.delete(`${message.sensor}@${message.timeMs}`);
  });
  const deadline = Date.now() + 120_000;
  while (missing.size > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
  }
  await stream.close();
  await consumer.close(true);
  return out;
}

it('scores every reading of a range exactly as QueryData does', async () => {
  const now = Number(testServicesEnv(TEST_ENV.nowMs));
  const liveStart = Number(testServicesEnv(TEST_ENV.liveStartMs));
  // The seeded readings, as the dashboards read them, become the topic's messages (in time order).
  const conn = resolveAwsConnection(settings().jsonData as object, settings().secureJsonData);
  const dynamo = createDynamoClient(conn);
  const { series } = await new DynamoReadingsSource(
    dynamo,
    dynamoConfigFromSettings(settings().jsonData as object, conn)
  ).readRange({
    sensors: [],
    fromMs: liveStart,
    toMs: now,
  });
  dynamo.destroy();
  const messages = series
    .flatMap((s) =>
      Array.from(s.time, (timeMs, i) => ({
        timeMs,
        key: s.sensorId,
        value: JSON.stringify({
          uid: s.sensorId,
          timestamp: timeMs,
          payload: { data: Object.fromEntries(METRICS.map((m) => [m, s.readings[m][i]])) },
        }),
      }))
    )
    .sort((a, b) => a.timeMs - b.timeMs);
  const topics = { readings: uniqueTopic('parity-readings'), anomalies: uniqueTopic('parity-out') };
  await createTopics(broker, [
    { name: topics.readings, partitions: 3 },
    { name: topics.anomalies, partitions: 1 },
  ]);
  const producer = new TestProducer(broker);
  // Message time = now: the seeded readings are months old, past the broker's 7-day retention.
  await producer.send(
    topics.readings,
    messages.map((m) => ({ key: m.key, value: m.value }))
  );
  await producer.close();

  // QueryData over the last 3 hours (it reads the feature warm-up before them itself).
  const source = createDataSource(settings());
  const range = { from: now - 3 * HOUR, to: now };
  const frames = await source.query(
    {
      refId: 'A',
      queryType: 'anomalies',
      maxDataPoints: 10_000,
      intervalMs: 60_000,
      timeRange: range,
      model: { ...QUERY, queryType: 'anomalies' },
    },
    testRequestContext()
  );
  await source.dispose?.();
  const fromQuery = queryScores(frames);
  console.log(`parity: QueryData scored ${fromQuery.size} readings; ${messages.length} messages on the topic`);
  expect(fromQuery.size).toBeGreaterThan(SENSOR_ROWS_MIN);

  // The worker on the whole topic, every scored reading published.
  const log: string[] = [];
  const worker = await startWorker(
    workerConfig([], {
      IOTLAB_KAFKA_BROKERS: broker.bootstrap,
      IOTLAB_KAFKA_READINGS_TOPIC: topics.readings,
      IOTLAB_KAFKA_ANOMALIES_TOPIC: topics.anomalies,
      IOTLAB_KAFKA_GROUP: uniqueTopic('parity'),
      IOTLAB_S3_ENDPOINT: testServicesEnv(TEST_ENV.s3),
      IOTLAB_BUCKET: TEST_DATA.bucket,
      IOTLAB_AUTH_TYPE: 'keys',
      IOTLAB_ACCESS_KEY: TEST_DATA.accessKey,
      IOTLAB_SECRET_KEY: TEST_DATA.secretKey,
      IOTLAB_WORKER_QUERY: JSON.stringify(QUERY),
      IOTLAB_WORKER_PUBLISH: 'all',
      IOTLAB_WORKER_METRICS_PORT: '0',
    }),
    (message, fields) => log.push(`${message} ${JSON.stringify(fields ?? {})}`)
  );
  const outputs = await readUntil(topics.anomalies, new Set(fromQuery.keys()));
  await worker.stop();

  const fromWorker = new Map(
    outputs.map((m) => [`${m.sensor}@${m.timeMs}`, [m.score, m.anomaly, m.feature.code] as [number, number, number]])
  );
  const differing: string[] = [];
  for (const [key, expected] of fromQuery) {
    const got = fromWorker.get(key);
    if (!got || got.some((v, i) => v !== expected[i])) {
      differing.push(`${key}: QueryData ${expected.join('/')}, worker ${got?.join('/') ?? 'nothing'}`);
    }
  }
  const flagged = [...fromQuery.values()].filter(([, flag]) => flag === 1).length;
  console.log(
    `parity: ${fromQuery.size} readings of the range scored by both (${flagged} flagged), ${differing.length} differ`
  );
  if (differing.length > 0) {
    console.log(`worker log:\n${log.join('\n')}`);
  }
  expect(differing.slice(0, 5)).toEqual([]);
});

/** 3 hours of 3 sensors every 10 s is 3,240 readings; nearly all must be scored. */
const SENSOR_ROWS_MIN = 3000;
