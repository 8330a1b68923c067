import { METRICS, type Metric } from '../../common/query';
import type { ReadRangeRequest } from './dynamoReadings';
import { RecentReadings, type RangeReader } from './recentReadings';
import type { ReadResult, SensorSeries } from './types';

const STEP = 10_000;
const T0 = Date.UTC(2026, 0, 1);

/** An in-memory table with DynamoDB's inclusive range semantics, counting the items each read returns. */
class MemoryTable implements RangeReader {
  readonly items = new Map<string, Array<{ t: number; v: number }>>();
  reads: Array<{ sensors: readonly string[]; fromMs: number; toMs: number; items: number }> = [];
  cap = Infinity;

  put(sensor: string, t: number, v = t / STEP): void {
    const list = this.items.get(sensor) ?? [];
    if (list.length === 0 || list[list.length - 1]!.t < t) {
      list.push({ t, v });
      this.items.set(sensor, list);
      return;
    }
    const at = list.findIndex((item) => item.t === t);
    if (at >= 0) {
      list[at] = { t, v };
    } else {
      list.push({ t, v });
      list.sort((a, b) => a.t - b.t);
    }
    this.items.set(sensor, list);
  }

  async listSensors(): Promise<string[]> {
    return [...this.items.keys()].sort();
  }

  async readRange(req: ReadRangeRequest): Promise<ReadResult> {
    const sensors = req.sensors.length > 0 ? [...req.sensors] : await this.listSensors();
    let read = 0;
    let truncated = false;
    const series = sensors.sort().map((sensorId): SensorSeries => {
      let rows = (this.items.get(sensorId) ?? []).filter((i) => i.t >= req.fromMs && i.t <= req.toMs);
      if (read + rows.length > this.cap) {
        rows = rows.slice(0, Math.max(0, this.cap - read));
        truncated = true;
      }
      read += rows.length;
      const readings = Object.fromEntries(
        METRICS.map((m, k) => [m, Float64Array.from(rows, (r) => r.v + k)])
      ) as Record<Metric, Float64Array>;
      return { sensorId, time: Float64Array.from(rows, (r) => r.t), readings };
    });
    this.reads.push({ sensors, fromMs: req.fromMs, toMs: req.toMs, items: read });
    return {
      series: req.sensors.length > 0 ? series : series.filter((s) => s.time.length > 0),
      stats: {
        itemsRead: read,
        itemsSkipped: 0,
        skipReasons: {},
        missingReadings: {},
        truncated,
        itemCap: this.cap,
        pages: 1,
      },
    };
  }
}

function plain(result: ReadResult) {
  return result.series.map((s) => ({
    sensorId: s.sensorId,
    time: Array.from(s.time),
    readings: Object.fromEntries(METRICS.map((m) => [m, Array.from(s.readings[m])])),
  }));
}

function fill(table: MemoryTable, sensors: string[], from: number, to: number): void {
  for (let t = from; t <= to; t += STEP) {
    sensors.forEach((s) => table.put(s, t));
  }
}

const SENSORS = ['s1', 's2', 's3'];
const DAY = 86_400_000;

