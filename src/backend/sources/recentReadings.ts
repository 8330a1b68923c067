/**
 * A bounded per-sensor cache of recent readings in front of the DynamoDB
 * reader, so that a dashboard refresh (every 5–30 s) or an alert evaluation
 * (every minute) reads only the items newer than what it already holds.
 *
 * Per sensor the cache keeps the readings of a covered span [from, to]: `to`
 * is the end of the last read, or the time that read started when its range
 * reached into the future (items for later times may still arrive). A read of
 * [a, b] that starts inside the span asks DynamoDB only for
 * [max(a, to − overlap), b]: the overlap (`refreshOverlapMs`) re-reads the
 * last moments, where late or rewritten items land. Everything the re-read
 * returns replaces what the cache held for those times, so the answer equals
 * an uncached read of [a, b] except for items written more than `overlap`
 * late (they are picked up once the span is read afresh). A read outside the
 * span (zoomed out, or a cold cache) reads the whole range.
 *
 * Skips and gaps are those of the range shown, per sensor, whatever was read
 * now (docs/adr/0008-skip-counts-of-the-range-shown.md): the span keeps each
 * sensor's skipped items whose time could be read, replaced like readings
 * where a read lands and dropped with them when the span is trimmed; items
 * without a usable time come back with every read of the sensor (the time
 * filter lets them through), so the latest read's count of them stands; a
 * missing reading is a NaN in the answer itself. `itemsRead` and `pages` are
 * what this request read.
 *
 * A read the item cap cut short is answered but never cached as complete.
 * Bounds: `maxReadingsPerSensor` (oldest readings dropped first) and
 * `maxReadings` over all sensors (least recently used sensors dropped).
 */
import { LRUCache } from 'lru-cache';
import { METRICS, type Metric } from '../../common/query';
import { lowerBound, upperBound } from '../async/sortedSearch';
import type { ReadRangeRequest } from './dynamoReadings';
import { emptyReadStats } from './seriesBuilder';
import type { ReadResult, ReadStats, SensorSeries, SensorSkips, SkipCounts, SkipReason, TimedSkip } from './types';

/** What the cache needs from a reader (DynamoReadingsSource has it). */
export interface RangeReader {
  readRange(request: ReadRangeRequest): Promise<ReadResult>;
  listSensors(signal?: AbortSignal): Promise<string[]>;
}

export interface RecentReadingsOptions {
  /** How far before the end of the cached span a refresh reads again (late writes). */
  overlapMs: number;
  maxReadingsPerSensor?: number;
  maxReadings?: number;
  /** Clock, for tests. */
  now?: () => number;
}

const RECENT_READINGS_DEFAULTS = {
  /** 23 days of one reading every 10 s. */
  maxReadingsPerSensor: 200_000,
  /** ~80 MB of readings (8 bytes × time and four metrics). */
  maxReadings: 2_000_000,
} as const;

export interface RecentReadResult extends ReadResult {
  /** Readings of the answer that came from the cache instead of DynamoDB. */
  reusedReadings: number;
  /** Per sensor: readings read from DynamoDB now, and reused from the cache. */
  perSensor: Map<string, { read: number; reused: number }>;
}

interface Span {
  series: SensorSeries;
  /** The span's skipped items whose time could be read, ascending. */
  timedSkips: TimedSkip[];
  /**
   * Skipped items without a usable time, as the latest read counted them. Every
   * read of a sensor returns such items whatever its range (the time filter lets
   * them through so they are counted), so the latest count is the whole count.
   */
  untimedSkips: Partial<Record<SkipReason, number>>;
  coveredFrom: number;
  coveredTo: number;
}

/** What one read returned for one sensor. */
interface FreshRead {
  series: SensorSeries;
  skips: SensorSkips;
  readFrom: number;
  /** False when the item cap cut the read short: answered, never cached. */
  complete: boolean;
}

const NO_SKIPS: SensorSkips = { itemsSkipped: 0, skipReasons: {}, missingReadings: {}, timed: [] };

function sliceSeries(series: SensorSeries, from: number, to: number): SensorSeries {
  const readings = {} as Record<Metric, Float64Array>;
  for (const m of METRICS) {
    readings[m] = series.readings[m].subarray(from, to);
  }
  return { sensorId: series.sensorId, time: series.time.subarray(from, to), readings };
}

