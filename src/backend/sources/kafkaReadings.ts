/**
 * Reading messages from a Kafka topic: decoding one message (the same decoder
 * as DynamoDB items, so the seed's item shape works as plain JSON), and two
 * readers over @platformatic/kafka:
 *
 * - `KafkaTopicTail`: a Live stream's view of a topic. It joins no shared
 *   group (a private one, never committed), starts where it is told — saved
 *   positions, the last N minutes, or the end — and remembers how far it read,
 *   so a restarted stream continues without gap or duplicate.
 * - `KafkaGroupReader`: the scoring worker's consumer-group member. Partitions
 *   are shared among the group's workers; offsets are committed only when the
 *   caller says the batch is done (at-least-once).
 *
 * Both hand out batches pulled from the client's stream, so a slow consumer
 * applies back-pressure instead of buffering without bound.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';

import type { Consumer, Message, MessagesStream } from '@platformatic/kafka';

import { redactSecrets, SourceError } from './errors';
import { decodeItem, type DecodeOutcome, type ItemShape } from './parsing';
import { kafkaLibrary } from './clientLibraries';
import { clientBase, type KafkaConnection } from './kafkaConfig';

type RawMessage = Message<string, Buffer, Buffer, Buffer>;

/** One message as the readers hand it out. */
export interface TopicMessage {
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  /** The message key (the sensor id, by convention), if any. */
  key: string | undefined;
  value: Buffer | undefined;
  /** The broker's (or producer's) timestamp, epoch ms. */
  timestampMs: number;
}

/** Next offset to read, per partition. */
export type PartitionPositions = Map<number, bigint>;

/** Decodes a reading message's JSON; unparseable JSON is a `bad_payload` skip, like an undecodable item. */
export function decodeReadingMessage(value: Buffer | undefined, shape: ItemShape): DecodeOutcome {
  if (value === undefined || value.length === 0) {
    return { ok: false, reason: 'bad_payload' };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'bad_payload' };
  }
  return decodeItem(doc, shape);
}

function toTopicMessage(m: RawMessage): TopicMessage {
  return {
    partition: m.partition,
    offset: m.offset,
    leaderEpoch: m.leaderEpoch,
    // An absent key deserializes to undefined or ''; both mean "no key".
    key: m.key || undefined,
    value: m.value ?? undefined,
    timestampMs: Number(m.timestamp),
  };
}

/**
 * Pulls messages off a client stream in batches: what is buffered right now,
 * or else the first message(s) to arrive within `waitMs`. An empty batch means
 * nothing came (or `signal` aborted). Pull-based, so an unread stream pauses
 * the client's fetches.
 */
class Batcher {
  private failure: Error | undefined;
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(private readonly stream: Readable) {
    // A permanent 'readable' listener puts the stream in paused (pull) mode: the client fetches
    // only for a stream someone reads (it does nothing while `readableFlowing` is null).
    stream.on('readable', () => this.wake?.());
    stream.on('error', (error: Error) => {
      this.failure = error;
      this.wake?.();
    });
    stream.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
  }

  async next(max: number, waitMs: number, signal?: AbortSignal): Promise<TopicMessage[]> {
    const batch = this.drain(max);
    if (batch.length > 0 || signal?.aborted || this.ended) {
      return batch;
    }
    await this.readable(waitMs, signal);
    return this.drain(max);
  }

  private drain(max: number): TopicMessage[] {
    if (this.failure) {
      throw this.failure;
    }
    const batch: TopicMessage[] = [];
    while (batch.length < max) {
      const message = this.stream.read() as RawMessage | null;
      if (message === null) {
        break;
      }
      batch.push(toTopicMessage(message));
    }
    return batch;
  }

