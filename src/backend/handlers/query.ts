/**
 * QueryData, per refId: validate → read the range (named sensors, or all)
 * plus the features' warm-up before it → features → model → frames.
 *
 * - Readings come through the per-sensor recent-readings cache, so a refresh
 *   reads only what is new (sources/recentReadings.ts).
 * - Isolation Forest scores with a model of the sensor's history or of a
 *   window before the range (training.ts); DBSCAN clusters the standardized
 *   range itself. Both run on the scoring pool's threads.
 * - A live `anomalies` query names each sensor's Grafana Live channel in its
 *   frame (streams/live.ts), so the panel keeps appending what the stream scores.
 * - What could not be scored — no readings, too little training data, a
 *   capped or partly malformed read, readings whose windows were not yet
 *   full — is said in frame notices; the readings are still shown. Each
 *   sensor's malformed items are counted on that sensor's frame, where its
 *   panel or alert instance looks; only items of no sensor are said for the table.
 */
import { parseDuration, LIMITS, type ResolvedQuery, resolveQuery } from '../../common/query';
import type { DataQuery, Frame, Notice, RequestContext } from '../runtime';
import { mapLimited } from '../async/mapLimited';
import { lowerBound } from '../async/sortedSearch';
import { countPerInterval } from '../scoring/counts';
import { featureSpecOf, warmupMs } from '../scoring/features';
import type { RangeScores } from '../scoring/pool';
import type { DropCounts, FeatureSpec } from '../scoring/types';
import type { ReadStats, SensorSeries, SensorSkips } from '../sources/types';
import type { Connections } from './connections';
import { isDetectorInputError, toQueryError } from './errors';
import {
  anomalyFrame,
  countFrame,
  countsText,
  itemsWere,
  emptyOutcome,
  noDataFrame,
  type Counts,
  type RangeScoring,
  type SensorOutcome,
} from './frames';
import type { ScoringServices } from './services';
import { withLiveChannels } from './streams/live';
import { isolationForestModel, unusableReasons } from './training';

export interface QueryDeps {
  connections: Connections;
  services: ScoringServices;
}

/** Sensors scored side by side within one refId (the pool bounds the threads). */
const SENSOR_CONCURRENCY = 4;
/** anomaly_count buckets per series at most, whatever interval Grafana asks for. */
const MAX_COUNT_BUCKETS = 10_000;

const DROP_TEXT: Readonly<Record<keyof DropCounts, string>> = {
  warming_up: 'were too close to the start of the data or to a gap for the feature windows',
  missing_reading: 'lacked one of the model’s readings',
  duplicate_time: 'repeated the timestamp of the reading before',
  out_of_order: 'arrived out of order',
};

/** The anomaly_count bucket width: `countInterval`, else the panel's interval, within the limits. */
function countIntervalMs(query: ResolvedQuery, dataQuery: DataQuery): number {
  const { min, max } = LIMITS.countIntervalMs;
  const asked = query.countInterval ? parseDuration(query.countInterval)! : dataQuery.intervalMs;
  const span = dataQuery.timeRange.to - dataQuery.timeRange.from;
  const interval = Number.isFinite(asked) && asked > 0 ? asked : span / MAX_COUNT_BUCKETS;
  return Math.min(max, Math.max(min, interval, Math.ceil(span / MAX_COUNT_BUCKETS)));
}

function describeQuery(query: ResolvedQuery, spec: FeatureSpec): string {
  const model =
    query.model === 'isolation_forest'
      ? `isolation_forest (${query.isolationForest.nEstimators} trees, seed ${query.isolationForest.seed}, trained on ${
          query.isolationForest.training === 'window'
            ? `the ${query.isolationForest.trainingWindow} before the range`
            : 'the S3 history'
        })`
      : `dbscan (eps ${query.dbscan.eps}, minSamples ${query.dbscan.minSamples})`;
  return `${model}, contamination ${query.contamination}, ${query.featureSet} features (${spec.transforms.join(', ')}) of ${spec.metrics.join(', ')}`;
}

