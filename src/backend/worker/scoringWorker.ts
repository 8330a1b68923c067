/**
 * The scoring loop: a batch of reading messages from the group's partitions →
 * decoded → per sensor, features (the sensor's windows) and the dashboards'
 * model → the anomalies (or every scored reading) produced → once the broker
 * has acknowledged them, the batch's offsets committed. A crash anywhere
 * before the commit means the batch is read again by whoever owns the
 * partition next: at-least-once, duplicates possible, gaps not.
 *
 * A partition this worker did not own before starts cold: before its first
 * message is scored, the messages of the features' warm-up period before it
 * are re-read (not scored, not published) to fill the sensors' windows, so a
 * rebalance changes neither the scores nor the flags.
 */
import { anomalyMessage } from '../live/anomalyMessage';
import { SensorScorer, type Reading, type ScoredReadings } from '../live/sensorScorer';
import { warmupMs } from '../scoring/features';
import type { AnomalyMessage } from '../sources/kafkaAnomalies';
import { decodeReadingMessage, type CommitPosition, type TopicMessage } from '../sources/kafkaReadings';
import type { ItemShape } from '../sources/parsing';
import type { WorkerMetrics } from './metrics';
import type { ModelLookup } from './models';

/** The consumer-group member the loop reads from (KafkaGroupReader). */
export interface GroupSource {
  open(onRebalance: (partitions: number[]) => void): Promise<void>;
  next(max: number, waitMs: number, signal?: AbortSignal): Promise<TopicMessage[]>;
  commit(positions: readonly CommitPosition[]): Promise<void>;
  endOffsets(): Promise<bigint[]>;
  close(): Promise<void>;
}

interface Publisher {
  publish(messages: readonly AnomalyMessage[]): Promise<void>;
}

interface ModelProvider {
  readonly spec: Parameters<typeof warmupMs>[0];
  get(sensor: string): Promise<ModelLookup>;
}

/** Re-reads one partition's messages with timestamps from `fromTimeMs` up to (not including) `untilOffset`. */
export type WarmUpReader = (
  partition: number,
  fromTimeMs: number,
  untilOffset: bigint,
  signal: AbortSignal
) => Promise<TopicMessage[]>;

export interface ScoringWorkerOptions {
  /** Opens a fresh group membership (again after a failure). */
  openSource: () => GroupSource;
  publisher: Publisher;
  models: ModelProvider;
  warmUpReader: WarmUpReader;
  shape: ItemShape;
  metrics: WorkerMetrics;
  publish: 'anomalies' | 'all';
  batch: number;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

interface Decoded {
  message: TopicMessage;
  sensor: string;
  reading: Reading;
}

const LAG_EVERY_MS = 5000;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export class ScoringWorker {
  private readonly scorers = new Map<string, { scorer: SensorScorer; partition: number }>();
  private assigned = new Set<number>();
  private readonly warm = new Set<number>();
  /** Next offset to process per partition (what was committed last). */
  private readonly position = new Map<number, bigint>();
  private readonly warnedNoModel = new Set<string>();
  private inGroup = false;
  /** Memberships dropped after a failure (for tests and logs). */
  failures = 0;
  private lagCheckedAt = 0;

  constructor(private readonly o: ScoringWorkerOptions) {}

  /** True while the worker is a member of its group (the /healthz answer). */
  get healthy(): boolean {
    return this.inGroup;
  }

  /**
   * Runs until `signal` aborts; the batch under way is finished (produced and
   * committed) first. A failure (broker unreachable past the client's retries,
   * a produce that never got acknowledged) drops the membership and joins
   * again after a pause: the uncommitted batch is read again, never skipped.
   */
  async run(signal: AbortSignal): Promise<void> {
    let pauseMs = RETRY_MIN_MS;
    while (!signal.aborted) {
      const source = this.o.openSource();
      try {
        await source.open((partitions) => this.rebalanced(partitions));
        this.inGroup = true;
        pauseMs = RETRY_MIN_MS;
        await this.consume(source, signal);
      } catch (error) {
        this.o.log('worker failed; joining the group again', { error: (error as Error).message, retryInMs: pauseMs });
        this.failures++;
      } finally {
        this.inGroup = false;
        // A new membership re-warms every partition: state is rebuilt from the committed offsets.
        this.rebalanced([]);
        await source.close();
      }
      if (!signal.aborted) {
        await sleep(pauseMs, signal);
        pauseMs = Math.min(RETRY_MAX_MS, pauseMs * 2);
      }
    }
  }

  private async consume(source: GroupSource, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const batch = await source.next(this.o.batch, 200, signal);
      if (batch.length > 0) {
        // Not cancelled mid-batch: a batch is produced and committed, or left whole for the next owner.
        await this.process(source, batch, new AbortController().signal);
      }
      await this.updateLag(source);
    }
  }