  private readable(waitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

function kafkaError(conn: KafkaConnection, what: string, error: unknown): SourceError {
  if (error instanceof SourceError) {
    return error;
  }
  const detail = redactSecrets(error instanceof Error ? error.message : String(error), conn.secrets);
  return new SourceError(
    'unreachable',
    `${conn.where}: ${what} failed (${detail}); check kafkaBrokers, TLS/SASL settings and the network`
  );
}

/** Where a topic tail starts when it has no saved positions. */
export type TailStart = { kind: 'latest' } | { kind: 'since'; timeMs: number };

const LATEST = -1n;

/**
 * A private reader of a whole topic. Its consumer group is unique to this
 * tail and never commits: the tail itself remembers the next offset of every
 * partition (`positions`), which the caller keeps to resume later.
 */
export class KafkaTopicTail {
  private readonly consumer: Consumer<string, Buffer, Buffer, Buffer>;
  private stream: MessagesStream<string, Buffer, Buffer, Buffer> | undefined;
  private batcher: Batcher | undefined;
  /** Next offset to read per partition, advanced as batches are handed out. */
  readonly positions: PartitionPositions = new Map();

  constructor(
    private readonly conn: KafkaConnection,
    private readonly topic: string,
    clientId: string
  ) {
    const { Consumer, stringDeserializer } = kafkaLibrary();
    this.consumer = new Consumer({
      ...clientBase(conn, clientId),
      groupId: `${clientId}-${randomUUID()}`,
      deserializers: { key: stringDeserializer },
      autocommit: false,
      maxWaitTime: 250,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
    });
  }

  /** Starts at `saved` positions where known, else at `start`. */
  async open(start: TailStart, saved?: PartitionPositions): Promise<void> {
    try {
      const offsets = await this.startOffsets(start, saved);
      this.stream = await this.consumer.consume({
        topics: [this.topic],
        mode: 'manual',
        offsets: offsets.map(([partition, offset]) => ({ topic: this.topic, partition, offset })),
      });
      this.batcher = new Batcher(this.stream);
      for (const [partition, offset] of offsets) {
        this.positions.set(partition, offset);
      }
    } catch (error) {
      throw kafkaError(this.conn, `reading topic "${this.topic}"`, error);
    }
  }

  private async startOffsets(start: TailStart, saved?: PartitionPositions): Promise<Array<[number, bigint]>> {
    const end = (await this.consumer.listOffsets({ topics: [this.topic], timestamp: LATEST })).get(this.topic) ?? [];
    if (end.length === 0) {
      throw new SourceError('config', `kafkaReadingsTopic: topic "${this.topic}" does not exist at ${this.conn.where}`);
    }
    const since =
      start.kind === 'since'
        ? ((await this.consumer.listOffsets({ topics: [this.topic], timestamp: BigInt(Math.floor(start.timeMs)) })).get(
            this.topic
          ) ?? [])
        : [];
    return end.map((endOffset, partition): [number, bigint] => {
      const resume = saved?.get(partition);
      if (resume !== undefined) {
        return [partition, resume];
      }
      // -1: no message at or after that time in this partition, so start at its end.
      const fromTime = since[partition];
      return [partition, fromTime !== undefined && fromTime >= 0n ? fromTime : endOffset];
    });
  }

  /** The next batch (possibly empty after `waitMs`); advances `positions`. */
  async next(max: number, waitMs: number, signal?: AbortSignal): Promise<TopicMessage[]> {
    if (!this.batcher) {
      throw new Error('KafkaTopicTail.next() before open()');
    }
    let batch: TopicMessage[];
    try {
      batch = await this.batcher.next(max, waitMs, signal);
    } catch (error) {
      throw kafkaError(this.conn, `reading topic "${this.topic}"`, error);
    }
    for (const m of batch) {
      this.positions.set(m.partition, m.offset + 1n);
    }
    return batch;
  }

  async close(): Promise<void> {
    await this.stream?.close().catch(() => undefined);
    await this.consumer.close(true).catch(() => undefined);
  }
}

export interface GroupReaderOptions {
  groupId: string;
  clientId: string;
  topic: string;
  /** Where a partition without a committed offset starts. */
  fallback: 'earliest' | 'latest';
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Messages the client may buffer ahead of the caller. */
  highWaterMark?: number;
}

/** Commit position of one partition: the offset of the next message to process. */
export interface CommitPosition {
  partition: number;
  offset: bigint;
  leaderEpoch: number;
}

/**
 * A consumer-group member that reads one topic from the group's committed
 * offsets and commits only on request. Group membership, rebalancing and
 * heartbeats are the client's; `assignedPartitions` says what this member
 * owns right now.
 */
export class KafkaGroupReader {
  private readonly consumer: Consumer<string, Buffer, Buffer, Buffer>;
  private stream: MessagesStream<string, Buffer, Buffer, Buffer> | undefined;
  private batcher: Batcher | undefined;

  constructor(
    private readonly conn: KafkaConnection,
    private readonly options: GroupReaderOptions
  ) {
    const { Consumer, stringDeserializer } = kafkaLibrary();
    this.consumer = new Consumer({
      ...clientBase(conn, options.clientId),
      groupId: options.groupId,
      deserializers: { key: stringDeserializer },
      autocommit: false,
      maxWaitTime: 100,
      // Large fetches: a worker that falls behind catches up in few round trips.
      maxBytes: 32 * 1024 * 1024,
      maxBytesPerPartition: 8 * 1024 * 1024,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 1000,
      highWaterMark: options.highWaterMark ?? 8192,
    });
  }

  /** Joins the group and starts fetching; `onRebalance` runs after every (re)join with the new assignment. */
  async open(onRebalance?: (partitions: number[]) => void): Promise<void> {
    if (onRebalance) {
      this.consumer.on('consumer:group:join', () => onRebalance(this.assignedPartitions()));
    }
    try {
      this.stream = await this.consumer.consume({
        topics: [this.options.topic],
        mode: 'committed',
        fallbackMode: this.options.fallback,
      });
    } catch (error) {
      throw kafkaError(
        this.conn,
        `joining consumer group "${this.options.groupId}" on topic "${this.options.topic}"`,
        error
      );
    }
    this.batcher = new Batcher(this.stream);
    onRebalance?.(this.assignedPartitions());
  }

  assignedPartitions(): number[] {
    const mine = this.consumer.assignments?.find((a) => a.topic === this.options.topic);
    return mine ? [...mine.partitions].sort((a, b) => a - b) : [];
  }

  async next(max: number, waitMs: number, signal?: AbortSignal): Promise<TopicMessage[]> {
    if (!this.batcher) {
      throw new Error('KafkaGroupReader.next() before open()');
    }
    return this.batcher.next(max, waitMs, signal);
  }

  /** Commits these positions for the group (after their results are safely produced). */
  async commit(positions: readonly CommitPosition[]): Promise<void> {
    if (positions.length === 0) {
      return;
    }
    await this.consumer.commit({
      offsets: positions.map((p) => ({
        topic: this.options.topic,
        partition: p.partition,
        offset: p.offset,
        leaderEpoch: p.leaderEpoch,
      })),
    });
  }

  /** The last offset of each partition (the high watermark), for lag. */
  async endOffsets(): Promise<bigint[]> {
    return (
      (await this.consumer.listOffsets({ topics: [this.options.topic], timestamp: LATEST })).get(this.options.topic) ??
      []
    );
  }

  /** The group's committed offset of every partition (-1 where none). */
  async committedOffsets(): Promise<bigint[]> {
    const count = (await this.endOffsets()).length;
    const partitions = Array.from({ length: count }, (_, p) => p);
    const committed = await this.consumer.listCommittedOffsets({ topics: [{ topic: this.options.topic, partitions }] });
    return committed.get(this.options.topic) ?? [];
  }

  /** First offset at or after `timeMs` in `partition` (-1 if none), to warm state up from recent messages. */
  async offsetAt(partition: number, timeMs: number): Promise<bigint> {
    const offsets = await this.consumer.listOffsets({
      topics: [this.options.topic],
      partitions: { [this.options.topic]: [partition] },
      timestamp: BigInt(Math.max(0, Math.floor(timeMs))),
    });
    return offsets.get(this.options.topic)?.[partition] ?? -1n;
  }

  /** Leaves the group (its partitions go to the other members at once) and closes the connections. */
  async close(): Promise<void> {
    await this.stream?.close().catch(() => undefined);
    await this.consumer.close(true).catch(() => undefined);
  }
}
