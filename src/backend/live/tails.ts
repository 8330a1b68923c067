/**
 * Tails: one sensor's new readings, exactly once, from a DynamoDB table or a
 * Kafka topic. A tail starts at a cursor (the newest reading time already
 * delivered): it first returns the readings of a look-back period before the
 * cursor (to fill the feature windows, not to be sent), then, on each `next`,
 * the readings newer than everything delivered so far, in time order.
 * Restarting a tail at the cursor a previous tail reached continues without
 * gap or duplicate.
 *
 * Grafana-free: Live streams (handlers/streams/) use them; so could anything
 * else that scores as readings arrive.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { METRICS } from '../../common/query';
import { decodeReadingMessage, KafkaTopicTail, type TopicMessage } from '../sources/kafkaReadings';
import type { KafkaConnection } from '../sources/kafkaConfig';
import type { ReadResult, SensorSeries, SkipReason } from '../sources/types';
import type { Reading } from './sensorScorer';

export interface LiveTail {
  /** Readings in (cursorMs − lookbackMs, cursorMs]: state for the windows, already shown. */
  start(cursorMs: number, lookbackMs: number, signal: AbortSignal): Promise<Reading[]>;
  /** Readings newer than the newest delivered so far (possibly none after a wait); ascending. */
  next(signal: AbortSignal): Promise<Reading[]>;
  /** Messages or items skipped as malformed, by reason. */
  readonly skipped: Partial<Record<SkipReason, number>>;
  close(): Promise<void>;
}

function readingsOf(series: SensorSeries | undefined): Reading[] {
  if (!series) {
    return [];
  }
  const columns = METRICS.map((m) => series.readings[m]);
  return Array.from(series.time, (timeMs, i) => ({ timeMs, values: columns.map((c) => c[i]!) }));
}

/** What the DynamoDB tail needs of a reader: `DynamoReadingsSource.readRange`. */
export interface RangeReader {
  readRange(request: {
    sensors: readonly string[];
    fromMs: number;
    toMs: number;
    signal?: AbortSignal;
  }): Promise<ReadResult>;
}

/**
 * Polls DynamoDB every `pollMs` for one sensor's items newer than the cursor
 * (one Query of the sensor's key since the cursor; items may carry times a
 * little ahead of this machine's clock, so the read reaches `aheadMs` into
 * the future).
 */
export class DynamoTail implements LiveTail {
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  private cursorMs = Number.NEGATIVE_INFINITY;
  private firstPoll = true;

  constructor(
    private readonly reader: RangeReader,
    private readonly sensor: string,
    private readonly pollMs: number,
    private readonly aheadMs = 60_000
  ) {}

  private async read(fromMs: number, toMs: number, signal: AbortSignal): Promise<Reading[]> {
    const { series, stats } = await this.reader.readRange({ sensors: [this.sensor], fromMs, toMs, signal });
    for (const [reason, n] of Object.entries(stats.skipReasons)) {
      this.skipped[reason as SkipReason] = (this.skipped[reason as SkipReason] ?? 0) + n;
    }
    return readingsOf(series.find((s) => s.sensorId === this.sensor));
  }

  async start(cursorMs: number, lookbackMs: number, signal: AbortSignal): Promise<Reading[]> {
    this.cursorMs = cursorMs;
    return this.read(cursorMs - lookbackMs, cursorMs, signal);
  }

  async next(signal: AbortSignal): Promise<Reading[]> {
    if (!this.firstPoll) {
      await sleep(this.pollMs, undefined, { signal }).catch(() => undefined);
    }
    this.firstPoll = false;
    if (signal.aborted) {
      return [];
    }
    // Inclusive range: read from the cursor and drop it, so an item at the cursor's own time is never sent twice.
    const fresh = (await this.read(this.cursorMs, Date.now() + this.aheadMs, signal)).filter(
      (r) => r.timeMs > this.cursorMs
    );
    if (fresh.length > 0) {
      this.cursorMs = fresh[fresh.length - 1]!.timeMs;
    }
    return fresh;
  }

  async close(): Promise<void> {
    // Nothing held: the reader belongs to the data source.
  }
}

/**
 * A Kafka topic of readings, filtered to one sensor. Starts reading at the
 * offsets of (cursor − look-back) by message time; the messages up to the
 * cursor only fill the windows. A message whose key names another sensor is
 * passed over without being parsed.
 */
export class KafkaSensorTail implements LiveTail {
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  private readonly tail: KafkaTopicTail;
  private cursorMs = Number.NEGATIVE_INFINITY;
  private pending: Reading[] = [];

  constructor(
    private readonly conn: KafkaConnection,
    private readonly sensor: string,
    clientId: string,
    private readonly waitMs = 500
  ) {
    this.tail = new KafkaTopicTail(conn, conn.readingsTopic, clientId);
  }

  private decode(messages: TopicMessage[]): Reading[] {
    const out: Reading[] = [];
    for (const m of messages) {
      if (m.key !== undefined && m.key !== this.sensor) {
        continue;
      }
      const outcome = decodeReadingMessage(m.value, this.conn.shape);
      if (!outcome.ok) {
        this.skipped[outcome.reason] = (this.skipped[outcome.reason] ?? 0) + 1;
      } else if (outcome.item.sensorId === this.sensor) {
        out.push({ timeMs: outcome.item.timeMs, values: outcome.item.values });
      }
    }
    // Partitions interleave: order by reading time (stable for equal times).
    return out.sort((a, b) => a.timeMs - b.timeMs);
  }

  async start(cursorMs: number, lookbackMs: number, signal: AbortSignal): Promise<Reading[]> {
    this.cursorMs = cursorMs;
    await this.tail.open({ kind: 'since', timeMs: cursorMs - lookbackMs });
    // Everything already in the topic: the look-back part warms the windows, the rest is new.
    const caughtUp: Reading[] = [];
    for (
      let batch = await this.tail.next(10_000, 200, signal);
      batch.length > 0 && !signal.aborted;
      batch = await this.tail.next(10_000, 200, signal)
    ) {
      caughtUp.push(...this.decode(batch));
    }
    caughtUp.sort((a, b) => a.timeMs - b.timeMs);
    this.pending = caughtUp.filter((r) => r.timeMs > cursorMs);
    return caughtUp.filter((r) => r.timeMs <= cursorMs);
  }

  async next(signal: AbortSignal): Promise<Reading[]> {
    const fresh =
      this.pending.length > 0 ? this.pending : this.decode(await this.tail.next(10_000, this.waitMs, signal));
    this.pending = [];
    const newer = fresh.filter((r) => r.timeMs > this.cursorMs);
    if (newer.length > 0) {
      this.cursorMs = newer[newer.length - 1]!.timeMs;
    }
    return newer;
  }

  close(): Promise<void> {
    return this.tail.close();
  }
}
