/**
 * Reads sensor readings for a time range from a DynamoDB table.
 *
 * Access path, chosen from the table's key schema (DescribeTable, cached):
 * - `query`: HASH = sensor id, RANGE = numeric timestamp → one Query per sensor
 *   with `timestamp BETWEEN from AND to` (both ends inclusive, like Grafana's range);
 * - `query-filter`: HASH = sensor id, other or no RANGE key → Query per sensor,
 *   time range as a filter;
 * - `scan`: anything else → a Scan (parallel segments) filtered on sensor and time.
 * Every page is followed. A sort key on the timestamp that is not a number is
 * rejected (range conditions on strings compare text, not time).
 *
 * Timestamp units: `s`, `ms`, or `auto` (an epoch below 10^11 is seconds). In
 * `auto` mode the range is asked for in both units (seconds below 10^11,
 * milliseconds above), so tables mixing units read correctly.
 *
 * `maxItemsPerQuery` caps the items one read examines; when the cap stops a
 * read, `stats.truncated` is true. Nothing is dropped without being counted.
 */
import type {
  AttributeValue,
  DynamoDBClient,
  QueryCommandInput,
  ScanCommandInput,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import { dynamoDbLibrary } from './clientLibraries';
import { LRUCache } from 'lru-cache';
import { METRICS, type Metric } from '../../common/query';
import {
  checkNumericSetting,
  DEFAULT_SETTINGS,
  type AnomalyDataSourceOptions,
  type TimestampUnit,
} from '../../common/settings';
import { mapLimited } from '../async/mapLimited';
import { awaitShared } from '../async/awaitShared';
import { cancelledError, describeAwsError, SourceError } from './errors';
import { checkedName } from './names';
import {
  AUTO_SECONDS_BELOW,
  decodeItem,
  epochToMs,
  parseAttributePath,
  toNumber,
  type DecodedItem,
  type ItemShape,
} from './parsing';
import { SeriesBuilder } from './seriesBuilder';
import type { ReadResult, SkipReason } from './types';

type Item = Record<string, AttributeValue>;

export interface DynamoSourceConfig {
  table: string;
  /** Top-level attribute holding the sensor id. */
  sensorIdAttribute: string;
  /** Top-level attribute holding the epoch timestamp. */
  timestampAttribute: string;
  /** Dotted path to the readings map; '' = the item itself. */
  readingsPath: string;
  /** Attribute name of each metric inside the readings map (default: the metric's name). */
  metricAttributes?: Partial<Record<Metric, string>>;
  timestampUnit: TimestampUnit;
  maxItemsPerQuery: number;
  /** Parallel Scan segments (1 = sequential). */
  scanSegments: number;
  /** Sensors queried at once on the Query path. */
  sensorConcurrency: number;
  /** How long listSensors() and DescribeTable results are reused. */
  cacheTtlMs: number;
  /** For error messages: endpoint/region, and secrets to redact. */
  where: string;
  secrets: readonly string[];
}

export const DEFAULT_DYNAMO_TUNING = { scanSegments: 4, sensorConcurrency: 4, cacheTtlMs: 60_000 } as const;

/** Builds the reader's config from the data source settings (jsonData). */
export function dynamoConfigFromSettings(
  json: AnomalyDataSourceOptions,
  conn: { describeDynamo: string; secrets: readonly string[] }
): DynamoSourceConfig {
  const table = checkedName('table', json.table, 'dynamoTable', {
    required: 'the DynamoDB table holding live readings',
  });
  const maxItems = checkNumericSetting('maxItemsPerQuery', json.maxItemsPerQuery ?? DEFAULT_SETTINGS.maxItemsPerQuery);
  if (!maxItems.ok) {
    throw new SourceError('config', maxItems.message);
  }
  return {
    table,
    sensorIdAttribute: json.sensorIdAttribute?.trim() || DEFAULT_SETTINGS.sensorIdAttribute,
    timestampAttribute: json.timestampAttribute?.trim() || DEFAULT_SETTINGS.timestampAttribute,
    readingsPath: json.readingsPath?.trim() ?? DEFAULT_SETTINGS.readingsPath,
    timestampUnit: json.timestampUnit ?? DEFAULT_SETTINGS.timestampUnit,
    maxItemsPerQuery: maxItems.value,
    ...DEFAULT_DYNAMO_TUNING,
    where: conn.describeDynamo,
    secrets: conn.secrets,
  };
}

export type AccessPath = 'query' | 'query-filter' | 'scan';

export interface TableCheck {
  table: string;
  status: string;
  /** DynamoDB's approximate count (refreshed about every six hours by AWS). */
  approximateItemCount: number;
  hashKey: string;
  rangeKey?: string;
  accessPath: AccessPath;
  /** One sentence for the config editor's "Save & test". */
  message: string;
}

interface Plan {
  accessPath: AccessPath;
  /** DynamoDB type of the sensor-id key ('S' | 'N'), for Query's key condition. */
  sensorKeyType: 'S' | 'N';
  description: TableDescription;
}

/** A [low, high] epoch range in the table's unit; both ends inclusive. */
type EpochRange = [number, number];

export interface ReadRangeRequest {
  /** Empty = every sensor in the table. */
  sensors: readonly string[];
  /** Inclusive. */
  fromMs: number;
  /** Inclusive. */
  toMs: number;
  signal?: AbortSignal;
}

/** Items scanned by sampleItem() looking for one that decodes. */
const SAMPLE_ITEMS = 25;

/** The smallest DynamoDB page asked for, however close the item cap is. */
const MIN_PAGE_ITEMS = 1000;

/** Shared by concurrent page loops: how many items have been examined and whether the cap was hit. */
class ReadBudget {
  read = 0;
  pages = 0;
  truncated = false;
  constructor(readonly cap: number) {}
  /**
   * DynamoDB `Limit` for the next page: one more than the cap allows, so a
   * full cap is distinguishable from "more left", but never tiny: `Limit`
   * counts items *before* a FilterExpression, so near the cap a page of 1
   * would cost a round trip per examined item. `admit` cuts off client-side.
   */
  nextLimit(): number {
    return Math.max(MIN_PAGE_ITEMS, this.cap - this.read + 1);
  }
  /** True if another item may be examined; marks the read truncated otherwise. */
  admit(): boolean {
    if (this.read >= this.cap) {
      this.truncated = true;
      return false;
    }
    this.read++;
    return true;
  }
  get done(): boolean {
    return this.truncated;
  }
}

/**
 * One value per table (its plan, its sensor list) reused for `ttlMs`:
 * concurrent callers share one load, and a failed load is not kept.
 */
function perTableCache<V extends object>(ttlMs: number, load: () => Promise<V>): LRUCache<string, V> {
  return new LRUCache<string, V>({ max: 1, ttl: ttlMs, fetchMethod: load });
}

/** Splits an inclusive ms range into the epoch ranges to ask for in the table's unit. */
export function epochRanges(fromMs: number, toMs: number, unit: TimestampUnit): EpochRange[] {
  if (unit === 's') {
    return [[fromMs / 1000, toMs / 1000]];
  }
  if (unit === 'ms') {
    return [[fromMs, toMs]];
  }
  const ranges: EpochRange[] = [];
  const secondsHigh = Math.min(toMs / 1000, AUTO_SECONDS_BELOW - 0.001);
  if (fromMs / 1000 <= secondsHigh) {
    ranges.push([fromMs / 1000, secondsHigh]);
  }
  const msLow = Math.max(fromMs, AUTO_SECONDS_BELOW);
  if (msLow <= toMs) {
    ranges.push([msLow, toMs]);
  }
  return ranges;
}

const num = (n: number): AttributeValue => ({ N: String(n) });

/**
 * Placeholders for a Scan's `#sid IN (…)`, their values added to `values`. A
 * Scan reads tables whose sensor id is not the key, so its type is declared
 * nowhere: an id that reads as a number ("7") is matched both as the string and
 * as the number it may be stored as (DynamoDB compares N values numerically).
 */
function sensorIdValues(sensors: readonly string[], values: Record<string, AttributeValue>): string[] {
  return sensors.flatMap((sensor, i) => {
    values[`:s${i}`] = { S: sensor };
    if (String(Number(sensor)) !== sensor) {
      return [`:s${i}`];
    }
    values[`:n${i}`] = { N: sensor };
    return [`:s${i}`, `:n${i}`];
  });
}

interface Projection {
  expression: string;
  /** Placeholders: #sid (sensor id), #ts (timestamp), #r<i> (readings path), #m<i> (metrics). */
  names: Record<string, string>;
}

/** `#sid, #ts, #r0.#r1.#m0, …`: the sensor id, the timestamp and each metric under the readings path. */
export function projectionFor(shape: ItemShape): Projection {
  const names: Record<string, string> = { '#sid': shape.sensorId?.[0] ?? '', '#ts': shape.timestamp[0] };
  const prefix = shape.readings.map((segment, i) => {
    names[`#r${i}`] = segment;
    return `#r${i}.`;
  });
  const metrics = METRICS.map((m, i) => {
    names[`#m${i}`] = shape.metricAttributes[m];
    return `${prefix.join('')}#m${i}`;
  });
  return { expression: ['#sid', '#ts', ...metrics].join(', '), names };
}

export class DynamoReadingsSource {
  private readonly shape: ItemShape;
  private readonly plan: LRUCache<string, Plan>;
  private readonly sensorList: LRUCache<string, string[]>;
  /** Only the attributes the decoder reads travel over the wire (IoT items often carry more). */
  private readonly projection: Projection;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly config: DynamoSourceConfig
  ) {
    const metricAttributes = {} as Record<Metric, string>;
    for (const m of METRICS) {
      metricAttributes[m] = config.metricAttributes?.[m] ?? m;
    }
    this.shape = {
      sensorId: [config.sensorIdAttribute],
      timestamp: [config.timestampAttribute],
      readings: config.readingsPath === '' ? [] : parseAttributePath(config.readingsPath, 'readingsPath'),
      metricAttributes,
      timestampUnit: config.timestampUnit,
    };
    this.projection = projectionFor(this.shape);
    this.plan = perTableCache(config.cacheTtlMs, () => this.describeTable());
    this.sensorList = perTableCache(config.cacheTtlMs, () => this.scanSensorIds());
  }

  /** Reads every item of `sensors` (all when empty) with fromMs ≤ time ≤ toMs. */
  async readRange(req: ReadRangeRequest): Promise<ReadResult> {
    if (!Number.isFinite(req.fromMs) || !Number.isFinite(req.toMs) || req.fromMs > req.toMs) {
      throw new SourceError(
        'config',
        `time range: "from" must be a time before "to" (got ${req.fromMs} to ${req.toMs})`
      );
    }
    const plan = await this.getPlan(req.signal);
    const builder = new SeriesBuilder();
    const budget = new ReadBudget(this.config.maxItemsPerQuery);
    const ranges = epochRanges(req.fromMs, req.toMs, this.config.timestampUnit);
    // The page loops run side by side; when one fails, the others stop too
    // instead of reading pages nobody will look at.
    const siblings = new AbortController();
    const group = { ...req, signal: req.signal ? AbortSignal.any([req.signal, siblings.signal]) : siblings.signal };
    try {
      if (plan.accessPath === 'scan') {
        await this.scanRange(group, ranges, builder, budget);
      } else {
        const sensors = req.sensors.length > 0 ? req.sensors : await this.listSensors(req.signal);
        await mapLimited(sensors, this.config.sensorConcurrency, (sensor) =>
          this.querySensor(plan, sensor, ranges, group, builder, budget)
        );
      }
    } catch (error) {
      siblings.abort();
      throw error;
    }
    return {
      series: builder.build(req.sensors),
      stats: {
        ...builder.counts(),
        truncated: budget.truncated,
        itemCap: budget.cap,
        pages: budget.pages,
      },
    };
  }

  /** Distinct sensor ids in the table (a projected, paginated Scan), cached for `cacheTtlMs`. */
  listSensors(signal?: AbortSignal): Promise<string[]> {
    return awaitShared(
      this.sensorList.forceFetch(this.config.table),
      signal,
      cancelledError(`listing the sensors of table "${this.config.table}"`)
    );
  }

  /** DescribeTable without the cache: for the config editor's "Save & test". */
  async checkTable(signal?: AbortSignal): Promise<TableCheck> {
    const plan = await this.getPlan(signal, true);
    const d = plan.description;
    const keys = d.KeySchema ?? [];
    const hashKey = keys.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '';
    const rangeKey = keys.find((k) => k.KeyType === 'RANGE')?.AttributeName;
    const how: Record<AccessPath, string> = {
      query: 'time ranges are read with a Query per sensor',
      'query-filter':
        'readings are read with a Query per sensor and filtered on time (add a numeric sort key on the timestamp for speed)',
      scan: `the key schema is not (${this.config.sensorIdAttribute}, ${this.config.timestampAttribute}), so every read Scans the table`,
    };
    return {
      table: this.config.table,
      status: d.TableStatus ?? 'UNKNOWN',
      approximateItemCount: d.ItemCount ?? 0,
      hashKey,
      rangeKey,
      accessPath: plan.accessPath,
      message: `Table "${this.config.table}" is ${d.TableStatus ?? 'reachable'}; ${how[plan.accessPath]}.`,
    };
  }

  /** A read failed: a table that is gone must be described afresh next time. */
  private failRead(e: unknown): never {
    if ((e as { name?: string })?.name === 'ResourceNotFoundException') {
      this.plan.clear();
    }
    this.fail(e);
  }

  private fail(e: unknown): never {
    throw describeAwsError(e, {
      service: 'DynamoDB',
      what: `table "${this.config.table}"`,
      where: this.config.where,
      secrets: this.config.secrets,
    });
  }

  /** The cached plan, or a fresh DescribeTable when `refresh` (Save & test) or the cache is stale. */
  private getPlan(signal?: AbortSignal, refresh = false): Promise<Plan> {
    const shared = this.plan.forceFetch(this.config.table, { forceRefresh: refresh });
    return awaitShared(shared, signal, cancelledError(`DescribeTable of "${this.config.table}"`));
  }

  /** Shared by every caller meanwhile, so it runs on no caller's signal. */
  private async describeTable(): Promise<Plan> {
    const { DescribeTableCommand } = dynamoDbLibrary();
    let description: TableDescription | undefined;
    try {
      const out = await this.client.send(new DescribeTableCommand({ TableName: this.config.table }));
      description = out.Table;
    } catch (e) {
      this.fail(e);
    }
    if (!description) {
      throw new SourceError(
        'table_not_found',
        `DescribeTable returned no description for table "${this.config.table}"`
      );
    }
    return this.planFor(description);
  }

  private planFor(description: TableDescription): Plan {
    const { sensorIdAttribute: sensorAttr, timestampAttribute: tsAttr, table } = this.config;
    const keys = description.KeySchema ?? [];
    const typeOf = (name: string) =>
      description.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
    const hash = keys.find((k) => k.KeyType === 'HASH')?.AttributeName;
    const range = keys.find((k) => k.KeyType === 'RANGE')?.AttributeName;
    if (range === tsAttr && typeOf(tsAttr) !== 'N') {
      throw new SourceError(
        'key_schema',
        `table "${table}": sort key "${tsAttr}" has type ${typeOf(tsAttr) ?? '?'}, but time-range reads need a number (N) epoch timestamp; ` +
          'store timestamps as numbers or point "timestampAttribute" at a numeric attribute'
      );
    }
    if (hash !== sensorAttr) {
      return { accessPath: 'scan', sensorKeyType: 'S', description };
    }
    const sensorKeyType = typeOf(sensorAttr) === 'N' ? 'N' : 'S';
    if (typeOf(sensorAttr) === 'B') {
      throw new SourceError(
        'key_schema',
        `table "${table}": partition key "${sensorAttr}" is binary (B); sensor ids must be strings or numbers`
      );
    }
    return { accessPath: range === tsAttr ? 'query' : 'query-filter', sensorKeyType, description };
  }

  private consume(
    items: Item[] | undefined,
    builder: SeriesBuilder,
    budget: ReadBudget,
    keep?: (item: Item) => boolean
  ): void {
    for (const item of items ?? []) {
      if (keep && !keep(item)) {
        continue; // outside the range (string timestamp filtered here), not malformed
      }
      if (!budget.admit()) {
        return;
      }
      builder.add(decodeItem(item, this.shape));
    }
  }

  /** Client-side range check for string-typed timestamps, which numeric filter conditions cannot compare. */
  private inRange(fromMs: number, toMs: number): (item: Item) => boolean {
    const attr = this.config.timestampAttribute;
    const unit = this.config.timestampUnit;
    return (item) => {
      const raw = item[attr]?.S;
      if (raw === undefined) {
        return true;
      }
      const epoch = toNumber(raw);
      if (epoch === undefined || !Number.isFinite(epoch)) {
        return true; // malformed: let the builder count it
      }
      const t = epochToMs(epoch, unit);
      return t >= fromMs && t <= toMs;
    };
  }

  private timeFilter(ranges: EpochRange[], values: Record<string, AttributeValue>): string {
    const parts = ranges.map(([lo, hi], i) => {
      values[`:lo${i}`] = num(lo);
      values[`:hi${i}`] = num(hi);
      return `#ts BETWEEN :lo${i} AND :hi${i}`;
    });
    // String timestamps are range-checked here in the client; items without one are fetched so they are counted as malformed.
    values[':str'] = { S: 'S' };
    parts.push('attribute_type(#ts, :str)', 'attribute_not_exists(#ts)');
    return `(${parts.join(' OR ')})`;
  }

  private async querySensor(
    plan: Plan,
    sensor: string,
    ranges: EpochRange[],
    req: ReadRangeRequest,
    builder: SeriesBuilder,
    budget: ReadBudget
  ): Promise<void> {
    const names = this.projection.names;
    const pk: AttributeValue = plan.sensorKeyType === 'N' ? { N: sensor } : { S: sensor };
    if (plan.accessPath === 'query') {
      for (const [lo, hi] of ranges) {
        await this.paginate(
          {
            TableName: this.config.table,
            KeyConditionExpression: '#sid = :pk AND #ts BETWEEN :lo AND :hi',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':pk': pk, ':lo': num(lo), ':hi': num(hi) },
            ScanIndexForward: true,
          },
          'query',
          req.signal,
          builder,
          budget
        );
      }
      return;
    }
    const values: Record<string, AttributeValue> = { ':pk': pk };
    const filter = this.timeFilter(ranges, values);
    await this.paginate(
      {
        TableName: this.config.table,
        KeyConditionExpression: '#sid = :pk',
        FilterExpression: filter,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      'query',
      req.signal,
      builder,
      budget,
      this.inRange(req.fromMs, req.toMs)
    );
  }

  private async scanRange(
    req: ReadRangeRequest,
    ranges: EpochRange[],
    builder: SeriesBuilder,
    budget: ReadBudget
  ): Promise<void> {
    const values: Record<string, AttributeValue> = {};
    const names = this.projection.names;
    let filter = this.timeFilter(ranges, values);
    if (req.sensors.length > 0) {
      filter += ` AND #sid IN (${sensorIdValues(req.sensors, values).join(', ')})`;
    }
    const segments = Math.max(1, this.config.scanSegments);
    await mapLimited(
      Array.from({ length: segments }, (_, i) => i),
      segments,
      (segment) =>
        this.paginate(
          {
            TableName: this.config.table,
            FilterExpression: filter,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}),
          },
          'scan',
          req.signal,
          builder,
          budget,
          this.inRange(req.fromMs, req.toMs)
        )
    );
  }

  /**
   * Follows LastEvaluatedKey until the range or the item budget is exhausted.
   * Hand-written, not the SDK's paginateQuery/paginateScan: every page's
   * `Limit` follows the budget left (`nextLimit`), and the loop stops as soon
   * as sibling loops have spent the shared budget; a paginator sends one
   * fixed page size and cannot be told either.
   */
  private async paginate(
    input: QueryCommandInput | ScanCommandInput,
    kind: 'query' | 'scan',
    signal: AbortSignal | undefined,
    builder: SeriesBuilder,
    budget: ReadBudget,
    keep?: (item: Item) => boolean
  ): Promise<void> {
    let startKey: Item | undefined;
    do {
      if (budget.done) {
        return;
      }
      const page = {
        ...input,
        ProjectionExpression: this.projection.expression,
        ExclusiveStartKey: startKey,
        Limit: budget.nextLimit(),
      };
      let out: { Items?: Item[]; LastEvaluatedKey?: Item };
      try {
        const { QueryCommand, ScanCommand } = dynamoDbLibrary();
        out =
          kind === 'query'
            ? await this.client.send(new QueryCommand(page), { abortSignal: signal })
            : await this.client.send(new ScanCommand(page), { abortSignal: signal });
      } catch (e) {
        this.failRead(e);
      }
      budget.pages++;
      this.consume(out.Items, builder, budget, keep);
      startKey = out.LastEvaluatedKey;
    } while (startKey);
  }

  /**
   * Every distinct sensor id: a projected Scan in parallel segments, each
   * followed to its end by the SDK's paginator (no budget: ids are small).
   * Shared by every caller meanwhile, so it runs on no caller's signal.
   */
  private async scanSensorIds(): Promise<string[]> {
    const ids = new Set<string>();
    const segments = Math.max(1, this.config.scanSegments);
    const attr = this.config.sensorIdAttribute;
    await mapLimited(
      Array.from({ length: segments }, (_, i) => i),
      segments,
      async (segment) => {
        const pages = dynamoDbLibrary().paginateScan(
          { client: this.client },
          {
            TableName: this.config.table,
            ProjectionExpression: '#sid',
            ExpressionAttributeNames: { '#sid': attr },
            ...(segments > 1 ? { Segment: segment, TotalSegments: segments } : {}),
          }
        );
        try {
          for await (const page of pages) {
            for (const item of page.Items ?? []) {
              const id = item[attr]?.S ?? item[attr]?.N;
              if (id !== undefined && id !== '') {
                ids.add(id);
              }
            }
          }
        } catch (e) {
          this.failRead(e);
        }
      }
    );
    return [...ids].sort();
  }

  /**
   * One item of the table, decoded as a query would (for "Save & test"): the
   * first of a few scanned items that decodes, or why the first one did not.
   */
  async sampleItem(signal?: AbortSignal): Promise<{ item?: DecodedItem; skipped?: SkipReason }> {
    const { ScanCommand } = dynamoDbLibrary();
    let out;
    try {
      out = await this.client.send(
        new ScanCommand({
          TableName: this.config.table,
          ProjectionExpression: this.projection.expression,
          ExpressionAttributeNames: this.projection.names,
          Limit: SAMPLE_ITEMS,
        }),
        { abortSignal: signal }
      );
    } catch (e) {
      this.failRead(e);
    }
    let skipped: SkipReason | undefined;
    for (const raw of out.Items ?? []) {
      const decoded = decodeItem(raw, this.shape);
      if (decoded.ok) {
        return { item: decoded.item };
      }
      skipped ??= decoded.reason;
    }
    return { skipped };
  }
}