function concatSeries(sensorId: string, parts: SensorSeries[]): SensorSeries {
  const n = parts.reduce((sum, p) => sum + p.time.length, 0);
  const join = (pick: (s: SensorSeries) => Float64Array): Float64Array => {
    const out = new Float64Array(n);
    let at = 0;
    for (const p of parts) {
      out.set(pick(p), at);
      at += p.time.length;
    }
    return out;
  };
  const readings = {} as Record<Metric, Float64Array>;
  for (const m of METRICS) {
    readings[m] = join((s) => s.readings[m]);
  }
  return { sensorId, time: join((s) => s.time), readings };
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, more: Partial<Record<K, number>>): void {
  for (const [key, n] of Object.entries(more) as Array<[K, number]>) {
    into[key] = (into[key] ?? 0) + n;
  }
}

/** A read's skips without a usable time: all its skips but the timed ones. */
function untimedOf(skips: SensorSkips): Partial<Record<SkipReason, number>> {
  const untimed = { ...skips.skipReasons };
  for (const { reason } of skips.timed) {
    untimed[reason]! -= 1;
  }
  for (const reason of Object.keys(untimed) as SkipReason[]) {
    if (untimed[reason] === 0) {
      delete untimed[reason];
    }
  }
  return untimed;
}

/** The span with everything `fresh` read for [readFrom, readTo] (readings and skips) replacing what it held there. */
function mergeSpan(span: Span | undefined, fresh: FreshRead, readTo: number, coveredTo: number): Span {
  const { series, skips, readFrom } = fresh;
  const untimedSkips = untimedOf(skips);
  if (!span || span.coveredTo < readFrom || span.coveredFrom > readTo) {
    return { series, timedSkips: skips.timed, untimedSkips, coveredFrom: readFrom, coveredTo };
  }
  const old = span.series;
  const head = sliceSeries(old, 0, lowerBound(old.time, readFrom));
  const tail = sliceSeries(old, upperBound(old.time, readTo), old.time.length);
  return {
    series: concatSeries(series.sensorId, [head, series, tail]),
    timedSkips: [
      ...span.timedSkips.filter((s) => s.timeMs < readFrom),
      ...skips.timed,
      ...span.timedSkips.filter((s) => s.timeMs > readTo),
    ],
    untimedSkips,
    coveredFrom: Math.min(span.coveredFrom, readFrom),
    coveredTo: Math.max(span.coveredTo, coveredTo),
  };
}

/**
 * Drops the oldest readings beyond `max`, moving the covered start past them
 * (never splitting one timestamp); the skips of the dropped part go with it.
 */
function trimSpan(span: Span, max: number): Span {
  const time = span.series.time;
  if (time.length <= max) {
    return span;
  }
  const cut = upperBound(time, time[time.length - max - 1]!);
  const coveredFrom = cut < time.length ? time[cut]! : span.coveredTo;
  return {
    ...span,
    series: sliceSeries(span.series, cut, time.length),
    timedSkips: span.timedSkips.filter((s) => s.timeMs >= coveredFrom),
    coveredFrom,
  };
}

/** Kept readings that are NaN, per metric: the items that lacked them. */
function missingIn(series: SensorSeries): Partial<Record<Metric, number>> {
  const missing: Partial<Record<Metric, number>> = {};
  for (const m of METRICS) {
    let n = 0;
    for (const v of series.readings[m]) {
      n += Number.isNaN(v) ? 1 : 0;
    }
    if (n > 0) {
      missing[m] = n;
    }
  }
  return missing;
}

/** The skips and gaps of the answer's range [fromMs, toMs], wherever its readings came from. */
function skipsShown(span: Span, answer: SensorSeries, fromMs: number, toMs: number): SensorSkips {
  const timed = span.timedSkips.filter((s) => s.timeMs >= fromMs && s.timeMs <= toMs);
  const skipReasons: Partial<Record<SkipReason, number>> = {};
  for (const { reason } of timed) {
    skipReasons[reason] = (skipReasons[reason] ?? 0) + 1;
  }
  addCounts(skipReasons, span.untimedSkips);
  const itemsSkipped = Object.values(skipReasons).reduce((sum, n) => sum + n, 0);
  return { itemsSkipped, skipReasons, missingReadings: missingIn(answer), timed };
}

/** Adds the skips and gaps of `more` to `total`'s. */
function addSkips(total: SkipCounts & { itemsSkipped: number }, more: SkipCounts & { itemsSkipped: number }): void {
  total.itemsSkipped += more.itemsSkipped;
  addCounts(total.skipReasons, more.skipReasons);
  addCounts(total.missingReadings, more.missingReadings);
}

/** What the reads of this request did; their per-sensor skips are replaced by those of the range shown. */
function addReadWork(total: ReadStats, more: ReadStats): void {
  total.itemsRead += more.itemsRead;
  total.pages += more.pages;
  total.truncated ||= more.truncated;
  total.itemCap = more.itemCap;
  addSkips(total.withoutSensor, more.withoutSensor);
  addSkips(total, more.withoutSensor);
}

