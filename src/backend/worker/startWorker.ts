/**
 * Wiring of one scoring worker: the metrics server, the S3 history and model
 * store, the consumer-group reader, the anomaly publisher and the loop. Used
 * by `main.ts` (the command and the executable) and by the fault tests and
 * the benchmark, which start workers in-process or as child processes.
 */
import { createS3Client } from '../sources/awsConfig';
import { AnomalyPublisher } from '../sources/kafkaAnomalies';
import { KafkaGroupReader } from '../sources/kafkaReadings';
import { ModelStore } from '../sources/modelStore';
import { S3HistorySource } from '../sources/s3History';
import type { WorkerConfig } from './config';
import { serveMetrics, WorkerMetrics } from './metrics';
import { WorkerModels } from './models';
import { ScoringWorker } from './scoringWorker';
import { kafkaWarmUpReader } from './warmUp';

export type Log = (message: string, fields?: Record<string, unknown>) => void;

/** One JSON object per line on stdout, like the plugin's logs (without hclog's fields). */
export function logger(secrets: readonly string[]): Log {
  return (message, fields = {}) => {
    let line = JSON.stringify({ time: new Date().toISOString(), level: 'info', message, ...fields });
    for (const secret of secrets) {
      line = line.split(secret).join('[redacted]');
    }
    process.stdout.write(`${line}\n`);
  };
}

export interface RunningWorker {
  metricsPort: number;
  /** Resolves when the worker has stopped (after `stop()` or a fatal error). */
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Starts a worker with a validated config: the metrics server, the group membership, the loop. */
export async function startWorker(config: WorkerConfig, log: Log): Promise<RunningWorker> {
  const clientId = `iotlab-worker-${process.pid}`;
  const metrics = new WorkerMetrics();
  const s3 = createS3Client(config.aws);
  const models = new WorkerModels(
    {
      history: new S3HistorySource(s3, config.history),
      store: config.modelStore ? new ModelStore(s3, config.modelStore) : undefined,
      bucket: config.history.bucket,
      keyTemplate: config.history.keyTemplate,
      log,
    },
    config.query
  );
  const openReader = () =>
    new KafkaGroupReader(config.kafka, {
      groupId: config.group,
      clientId,
      topic: config.kafka.readingsTopic,
      fallback: config.start,
    });
  let reader: KafkaGroupReader | undefined;
  const publisher = new AnomalyPublisher(config.kafka, clientId);
  const worker = new ScoringWorker({
    openSource: () => (reader = openReader()),
    publisher,
    models,
    warmUpReader: kafkaWarmUpReader(config.kafka, config.kafka.readingsTopic, () => reader!, `${clientId}-warmup`),
    shape: config.kafka.shape,
    metrics,
    publish: config.publish,
    batch: config.batch,
    log,
  });
  const server = await serveMetrics(metrics, () => worker.healthy, config.metricsHost, config.metricsPort);
  log('worker starting', {
    brokers: config.kafka.brokers,
    group: config.group,
    readings: config.kafka.readingsTopic,
    anomalies: config.kafka.anomaliesTopic,
    publish: config.publish,
    metrics: `http://${config.metricsHost}:${server.port}/metrics`,
  });
  const stopping = new AbortController();
  const done = worker.run(stopping.signal).finally(async () => {
    await publisher.close();
    await server.close();
    s3.destroy();
    log('worker stopped');
  });
  return {
    metricsPort: server.port,
    done,
    async stop() {
      stopping.abort();
      await done.catch(() => undefined);
    },
  };
}
