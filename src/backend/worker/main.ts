/**
 * `npm run worker` and the `iotlab-anomaly-worker_<os>_<arch>` executable:
 * a Kafka consumer-group member that scores the readings topic with the
 * dashboards' models and publishes the anomalies. Start more of them with
 * the same group to scale out; SIGTERM (or SIGINT) finishes the batch under
 * way, commits it, leaves the group and exits 0. Options: `--help`, or
 * README.md beside this file.
 */
import { helpText, workerConfig, WorkerConfigError, type WorkerConfig } from './config';
import { logger, startWorker } from './startWorker';

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${helpText()}\n`);
    return;
  }
  let config: WorkerConfig;
  try {
    config = workerConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (error instanceof WorkerConfigError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`iotlab-anomaly-worker: ${(error as Error).message}\nRun with --help for the options.\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = logger([...config.kafka.secrets, ...config.aws.secrets]);
  const running = await startWorker(config, log);
  const shutdown = (signal: string) => {
    log('stopping: finishing the batch under way', { signal });
    void running.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await running.done;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `iotlab-anomaly-worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
  );
  process.exit(1);
});
