/**
 * In-memory stand-ins for the data source's connections, for unit tests of
 * the handlers: a table of readings with DynamoDB's inclusive range reads, a
 * history bucket and a model store. The integration tests run the same
 * handlers against DynamoDB Local and the S3 server.
 */
import { METRICS, type Metric } from '../../../common/query';
import type { ReadRangeRequest, TableCheck } from '../../sources/dynamoReadings';
import { SourceError } from '../../sources/errors';
import type { SkippedOutcome } from '../../sources/parsing';
import { emptyReadStats, SeriesBuilder } from '../../sources/seriesBuilder';
import type { StoredModel } from '../../sources/modelStore';
import { RecentReadings } from '../../sources/recentReadings';
import type { HistoryResult, ReadResult, SensorSeries } from '../../sources/types';
import type { Connections, HistoryReader, ModelPersistence, ReadingsReader } from '../connections';

function slice(series: SensorSeries, from: number, to: number): SensorSeries {
  let lo = 0;
  while (lo < series.time.length && series.time[lo]! < from) {
    lo++;
  }
  let hi = lo;
  while (hi < series.time.length && series.time[hi]! <= to) {
    hi++;
  }
  const readings = {} as Record<Metric, Float64Array>;
  for (const m of METRICS) {
    readings[m] = series.readings[m].slice(lo, hi);
  }
  return { sensorId: series.sensorId, time: series.time.slice(lo, hi), readings };
}

/** A malformed item of the in-memory table, with its sensor and time when those could be read. */
export type MemorySkip = Omit<SkippedOutcome, 'ok'>;

class MemoryReadings implements ReadingsReader {
  /** Items returned by every readRange so far. */
  itemsRead = 0;

  constructor(
    readonly table: string,
    private readonly data: Map<string, SensorSeries>,
    private readonly malformed: readonly MemorySkip[]
  ) {}

  /**
   * Like DynamoDB's reads: a malformed item comes back when its time is in the
   * range or unreadable (the time filter lets those through), and when it is
   * one of the sensors read; one without a sensor comes back with every read,
   * as from a Scan not filtered on sensors.
   */
  private returned(skip: MemorySkip, sensors: readonly string[], req: ReadRangeRequest): boolean {
    const inRange = skip.timeMs === undefined || (skip.timeMs >= req.fromMs && skip.timeMs <= req.toMs);
    return inRange && (skip.sensorId === undefined || sensors.includes(skip.sensorId));
  }

  async readRange(req: ReadRangeRequest): Promise<ReadResult> {
    req.signal?.throwIfAborted();
    const named = req.sensors.length > 0;
    const sensors = named ? [...req.sensors] : await this.listSensors();
    const builder = new SeriesBuilder();
    for (const skip of this.malformed.filter((m) => this.returned(m, sensors, req))) {
      builder.add({ ok: false, ...skip });
    }
    const skips = builder.counts();
    const series = sensors.sort().map((id) => {
      const all = this.data.get(id);
      return all
        ? slice(all, req.fromMs, req.toMs)
        : slice({ sensorId: id, time: new Float64Array(0), readings: emptyReadings() }, 0, 0);
    });
    const items = series.reduce((n, s) => n + s.time.length, 0);
    this.itemsRead += items;
    return {
      series: named ? series : series.filter((s) => s.time.length > 0 || skips.bySensor.has(s.sensorId)),
      stats: { ...emptyReadStats(200_000), ...skips, itemsRead: items + skips.itemsRead, pages: 1 },
    };
  }

  async listSensors(): Promise<string[]> {
    const ids = new Set([...this.data.keys(), ...this.malformed.flatMap((m) => m.sensorId ?? [])]);
    return [...ids].sort();
  }

  async checkTable(): Promise<TableCheck> {
    return {
      table: this.table,
      status: 'ACTIVE',
      approximateItemCount: 0,
      hashKey: 'uid',
      rangeKey: 'timestamp',
      accessPath: 'query',
      message: `Table "${this.table}" is ACTIVE`,
    };
  }

  async sampleItem() {
    const [first] = this.data.values();
    if (!first || first.time.length === 0) {
      return {};
    }
    return {
      item: {
        sensorId: first.sensorId,
        timeMs: first.time[0]!,
        values: METRICS.map((m) => first.readings[m][0]!) as [number, number, number, number],
        missingMask: 0,
      },
    };
  }
}

function emptyReadings(): Record<Metric, Float64Array> {
  return Object.fromEntries(METRICS.map((m) => [m, new Float64Array(0)])) as Record<Metric, Float64Array>;
}

class MemoryHistory implements HistoryReader {
  constructor(
    readonly bucket: string,
    private readonly data: Map<string, SensorSeries>,
    private readonly etag = '"v1"'
  ) {}

  async loadHistory(sensorId: string, signal?: AbortSignal): Promise<HistoryResult> {
    signal?.throwIfAborted();
    const series = this.data.get(sensorId);
    if (!series) {
      throw new SourceError('object_not_found', `history object s3://${this.bucket}/${sensorId}.csv does not exist`);
    }
    return {
      series,
      stats: {
        rowsRead: series.time.length,
        rowsSkipped: 0,
        skipReasons: {},
        missingReadings: {},
        etag: this.etag,
        cached: false,
        layout: 'payload',
      },
    };
  }

  async checkBucket(): Promise<{ bucket: string; message: string }> {
    return { bucket: this.bucket, message: `Bucket "${this.bucket}" is reachable.` };
  }
}

class MemoryModelStore implements ModelPersistence {
  readonly objects = new Map<string, StoredModel>();

  location(modelKey: string): string {
    return `memory://models/${modelKey}.json`;
  }

  prefixLocation(): string {
    return 'memory://models/';
  }

  async load(modelKey: string): Promise<StoredModel | undefined> {
    return this.objects.get(modelKey);
  }

  async save(
    modelKey: string,
    json: string | Uint8Array,
    meta: { trainedAt: number; trainingMs: number }
  ): Promise<void> {
    const bytes = typeof json === 'string' ? new TextEncoder().encode(json) : json.slice();
    this.objects.set(modelKey, {
      bytes,
      get json() {
        return new TextDecoder().decode(bytes);
      },
      trainedAt: meta.trainedAt,
      trainingMs: meta.trainingMs,
    });
  }
}

export interface MemoryConnections extends Connections {
  table: MemoryReadings;
  bucket: MemoryHistory;
  store: MemoryModelStore;
}

/** Connections over in-memory readings (per sensor) and histories. */
export function memoryConnections(options: {
  readings: SensorSeries[];
  histories: SensorSeries[];
  /** Items of the table that cannot be decoded. */
  malformed?: MemorySkip[];
  overlapMs?: number;
}): MemoryConnections {
  const table = new MemoryReadings(
    'memory_readings',
    new Map(options.readings.map((s) => [s.sensorId, s])),
    options.malformed ?? []
  );
  const bucket = new MemoryHistory('memory-history', new Map(options.histories.map((s) => [s.sensorId, s])));
  const store = new MemoryModelStore();
  const recent = new RecentReadings(table, {
    overlapMs: options.overlapMs ?? 60_000,
    now: () => Number.MAX_SAFE_INTEGER,
  });
  return {
    table,
    bucket,
    store,
    options: { table: table.table, historyBucket: bucket.bucket },
    readings: () => table,
    recent: () => recent,
    history: () => bucket,
    models: () => store,
    dynamoConfig: () => ({ table: table.table }),
    historyLocation: (sensor) => ({ bucket: bucket.bucket, key: `${sensor}.csv` }),
    close: () => recent.clear(),
  };
}
