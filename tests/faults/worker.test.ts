/**
 * The scoring worker under faults, against a real Kafka broker and the S3
 * server: two workers sharing the partitions, a worker SIGKILLed mid-batch,
 * the broker restarted mid-stream. Every output is checked against the
 * reference — the readings scored in one batch pass with the same stored
 * model, as QueryData scores a range — so "covered" also means "scored the
 * same": same score (bit for bit), same flag, same explanation.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';

import { createS3Client, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import type { AnomalyMessage } from '../../src/backend/sources/kafkaAnomalies';
import type { AnomalyModelJson } from '../../src/backend/scoring/types';
import { KafkaReadingsWriter } from '../../tools/simulator/kafkaWriter';
import type { KafkaBroker } from '../../tools/stack/kafkaBroker';
import { freePort } from '../../tools/stack/freePort';
import { createTopics, startBroker, uniqueTopic } from '../integration/kafkaFixtures';
import {
  childWorker,
  createLab,
  inProcessWorker,
  keyOf,
  readTopic,
  referenceScores,
  scorableReadings,
  s3Endpoint,
  waitFor,
  waitForExit,
  workerEnv,
  type Lab,
  type ReferenceScore,
} from './fixtures';

let broker: KafkaBroker;
let lab: Lab;

beforeAll(async () => {
  [broker, lab] = await Promise.all([startBroker(), createLab(`faults-${Date.now().toString(36)}`, 6, 2)]);
}, 120_000);

afterAll(async () => {
  await broker?.destroy();
});

async function topicsWithReadings(readings = lab.readings) {
  const topics = { readings: uniqueTopic('readings'), anomalies: uniqueTopic('anomalies') };
  await createTopics(broker, [
    { name: topics.readings, partitions: 6 },
    { name: topics.anomalies, partitions: 3 },
  ]);
  const writer = new KafkaReadingsWriter([broker.bootstrap], topics.readings);
  await writer.write(readings);
  await writer.close();
  return topics;
}

/** Every model persisted in the lab's bucket, as JSON per sensor (read from its training identity). */
async function storedModels(): Promise<Map<string, string>> {
  const conn = resolveAwsConnection(
    { authType: 'keys', defaultRegion: 'us-east-1', s3Endpoint: s3Endpoint() },
    { accessKey: 'local', secretKey: 'local' }
  );
  const s3 = createS3Client(conn);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: lab.bucket, Prefix: 'models/' }));
  const out = new Map<string, string>();
  for (const object of listed.Contents ?? []) {
    const body = await s3.send(new GetObjectCommand({ Bucket: lab.bucket, Key: object.Key! }));
    const json = await body.Body!.transformToString();
    const identity = (JSON.parse(json) as AnomalyModelJson).training.identity;
    const sensor = lab.sensors.find((id) => identity.includes(`/${id}.csv@`));
    if (sensor) {
      out.set(sensor, json);
    }
  }
  s3.destroy();
  return out;
}

interface Coverage {
  reference: Map<string, ReferenceScore>;
  missing: string[];
  duplicates: number;
  mismatched: string[];
}

/** Which reference rows the outputs cover (at least once), and whether each output scores like the reference. */
async function coverage(outputs: AnomalyMessage[], onlyFlagged: boolean): Promise<Coverage> {
  const models = await storedModels();
  expect([...models.keys()].sort()).toEqual([...lab.sensors].sort());
  const reference = referenceScores(lab, models);
  const seen = new Map<string, number>();
  const mismatched: string[] = [];
  for (const m of outputs) {
    const key = keyOf(m);
    seen.set(key, (seen.get(key) ?? 0) + 1);
    const ref = reference.get(key);
    if (!ref || ref.score !== m.score || ref.flag !== m.anomaly || ref.explanation !== m.feature.code) {
      mismatched.push(
        `${key}: got ${m.score}/${m.anomaly}/${m.feature.code}, reference ${ref ? `${ref.score}/${ref.flag}/${ref.explanation}` : 'none'}`
      );
    }
  }
  const wanted = [...reference].filter(([, r]) => !onlyFlagged || r.flag === 1).map(([key]) => key);
  const missing = wanted.filter((key) => !seen.has(key));
  const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
  return { reference, missing, duplicates, mismatched };
}

