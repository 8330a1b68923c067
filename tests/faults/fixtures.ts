/**
 * What the fault tests share: simulated sensors with an S3 history, a
 * backlog of reading messages, scoring workers (in-process or as child
 * processes that can be killed), the output topic read back, and the
 * reference — every reading scored in one batch pass the way QueryData
 * scores a range (computeFeatures + scoreWithModel with the stored model).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';

import { Consumer, stringDeserializers } from '@platformatic/kafka';

import { loadModel } from '../../src/backend/scoring/model';
import { computeFeatures, featureSpecOf, fitFeatureSpec } from '../../src/backend/scoring/features';
import { scoreWithModel } from '../../src/backend/scoring/detect';
import { createS3Client, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import type { AnomalyMessage } from '../../src/backend/sources/kafkaAnomalies';
import { resolveQuery } from '../../src/common/query';
import { workerConfig } from '../../src/backend/worker/config';
import { startWorker, type RunningWorker } from '../../src/backend/worker/startWorker';
import { HISTORY_HEADER, historyRow, sensorSeries } from '../../tools/simulator/formats';
import { createSensors, readingsAt, Rng, type SimReading } from '../../tools/simulator/signals';
import { ensureBucket, putObject } from '../../tools/simulator/writers';
import type { KafkaBroker } from '../../tools/stack/kafkaBroker';
import { ENV_S3 } from './env';

const REPO = resolve(__dirname, '..', '..');
const READING_MS = 10_000;

export function s3Endpoint(): string {
  const endpoint = process.env[ENV_S3];
  if (!endpoint) {
    throw new Error(`${ENV_S3} unset: run through the faults jest config (its globalSetup starts the S3 server)`);
  }
  return endpoint;
}

/** A lab: sensors with a history in S3 and a stretch of live readings after it. */
export interface Lab {
  bucket: string;
  sensors: string[];
  readings: SimReading[];
  /** Per sensor, ascending. */
  bySensor: Map<string, SimReading[]>;
}

/**
 * `sensors` sensors, 2,000 history rows each (one a minute, in S3), then
 * `liveHours` of readings every 10 s, ending an hour ago.
 */
export async function createLab(bucket: string, sensors: number, liveHours: number, seed = 7): Promise<Lab> {
  const conn = resolveAwsConnection(
    { authType: 'keys', defaultRegion: 'us-east-1', s3Endpoint: s3Endpoint() },
    { accessKey: 'local', secretKey: 'local' }
  );
  const s3 = createS3Client(conn);
  await ensureBucket(s3, bucket);
  const sims = createSensors(sensors, seed, { anomaliesPerDay: 12 });
  const liveCount = Math.round((liveHours * 3_600_000) / READING_MS);
  const liveStart = Math.floor((Date.now() - 3_600_000 - liveCount * READING_MS) / READING_MS) * READING_MS;
  const historyRows = 2000;
  const rng = new Rng(1);
  const bySensor = new Map<string, SimReading[]>();
  for (const sim of sims) {
    const lines = [HISTORY_HEADER];
    for (const r of readingsAt(sim, liveStart - historyRows * 60_000, 60_000, historyRows)) {
      lines.push(historyRow(r, 's', rng));
    }
    await putObject(s3, bucket, `${sim.id}.csv`, lines.join(''));
    bySensor.set(sim.id, [...readingsAt(sim, liveStart, READING_MS, liveCount)]);
  }
  s3.destroy();
  // Interleaved in time, as sensors report.
  const readings = [...bySensor.values()]
    .flat()
    .sort((a, b) => a.timeMs - b.timeMs || a.sensorId.localeCompare(b.sensorId));
  return { bucket, sensors: sims.map((s) => s.id), readings, bySensor };
}

/** The dashboards' query the workers score with. */
const WORKER_QUERY = { contamination: 0.02, isolationForest: { nEstimators: 50 } };