  /** After every (re)join: partitions lost drop their sensors' state; new ones start cold. */
  private rebalanced(partitions: number[]): void {
    const next = new Set(partitions);
    for (const p of this.assigned) {
      if (!next.has(p)) {
        this.warm.delete(p);
        this.position.delete(p);
        this.o.metrics.lag.remove({ partition: String(p) });
      }
    }
    for (const [sensor, entry] of this.scorers) {
      if (!next.has(entry.partition)) {
        this.scorers.delete(sensor);
      }
    }
    this.assigned = next;
    this.o.metrics.partitions.set(next.size);
    this.o.metrics.sensors.set(this.scorers.size);
    if (partitions.length > 0) {
      this.o.log('partitions assigned', { partitions });
    }
  }

  private decode(messages: TopicMessage[]): Decoded[] {
    const decoded: Decoded[] = [];
    for (const message of messages) {
      const outcome = decodeReadingMessage(message.value, this.o.shape);
      if (!outcome.ok) {
        // Malformed messages are rare: counted one by one, with their reason.
        this.o.metrics.messages.inc({ outcome: 'skipped', reason: outcome.reason });
        continue;
      }
      const { item } = outcome;
      decoded.push({ message, sensor: item.sensorId, reading: { timeMs: item.timeMs, values: item.values } });
    }
    return decoded;
  }

  /** A scorer per sensor (its model looked up once); undefined when the sensor has no model. */
  private async scorersFor(sensors: Iterable<string>, partitionOf: Map<string, number>): Promise<void> {
    const missing = [...new Set(sensors)].filter((s) => !this.scorers.has(s));
    const lookups = await Promise.all(
      missing.map(async (sensor) => [sensor, await this.o.models.get(sensor)] as const)
    );
    for (const [sensor, lookup] of lookups) {
      if (lookup.key === undefined) {
        if (!this.warnedNoModel.has(sensor)) {
          this.warnedNoModel.add(sensor);
          this.o.log('sensor has no model; its readings are skipped', {
            sensor,
            reason: lookup.reason,
            detail: lookup.message,
          });
        }
        continue;
      }
      this.scorers.set(sensor, {
        scorer: new SensorScorer(sensor, lookup.model, lookup.key),
        partition: partitionOf.get(sensor)!,
      });
    }
    this.o.metrics.sensors.set(this.scorers.size);
  }

  /** Fills the windows of a cold partition's sensors from the messages before `first`. */
  private async warmUp(partition: number, first: TopicMessage, signal: AbortSignal): Promise<void> {
    const spec = this.o.models.spec;
    const lookback = warmupMs(spec) + spec.windows.maxGapMs;
    const before =
      lookback > 0 ? await this.o.warmUpReader(partition, first.timestampMs - lookback, first.offset, signal) : [];
    const decoded = this.decode(before);
    this.o.metrics.warmups.inc(before.length);
    await this.scorersFor(
      decoded.map((d) => d.sensor),
      new Map(decoded.map((d) => [d.sensor, partition]))
    );
    for (const d of decoded) {
      this.scorers.get(d.sensor)?.scorer.warm([d.reading]);
    }
    this.warm.add(partition);
  }

