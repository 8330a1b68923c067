/**
 * The real parts behind the browser tests, started once by globalSetup:
 * DynamoDB Local and moto's S3 server on free loopback ports, seeded by the
 * simulator (history in S3, the last two hours of readings in DynamoDB,
 * ending now), and the preview — the same entry `npm start` uses — with the
 * backend executable on that stack, reading its endpoints from an env file
 * written like `npm start` writes `.data/stack.env`.
 *
 * The simulator's own anomaly episodes start at random times, and the first
 * minutes of a range only warm the feature windows up; so each sensor also
 * gets one broken reading in the last hour (FAULTS) that no model misses,
 * and every run has anomalies to draw.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

import { createDynamoClient, createS3Client, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import { stackSettings, startPreview } from '../../tools/preview/preview';
import type { ManagedProcess } from '../../tools/stack/childProcess';
import { LOCAL, localSettings } from '../../tools/stack/defaults';
import { startDynamoDbLocal } from '../../tools/stack/dynamodbLocal';
import { freePorts } from '../../tools/stack/freePort';
import { defaultVenvDir, startS3Server } from '../../tools/stack/s3Server';
import { Simulation } from '../../tools/simulator/simulation';
import { dynamoItem } from '../../tools/simulator/formats';
import { Rng } from '../../tools/simulator/signals';
import { ensureBucket, ensureTable } from '../../tools/simulator/writers';

const REPO = path.resolve(__dirname, '..', '..');
const HOUR = 3_600_000;

/** What the tests need to know about the stack (handed to the test workers as JSON in the environment). */
export interface StackInfo {
  /** The preview's server. */
  url: string;
  sensors: string[];
  /** The seeded live readings: [from, to] in epoch ms. */
  from: number;
  to: number;
}

export interface TestStack extends StackInfo {
  stop(): Promise<void>;
}

/** The seed: 3 sensors, a reading every 10 s for the last 2 hours; anomalies about as rare as `npm start`'s, so the history the model learns from is mostly normal. */
const SIMULATION = {
  sensors: 3,
  seed: 7,
  historyRows: 5000,
  historyIntervalMs: 60_000,
  liveIntervalMs: 10_000,
  backfillHours: 2,
  anomaliesPerDay: 2,
} as const;

export async function startTestStack(opts: {
  distDir: string;
  hostDir: string;
  executable: string;
  /** A scratch folder for the env file. */
  workDir: string;
}): Promise<TestStack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) {
      await step().catch(() => undefined);
    }
  };
  try {
    const [dynamoPort, s3Port] = await freePorts(2);
    const [ddb, s3] = await Promise.all([
      startDynamoDbLocal({ port: dynamoPort }).then(track(stops)),
      startS3Server({ port: s3Port, venvDir: defaultVenvDir(REPO) }).then(track(stops)),
    ]);
    const seeded = await seed(localSettings(ddb.endpoint, s3.endpoint));
    const envFile = path.join(opts.workDir, 'stack.env');
    writeFileSync(envFile, `IOTLAB_DYNAMODB_ENDPOINT=${ddb.endpoint}\nIOTLAB_S3_ENDPOINT=${s3.endpoint}\n`);
    const preview = await startPreview({
      settings: stackSettings(envFile),
      distDir: opts.distDir,
      executable: opts.executable,
      hostDir: opts.hostDir,
      port: 0,
    });
    stops.push(() => preview.stop());
    return { url: preview.url, ...seeded, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A reading a lab sensor only gives when broken: far outside every metric's normal range. */
const FAULT = { temperature: 45, humidity: 8, pressure: 960, light_level: 0 };
const MINUTE = 60_000;

/** Sensor i reads FAULT (15 + 15·i) minutes before the end, overwriting the simulator's reading there. */
async function writeFaults(dynamo: DynamoDBClient, sensors: string[], nowMs: number): Promise<void> {
  const rng = new Rng(SIMULATION.seed);
  for (const [i, sensorId] of sensors.entries()) {
    const timeMs = nowMs - (15 + 15 * i) * MINUTE;
    const item = dynamoItem({ sensorId, timeMs, values: { ...FAULT } }, 's', rng);
    await dynamo.send(new PutItemCommand({ TableName: LOCAL.table, Item: item }));
  }
}

function track(stops: Array<() => Promise<void>>) {
  return <P extends ManagedProcess>(process: P): P => {
    stops.push(() => process.stop());
    return process;
  };
}

async function seed(local: ReturnType<typeof localSettings>) {
  const connection = resolveAwsConnection(local.jsonData, local.secureJsonData);
  const dynamo = createDynamoClient(connection);
  const s3 = createS3Client(connection);
  try {
    await ensureTable(dynamo, LOCAL.table);
    await ensureBucket(s3, LOCAL.bucket);
    const nowMs = Math.floor(Date.now() / SIMULATION.liveIntervalMs) * SIMULATION.liveIntervalMs;
    const simulation = new Simulation(
      {
        ...SIMULATION,
        timestampUnit: 's',
        nowMs,
        table: LOCAL.table,
        bucket: LOCAL.bucket,
        historyKeyTemplate: LOCAL.historyKeyTemplate,
      },
      dynamo,
      s3
    );
    await simulation.writeHistory();
    await simulation.backfill(nowMs);
    const sensors = simulation.sensors.map((sensor) => sensor.id);
    await writeFaults(dynamo, sensors, nowMs);
    return {
      from: nowMs - SIMULATION.backfillHours * HOUR,
      to: nowMs,
      sensors,
    };
  } finally {
    dynamo.destroy();
    s3.destroy();
  }
}