export class RecentReadings {
  private readonly spans: LRUCache<string, Span>;
  private readonly overlapMs: number;
  private readonly maxPerSensor: number;
  private readonly now: () => number;

  constructor(
    private readonly reader: RangeReader,
    options: RecentReadingsOptions
  ) {
    this.overlapMs = Math.max(0, options.overlapMs);
    this.maxPerSensor = options.maxReadingsPerSensor ?? RECENT_READINGS_DEFAULTS.maxReadingsPerSensor;
    this.now = options.now ?? Date.now;
    this.spans = new LRUCache<string, Span>({
      maxSize: options.maxReadings ?? RECENT_READINGS_DEFAULTS.maxReadings,
      // Skips are held like readings: a table of mostly malformed items must not grow the cache unbounded.
      sizeCalculation: (span) => Math.max(1, span.series.time.length + span.timedSkips.length),
    });
  }

  /** Readings of [fromMs, toMs] (both inclusive) per sensor, reading from DynamoDB only what the cache lacks. */
  async readRange(request: ReadRangeRequest): Promise<RecentReadResult> {
    const { fromMs, toMs, signal } = request;
    const named = request.sensors.length > 0;
    const sensors = named ? [...request.sensors] : await this.reader.listSensors(signal);
    const startedAt = this.now();
    const coveredTo = Math.min(toMs, startedAt);
    const snapshots = new Map(sensors.map((s) => [s, this.spans.get(s)] as const));
    const groups = new Map<number, string[]>();
    for (const sensor of sensors) {
      const readFrom = this.readFrom(snapshots.get(sensor), fromMs, toMs);
      if (readFrom !== undefined) {
        groups.set(readFrom, [...(groups.get(readFrom) ?? []), sensor]);
      }
    }
    const stats = emptyReadStats();
    const fresh = new Map<string, FreshRead>();
    const reads = await Promise.all(
      [...groups].map(async ([readFrom, group]) => ({
        readFrom,
        result: await this.reader.readRange({ sensors: group, fromMs: readFrom, toMs, signal }),
      }))
    );
    for (const { readFrom, result } of reads) {
      addReadWork(stats, result.stats);
      for (const series of result.series) {
        const skips = result.stats.bySensor.get(series.sensorId) ?? NO_SKIPS;
        fresh.set(series.sensorId, { series, skips, readFrom, complete: !result.stats.truncated });
      }
    }
    let reused = 0;
    const perSensor = new Map<string, { read: number; reused: number }>();
    const series: SensorSeries[] = [];
    for (const sensor of [...sensors].sort()) {
      const before = snapshots.get(sensor);
      const read = fresh.get(sensor);
      const span = read ? mergeSpan(before, read, toMs, coveredTo) : before;
      if (!span) {
        continue; // not read and not cached: the reader returned nothing for it
      }
      if (read?.complete) {
        this.commit(sensor, read, toMs, coveredTo);
      }
      const answer = sliceSeries(span.series, lowerBound(span.series.time, fromMs), upperBound(span.series.time, toMs));
      const skips = skipsShown(span, answer, fromMs, toMs);
      const readNow = read ? read.series.time.length : 0;
      perSensor.set(sensor, { read: readNow, reused: answer.time.length - readNow });
      reused += answer.time.length - readNow;
      // A sensor whose items of the range were all malformed is answered (empty), so its skips are shown.
      if (named || answer.time.length > 0 || skips.itemsSkipped > 0) {
        series.push(answer);
        if (skips.itemsSkipped > 0 || Object.keys(skips.missingReadings).length > 0) {
          stats.bySensor.set(sensor, skips);
          addSkips(stats, skips);
        }
      }
    }
    return { series, stats, reusedReadings: reused, perSensor };
  }

  /** Where a read must start for this sensor, or undefined when the cache answers alone. */
  private readFrom(span: Span | undefined, fromMs: number, toMs: number): number | undefined {
    if (!span || span.coveredFrom > fromMs || span.coveredTo < fromMs) {
      return fromMs;
    }
    const readFrom = Math.max(fromMs, span.coveredTo - this.overlapMs);
    return readFrom > toMs ? undefined : readFrom;
  }

  /** Merges a complete read into the current span (another request may have updated it meanwhile). */
  private commit(sensor: string, read: FreshRead, readTo: number, coveredTo: number): void {
    const merged = mergeSpan(this.spans.get(sensor), read, readTo, coveredTo);
    this.spans.set(sensor, trimSpan(merged, this.maxPerSensor));
  }

  /** Readings held, over all sensors. */
  get size(): number {
    return this.spans.calculatedSize;
  }

  /** Forgets everything (settings changed). */
  clear(): void {
    this.spans.clear();
  }
}
