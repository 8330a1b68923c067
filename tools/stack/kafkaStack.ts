/**
 * `npm start --kafka`: a local Kafka broker (tools/stack/kafkaBroker.ts) with
 * the product's topics, kept in .data/kafka across restarts, and the writer
 * that sends the simulator's readings to the readings topic too — so Grafana
 * Live can stream from Kafka and `npm run worker` has something to score.
 */
import { join } from 'node:path';

import { KafkaReadingsWriter } from '../simulator/kafkaWriter';
import { DEFAULT_TOPICS, KafkaBroker } from './kafkaBroker';

export interface StackKafka {
  bootstrap: string;
  writer: KafkaReadingsWriter;
  /** The variables the stack's env file and a worker need. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startStackKafka(options: {
  port: number;
  dataDir: string;
  log: (line: string) => void;
}): Promise<StackKafka> {
  const broker = await KafkaBroker.start({
    port: options.port,
    // Fixed beside the client port: a restart finds its controller where the stored metadata expects it.
    controllerPort: options.port + 1,
    dataDir: join(options.dataDir, 'kafka'),
    topics: DEFAULT_TOPICS,
    log: options.log,
  });
  options.log(
    `Kafka ${broker.bootstrap} ready in ${broker.startupMs} ms (topics ${DEFAULT_TOPICS.map((t) => t.name).join(', ')})`
  );
  const writer = new KafkaReadingsWriter([broker.bootstrap], 'readings', 's');
  return {
    bootstrap: broker.bootstrap,
    writer,
    env: {
      IOTLAB_KAFKA_BROKERS: broker.bootstrap,
      IOTLAB_DOCKER_KAFKA_BROKERS: broker.bootstrap.replace('127.0.0.1', 'host.docker.internal'),
      IOTLAB_KAFKA_READINGS_TOPIC: 'readings',
      IOTLAB_KAFKA_ANOMALIES_TOPIC: 'anomalies',
    },
    async stop() {
      await writer.close().catch(() => undefined);
      await broker.stop();
    },
  };
}
