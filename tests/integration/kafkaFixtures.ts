/**
 * Kafka for the integration and fault tests: one real broker per test file
 * (tools/stack/kafkaBroker.ts, ~4 s to start here), topics with unique names
 * per test, and a raw producer for writing reading messages.
 */
import { randomUUID } from 'node:crypto';

import { Admin, compatibilityPartitioner, Producer, stringSerializers } from '@platformatic/kafka';

import { kafkaConnectionFromSettings, type KafkaConnection } from '../../src/backend/sources/kafkaConfig';
import type { AnomalyDataSourceOptions } from '../../src/common/settings';
import { KafkaBroker } from '../../tools/stack/kafkaBroker';

export async function startBroker(): Promise<KafkaBroker> {
  return KafkaBroker.start({ topics: [], maxHeap: '512m' });
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTopics(
  broker: KafkaBroker,
  topics: Array<{ name: string; partitions: number }>
): Promise<void> {
  const admin = new Admin({ clientId: 'it-admin', bootstrapBrokers: [broker.bootstrap] });
  try {
    for (const t of topics) {
      await admin.createTopics({ topics: [t.name], partitions: t.partitions, replicas: 1 });
    }
  } finally {
    await admin.close();
  }
}

export function connectionTo(broker: KafkaBroker, settings: AnomalyDataSourceOptions = {}): KafkaConnection {
  return kafkaConnectionFromSettings({ kafkaBrokers: broker.bootstrap, ...settings }, {});
}

/** A reading in the seed's item shape, as plain JSON (seconds since the epoch, like the seed). */
export function readingJson(sensor: string, timeMs: number, temperature: number): string {
  return JSON.stringify({
    uid: sensor,
    timestamp: timeMs / 1000,
    payload: { data: { temperature, humidity: 40, pressure: 1013, light_level: 100 } },
  });
}

export interface RawMessage {
  key?: string;
  value: string;
  /** Message timestamp (CreateTime), epoch ms. */
  timestampMs?: number;
}

/** A producer for test input, keyed by sensor with the Java client's partitioner. */
export class TestProducer {
  private readonly producer: Producer<string, string, string, string>;

  constructor(broker: KafkaBroker) {
    this.producer = new Producer({
      clientId: 'it-producer',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
      idempotent: true,
      partitioner: compatibilityPartitioner,
      retries: 20,
      retryDelay: 500,
    });
  }

  async send(topic: string, messages: RawMessage[]): Promise<void> {
    await this.producer.send({
      messages: messages.map((m) => ({
        topic,
        value: m.value,
        ...(m.key !== undefined ? { key: m.key } : {}),
        ...(m.timestampMs !== undefined ? { timestamp: BigInt(m.timestampMs) } : {}),
      })),
    });
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
