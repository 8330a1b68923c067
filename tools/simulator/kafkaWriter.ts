/**
 * The simulator's Kafka writer: readings as JSON messages in the seed's item
 * shape (what the data source's Kafka settings read by default), keyed by
 * sensor id (so a sensor's readings stay in order in one partition), with
 * the reading's time as the message timestamp (so "replay the last N
 * minutes" and the worker's warm-up find them by time).
 */
import { Admin, compatibilityPartitioner, Producer, stringSerializers } from '@platformatic/kafka';

import { METRICS } from '../../src/common/query';
import { epochIn, type EpochUnit } from './formats';
import type { SimReading } from './signals';

/** `{"uid": …, "timestamp": <epoch in unit>, "payload": {"data": {"temperature": …, …}}}` */
export function readingMessage(reading: SimReading, unit: EpochUnit): string {
  const data: Record<string, number> = {};
  for (const m of METRICS) {
    data[m] = reading.values[m];
  }
  return JSON.stringify({ uid: reading.sensorId, timestamp: epochIn(unit, reading.timeMs), payload: { data } });
}

/** Creates the topic unless it exists (brokers often refuse to create topics on first use). Returns true if created. */
export async function ensureTopic(brokers: string[], topic: string, partitions = 6): Promise<boolean> {
  const admin = new Admin({ clientId: 'iotlab-simulator', bootstrapBrokers: brokers });
  try {
    if ((await admin.listTopics()).includes(topic)) {
      return false;
    }
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
    return true;
  } finally {
    await admin.close();
  }
}

export class KafkaReadingsWriter {
  private readonly producer: Producer<string, string, string, string>;

  constructor(
    readonly brokers: string[],
    readonly topic: string,
    private readonly unit: EpochUnit = 's'
  ) {
    this.producer = new Producer({
      clientId: 'iotlab-simulator',
      bootstrapBrokers: brokers,
      serializers: stringSerializers,
      idempotent: true,
      partitioner: compatibilityPartitioner,
      retries: 20,
      retryDelay: 500,
    });
  }

  /** Sends readings in batches of `batchSize`; resolves when all are acknowledged. */
  async write(readings: Iterable<SimReading>, batchSize = 2000): Promise<number> {
    let batch: SimReading[] = [];
    let written = 0;
    const flush = async () => {
      if (batch.length === 0) {
        return;
      }
      await this.producer.send({
        messages: batch.map((r) => ({
          topic: this.topic,
          key: r.sensorId,
          value: readingMessage(r, this.unit),
          timestamp: BigInt(Math.round(r.timeMs)),
        })),
      });
      written += batch.length;
      batch = [];
    };
    for (const reading of readings) {
      batch.push(reading);
      if (batch.length >= batchSize) {
        await flush();
      }
    }
    await flush();
    return written;
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
