/**
 * The Kafka readers and the anomaly publisher against a real broker (Apache
 * Kafka 4.1 in KRaft mode, started for this file).
 */
import { Consumer, stringDeserializers } from '@platformatic/kafka';

import { AnomalyPublisher, type AnomalyMessage } from '../../src/backend/sources/kafkaAnomalies';
import {
  decodeReadingMessage,
  KafkaGroupReader,
  KafkaTopicTail,
  type TopicMessage,
} from '../../src/backend/sources/kafkaReadings';
import type { KafkaBroker } from '../../tools/stack/kafkaBroker';
import { connectionTo, createTopics, readingJson, startBroker, TestProducer, uniqueTopic } from './kafkaFixtures';

let broker: KafkaBroker;
let producer: TestProducer;

beforeAll(async () => {
  broker = await startBroker();
  producer = new TestProducer(broker);
}, 120_000);

afterAll(async () => {
  await producer?.close();
  await broker?.destroy();
});

/** Reads batches until `count` messages came or `timeoutMs` passed. */
async function readAtLeast(
  reader: { next(max: number, waitMs: number): Promise<TopicMessage[]> },
  count: number,
  timeoutMs = 20_000
): Promise<TopicMessage[]> {
  const got: TopicMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < deadline) {
    got.push(...(await reader.next(1000, 200)));
  }
  return got;
}

const valuesOf = (messages: TopicMessage[]) => messages.map((m) => m.value?.toString()).sort();

describe('A Kafka topic tail (what a Live stream reads)', () => {
  it('starting at the end sees only messages written after it opened', async () => {
    const topic = uniqueTopic('tail-latest');
    await createTopics(broker, [{ name: topic, partitions: 3 }]);
    await producer.send(topic, [{ key: 's1', value: 'old' }]);
    const tail = new KafkaTopicTail(connectionTo(broker), topic, 'it-tail');
    await tail.open({ kind: 'latest' });
    await producer.send(topic, [
      { key: 's1', value: 'new-1' },
      { key: 's2', value: 'new-2' },
    ]);
    const got = await readAtLeast(tail, 2);
    await tail.close();
    expect(valuesOf(got)).toEqual(['new-1', 'new-2']);
  });

  it('replays the last minutes by message time, and resumes from saved positions without gap or duplicate', async () => {
    const topic = uniqueTopic('tail-replay');
    await createTopics(broker, [{ name: topic, partitions: 2 }]);
    const now = Date.now();
    await producer.send(topic, [
      { key: 's1', value: 'two-hours-ago', timestampMs: now - 2 * 3_600_000 },
      { key: 's1', value: 'ten-minutes-ago', timestampMs: now - 10 * 60_000 },
      { key: 's2', value: 'five-minutes-ago', timestampMs: now - 5 * 60_000 },
    ]);
    const first = new KafkaTopicTail(connectionTo(broker), topic, 'it-tail');
    await first.open({ kind: 'since', timeMs: now - 30 * 60_000 });
    expect(valuesOf(await readAtLeast(first, 2))).toEqual(['five-minutes-ago', 'ten-minutes-ago']);
    const saved = new Map(first.positions);
    await first.close();

    // Written while no stream ran: the resumed tail must see exactly these.
    await producer.send(topic, [
      { key: 's1', value: 'while-down-1' },
      { key: 's2', value: 'while-down-2' },
    ]);
    const resumed = new KafkaTopicTail(connectionTo(broker), topic, 'it-tail');
    await resumed.open({ kind: 'latest' }, saved);
    const got = await readAtLeast(resumed, 2);
    // Nothing more arrives: no duplicate of what the first tail read.
    got.push(...(await resumed.next(1000, 500)));
    await resumed.close();
    expect(valuesOf(got)).toEqual(['while-down-1', 'while-down-2']);
  });

  it('names the topic when it does not exist', async () => {
    const tail = new KafkaTopicTail(connectionTo(broker), 'no-such-topic', 'it-tail');
    await expect(tail.open({ kind: 'latest' })).rejects.toThrow(/no-such-topic/);
    await tail.close();
  });

  it('hands out reading messages the shared decoder reads, skipping malformed ones with a reason', async () => {
    const topic = uniqueTopic('tail-decode');
    await createTopics(broker, [{ name: topic, partitions: 1 }]);
    const conn = connectionTo(broker);
    const tail = new KafkaTopicTail(conn, topic, 'it-tail');
    await tail.open({ kind: 'latest' });
    await producer.send(topic, [
      { key: 'sensmitter_1', value: readingJson('sensmitter_1', 1_700_000_000_000, 21.5) },
      { key: 'sensmitter_1', value: '{not json' },
    ]);
    const got = await readAtLeast(tail, 2);
    await tail.close();
    const outcomes = got.map((m) => decodeReadingMessage(m.value, conn.shape));
    expect(outcomes[0]).toEqual({
      ok: true,
      item: { sensorId: 'sensmitter_1', timeMs: 1_700_000_000_000, values: [21.5, 40, 1013, 100], missingMask: 0 },
    });
    expect(outcomes[1]).toEqual({ ok: false, reason: 'bad_payload' });
  });
});