describe('recent readings cache', () => {
  test('a refresh reads only the overlap and the new items, and answers exactly what an uncached read does', async () => {
    const table = new MemoryTable();
    let now = T0 + DAY;
    fill(table, SENSORS, T0, now);
    const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
    const first = await cache.readRange({ sensors: SENSORS, fromMs: T0, toMs: now });
    expect(first.stats.itemsRead).toBe(3 * (DAY / STEP + 1));
    expect(first.reusedReadings).toBe(0);
    expect(plain(first)).toEqual(plain(await table.readRange({ sensors: SENSORS, fromMs: T0, toMs: now })));

    // 30 s later: 3 new readings per sensor; the range slid by 30 s.
    fill(table, SENSORS, now + STEP, now + 30_000);
    now += 30_000;
    const second = await cache.readRange({ sensors: SENSORS, fromMs: T0 + 30_000, toMs: now });
    // Overlap (60 s → 7 readings including both ends) plus the 3 new ones, per sensor.
    expect(second.stats.itemsRead).toBe(3 * (7 + 3));
    expect(plain(second)).toEqual(plain(await table.readRange({ sensors: SENSORS, fromMs: T0 + 30_000, toMs: now })));
    // The answer has as many readings as the first (the range slid by 30 s); all but the 10 read came from the cache.
    expect(second.reusedReadings).toBe(3 * (DAY / STEP + 1 - 10));
  });

  test('a late write inside the overlap, and a rewritten item, are seen on the next refresh', async () => {
    const table = new MemoryTable();
    let now = T0 + 3_600_000;
    fill(table, ['s1'], T0, now - 40_000); // the last 30 s have not arrived yet
    const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
    await cache.readRange({ sensors: ['s1'], fromMs: T0, toMs: now });
    // Late: readings for the last 30 s arrive after the read, and one item is rewritten.
    fill(table, ['s1'], now - 30_000, now);
    table.put('s1', now - 50_000, -1);
    now += 10_000;
    table.put('s1', now);
    const refreshed = await cache.readRange({ sensors: ['s1'], fromMs: T0, toMs: now });
    expect(plain(refreshed)).toEqual(plain(await table.readRange({ sensors: ['s1'], fromMs: T0, toMs: now })));
  });

  test('a range inside the cached span older than the overlap reads nothing', async () => {
    const table = new MemoryTable();
    const now = T0 + DAY;
    fill(table, ['s1'], T0, now);
    const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
    await cache.readRange({ sensors: ['s1'], fromMs: T0, toMs: now });
    table.reads = [];
    const older = await cache.readRange({ sensors: ['s1'], fromMs: T0 + 3_600_000, toMs: T0 + 7_200_000 });
    expect(table.reads).toEqual([]);
    expect(older.stats.itemsRead).toBe(0);
    expect(plain(older)).toEqual(
      plain(await table.readRange({ sensors: ['s1'], fromMs: T0 + 3_600_000, toMs: T0 + 7_200_000 }))
    );
  });

  test('zooming out before the cached span reads the whole range again', async () => {
    const table = new MemoryTable();
    const now = T0 + DAY;
    fill(table, ['s1'], T0, now);
    const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
    await cache.readRange({ sensors: ['s1'], fromMs: now - 3_600_000, toMs: now });
    const wide = await cache.readRange({ sensors: ['s1'], fromMs: now - 7_200_000, toMs: now });
    expect(table.reads.at(-1)).toMatchObject({ fromMs: now - 7_200_000 });
    expect(plain(wide)).toEqual(plain(await table.readRange({ sensors: ['s1'], fromMs: now - 7_200_000, toMs: now })));
  });

  test('a read cut short by the item cap is answered but not cached as complete', async () => {
    const table = new MemoryTable();
    const now = T0 + 3_600_000;
    fill(table, ['s1'], T0, now);
    table.cap = 100;
    const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
    const capped = await cache.readRange({ sensors: ['s1'], fromMs: T0, toMs: now });
    expect(capped.stats.truncated).toBe(true);
    table.cap = Infinity;
    const full = await cache.readRange({ sensors: ['s1'], fromMs: T0, toMs: now });
    expect(full.stats.itemsRead).toBe(361);
    expect(full.series[0]!.time.length).toBe(361);
  });

  test('all sensors (none named): the table’s sensors, only those with readings in the range', async () => {
    const table = new MemoryTable();
    const now = T0 + 3_600_000;
    fill(table, ['s1', 's2'], T0, now);
    table.put('old', T0 - DAY);
    const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
    const all = await cache.readRange({ sensors: [], fromMs: T0, toMs: now });
    expect(all.series.map((s) => s.sensorId)).toEqual(['s1', 's2']);
    expect(plain(all)).toEqual(plain(await table.readRange({ sensors: [], fromMs: T0, toMs: now })));
  });

  test('bounded: beyond maxReadingsPerSensor the oldest readings go and the span starts later', async () => {
    const table = new MemoryTable();
    const now = T0 + 3_600_000;
    fill(table, ['s1'], T0, now);
    const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now, maxReadingsPerSensor: 100 });
    const answer = await cache.readRange({ sensors: ['s1'], fromMs: T0, toMs: now });
    expect(answer.series[0]!.time.length).toBe(361);
    expect(cache.size).toBe(100);
    // The whole range is no longer cached: asking again reads it again, and answers the same.
    const again = await cache.readRange({ sensors: ['s1'], fromMs: T0, toMs: now });
    expect(again.stats.itemsRead).toBe(361);
    expect(plain(again)).toEqual(plain(answer));
  });
});