function droppedNotice(dropped: DropCounts, unscored: number): Notice | undefined {
  if (unscored === 0) {
    return undefined;
  }
  const parts = (Object.keys(DROP_TEXT) as Array<keyof DropCounts>)
    .filter((reason) => dropped[reason] > 0)
    .map((reason) => `${dropped[reason]} ${DROP_TEXT[reason]}`);
  return {
    severity: 'info',
    text: `${unscored} readings of the range are not scored: ${parts.join('; ') || 'no feature row'}.`,
  };
}

/** Spreads the scored rows over the range's readings; the rest stay unscored (null in the frame). */
function alignScores(scores: RangeScores, rangeStart: number, length: number): RangeScoring {
  const aligned: RangeScoring = {
    score: new Float64Array(length),
    flag: new Float64Array(length),
    explanation: new Float64Array(length),
    scored: new Uint8Array(length),
    threshold: scores.threshold,
  };
  for (let r = 0; r < scores.rows; r++) {
    const i = scores.rowIndex[r]! - rangeStart;
    aligned.score[i] = scores.score[r]!;
    aligned.flag[i] = scores.flag[r]!;
    aligned.explanation[i] = scores.explanation[r]!;
    aligned.scored[i] = 1;
  }
  return aligned;
}

/** Above this share of noise, DBSCAN's eps says more about the eps than about the readings. */
const MOSTLY_NOISE = 0.5;

/**
 * A fixed eps far below the distances between standardized feature rows makes
 * DBSCAN call (nearly) every reading noise: that is said, not shown as a wall
 * of anomalies. eps "auto" cannot do this (it derives eps from contamination).
 */
function mostlyNoiseNotice(result: RangeScores & { eps: number }, query: ResolvedQuery): Notice | undefined {
  let flagged = 0;
  for (let r = 0; r < result.rows; r++) {
    flagged += result.flag[r]!;
  }
  if (query.dbscan.eps === 'auto' || flagged <= result.rows * MOSTLY_NOISE) {
    return undefined;
  }
  return {
    severity: 'warning',
    text:
      `DBSCAN called ${flagged} of ${result.rows} scored readings noise: dbscan.eps ${result.eps} is too small ` +
      `for these standardized features. Set dbscan.eps to "auto" to derive it from contamination ${query.contamination}.`,
  };
}

/**
 * DBSCAN on one sensor's range. A detector refusing this sensor's data (eps
 * "auto" on readings that never change: every k-distance is 0) is this
 * sensor's notice, not the refId's error: the query itself is fine.
 */
async function dbscanOrNotice(
  request: SensorRequest,
  deps: QueryDeps,
  outcome: SensorOutcome
): Promise<Awaited<ReturnType<ScoringServices['pool']['dbscanRange']>> | undefined> {
  const { series, query, spec, fromMs, signal } = request;
  try {
    return await deps.services.pool.dbscanRange(series, {
      spec,
      scoreFromMs: fromMs,
      eps: query.dbscan.eps,
      minSamples: query.dbscan.minSamples,
      // resolveQuery allows 'auto' only for Isolation Forest.
      contamination: query.contamination as number,
      signal,
    });
  } catch (error) {
    if (!isDetectorInputError(error)) {
      throw error;
    }
    outcome.notices.push({
      severity: 'warning',
      text: `DBSCAN cannot cluster the readings of ${series.sensorId}: ${error.message}. Readings that barely vary need a numeric dbscan.eps. The readings are shown unscored.`,
    });
    return undefined;
  }
}

interface SensorRequest {
  series: SensorSeries;
  /** This sensor's items skipped as malformed and readings missing, in the range read. */
  skips: SensorSkips | undefined;
  table: string;
  query: ResolvedQuery;
  spec: FeatureSpec;
  fromMs: number;
  signal: AbortSignal;
  itemsRead: number;
  reused: number;
  description: string;
}