describe('A consumer group reader (what the scoring worker reads)', () => {
  it('shares the partitions between two members, and a member that joins later resumes from the committed offsets', async () => {
    const topic = uniqueTopic('group');
    await createTopics(broker, [{ name: topic, partitions: 4 }]);
    const messages = Array.from({ length: 40 }, (_, i) => ({ key: `sensor_${i % 8}`, value: `m${i}` }));
    await producer.send(topic, messages);
    const conn = connectionTo(broker);
    const options = { groupId: `it-${topic}`, topic, fallback: 'earliest' as const };
    const a = new KafkaGroupReader(conn, { ...options, clientId: 'it-a' });
    await a.open();
    const b = new KafkaGroupReader(conn, { ...options, clientId: 'it-b' });
    await b.open();
    // After b joined, a rejoins: let both settle on their share, then read everything.
    const seen: TopicMessage[] = [];
    const deadline = Date.now() + 20_000;
    while (new Set(valuesOf(seen)).size < 40 && Date.now() < deadline) {
      seen.push(...(await a.next(100, 100)), ...(await b.next(100, 100)));
    }
    const shares = [a.assignedPartitions(), b.assignedPartitions()];
    expect(shares.flat().sort()).toEqual([0, 1, 2, 3]);
    expect(shares.every((s) => s.length === 2)).toBe(true);
    expect(new Set(valuesOf(seen)).size).toBe(40);

    // Commit everything a has processed, close both, then a newcomer must find nothing old.
    const last = new Map<number, TopicMessage>();
    for (const m of seen) {
      const prev = last.get(m.partition);
      if (!prev || m.offset > prev.offset) {
        last.set(m.partition, m);
      }
    }
    const positions = [...last.values()].map((m) => ({
      partition: m.partition,
      offset: m.offset + 1n,
      leaderEpoch: m.leaderEpoch,
    }));
    const mine = (reader: KafkaGroupReader) =>
      positions.filter((p) => reader.assignedPartitions().includes(p.partition));
    await a.commit(mine(a));
    await b.commit(mine(b));
    await Promise.all([a.close(), b.close()]);

    await producer.send(topic, [{ key: 'sensor_0', value: 'after-commit' }]);
    const c = new KafkaGroupReader(conn, { ...options, clientId: 'it-c' });
    await c.open();
    const after = await readAtLeast(c, 1);
    after.push(...(await c.next(100, 500)));
    expect(c.assignedPartitions()).toEqual([0, 1, 2, 3]);
    expect((await c.endOffsets()).reduce((sum, o) => sum + o, 0n)).toBe(41n);
    await c.close();
    expect(valuesOf(after)).toEqual(['after-commit']);
  });
});

describe('The anomaly publisher', () => {
  it('resolves once the broker has the anomalies, keyed by sensor, as version-1 JSON', async () => {
    const topic = uniqueTopic('anomalies');
    await createTopics(broker, [{ name: topic, partitions: 3 }]);
    const publisher = new AnomalyPublisher(connectionTo(broker, { kafkaAnomaliesTopic: topic }), 'it-publisher');
    const anomaly = (sensor: string, timeMs: number): AnomalyMessage => ({
      version: 1,
      sensor,
      time: new Date(timeMs).toISOString(),
      timeMs,
      readings: { temperature: 31.5 },
      score: 0.72,
      threshold: 0.61,
      anomaly: 1,
      model: 'model-key',
      feature: { code: 1, label: 'Reading (temperature)' },
      source: 'live',
    });
    await publisher.publish([anomaly('s1', 1_000), anomaly('s2', 2_000), anomaly('s1', 3_000)]);
    await publisher.close();
    await expect(publisher.publish([anomaly('s1', 4_000)])).rejects.toThrow(/closed/);

    const consumer = new Consumer({
      groupId: `it-read-${topic}`,
      clientId: 'it-read',
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
    });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
    const received: Array<{ key: string; value: AnomalyMessage; partition: number }> = [];
    for await (const m of stream) {
      received.push({ key: m.key, value: JSON.parse(m.value) as AnomalyMessage, partition: m.partition });
      if (received.length === 3) {
        break;
      }
    }
    await stream.close();
    await consumer.close(true);
    expect(received.map((r) => r.key).sort()).toEqual(['s1', 's1', 's2']);
    const s1 = received.filter((r) => r.key === 's1');
    // One sensor, one partition: its anomalies stay in order.
    expect(new Set(s1.map((r) => r.partition)).size).toBe(1);
    expect(s1.map((r) => r.value.timeMs)).toEqual([1_000, 3_000]);
    expect(received.find((r) => r.key === 's2')?.value).toEqual(anomaly('s2', 2_000));
  });
});
