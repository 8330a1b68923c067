/**
 * Loads a sensor's training history from a CSV object in S3.
 *
 * The object is streamed through csv-parse (never held as one string) and
 * cached per bucket/key/ETag: a later load sends `If-None-Match: <etag>` and an
 * unchanged object (304) is served from memory without downloading it again.
 *
 * Object key: `historyKeyTemplate` with every `{sensor}` replaced by the sensor
 * id (default `{sensor}.csv`; the seed used e.g. `Sensmitter_01.csv`, i.e. a
 * template of `Sensmitter_01.csv` for one sensor).
 *
 * Layouts, told apart by the header row:
 * - `payload`: the seed's export. The `payload` column holds DynamoDB-typed JSON
 *   (`{"timestamp":{"S":"1612137600"},"data":{"M":{"temperature":{"S":"22.8"},…}}}`;
 *   tags `S`/`s`/`N`/`n`/`M`/`m`); other columns are ignored.
 * - `columns`: `timestamp,temperature,humidity,pressure,light_level[,uid]`; when
 *   `uid` is present, rows of other sensors are skipped (counted as `other_sensor`).
 * Malformed rows are skipped and counted by reason; a missing reading becomes NaN.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import { LRUCache } from 'lru-cache';
import type { Readable } from 'node:stream';
import { METRICS, type Metric } from '../../common/query';
import { DEFAULT_SETTINGS, type AnomalyDataSourceOptions, type TimestampUnit } from '../../common/settings';
import { SharedFlights } from '../async/sharedFlights';
import { s3Library } from './clientLibraries';
import { cancelledError, describeAwsError, SourceError } from './errors';
import { checkedName } from './names';
import { decodeItem, type ItemShape } from './parsing';
import { SeriesBuilder } from './seriesBuilder';
import type { HistoryResult, HistoryStats, SensorSeries } from './types';

export interface S3HistoryConfig {
  bucket: string;
  keyTemplate: string;
  timestampUnit: TimestampUnit;
  where: string;
  secrets: readonly string[];
  /** Most objects kept in memory (least recently used evicted). */
  maxCachedObjects: number;
}

export function s3ConfigFromSettings(
  json: AnomalyDataSourceOptions,
  conn: { describeS3: string; secrets: readonly string[] }
): S3HistoryConfig {
  const bucket = checkedName('historyBucket', json.historyBucket, 's3Bucket', {
    required: 'the S3 bucket holding the training CSVs',
  });
  const keyTemplate = json.historyKeyTemplate?.trim() || DEFAULT_SETTINGS.historyKeyTemplate;
  return {
    bucket,
    keyTemplate,
    timestampUnit: json.timestampUnit ?? DEFAULT_SETTINGS.timestampUnit,
    where: conn.describeS3,
    secrets: conn.secrets,
    maxCachedObjects: 64,
  };
}

/** The object key for a sensor: `{sensor}` in the template replaced by the id. */
export function historyKey(template: string, sensorId: string): string {
  return template.split('{sensor}').join(sensorId);
}

type Layout = HistoryStats['layout'];

/** Rows parsed between two breaks that let other callbacks run (a few ms of work). */
const YIELD_EVERY_ROWS = 1000;

const METRIC_ATTRIBUTES = Object.fromEntries(METRICS.map((m) => [m, m])) as Record<Metric, string>;

interface CachedHistory {
  etag: string;
  /** What the last load answered; `stats.cached` says whether it was a 304 served from memory. */
  result: HistoryResult;
}

/** Decides the layout from the header; throws a bad_csv error naming the expected columns otherwise. */
export function detectLayout(header: readonly string[], key: string): Layout {
  const columns = header.map((h) => h.trim().toLowerCase());
  if (columns.includes('payload')) {
    return 'payload';
  }
  if (columns.includes('timestamp') && METRICS.some((m) => columns.includes(m))) {
    return 'columns';
  }
  throw new SourceError(
    'bad_csv',
    `${key}: header must have a "payload" column (the seed's export) or "timestamp" plus reading columns (${METRICS.join(', ')}); got "${header.join(',').slice(0, 120)}"`
  );
}

export class S3HistorySource {
  /**
   * Parsed objects by key, least recently used evicted. A load always asks S3,
   * conditionally on the cached ETag; a failed request keeps the copy in memory
   * for the next conditional GET.
   */
  private readonly cache: LRUCache<string, CachedHistory>;
  /** Downloads under way: shared by the callers of one key, aborted when none of them waits any more. */
  private readonly downloads = new SharedFlights<HistoryResult>();

  constructor(
    private readonly client: S3Client,
    private readonly config: S3HistoryConfig
  ) {
    this.cache = new LRUCache<string, CachedHistory>({ max: config.maxCachedObjects });
  }

  /** Loads (or reuses, when the ETag is unchanged) the history of one sensor. */
  loadHistory(sensorId: string, signal?: AbortSignal): Promise<HistoryResult> {
    if (sensorId.trim() === '') {
      return Promise.reject(new SourceError('config', 'sensor: a sensor id is required to load its history'));
    }
    const key = historyKey(this.config.keyTemplate, sensorId);
    return this.downloads.join(
      key,
      async (own) => {
        const loaded = await this.load(key, sensorId, own, this.cache.get(key));
        this.cache.set(key, loaded);
        return loaded.result;
      },
      signal,
      cancelledError(`loading the history s3://${this.config.bucket}/${key}`)
    );
  }