async function scoreSensor(request: SensorRequest, deps: QueryDeps): Promise<SensorOutcome> {
  const { series, query, spec, fromMs, signal } = request;
  const rangeStart = lowerBound(series.time, fromMs);
  const outcome: SensorOutcome = {
    sensorId: series.sensorId,
    metric: query.metric,
    time: series.time.subarray(rangeStart),
    value: series.readings[query.metric].subarray(rangeStart),
    itemsRead: request.itemsRead,
    itemsSkipped: request.skips?.itemsSkipped ?? 0,
    reused: request.reused,
    notices: request.skips ? skipNotices(request.skips, `${series.sensorId} in table ${request.table}`) : [],
    description: request.description,
  };
  if (outcome.time.length === 0) {
    outcome.notices.push({ severity: 'info', text: `No readings of ${series.sensorId} in this time range.` });
    return outcome;
  }
  let scores: RangeScores | undefined;
  if (query.model === 'isolation_forest') {
    const answer = await isolationForestModel({ sensor: series.sensorId, query, spec, fromMs, signal }, deps);
    outcome.itemsRead += answer.itemsRead;
    outcome.notices.push(...answer.notices);
    if (answer.ok) {
      outcome.model = answer.info;
      scores = await deps.services.pool.scoreRange(series, {
        spec,
        scoreFromMs: fromMs,
        model: answer.model.shared,
        signal,
      });
    }
  } else {
    // undefined: the readings cannot be clustered, which a notice already says.
    const result = await dbscanOrNotice(request, deps, outcome);
    if (result?.ok) {
      scores = result;
      const noise = mostlyNoiseNotice(result, query);
      if (noise) {
        outcome.notices.push(noise);
      }
      outcome.model = {
        key: `dbscan eps ${result.eps.toPrecision(4)}`,
        source: 'range',
        identity: 'the range itself',
        trainingRows: result.rows,
        trainingMs: 0,
      };
    } else if (result) {
      const reasons = unusableReasons(result.dropped);
      outcome.notices.push({
        severity: 'warning',
        text:
          `DBSCAN needs more than ${result.needed - 1} scorable readings; the range has ${result.rows}` +
          (reasons ? ` (readings without a feature row: ${reasons})` : '') +
          '. The readings are shown unscored.',
      });
    }
  }
  if (scores) {
    outcome.scoring = alignScores(scores, rangeStart, outcome.time.length);
    const notice = droppedNotice(scores.dropped, outcome.time.length - scores.rows);
    if (notice) {
      outcome.notices.push(notice);
    }
  }
  return outcome;
}

/** What the item cap cut off: the read as a whole, so it is said once, on the first frame. */
function truncatedNotice(stats: ReadStats): Notice[] {
  if (!stats.truncated) {
    return [];
  }
  return [
    {
      severity: 'warning',
      text: `The read stopped after ${stats.itemCap} DynamoDB items (maxItemsPerQuery): only part of the range is shown. Narrow the range or the sensors, or raise the limit in the data source settings.`,
    },
  ];
}

/** Malformed items skipped and readings missing, of one sensor (`whose`: "s1 in table t"). */
function skipNotices(skips: SensorSkips, whose: string): Notice[] {
  const notices: Notice[] = [];
  if (skips.itemsSkipped > 0) {
    notices.push({
      severity: 'warning',
      text: `${itemsWere(skips.itemsSkipped, whose)} skipped as malformed (${countsText(skips.skipReasons)}).`,
    });
  }
  const missing = countsText(skips.missingReadings, (metric) => `without ${metric}`);
  if (missing) {
    notices.push({ severity: 'info', text: `Items of ${whose} without some readings: ${missing}.` });
  }
  return notices;
}

/** Items whose sensor id could not be read belong to no sensor's frame: said once, for the table. */
function sensorlessNotice(stats: ReadStats, table: string): Notice[] {
  const { itemsSkipped, skipReasons } = stats.withoutSensor;
  if (itemsSkipped === 0) {
    return [];
  }
  return [
    {
      severity: 'warning',
      text:
        `${itemsWere(itemsSkipped, `table ${table}`)} skipped because their sensor id could not be read ` +
        `(${countsText(skipReasons)}): they belong to no sensor, so no sensor's counts include them.`,
    },
  ];
}

