/**
 * The test suite's shared services: DynamoDB Local and moto's S3 server on
 * free loopback ports, seeded with the simulator's deterministic, labelled
 * data, started ONCE for the integration tests, the Go conformance suite and
 * the browser tests (`tools/test.sh`), and stopped after them.
 *
 *   npx tsx tools/stack/testServices.ts [--write-env <path>] [--kafka]
 *
 * Prints `export NAME=value` lines (and writes them to --write-env, for
 * `source`), then stays up until SIGTERM/SIGINT, which stops every process it
 * started. `--kafka` also starts a Kafka broker (tools/stack/kafkaBroker.ts)
 * and exports IOTLAB_TEST_KAFKA_BROKERS.
 *
 * The data (TEST_DATA): 3 sensors, seed 42, "now" pinned to TEST_DATA.nowMs;
 * 23,000 history rows per sensor (one a minute) in S3 as the seed's `payload`
 * CSV, then the last 6 hours at one reading every 10 s in DynamoDB (table key
 * `uid` + numeric `timestamp`), labels in S3 (`labels/labels.json`) and in a
 * local file. Same seed, same bytes, every run.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { createDynamoClient, createS3Client, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import { Simulation } from '../simulator/simulation';
import { ensureBucket, ensureTable } from '../simulator/writers';
import type { ManagedProcess } from './childProcess';
import { startDynamoDbLocal } from './dynamodbLocal';
import { freePorts } from './freePort';
import { defaultVenvDir, startS3Server } from './s3Server';

const REPO = resolve(__dirname, '..', '..');

/** The seeded data set: every consumer reads these through the exported environment. */
export const TEST_DATA = {
  region: 'us-east-1',
  table: 'iotlab_test_readings',
  bucket: 'iotlab-test-history',
  historyKeyTemplate: '{sensor}.csv',
  accessKey: 'local',
  secretKey: 'local',
  seed: 42,
  sensors: 3,
  /** 2026-06-01T12:00:00Z: the run's "now". */
  nowMs: Date.UTC(2026, 5, 1, 12),
  backfillHours: 6,
  liveIntervalMs: 10_000,
  historyRows: 23_000,
  historyIntervalMs: 60_000,
  anomaliesPerDay: 1.5,
} as const;

/** Environment variable names (the Go suite reads the same names). */
export const TEST_ENV = {
  dynamodb: 'IOTLAB_TEST_DYNAMODB_ENDPOINT',
  s3: 'IOTLAB_TEST_S3_ENDPOINT',
  region: 'IOTLAB_TEST_REGION',
  table: 'IOTLAB_TEST_TABLE',
  bucket: 'IOTLAB_TEST_BUCKET',
  historyKeyTemplate: 'IOTLAB_TEST_HISTORY_KEY_TEMPLATE',
  accessKey: 'IOTLAB_TEST_ACCESS_KEY',
  secretKey: 'IOTLAB_TEST_SECRET_KEY',
  sensors: 'IOTLAB_TEST_SENSORS',
  nowMs: 'IOTLAB_TEST_NOW_MS',
  liveStartMs: 'IOTLAB_TEST_LIVE_START_MS',
  liveIntervalMs: 'IOTLAB_TEST_LIVE_INTERVAL_MS',
  labelsFile: 'IOTLAB_TEST_LABELS_FILE',
  kafka: 'IOTLAB_TEST_KAFKA_BROKERS',
  /** What the existing integration tests read (tests/integration/emulators.ts). */
  itDynamodb: 'IOTLAB_IT_DYNAMODB_ENDPOINT',
  itS3: 'IOTLAB_IT_S3_ENDPOINT',
} as const;

export interface TestServices {
  env: Record<string, string>;
  stop(): Promise<void>;
}

interface Stoppable {
  stop(): Promise<void>;
}

