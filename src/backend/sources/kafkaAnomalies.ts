/**
 * Anomalies (or every scored reading) to a Kafka topic through ONE
 * long-lived idempotent producer: the broker de-duplicates a batch the
 * producer retries after a lost acknowledgement, acks come from every
 * in-sync replica, and `publish` resolves only once the batch is acknowledged
 * — which is what lets the worker commit its input offsets afterwards.
 *
 * The message key is the sensor id, so one sensor's anomalies stay in order
 * in one partition; partitions follow the Java client's hash (murmur2 of the
 * key, as every Kafka client computes it by default).
 */
import type { Producer } from '@platformatic/kafka';

import type { Metric } from '../../common/query';
import { redactSecrets, SourceError } from './errors';
import { kafkaLibrary } from './clientLibraries';
import { clientBase, type KafkaConnection } from './kafkaConfig';

/** The JSON value of one message on the anomalies topic (version 1). */
export interface AnomalyMessage {
  version: 1;
  sensor: string;
  /** ISO-8601 time of the reading, and the same as epoch ms. */
  time: string;
  timeMs: number;
  /** The readings the model saw (null where the reading was missing). */
  readings: Partial<Record<Metric, number | null>>;
  /** Higher = more anomalous; flagged above `threshold`. */
  score: number;
  threshold: number;
  /** 1 = anomaly (always 1 on the anomalies topic; 0 too when every scored reading is published). */
  anomaly: 0 | 1;
  /** The model's cache key: which training data, features, parameters and seed. */
  model: string;
  /** The feature that explains the flag: its code (as in the frames) and label. */
  feature: { code: number; label: string };
  /** Who scored it: a Live stream of the plugin, or the scoring worker. */
  source: 'live' | 'worker';
}

/** Messages per produce request: ~300 bytes each, well under the broker's 1 MB default. */
const SEND_SLICE = 1000;

/** An error and its causes in one line: the client wraps the broker's answer in layers of "failed". */
function describeCauses(error: unknown): string {
  const parts: string[] = [];
  for (
    let e: unknown = error;
    e && parts.length < 5;
    e = (e as { cause?: unknown; errors?: unknown[] }).cause ?? (e as { errors?: unknown[] }).errors?.[0]
  ) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(': ');
}

export class AnomalyPublisher {
  private readonly producer: Producer<string, string, string, string>;
  private closed = false;

  constructor(
    private readonly conn: KafkaConnection,
    clientId: string,
    readonly topic = conn.anomaliesTopic
  ) {
    const { compatibilityPartitioner, ProduceAcks, Producer, stringSerializers } = kafkaLibrary();
    this.producer = new Producer({
      ...clientBase(conn, clientId),
      serializers: stringSerializers,
      idempotent: true,
      acks: ProduceAcks.ALL,
      partitioner: compatibilityPartitioner,
    });
  }

  /** Resolves when the broker has acknowledged every message (after retries); rejects with a SourceError otherwise. */
  async publish(messages: readonly AnomalyMessage[]): Promise<void> {
    if (messages.length === 0) {
      return;
    }
    if (this.closed) {
      throw new SourceError('config', `anomaly publisher for topic "${this.topic}" is closed`);
    }
    try {
      // Sent in slices: one produce request must stay under the broker's message size limit (1 MB by default).
      for (let start = 0; start < messages.length; start += SEND_SLICE) {
        await this.producer.send({
          // The message time is when the anomaly was found (the reading's own time is in the value):
          // a replayed old reading must not make a message the broker's retention drops at once.
          messages: messages
            .slice(start, start + SEND_SLICE)
            .map((m) => ({ topic: this.topic, key: m.sensor, value: JSON.stringify(m) })),
        });
      }
    } catch (error) {
      const detail = redactSecrets(describeCauses(error), this.conn.secrets);
      throw new SourceError(
        'unreachable',
        `${this.conn.where}: publishing ${messages.length} anomalies to "${this.topic}" failed (${detail})`
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    await this.producer.close().catch(() => undefined);
  }
}