function countsOf(outcome: SensorOutcome, bucket: { fromMs: number; toMs: number; intervalMs: number }): Counts {
  const scoring = outcome.scoring;
  if (!scoring) {
    // Nothing was scored: no counts (alerting sees "no data" for this sensor, and the notice says why).
    return { time: new Float64Array(0), count: new Float64Array(0) };
  }
  // Unscored readings carry flag 0 in `flag` (their null is in `scored`), so they never count.
  return countPerInterval(outcome.time, scoring.flag, bucket);
}

async function scoreQuery(
  dataQuery: DataQuery,
  query: ResolvedQuery,
  ctx: RequestContext,
  deps: QueryDeps
): Promise<Frame[]> {
  const { from, to } = dataQuery.timeRange;
  const spec = featureSpecOf({ metrics: query.metrics, transforms: query.transforms });
  const signal = ctx.signal;
  if (to <= from) {
    return emptyRangeFrames(query, dataQuery, spec);
  }
  const read = await deps.connections
    .recent()
    .readRange({ sensors: query.sensors, fromMs: from - warmupMs(spec), toMs: to, signal });
  const description = describeQuery(query, spec);
  const table = deps.connections.dynamoConfig().table;
  const outcomes = await mapLimited(read.series, SENSOR_CONCURRENCY, (series) =>
    scoreSensor(
      {
        series,
        skips: read.stats.bySensor.get(series.sensorId),
        table,
        query,
        spec,
        fromMs: from,
        signal,
        description,
        itemsRead: read.perSensor.get(series.sensorId)?.read ?? 0,
        reused: read.perSensor.get(series.sensorId)?.reused ?? 0,
      },
      deps
    )
  );
  // Each sensor's skips are on its own frame (scoreSensor); what belongs to no sensor goes on the first.
  const shared = [...truncatedNotice(read.stats), ...sensorlessNotice(read.stats, table)];
  const first = outcomes[0];
  if (!first) {
    shared.push({ severity: 'info', text: `No sensor of table ${table} has readings in this time range.` });
    return [noDataFrame(query.queryType, query.metric, shared)];
  }
  first.notices.unshift(...shared);
  return framesOf(outcomes, query, dataQuery);
}

function framesOf(outcomes: SensorOutcome[], query: ResolvedQuery, dataQuery: DataQuery): Frame[] {
  if (query.queryType === 'anomaly_count') {
    const { from, to } = dataQuery.timeRange;
    const bucket = { fromMs: from, toMs: to, intervalMs: countIntervalMs(query, dataQuery) };
    return outcomes.map((o) => countFrame(o, countsOf(o, bucket)));
  }
  return outcomes.map(anomalyFrame);
}

/** A range of no length has no readings: empty frames for the named sensors, else the "no data" frame, saying why. */
function emptyRangeFrames(query: ResolvedQuery, dataQuery: DataQuery, spec: FeatureSpec): Frame[] {
  const notice = (): Notice => ({
    severity: 'info',
    text: `The time range is empty ("from" ${new Date(dataQuery.timeRange.from).toISOString()} is not before "to"): there are no readings to score.`,
  });
  if (query.sensors.length === 0) {
    return [noDataFrame(query.queryType, query.metric, [notice()])];
  }
  const outcomes = query.sensors.map((sensor) =>
    emptyOutcome(sensor, query.metric, [notice()], describeQuery(query, spec))
  );
  return framesOf(outcomes, query, dataQuery);
}

export async function runQuery(dataQuery: DataQuery, ctx: RequestContext, deps: QueryDeps): Promise<Frame[]> {
  try {
    const query = resolveQuery(dataQuery.model);
    const frames = await scoreQuery(dataQuery, query, ctx, deps);
    // A live query answers the range like any other, and names each sensor's Live channel (streams/live.ts).
    return withLiveChannels(frames, query, ctx.dataSource?.uid ?? '');
  } catch (error) {
    throw toQueryError(error);
  }
}
