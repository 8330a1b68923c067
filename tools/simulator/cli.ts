/**
 * `npm run simulate -- [flags]`: writes simulated lab-sensor data to the local
 * stack (or any DynamoDB/S3 endpoints). See --help.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { createDynamoClient, createS3Client, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import { endpointFor, LOCAL, localSettings } from '../stack/defaults';
import { parseBrokers } from '../../src/backend/sources/kafkaConfig';
import { ensureTopic, KafkaReadingsWriter } from './kafkaWriter';
import type { SimReading } from './signals';
import { Simulation } from './simulation';
import { ensureBucket, ensureTable } from './writers';

const HELP = `Simulated IoT lab sensors → S3 history, DynamoDB live items, anomaly labels.

  --sensors <n>              sensors sensmitter_1..n (default 3)
  --seed <n>                 random seed; same seed + same --now = same data (default 42)
  --history-rows <n>         history rows per sensor written to S3 (default 23000; 0 = none)
  --history-interval <s>     seconds between history rows (default 60)
  --rate <per second>        live readings per second per sensor (default 0.1 = every 10 s)
  --backfill <hours>         write the last <hours> of live items at once (default 0)
  --duration <s>             stream live items for <s> seconds (default: until Ctrl-C; 0 = no live)
  --anomalies-per-day <x>    anomaly episodes per sensor per simulated day (default 1.5)
  --timestamp-unit <s|ms>    unit of the epoch timestamps written (default s, as the seed)
  --now <ISO time>           pin the run's "now" (default: the current time)
  --dynamodb-endpoint <url>  default ${endpointFor(LOCAL.dynamodbPort)}
  --s3-endpoint <url>        default ${endpointFor(LOCAL.s3Port)}
  --table <name>             default ${LOCAL.table}
  --bucket <name>            default ${LOCAL.bucket}
  --key-template <t>         history object key, {sensor} = sensor id (default ${LOCAL.historyKeyTemplate})
  --labels-dir <dir>         local copy of the labels (default .data/labels)
  --kafka-brokers <list>     also write every backfilled and live reading to Kafka (host:port[,…])
  --kafka-topic <name>       topic for those readings, keyed by sensor id (default readings)
Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY if set, else the emulators' "local" keys.`;

function numberFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) {
    return fallback;
  }
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new Error(`--${name}: must be a number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}

async function main(): Promise<void> {
  const { values: f } = parseArgs({
    options: {
      sensors: { type: 'string' },
      seed: { type: 'string' },
      'history-rows': { type: 'string' },
      'history-interval': { type: 'string' },
      rate: { type: 'string' },
      backfill: { type: 'string' },
      duration: { type: 'string' },
      'anomalies-per-day': { type: 'string' },
      'timestamp-unit': { type: 'string' },
      now: { type: 'string' },
      'dynamodb-endpoint': { type: 'string' },
      's3-endpoint': { type: 'string' },
      table: { type: 'string' },
      bucket: { type: 'string' },
      'key-template': { type: 'string' },
      'labels-dir': { type: 'string' },
      'kafka-brokers': { type: 'string' },
      'kafka-topic': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (f.help) {
    console.log(HELP);
    return;
  }
  const unit = f['timestamp-unit'] ?? 's';
  if (unit !== 's' && unit !== 'ms') {
    throw new Error(`--timestamp-unit: must be "s" or "ms" (got "${unit}")`);
  }
  const nowMs = f.now ? Date.parse(f.now) : Date.now();
  if (!Number.isFinite(nowMs)) {
    throw new Error(`--now: must be an ISO time like 2026-01-31T12:00:00Z (got "${f.now}")`);
  }
  const durationS = f.duration === undefined ? Infinity : numberFlag('duration', f.duration, 0, 0, 1e9);
  const rate = numberFlag('rate', f.rate, 0.1, 0.0001, 1000);
  const dynamoEndpoint = f['dynamodb-endpoint'] ?? endpointFor(LOCAL.dynamodbPort);
  const s3Endpoint = f['s3-endpoint'] ?? endpointFor(LOCAL.s3Port);
  const settings = localSettings(dynamoEndpoint, s3Endpoint);
  if (process.env.AWS_ACCESS_KEY_ID && process.env.AWS_SECRET_ACCESS_KEY) {
    settings.jsonData.authType = 'default';
  }
  const conn = resolveAwsConnection(settings.jsonData, settings.secureJsonData);
  const dynamo = createDynamoClient(conn);
  const s3 = createS3Client(conn);
  const kafka = f['kafka-brokers']
    ? new KafkaReadingsWriter(parseBrokers(f['kafka-brokers']), f['kafka-topic'] ?? 'readings', unit)
    : undefined;
  const sim = new Simulation(
    {
      sensors: numberFlag('sensors', f.sensors, 3, 1, 1000),
      seed: numberFlag('seed', f.seed, 42, 0, 2 ** 32 - 1),
      historyRows: numberFlag('history-rows', f['history-rows'], 23_000, 0, 10_000_000),
      historyIntervalMs: numberFlag('history-interval', f['history-interval'], 60, 1, 86_400) * 1000,
      liveIntervalMs: 1000 / rate,
      backfillHours: numberFlag('backfill', f.backfill, 0, 0, 24 * 365),
      anomaliesPerDay: numberFlag('anomalies-per-day', f['anomalies-per-day'], 1.5, 0, 1000),
      timestampUnit: unit,
      nowMs,
      table: f.table ?? LOCAL.table,
      bucket: f.bucket ?? LOCAL.bucket,
      historyKeyTemplate: f['key-template'] ?? LOCAL.historyKeyTemplate,
      labelsDir: f['labels-dir'] ?? join(process.cwd(), '.data', 'labels'),
      ...(kafka ? { alsoTo: (readings: SimReading[]) => kafka.write(readings) } : {}),
    },
    dynamo,
    s3,
    (line) => console.log(line)
  );
  await ensureTable(dynamo, sim.options.table);
  if (kafka) {
    await ensureTopic(kafka.brokers, kafka.topic);
  }
  await ensureBucket(s3, sim.options.bucket);
  if (sim.options.historyRows > 0) {
    await sim.writeHistory();
  }
  await sim.backfill();
  if (durationS > 0) {
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    console.log(
      `live: one item per sensor every ${sim.options.liveIntervalMs / 1000} s to ${sim.options.table} (Ctrl-C stops)`
    );
    const n = await sim.runLive(stop.signal, durationS * 1000);
    console.log(`live: wrote ${n} items`);
  }
  console.log(
    `labels: ${sim.labels.length} anomaly episodes → s3://${sim.options.bucket}/labels/ and ${sim.options.labelsDir}`
  );
  dynamo.destroy();
  s3.destroy();
  await kafka?.close();
}

main().catch((e: unknown) => {
  console.error(`simulate: ${(e as Error).message}`);
  process.exit(1);
});
