/**
 * Live anomaly streams (Grafana Live), one per channel = (sensor, live
 * query): RunStream resolves the sensor's model exactly as QueryData does
 * (same cache, same store), starts a tail (DynamoDB polling or a Kafka
 * topic) at the channel's cursor, fills the feature windows from the
 * look-back period, then scores each new reading and sends it as a row of
 * the `anomalies` frame (schema in the first packet, data only after).
 *
 * - One run per channel in this process: a second RunStream for a channel
 *   (Grafana restarting it) stops the first and takes over its cursor.
 * - No gap, no duplicate across restarts: the cursor (newest reading time
 *   sent) of every channel outlives the run; a new run resumes from it.
 *   The first run of a channel starts at the newest stored reading (what
 *   the dashboard's query just showed) or, from Kafka, at now minus
 *   `liveReplayMinutes`.
 * - Cancellation (the last viewer left) ends the run within one poll's
 *   abort: every wait and read honours the call's signal.
 * - Large catch-ups are scored in chunks with a yield to the event loop in
 *   between, so no call waits behind a stream.
 * - With `kafkaPublishAnomalies`, each anomaly also goes to the anomalies
 *   topic through the data source's one idempotent producer.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';

import { LRUCache } from 'lru-cache';

import type { ResolvedQuery } from '../../../common/query';
import { DEFAULT_SETTINGS, SETTINGS_LIMITS, type AnomalySecureJsonData } from '../../../common/settings';
import { anomalyMessage } from '../../live/anomalyMessage';
import { SensorScorer, unscored, type Reading, type ScoredReadings } from '../../live/sensorScorer';
import { DynamoTail, KafkaSensorTail, type LiveTail } from '../../live/tails';
import type { DataSourceSettings, Frame, RequestContext, StreamHandler, StreamSender } from '../../runtime';
import { featureSpecOf, warmupMs } from '../../scoring/features';
import { loadModel } from '../../scoring/model';
import { AnomalyPublisher, type AnomalyMessage } from '../../sources/kafkaAnomalies';
import { kafkaConnectionFromSettings, type KafkaConnection } from '../../sources/kafkaConfig';
import type { Connections } from '../connections';
import { anomalyFrame, type SensorOutcome } from '../frames';
import type { ScoringServices } from '../services';
import { isolationForestModel } from '../training';
import { channelAddress, channelKey, decodeChannelPath, type LiveChannel } from './channel';

export interface LiveDeps {
  settings: DataSourceSettings;
  connections: Connections;
  services: ScoringServices;
}

/** Readings scored per slice before the event loop gets a turn. */
const SCORE_SLICE = 2000;

/**
 * Newest reading time each channel has sent, across runs and data source
 * instances (a settings change re-creates the instance and Grafana restarts
 * the run): what a restarted run resumes from.
 */
const cursors = new LRUCache<string, number>({ max: 10_000 });

function pollInterval(deps: LiveDeps): number {
  const asked = deps.connections.options.livePollIntervalMs ?? DEFAULT_SETTINGS.livePollIntervalMs;
  const { min, max } = SETTINGS_LIMITS.livePollIntervalMs;
  return Number.isFinite(asked) ? Math.min(max, Math.max(min, asked)) : DEFAULT_SETTINGS.livePollIntervalMs;
}

/** The rows of one packet as the `anomalies` frame QueryData writes (same fields, labels and config). */
function packetFrame(channel: LiveChannel, scored: ScoredReadings): Frame {
  const metric = channel.query.metric;
  const outcome: SensorOutcome = {
    sensorId: channel.sensor,
    metric,
    time: scored.time,
    value: scored.values[metric],
    scoring: {
      score: scored.score,
      flag: Float64Array.from(scored.flag),
      explanation: scored.explanation,
      scored: scored.scored,
      threshold: scored.threshold,
    },
    itemsRead: 0,
    itemsSkipped: 0,
    reused: 0,
    notices: [],
    description: '',
  };
  // Stats and notices belong to a query answer; a packet is rows (and the schema, once).
  const { meta: _meta, ...frame } = anomalyFrame(outcome);
  return frame;
}

/** The flagged readings of a packet, as messages for the anomalies topic. */
function anomaliesOf(scorer: SensorScorer, scored: ScoredReadings): AnomalyMessage[] {
  const out: AnomalyMessage[] = [];
  for (let i = 0; i < scored.time.length; i++) {
    if (scored.scored[i] && scored.flag[i] === 1) {
      out.push(anomalyMessage(scorer, scored, i, 'live'));
    }
  }
  return out;
}

/** Live streams of one data source instance. */
export class LiveStreams {
  private readonly running = new Map<string, { stop: AbortController; done: Promise<void> }>();
  private kafkaConnection: KafkaConnection | undefined;
  private publisher: AnomalyPublisher | undefined;

  constructor(private readonly deps: LiveDeps) {}

  private kafka(): KafkaConnection {
    this.kafkaConnection ??= kafkaConnectionFromSettings(
      this.deps.connections.options,
      this.deps.settings.secureJsonData as AnomalySecureJsonData
    );
    return this.kafkaConnection;
  }

  /** The data source's one long-lived idempotent producer (only when anomalies are published). */
  private anomalyPublisher(): AnomalyPublisher | undefined {
    if (!(this.deps.connections.options.kafkaPublishAnomalies ?? DEFAULT_SETTINGS.kafkaPublishAnomalies)) {
      return undefined;
    }
    this.publisher ??= new AnomalyPublisher(this.kafka(), `iotlab-live-${this.deps.settings.uid}`);
    return this.publisher;
  }

  resolve(path: string, data: unknown): LiveChannel | undefined {
    return decodeChannelPath(path, data);
  }