  private async process(source: GroupSource, batch: TopicMessage[], signal: AbortSignal): Promise<void> {
    const started = performance.now();
    // Messages of a partition taken away by a rebalance belong to its new owner now.
    const mine = batch.filter((m) => this.assigned.has(m.partition));
    for (const partition of new Set(mine.map((m) => m.partition))) {
      if (!this.warm.has(partition)) {
        await this.warmUp(partition, mine.find((m) => m.partition === partition)!, signal);
      }
    }
    const decoded = this.decode(mine);
    const bySensor = new Map<string, Decoded[]>();
    for (const d of decoded) {
      const list = bySensor.get(d.sensor);
      if (list) {
        list.push(d);
      } else {
        bySensor.set(d.sensor, [d]);
      }
    }
    await this.scorersFor(
      bySensor.keys(),
      new Map([...bySensor].map(([sensor, list]) => [sensor, list[0]!.message.partition]))
    );
    const out: AnomalyMessage[] = [];
    const sentAt: number[] = [];
    for (const [sensor, list] of bySensor) {
      const entry = this.scorers.get(sensor);
      if (!entry) {
        this.o.metrics.messages.inc({ outcome: 'skipped', reason: 'no_model' }, list.length);
        continue;
      }
      const scored = entry.scorer.score(list.map((d) => d.reading));
      this.collect(entry.scorer, scored, list, out, sentAt);
    }
    await this.o.publisher.publish(out);
    const acked = Date.now();
    for (let i = 0; i < out.length; i++) {
      this.o.metrics.published.inc({ kind: out[i]!.anomaly === 1 ? 'anomaly' : 'normal' });
      this.o.metrics.latency.observe((acked - sentAt[i]!) / 1000);
    }
    await source.commit(this.commitPositions(mine));
    this.o.metrics.batches.observe((performance.now() - started) / 1000);
  }

  private collect(
    scorer: SensorScorer,
    scored: ScoredReadings,
    list: Decoded[],
    out: AnomalyMessage[],
    sentAt: number[]
  ): void {
    let rows = 0;
    for (let i = 0; i < list.length; i++) {
      if (!scored.scored[i]) {
        continue;
      }
      rows++;
      if (scored.flag[i] !== 1 && this.o.publish === 'anomalies') {
        continue;
      }
      out.push(anomalyMessage(scorer, scored, i, 'worker'));
      sentAt.push(list[i]!.message.timestampMs);
    }
    // Counted once per sensor and batch: a labelled counter per message would cost more than the scoring.
    this.o.metrics.messages.inc({ outcome: 'scored', reason: '' }, rows);
    if (rows < list.length) {
      this.o.metrics.messages.inc({ outcome: 'dropped', reason: 'no_feature_row' }, list.length - rows);
    }
  }

  /** Per partition of the batch: the offset after its last message (what the group resumes from). */
  private commitPositions(messages: TopicMessage[]): CommitPosition[] {
    const last = new Map<number, TopicMessage>();
    for (const m of messages) {
      const prev = last.get(m.partition);
      if (!prev || m.offset > prev.offset) {
        last.set(m.partition, m);
      }
    }
    return [...last.values()].map((m) => {
      this.position.set(m.partition, m.offset + 1n);
      return { partition: m.partition, offset: m.offset + 1n, leaderEpoch: m.leaderEpoch };
    });
  }

  private async updateLag(source: GroupSource): Promise<void> {
    if (Date.now() - this.lagCheckedAt < LAG_EVERY_MS || this.assigned.size === 0) {
      return;
    }
    this.lagCheckedAt = Date.now();
    try {
      const end = await source.endOffsets();
      for (const p of this.assigned) {
        const position = this.position.get(p);
        if (position !== undefined && end[p] !== undefined) {
          this.o.metrics.lag.set({ partition: String(p) }, Number(end[p]! - position));
        }
      }
    } catch (error) {
      this.o.log('could not read the end offsets for lag', { error: (error as Error).message });
    }
  }
}
