/**
 * Re-reading a partition's recent past to fill the feature windows of the
 * sensors it carries, when a worker takes the partition over. Reads by
 * message time (Kafka's `ListOffsets` by timestamp) up to the committed
 * offset, with a private reader that joins no group and commits nothing.
 */
import { KafkaTopicTail, type KafkaGroupReader, type TopicMessage } from '../sources/kafkaReadings';
import type { KafkaConnection } from '../sources/kafkaConfig';
import type { WarmUpReader } from './scoringWorker';

/** A warm-up that takes longer gives up and scores with what it has (rows stay `warming_up` until windows fill). */
const WARM_UP_TIMEOUT_MS = 30_000;

export function kafkaWarmUpReader(
  conn: KafkaConnection,
  topic: string,
  group: () => KafkaGroupReader,
  clientId: string
): WarmUpReader {
  return async (partition, fromTimeMs, untilOffset, signal) => {
    const start = await group().offsetAt(partition, fromTimeMs);
    if (start < 0n || start >= untilOffset) {
      return [];
    }
    const tail = new KafkaTopicTail(conn, topic, clientId);
    const messages: TopicMessage[] = [];
    const deadline = Date.now() + WARM_UP_TIMEOUT_MS;
    try {
      await tail.open({ kind: 'latest' }, new Map([[partition, start]]));
      while ((tail.positions.get(partition) ?? start) < untilOffset && !signal.aborted && Date.now() < deadline) {
        for (const m of await tail.next(5000, 250, signal)) {
          if (m.partition === partition && m.offset < untilOffset) {
            messages.push(m);
          }
        }
      }
    } finally {
      await tail.close();
    }
    return messages;
  };
}
