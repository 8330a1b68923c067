/**
 * A simulation run: history CSVs to S3, recent ("backfilled") and live items
 * to DynamoDB, ground-truth anomaly labels to S3 and a local folder. Used by
 * `npm run simulate` and by the local stack (`npm start`).
 *
 * Timeline (per sensor, one continuous signal):
 *   [historyStart … liveStart)  history, `historyRows` rows every `historyIntervalMs` → S3
 *   [liveStart … now]           backfill at the live cadence → DynamoDB
 *   (now … )                    live, one item per sensor every `liveIntervalMs` → DynamoDB
 * `liveStart` = now − backfill, aligned to the live cadence so a re-run overwrites
 * the same keys instead of adding near-duplicates.
 */
import { PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dynamoItem, HISTORY_HEADER, historyRow, labelsCsv, type EpochUnit } from './formats';
import {
  createSensors,
  deriveSeed,
  readingsAt,
  Rng,
  type AnomalyLabel,
  type SensorSimulator,
  type SimReading,
} from './signals';
import { batchWrite, putObject } from './writers';

export interface SimulationOptions {
  sensors: number;
  seed: number;
  historyRows: number;
  historyIntervalMs: number;
  liveIntervalMs: number;
  backfillHours: number;
  anomaliesPerDay: number;
  timestampUnit: EpochUnit;
  /** The run's "now" (pin it for a reproducible run). */
  nowMs: number;
  table: string;
  bucket: string;
  /** `{sensor}` is replaced by the sensor id. */
  historyKeyTemplate: string;
  /** Local folder for labels (and run metadata); undefined = S3 only. */
  labelsDir?: string;
  /** Also hands every backfilled and live reading here (e.g. the Kafka writer), after DynamoDB has it. */
  alsoTo?: (readings: SimReading[]) => Promise<unknown>;
}

const HOUR = 3_600_000;
/** Live streaming replays at most this much missed time item by item (e.g. while a backfill ran). */
const MAX_CATCH_UP_MS = 5 * 60_000;

export class Simulation {
  readonly sensors: SensorSimulator[];
  readonly liveStartMs: number;
  readonly historyStartMs: number;
  private readonly formatRng: Rng;
  private labelsWritten = -1;
  private lastLiveMs: number;

  constructor(
    readonly options: SimulationOptions,
    private readonly dynamo: DynamoDBClient,
    private readonly s3: S3Client,
    private readonly log: (line: string) => void = () => {}
  ) {
    this.sensors = createSensors(options.sensors, options.seed, { anomaliesPerDay: options.anomaliesPerDay });
    const step = options.liveIntervalMs;
    this.liveStartMs = Math.floor((options.nowMs - options.backfillHours * HOUR) / step) * step;
    this.historyStartMs = this.liveStartMs - options.historyRows * options.historyIntervalMs;
    this.formatRng = new Rng(deriveSeed(options.seed, 0xc5f));
    this.lastLiveMs = this.liveStartMs - step;
  }

  historyKey(sensorId: string): string {
    return this.options.historyKeyTemplate.split('{sensor}').join(sensorId);
  }

  /**
   * Generates every sensor's history (always: it advances the signal state) and
   * uploads it unless `skipExisting` and the object already exists.
   */
  async writeHistory(skipExisting = false): Promise<{ uploaded: number; rows: number }> {
    const o = this.options;
    let uploaded = 0;
    let rows = 0;
    for (const sim of this.sensors) {
      const lines: string[] = [HISTORY_HEADER];
      for (const reading of readingsAt(sim, this.historyStartMs, o.historyIntervalMs, o.historyRows)) {
        lines.push(historyRow(reading, o.timestampUnit, this.formatRng));
      }
      rows += o.historyRows;
      const key = this.historyKey(sim.id);
      if (skipExisting && (await this.objectExists(key))) {
        continue;
      }
      await putObject(this.s3, o.bucket, key, lines.join(''));
      uploaded++;
      this.log(`history: s3://${o.bucket}/${key} (${o.historyRows} rows)`);
    }
    await this.writeLabels();
    return { uploaded, rows };
  }