async function metricValue(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

it('two workers in one group split the partitions and together score every reading at least once, as the batch path does', async () => {
  const topics = await topicsWithReadings();
  const env = workerEnv(lab, broker, topics, {
    IOTLAB_KAFKA_GROUP: uniqueTopic('group'),
    IOTLAB_WORKER_PUBLISH: 'all',
    IOTLAB_WORKER_BATCH: '500',
  });
  const a = await inProcessWorker(env);
  const b = await inProcessWorker(env);
  let shares: number[] = [];
  await waitFor(async () => {
    shares = [
      await metricValue(a.metricsPort, 'iotlab_worker_assigned_partitions'),
      await metricValue(b.metricsPort, 'iotlab_worker_assigned_partitions'),
    ];
    return shares[0]! > 0 && shares[1]! > 0 && shares[0]! + shares[1]! === 6;
  }, 30_000);
  const expected = scorableReadings(lab);
  let outputs: AnomalyMessage[] = [];
  await waitFor(
    async () => {
      outputs = await readTopic(broker, topics.anomalies, { idleMs: 500, timeoutMs: 10_000 });
      return new Set(outputs.map(keyOf)).size >= expected;
    },
    90_000,
    2000
  );
  await Promise.all([a.stop(), b.stop()]);
  expect(shares).toEqual([3, 3]);
  const result = await coverage(outputs, false);
  console.log(
    `two workers: ${outputs.length} outputs for ${result.reference.size} scorable readings, ${result.duplicates} duplicates`
  );
  expect(result.reference.size).toBe(expected);
  expect(result.missing).toEqual([]);
  expect(result.mismatched.slice(0, 5)).toEqual([]);
});

it('a worker SIGKILLed mid-batch leaves no gap: the next one resumes from the last commit (duplicates allowed and counted)', async () => {
  const topics = await topicsWithReadings();
  // Small batches and a known metrics port: the test sees the worker's progress and kills it part way.
  const port = await freePort();
  const env = workerEnv(lab, broker, topics, {
    IOTLAB_KAFKA_GROUP: uniqueTopic('group'),
    IOTLAB_WORKER_PUBLISH: 'all',
    IOTLAB_WORKER_BATCH: '20',
  });
  const first = childWorker({ ...env, IOTLAB_WORKER_METRICS_PORT: String(port) });
  const scored = () => metricValue(port, 'iotlab_worker_messages_total{outcome="scored",reason=""}').catch(() => 0);
  const partial = await waitFor(async () => (await scored()) >= 200, 60_000, 20);
  first.child.kill('SIGKILL');
  await waitForExit(first.child);
  expect(partial).toBe(true);
  const outputsAtKill = (await readTopic(broker, topics.anomalies, { idleMs: 1000 })).length;
  expect(outputsAtKill).toBeLessThan(scorableReadings(lab));

  const second = childWorker(env);
  const expected = scorableReadings(lab);
  let outputs: AnomalyMessage[] = [];
  await waitFor(
    async () => {
      outputs = await readTopic(broker, topics.anomalies, { idleMs: 500, timeoutMs: 10_000 });
      return new Set(outputs.map(keyOf)).size >= expected;
    },
    120_000,
    2000
  );
  second.child.kill('SIGTERM');
  expect(await waitForExit(second.child)).toBe(0);
  const result = await coverage(outputs, false);
  console.log(
    `killed worker: ${outputsAtKill} outputs before the kill, ${outputs.length} in all for ${result.reference.size} scorable readings, ${result.duplicates} duplicates`
  );
  expect(result.missing).toEqual([]);
  expect(result.mismatched.slice(0, 5)).toEqual([]);
});

it('a broker restart mid-stream loses no anomaly', async () => {
  const half = Math.floor(lab.readings.length / 2);
  const topics = await topicsWithReadings(lab.readings.slice(0, half));
  const env = workerEnv(lab, broker, topics, { IOTLAB_KAFKA_GROUP: uniqueTopic('group'), IOTLAB_WORKER_BATCH: '200' });
  const worker = await inProcessWorker(env);
  await waitFor(
    async () => (await readTopic(broker, topics.anomalies, { idleMs: 300, timeoutMs: 3000 })).length > 0,
    60_000,
    500
  );
  await broker.restart();
  const writer = new KafkaReadingsWriter([broker.bootstrap], topics.readings);
  await writer.write(lab.readings.slice(half));
  await writer.close();
  // Done when every reading is scored (the scored counter) and the anomalies of all of them are out.
  const expected = scorableReadings(lab);
  await waitFor(
    async () =>
      (await metricValue(worker.metricsPort, 'iotlab_worker_messages_total{outcome="scored",reason=""}')) >= expected,
    90_000,
    1000
  );
  const outputs = await readTopic(broker, topics.anomalies, { idleMs: 2000, timeoutMs: 30_000 });
  await worker.stop();
  const result = await coverage(outputs, true);
  const flagged = [...result.reference.values()].filter((r) => r.flag === 1).length;
  console.log(
    `broker restart: ${outputs.length} anomalies published for ${flagged} in the reference, ${result.duplicates} duplicates`
  );
  expect(flagged).toBeGreaterThan(0);
  expect(outputs.every((m) => m.anomaly === 1)).toBe(true);
  expect(result.missing).toEqual([]);
  expect(result.mismatched.slice(0, 5)).toEqual([]);
});