  /** HeadBucket: for "Save & test". */
  async checkBucket(signal?: AbortSignal): Promise<{ bucket: string; message: string }> {
    const { HeadBucketCommand } = s3Library();
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), { abortSignal: signal });
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404) {
        throw new SourceError(
          'bucket_not_found',
          `S3 bucket "${this.config.bucket}" does not exist at ${this.config.where}`
        );
      }
      throw this.describe(e, `bucket "${this.config.bucket}"`);
    }
    return { bucket: this.config.bucket, message: `Bucket "${this.config.bucket}" is reachable.` };
  }

  private describe(e: unknown, what: string): SourceError {
    return describeAwsError(e, { service: 'S3', what, where: this.config.where, secrets: this.config.secrets });
  }

  /** Shared by every caller asking for this object meanwhile, so it runs on the download's own signal. */
  private async load(
    key: string,
    sensorId: string,
    signal: AbortSignal,
    previous: CachedHistory | undefined
  ): Promise<CachedHistory> {
    const { GetObjectCommand } = s3Library();
    let response;
    try {
      response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.config.bucket,
          Key: key,
          ...(previous?.etag ? { IfNoneMatch: previous.etag } : {}),
        }),
        { abortSignal: signal }
      );
    } catch (e) {
      if (previous && (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 304) {
        const { series, stats } = previous.result;
        return { etag: previous.etag, result: { series, stats: { ...stats, cached: true } } };
      }
      throw this.describe(e, `history object s3://${this.config.bucket}/${key}`);
    }
    const body = response.Body as Readable | undefined;
    if (!body) {
      throw new SourceError('aws', `S3 returned no body for s3://${this.config.bucket}/${key}`);
    }
    const etag = response.ETag ?? '';
    const parsed = await this.parseCsv(body, key, sensorId, signal);
    return { etag, result: { series: parsed.series, stats: { ...parsed.stats, etag, cached: false } } };
  }

  private async parseCsv(
    body: Readable,
    key: string,
    sensorId: string,
    signal: AbortSignal
  ): Promise<{ series: SensorSeries; stats: Omit<HistoryStats, 'cached' | 'etag'> }> {
    const builder = new SeriesBuilder();
    let layout: Layout | undefined;
    const parser = parse({
      bom: true,
      columns: (header: string[]) => {
        layout = detectLayout(header, key);
        return header.map((h) => h.trim().toLowerCase());
      },
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: () => {
        builder.skipUnparsed('csv_syntax', sensorId);
        return undefined;
      },
      trim: false,
    });
    const cancelled = cancelledError(`loading the history s3://${this.config.bucket}/${key}`);
    // Nobody waits for this download any more: stop reading the object at once, not at the next row.
    const stopReading = (): void => {
      body.destroy();
      parser.destroy(cancelled());
    };
    if (signal.aborted) {
      body.destroy();
      throw cancelled();
    }
    signal.addEventListener('abort', stopReading, { once: true });
    body.on('error', (e) => parser.destroy(e));
    body.pipe(parser);
    const shapes = this.shapes();
    try {
      let rows = 0;
      for await (const record of parser as AsyncIterable<Record<string, string | undefined>>) {
        this.addRow(record, layout!, shapes, sensorId, builder);
        // Buffered records arrive as microtasks: without a macrotask break, parsing a
        // 23,000-row object would hold Grafana's event loop for a few hundred ms.
        if (++rows % YIELD_EVERY_ROWS === 0) {
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    } catch (e) {
      body.destroy();
      if (signal.aborted) {
        throw cancelled();
      }
      if (e instanceof SourceError) {
        throw e;
      }
      throw new SourceError(
        'bad_csv',
        `s3://${this.config.bucket}/${key}: could not read the CSV (${(e as Error).message})`
      );
    } finally {
      signal.removeEventListener('abort', stopReading);
    }
    if (layout === undefined) {
      // Not even a header: there is nothing to train on, and no layout to report.
      throw new SourceError('bad_csv', `s3://${this.config.bucket}/${key}: the object is empty (no CSV header)`);
    }
    const [series] = builder.build([sensorId]).filter((s) => s.sensorId === sensorId);
    const counts = builder.counts();
    return {
      series,
      stats: {
        rowsRead: counts.itemsRead,
        rowsSkipped: counts.itemsSkipped,
        skipReasons: counts.skipReasons,
        missingReadings: counts.missingReadings,
        layout,
      },
    };
  }

  private shapes(): Record<Layout, ItemShape> {
    const unit = this.config.timestampUnit;
    return {
      payload: {
        sensorId: null,
        timestamp: ['timestamp'],
        readings: ['data'],
        metricAttributes: METRIC_ATTRIBUTES,
        timestampUnit: unit,
      },
      columns: {
        sensorId: null,
        timestamp: ['timestamp'],
        readings: [],
        metricAttributes: METRIC_ATTRIBUTES,
        timestampUnit: unit,
      },
    };
  }

  private addRow(
    record: Record<string, string | undefined>,
    layout: Layout,
    shapes: Record<Layout, ItemShape>,
    sensorId: string,
    builder: SeriesBuilder
  ): void {
    if (layout === 'columns') {
      const uid = record.uid?.trim();
      if (uid && uid !== sensorId) {
        builder.skipUnparsed('other_sensor', sensorId);
        return;
      }
      builder.add(decodeItem(record, shapes.columns, sensorId));
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(record.payload ?? '');
    } catch {
      builder.skipUnparsed('bad_payload', sensorId);
      return;
    }
    if (doc === null || typeof doc !== 'object') {
      builder.skipUnparsed('bad_payload', sensorId);
      return;
    }
    builder.add(decodeItem(doc, shapes.payload, sensorId));
  }
}
