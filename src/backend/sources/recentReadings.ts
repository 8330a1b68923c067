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
 * A read the item cap cut short is answered but never cached as complete.
 * Bounds: `maxReadingsPerSensor` (oldest readings dropped first) and
 * `maxReadings` over all sensors (least recently used sensors dropped).
 */
import { LRUCache } from 'lru-cache';
import { METRICS, type Metric } from '../../common/query';
import { lowerBound, upperBound } from '../async/sortedSearch';
import type { ReadRangeRequest } from './dynamoReadings';
import type { ReadResult, ReadStats, SensorSeries, SkipCounts } from './types';

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
  coveredFrom: number;
  coveredTo: number;
}

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

/** The span with everything `fresh` read for [readFrom, readTo] replacing what it held there. */
function mergeSpan(
  span: Span | undefined,
  fresh: SensorSeries,
  readFrom: number,
  readTo: number,
  coveredTo: number
): Span {
  if (!span || span.coveredTo < readFrom || span.coveredFrom > readTo) {
    return { series: fresh, coveredFrom: readFrom, coveredTo };
  }
  const old = span.series;
  const head = sliceSeries(old, 0, lowerBound(old.time, readFrom));
  const tail = sliceSeries(old, upperBound(old.time, readTo), old.time.length);
  return {
    series: concatSeries(fresh.sensorId, [head, fresh, tail]),
    coveredFrom: Math.min(span.coveredFrom, readFrom),
    coveredTo: Math.max(span.coveredTo, coveredTo),
  };
}

/** Drops the oldest readings beyond `max`, moving the covered start past them (never splitting one timestamp). */
function trimSpan(span: Span, max: number): Span {
  const time = span.series.time;
  if (time.length <= max) {
    return span;
  }
  const cut = upperBound(time, time[time.length - max - 1]!);
  return {
    series: sliceSeries(span.series, cut, time.length),
    coveredFrom: cut < time.length ? time[cut]! : span.coveredTo,
    coveredTo: span.coveredTo,
  };
}

function emptyStats(cap: number): ReadStats {
  return {
    itemsRead: 0,
    itemsSkipped: 0,
    skipReasons: {},
    missingReadings: {},
    truncated: false,
    itemCap: cap,
    pages: 0,
  };
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, more: Partial<Record<K, number>>): void {
  for (const [key, n] of Object.entries(more) as Array<[K, number]>) {
    into[key] = (into[key] ?? 0) + n;
  }
}

function addStats(total: ReadStats, more: ReadStats): void {
  total.itemsRead += more.itemsRead;
  total.itemsSkipped += more.itemsSkipped;
  total.pages += more.pages;
  total.truncated ||= more.truncated;
  total.itemCap = more.itemCap;
  addCounts<keyof SkipCounts['skipReasons'] & string>(total.skipReasons, more.skipReasons);
  addCounts<Metric>(total.missingReadings, more.missingReadings);
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
      sizeCalculation: (span) => Math.max(1, span.series.time.length),
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
    const stats = emptyStats(0);
    const fresh = new Map<string, { series: SensorSeries; readFrom: number; complete: boolean }>();
    const reads = await Promise.all(
      [...groups].map(async ([readFrom, group]) => ({
        readFrom,
        result: await this.reader.readRange({ sensors: group, fromMs: readFrom, toMs, signal }),
      }))
    );
    for (const { readFrom, result } of reads) {
      addStats(stats, result.stats);
      for (const series of result.series) {
        fresh.set(series.sensorId, { series, readFrom, complete: !result.stats.truncated });
      }
    }
    let reused = 0;
    const perSensor = new Map<string, { read: number; reused: number }>();
    const series: SensorSeries[] = [];
    for (const sensor of [...sensors].sort()) {
      const before = snapshots.get(sensor);
      const read = fresh.get(sensor);
      const span = read ? mergeSpan(before, read.series, read.readFrom, toMs, coveredTo) : before;
      if (!span) {
        continue; // not read and not cached: the reader returned nothing for it
      }
      if (read?.complete) {
        this.commit(sensor, read.series, read.readFrom, toMs, coveredTo);
      }
      const answer = sliceSeries(span.series, lowerBound(span.series.time, fromMs), upperBound(span.series.time, toMs));
      const readNow = read ? read.series.time.length : 0;
      perSensor.set(sensor, { read: readNow, reused: answer.time.length - readNow });
      reused += answer.time.length - readNow;
      if (named || answer.time.length > 0) {
        series.push(answer);
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
  private commit(sensor: string, series: SensorSeries, readFrom: number, readTo: number, coveredTo: number): void {
    const merged = mergeSpan(this.spans.get(sensor), series, readFrom, readTo, coveredTo);
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