  /** Runs the channel's stream until `ctx.signal` aborts; a run already going for it is stopped first. */
  async run(channel: LiveChannel, path: string, ctx: RequestContext, sender: StreamSender): Promise<void> {
    const key = channelKey(this.deps.settings.uid, path);
    const previous = this.running.get(key);
    if (previous) {
      previous.stop.abort();
      await previous.done;
    }
    const stop = new AbortController();
    const signal = AbortSignal.any([ctx.signal, stop.signal]);
    const done = this.stream(channel, key, signal, ctx, sender).finally(() => {
      if (this.running.get(key)?.done === done) {
        this.running.delete(key);
      }
    });
    this.running.set(key, { stop, done });
    return done;
  }

  private tailFor(channel: LiveChannel): LiveTail {
    if (channel.query.liveSource === 'kafka') {
      return new KafkaSensorTail(this.kafka(), channel.sensor, `iotlab-live-${this.deps.settings.uid}`);
    }
    return new DynamoTail(this.deps.connections.readings(), channel.sensor, pollInterval(this.deps));
  }

  /** Where a channel's first run starts: what QueryData just showed (DynamoDB), or the replay window (Kafka). */
  private async firstCursor(channel: LiveChannel, signal: AbortSignal): Promise<number> {
    const now = Date.now();
    if (channel.query.liveSource === 'kafka') {
      return now - channel.query.liveReplayMinutes * 60_000;
    }
    const recent = await this.deps.connections
      .readings()
      .readRange({ sensors: [channel.sensor], fromMs: now - 86_400_000, toMs: now + 60_000, signal });
    const time = recent.series.find((s) => s.sensorId === channel.sensor)?.time;
    return time && time.length > 0 ? time[time.length - 1]! : now;
  }

  private async scorerFor(channel: LiveChannel, signal: AbortSignal): Promise<{ scorer?: SensorScorer; why?: string }> {
    const query = channel.query;
    if (query.model !== 'isolation_forest') {
      return {
        why: 'DBSCAN fits the range it is shown; a live stream cannot score with it. Choose Isolation Forest for live scoring.',
      };
    }
    const spec = featureSpecOf({ metrics: query.metrics, transforms: query.transforms });
    const answer = await isolationForestModel(
      { sensor: channel.sensor, query, spec, fromMs: Date.now(), signal },
      this.deps
    );
    if (!answer.ok) {
      return { why: answer.notices.map((n) => n.text).join(' ') || `No model for ${channel.sensor}.` };
    }
    return { scorer: new SensorScorer(channel.sensor, loadModel(answer.model.json), answer.model.key) };
  }

  private async stream(
    channel: LiveChannel,
    key: string,
    signal: AbortSignal,
    ctx: RequestContext,
    sender: StreamSender
  ): Promise<void> {
    const { scorer, why } = await this.scorerFor(channel, signal);
    if (!scorer) {
      ctx.logger.warn('Live stream without a model: readings are not scored', { channel: key, reason: why });
    }
    const tail = this.tailFor(channel);
    const publisher = this.anomalyPublisher();
    try {
      const cursor = cursors.get(key) ?? (await this.firstCursor(channel, signal));
      const lookback = scorer ? warmupMs(scorer.model.spec) + scorer.model.spec.windows.maxGapMs : 0;
      const history = await tail.start(cursor, lookback, signal);
      scorer?.warm(history);
      while (!signal.aborted) {
        const fresh = await tail.next(signal);
        for (let start = 0; start < fresh.length && !signal.aborted; start += SCORE_SLICE) {
          const slice = fresh.slice(start, start + SCORE_SLICE);
          await this.send(channel, scorer, slice, sender, publisher);
          cursors.set(key, slice[slice.length - 1]!.timeMs);
          await yieldToLoop();
        }
      }
    } finally {
      // Closing a Kafka reader takes a round trip: not on the cancelled call's clock.
      void tail
        .close()
        .catch((error: unknown) => ctx.logger.warn('Live tail did not close cleanly', { channel: key, error }));
    }
  }

  private async send(
    channel: LiveChannel,
    scorer: SensorScorer | undefined,
    readings: Reading[],
    sender: StreamSender,
    publisher: AnomalyPublisher | undefined
  ): Promise<void> {
    const scored = scorer ? scorer.score(readings) : unscored(readings);
    await sender.sendFrame(packetFrame(channel, scored));
    if (scorer && publisher) {
      await publisher.publish(anomaliesOf(scorer, scored));
    }
  }

  async dispose(): Promise<void> {
    for (const { stop } of this.running.values()) {
      stop.abort();
    }
    await Promise.all([...this.running.values()].map((r) => r.done.catch(() => undefined)));
    await this.publisher?.close();
  }
}

/**
 * For a live `anomalies` query: each sensor's frame of the range names its
 * channel, so Grafana keeps the frame and appends what the stream sends.
 */
export function withLiveChannels(frames: Frame[], query: ResolvedQuery, dataSourceUid: string): Frame[] {
  if (!query.live || query.queryType !== 'anomalies') {
    return frames;
  }
  return frames.map((frame) =>
    frame.name && frame.name !== 'no data'
      ? { ...frame, meta: { ...frame.meta, channel: channelAddress(dataSourceUid, { sensor: frame.name, query }) } }
      : frame
  );
}

/** The StreamHandler part for live paths (the index routes other paths, e.g. selftest). */
export function liveStreamHandler(live: LiveStreams): Pick<StreamHandler, 'subscribe' | 'run'> {
  return {
    async subscribe(request) {
      return { status: live.resolve(request.path, request.data) ? 'OK' : 'NOT_FOUND' };
    },
    async run(request, ctx, sender) {
      const channel = live.resolve(request.path, request.data);
      if (channel) {
        await live.run(channel, request.path, ctx, sender);
      }
    },
  };
}