/** Starts the emulators (and optionally Kafka), seeds the data, and returns the environment that finds them. */
export async function startTestServices(
  options: { kafka?: boolean; log?: (line: string) => void } = {}
): Promise<TestServices> {
  const log = options.log ?? (() => undefined);
  const started: Stoppable[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'iotlab-test-services-'));
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
    rmSync(workDir, { recursive: true, force: true });
  };
  try {
    const [dynamoPort, s3Port] = await freePorts(2);
    const [ddb, s3] = await Promise.all([
      startDynamoDbLocal({ port: dynamoPort, maxHeap: '2g' }).then((p) => (started.push(p), p)),
      startS3Server({ port: s3Port, venvDir: defaultVenvDir(REPO), log }).then((p) => (started.push(p), p)),
    ]);
    log(`DynamoDB Local ${ddb.endpoint} (${ddb.startupMs} ms), S3 (moto) ${s3.endpoint} (${s3.startupMs} ms)`);
    const seeded = await seed(ddb, s3, workDir, log);
    const env: Record<string, string> = {
      [TEST_ENV.dynamodb]: ddb.endpoint,
      [TEST_ENV.s3]: s3.endpoint,
      [TEST_ENV.itDynamodb]: ddb.endpoint,
      [TEST_ENV.itS3]: s3.endpoint,
      [TEST_ENV.region]: TEST_DATA.region,
      [TEST_ENV.table]: TEST_DATA.table,
      [TEST_ENV.bucket]: TEST_DATA.bucket,
      [TEST_ENV.historyKeyTemplate]: TEST_DATA.historyKeyTemplate,
      [TEST_ENV.accessKey]: TEST_DATA.accessKey,
      [TEST_ENV.secretKey]: TEST_DATA.secretKey,
      [TEST_ENV.sensors]: seeded.sensors.join(','),
      [TEST_ENV.nowMs]: String(TEST_DATA.nowMs),
      [TEST_ENV.liveStartMs]: String(seeded.liveStartMs),
      [TEST_ENV.liveIntervalMs]: String(TEST_DATA.liveIntervalMs),
      [TEST_ENV.labelsFile]: seeded.labelsFile,
    };
    if (options.kafka) {
      // Loaded only when asked for: the broker needs Maven's jars on first use.
      const { KafkaBroker } = await import('./kafkaBroker');
      const broker = await KafkaBroker.start({ log });
      started.push(broker);
      env[TEST_ENV.kafka] = broker.bootstrap;
      log(`Kafka ${broker.bootstrap}`);
    }
    return { env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function seed(
  ddb: ManagedProcess & { endpoint: string },
  s3: ManagedProcess & { endpoint: string },
  workDir: string,
  log: (line: string) => void
): Promise<{ sensors: string[]; liveStartMs: number; labelsFile: string }> {
  const conn = resolveAwsConnection(
    { authType: 'keys', defaultRegion: TEST_DATA.region, endpoint: ddb.endpoint, s3Endpoint: s3.endpoint },
    { accessKey: TEST_DATA.accessKey, secretKey: TEST_DATA.secretKey }
  );
  const dynamo = createDynamoClient(conn);
  const s3Client = createS3Client(conn);
  try {
    await ensureTable(dynamo, TEST_DATA.table);
    await ensureBucket(s3Client, TEST_DATA.bucket);
    const labelsDir = join(workDir, 'labels');
    mkdirSync(labelsDir, { recursive: true });
    const sim = new Simulation(
      {
        sensors: TEST_DATA.sensors,
        seed: TEST_DATA.seed,
        historyRows: TEST_DATA.historyRows,
        historyIntervalMs: TEST_DATA.historyIntervalMs,
        liveIntervalMs: TEST_DATA.liveIntervalMs,
        backfillHours: TEST_DATA.backfillHours,
        anomaliesPerDay: TEST_DATA.anomaliesPerDay,
        timestampUnit: 's',
        nowMs: TEST_DATA.nowMs,
        table: TEST_DATA.table,
        bucket: TEST_DATA.bucket,
        historyKeyTemplate: TEST_DATA.historyKeyTemplate,
        labelsDir,
      },
      dynamo,
      s3Client,
      log
    );
    const started = performance.now();
    await sim.writeHistory();
    await sim.backfill();
    log(`seeded in ${Math.round(performance.now() - started)} ms`);
    return {
      sensors: sim.sensors.map((s) => s.id),
      liveStartMs: sim.liveStartMs,
      labelsFile: join(labelsDir, 'labels.json'),
    };
  } finally {
    dynamo.destroy();
    s3Client.destroy();
  }
}

/** `export NAME='value'` lines a shell can source. */
export function shellExports(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}='${value.replace(/'/g, `'\\''`)}'`)
    .join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'write-env': { type: 'string' }, kafka: { type: 'boolean' } } });
  const log = (line: string) => process.stderr.write(`[test-services] ${line}\n`);
  const services = await startTestServices({ kafka: values.kafka, log });
  let stopping = false;
  const shutdown = () => {
    if (!stopping) {
      stopping = true;
      log('stopping');
      void services.stop().then(() => process.exit(0));
    }
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  const exports = shellExports(services.env);
  if (values['write-env']) {
    // Written last and whole (rename-free: readers wait for the READY line), so a reader never sees half a file.
    writeFileSync(values['write-env'], `${exports}\n# READY\n`);
  }
  process.stdout.write(`${exports}\n`);
  log('ready; stop with SIGTERM');
  // Stay up: the child processes keep the event loop alive until shutdown.
  setInterval(() => undefined, 1 << 30);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[test-services] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