/** The worker's environment for a lab and a broker (what a deployment would set). */
export function workerEnv(
  lab: Lab,
  broker: KafkaBroker,
  topics: { readings: string; anomalies: string },
  extra: Record<string, string> = {}
): Record<string, string> {
  return {
    IOTLAB_KAFKA_BROKERS: broker.bootstrap,
    IOTLAB_KAFKA_READINGS_TOPIC: topics.readings,
    IOTLAB_KAFKA_ANOMALIES_TOPIC: topics.anomalies,
    IOTLAB_S3_ENDPOINT: s3Endpoint(),
    IOTLAB_BUCKET: lab.bucket,
    IOTLAB_AUTH_TYPE: 'keys',
    IOTLAB_ACCESS_KEY: 'local',
    IOTLAB_SECRET_KEY: 'local',
    IOTLAB_WORKER_QUERY: JSON.stringify(WORKER_QUERY),
    IOTLAB_WORKER_METRICS_PORT: '0',
    ...extra,
  };
}

/** A worker in this process (fast to start; stopped like SIGTERM would). */
export async function inProcessWorker(env: Record<string, string>): Promise<RunningWorker> {
  const lines: string[] = [];
  return startWorker(workerConfig([], env), (message, fields) => lines.push(JSON.stringify({ message, ...fields })));
}

/**
 * A worker as its own process (what `npm run worker` runs), so a test can
 * SIGKILL it. Node loads tsx as a module hook in the same process: the tsx
 * command would put a wrapper process in between that a signal stops instead.
 */
export function childWorker(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(REPO, 'src/backend/worker/main.ts')], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

export async function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return child.exitCode;
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

/** Every message of `topic` from the start, until none arrives for `idleMs` (or `untilCount` were read). */
export async function readTopic(
  broker: KafkaBroker,
  topic: string,
  options: { idleMs: number; untilCount?: number; timeoutMs?: number }
): Promise<AnomalyMessage[]> {
  const consumer = new Consumer({
    groupId: `faults-read-${topic}-${Date.now()}`,
    clientId: 'faults-read',
    bootstrapBrokers: [broker.bootstrap],
    deserializers: stringDeserializers,
    maxWaitTime: 200,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
  const out: AnomalyMessage[] = [];
  let last = Date.now();
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  stream.on('data', (m) => {
    out.push(JSON.parse(m.value) as AnomalyMessage);
    last = Date.now();
  });
  while (
    Date.now() - last < options.idleMs &&
    Date.now() < deadline &&
    (options.untilCount === undefined || out.length < options.untilCount)
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await stream.close();
  await consumer.close(true);
  return out;
}

/** Waits until `done()` or `timeoutMs`; returns whether it became true. */
export async function waitFor(
  done: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 200
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await done()) {
      return true;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return done();
}

export interface ReferenceScore {
  score: number;
  flag: number;
  explanation: number;
}

/** (sensor, time) → what the batch path (QueryData's) gives with the same stored model. */
export function referenceScores(lab: Lab, modelJsonBySensor: Map<string, string>): Map<string, ReferenceScore> {
  const out = new Map<string, ReferenceScore>();
  for (const [sensor, readings] of lab.bySensor) {
    const json = modelJsonBySensor.get(sensor);
    if (!json) {
      continue;
    }
    const model = loadModel(json);
    const series = sensorSeries(readings);
    const matrix = computeFeatures(series, model.spec, { scoreFromMs: series.time[0]! });
    const scores = scoreWithModel(model, matrix);
    for (let r = 0; r < matrix.rows; r++) {
      out.set(`${sensor}@${series.time[matrix.rowIndex[r]!]}`, {
        score: scores.score[r]!,
        flag: scores.flag[r]!,
        explanation: scores.explanation[r]!,
      });
    }
  }
  return out;
}

/** How many of the lab's readings get a feature row (all but each sensor's warm-up), whatever the model. */
export function scorableReadings(lab: Lab, query: unknown = WORKER_QUERY): number {
  const resolved = resolveQuery(query);
  const series = [...lab.bySensor.values()].map((readings) => sensorSeries(readings));
  // Which readings get a row does not depend on what the learned parts of a spec learned.
  const spec = fitFeatureSpec(featureSpecOf({ metrics: resolved.metrics, transforms: resolved.transforms }), series);
  let rows = 0;
  for (const s of series) {
    rows += computeFeatures(s, spec, { scoreFromMs: s.time[0]! }).rows;
  }
  return rows;
}

export const keyOf = (m: Pick<AnomalyMessage, 'sensor' | 'timeMs'>) => `${m.sensor}@${m.timeMs}`;