  private async objectExists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return true;
    } catch (e) {
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Writes items from liveStart up to `untilMs` (default: the run's now) with
   * parallel BatchWriteItem. Readings at or before `storedThroughMs` are still
   * generated (the signals stay continuous) but not written: a restart only
   * fills the gap since the data already in the table.
   */
  async backfill(untilMs = this.options.nowMs, storedThroughMs = -Infinity): Promise<number> {
    const o = this.options;
    const copied: SimReading[] = [];
    const written = await batchWrite(
      this.dynamo,
      o.table,
      this.liveItems(untilMs, storedThroughMs, o.alsoTo ? copied : undefined),
      16
    );
    await o.alsoTo?.(copied);
    const from = new Date(Math.max(this.liveStartMs, storedThroughMs)).toISOString();
    this.log(`backfill: ${written} items written to ${o.table} (readings after ${from})`);
    await this.writeLabels();
    return written;
  }

  /** Live-cadence items after the last one generated, up to `untilMs`; see backfill(). */
  private *liveItems(
    untilMs: number,
    storedThroughMs: number,
    copy?: SimReading[]
  ): Generator<Record<string, AttributeValue>> {
    const o = this.options;
    for (let t = this.lastLiveMs + o.liveIntervalMs; t <= untilMs; t += o.liveIntervalMs) {
      for (const sim of this.sensors) {
        const reading = sim.next(t);
        if (t > storedThroughMs) {
          copy?.push(reading);
          yield dynamoItem(reading, o.timestampUnit, this.formatRng);
        }
      }
      this.lastLiveMs = t;
    }
  }

  /**
   * Streams one item per sensor every `liveIntervalMs` until `signal` aborts or
   * `durationMs` passes. Up to five minutes of missed ticks are caught up first;
   * a larger gap is skipped.
   */
  async runLive(signal: AbortSignal, durationMs = Infinity, onTick?: (items: number) => void): Promise<number> {
    const o = this.options;
    const endMs = Date.now() + durationMs;
    let total = 0;
    if (Date.now() - this.lastLiveMs > MAX_CATCH_UP_MS) {
      // A pinned --now in the past: jump to the wall clock instead of replaying the gap item by item.
      this.lastLiveMs = Math.floor(Date.now() / o.liveIntervalMs) * o.liveIntervalMs - o.liveIntervalMs;
      this.log(
        `live: skipping ahead to ${new Date(this.lastLiveMs + o.liveIntervalMs).toISOString()} (the run's "now" is in the past)`
      );
    }
    while (!signal.aborted && Date.now() < endMs) {
      const due = this.lastLiveMs + o.liveIntervalMs;
      const wait = due - Date.now();
      if (wait > 0) {
        await sleepUnlessAborted(Math.min(wait, endMs - Date.now()), signal);
        continue;
      }
      const readings = this.sensors.map((sim) => sim.next(due));
      this.lastLiveMs = due;
      await Promise.all(
        readings.map((r) =>
          this.dynamo.send(
            new PutItemCommand({ TableName: o.table, Item: dynamoItem(r, o.timestampUnit, this.formatRng) })
          )
        )
      );
      await o.alsoTo?.(readings);
      total += readings.length;
      onTick?.(readings.length);
      if (this.labelCount() !== this.labelsWritten) {
        await this.writeLabels();
      }
    }
    return total;
  }

  get labels(): AnomalyLabel[] {
    return this.sensors.flatMap((s) => s.labels);
  }

  private labelCount(): number {
    return this.sensors.reduce((n, s) => n + s.labels.length, 0);
  }

  /** Ground truth as CSV and JSON: locally (labelsDir) and in S3 under labels/. */
  async writeLabels(): Promise<void> {
    const o = this.options;
    const labels = this.labels;
    const csv = labelsCsv(labels);
    const json = JSON.stringify(
      {
        seed: o.seed,
        sensors: this.sensors.map((s) => s.id),
        historyStartMs: this.historyStartMs,
        historyIntervalMs: o.historyIntervalMs,
        liveStartMs: this.liveStartMs,
        liveIntervalMs: o.liveIntervalMs,
        timestampUnit: o.timestampUnit,
        labels,
      },
      null,
      1
    );
    if (o.labelsDir) {
      mkdirSync(o.labelsDir, { recursive: true });
      writeFileSync(join(o.labelsDir, 'labels.csv'), csv);
      writeFileSync(join(o.labelsDir, 'labels.json'), json);
    }
    await putObject(this.s3, o.bucket, 'labels/labels.csv', csv);
    await putObject(this.s3, o.bucket, 'labels/labels.json', json, 'application/json');
    this.labelsWritten = labels.length;
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
