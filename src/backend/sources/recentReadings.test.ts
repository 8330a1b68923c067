import { METRICS, type Metric } from '../../common/query';
import type { ReadRangeRequest } from './dynamoReadings';
import { RecentReadings, type RangeReader } from './recentReadings';
import { emptyReadStats, SeriesBuilder } from './seriesBuilder';
import type { ReadResult, SkipReason } from './types';

const STEP = 10_000;
const T0 = Date.UTC(2026, 0, 1);

/** An in-memory table with DynamoDB's inclusive range semantics, counting the items each read returns. */
class MemoryTable implements RangeReader {
  readonly items = new Map<string, Array<{ t: number; v: number; gap?: Metric }>>();
  /** Items that cannot be decoded: `t` undefined when their timestamp is unreadable (returned by every read). */
  readonly malformed: Array<{ sensor: string; t?: number; reason: SkipReason }> = [];
  reads: Array<{ sensors: readonly string[]; fromMs: number; toMs: number; items: number }> = [];
  cap = Infinity;

  put(sensor: string, t: number, v = t / STEP, gap?: Metric): void {
    const list = this.items.get(sensor) ?? [];
    if (list.length === 0 || list[list.length - 1]!.t < t) {
      list.push({ t, v, gap });
      this.items.set(sensor, list);
      return;
    }
    const at = list.findIndex((item) => item.t === t);
    if (at >= 0) {
      list[at] = { t, v, gap };
    } else {
      list.push({ t, v, gap });
      list.sort((a, b) => a.t - b.t);
    }
    this.items.set(sensor, list);
  }

  /** A malformed item replaces a good one at the same time (and vice versa with `put`). */
  putMalformed(sensor: string, t: number | undefined, reason: SkipReason): void {
    if (t !== undefined) {
      this.items.set(
        sensor,
        (this.items.get(sensor) ?? []).filter((item) => item.t !== t)
      );
    }
    this.malformed.push({ sensor, t, reason });
  }

  async listSensors(): Promise<string[]> {
    return [...new Set([...this.items.keys(), ...this.malformed.map((m) => m.sensor)])].sort();
  }

  /** Decoded the way DynamoReadingsSource decodes: through a SeriesBuilder. */
  async readRange(req: ReadRangeRequest): Promise<ReadResult> {
    const sensors = req.sensors.length > 0 ? [...req.sensors] : await this.listSensors();
    const inRange = (t: number | undefined) => t === undefined || (t >= req.fromMs && t <= req.toMs);
    const builder = new SeriesBuilder();
    let read = 0;
    let truncated = false;
    for (const sensorId of sensors.sort()) {
      let rows = (this.items.get(sensorId) ?? []).filter((i) => inRange(i.t));
      if (read + rows.length > this.cap) {
        rows = rows.slice(0, Math.max(0, this.cap - read));
        truncated = true;
      }
      read += rows.length;
      for (const { t, v, gap } of rows) {
        const values = METRICS.map((m, k) => (m === gap ? Number.NaN : v + k)) as [number, number, number, number];
        const missingMask = gap ? 1 << METRICS.indexOf(gap) : 0;
        builder.add({ ok: true, item: { sensorId, timeMs: t, values, missingMask } });
      }
      for (const bad of this.malformed.filter((m) => m.sensor === sensorId && inRange(m.t))) {
        builder.add({ ok: false, reason: bad.reason, sensorId, timeMs: bad.t });
      }
    }
    const counts = builder.counts();
    this.reads.push({ sensors, fromMs: req.fromMs, toMs: req.toMs, items: counts.itemsRead });
    const series = builder.build(req.sensors);
    return { series, stats: { ...emptyReadStats(this.cap), ...counts, truncated, pages: 1 } };
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

  describe('skips and gaps: a refresh reports those of the range it shows, per sensor', () => {
    const HOUR = 3_600_000;
    /** s1 is clean; s2 has two malformed items with a time, one without, and a kept item lacking humidity. */
    function faultyTable(now: number): MemoryTable {
      const table = new MemoryTable();
      fill(table, ['s1', 's2'], now - 6 * HOUR, now);
      table.putMalformed('s2', now - 5 * HOUR, 'non_numeric_reading');
      table.putMalformed('s2', now - 2 * HOUR, 'no_readings');
      table.putMalformed('s2', undefined, 'missing_timestamp');
      table.put('s2', now - 3 * HOUR, 1, 'humidity');
      return table;
    }
    const bySensor = (result: ReadResult) => Object.fromEntries(result.stats.bySensor);

    test('a refresh that reads a few new items still counts the malformed items of the whole range, as an uncached read does', async () => {
      let now = T0 + DAY;
      const table = faultyTable(now);
      const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
      const first = await cache.readRange({ sensors: ['s1', 's2'], fromMs: now - 6 * HOUR, toMs: now });
      expect(first.stats.bySensor.get('s2')).toMatchObject({
        itemsSkipped: 3,
        skipReasons: { non_numeric_reading: 1, no_readings: 1, missing_timestamp: 1 },
        missingReadings: { humidity: 1 },
      });
      expect(first.stats.bySensor.has('s1')).toBe(false); // nothing skipped, nothing missing

      fill(table, ['s1', 's2'], now + STEP, now + 30_000);
      now += 30_000;
      const refreshed = await cache.readRange({ sensors: ['s1', 's2'], fromMs: now - 6 * HOUR, toMs: now });
      expect(refreshed.stats.itemsRead).toBeLessThan(30); // the overlap and the new items, and the timeless item again
      const uncached = await table.readRange({ sensors: ['s1', 's2'], fromMs: now - 6 * HOUR, toMs: now });
      expect(bySensor(refreshed)).toEqual(bySensor(uncached));
      expect(refreshed.stats).toMatchObject({
        itemsSkipped: 3,
        skipReasons: uncached.stats.skipReasons,
        missingReadings: { humidity: 1 },
      });
    });

    test('a malformed item leaves the count when the range slides past it, or when it is rewritten within the overlap', async () => {
      let now = T0 + DAY;
      const table = faultyTable(now);
      const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
      await cache.readRange({ sensors: ['s2'], fromMs: now - 6 * HOUR, toMs: now });
      table.putMalformed('s2', now - 20_000, 'non_numeric_reading'); // a late write inside the overlap
      now += 10_000;
      const late = await cache.readRange({ sensors: ['s2'], fromMs: now - 4 * HOUR, toMs: now });
      // The item 5 h ago is outside the range now; the late one is in.
      expect(late.stats.bySensor.get('s2')?.skipReasons).toEqual({
        no_readings: 1,
        non_numeric_reading: 1,
        missing_timestamp: 1,
      });
      table.malformed.splice(table.malformed.length - 1, 1);
      table.put('s2', now - 30_000); // rewritten as a good reading
      now += 10_000;
      const rewritten = await cache.readRange({ sensors: ['s2'], fromMs: now - 4 * HOUR, toMs: now });
      expect(bySensor(rewritten)).toEqual(
        bySensor(await table.readRange({ sensors: ['s2'], fromMs: now - 4 * HOUR, toMs: now }))
      );
      expect(rewritten.stats.bySensor.get('s2')?.itemsSkipped).toBe(2);
    });

    test('the skips of trimmed readings go with them (the cache holds readings and skips, within its bound)', async () => {
      const now = T0 + DAY;
      const table = faultyTable(now);
      const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now, maxReadingsPerSensor: 1000 });
      await cache.readRange({ sensors: ['s2'], fromMs: now - 6 * HOUR, toMs: now });
      // 1000 readings (2 h 46 min) stay; of the two timed skips only the one 2 h ago is within them.
      expect(cache.size).toBe(1000 + 1);
      table.reads = [];
      const recent = await cache.readRange({ sensors: ['s2'], fromMs: now - 2.5 * HOUR, toMs: now });
      expect(table.reads.map((r) => r.fromMs)).toEqual([now - 60_000]);
      expect(recent.stats.bySensor.get('s2')?.skipReasons).toEqual({ no_readings: 1, missing_timestamp: 1 });
    });

    test('all sensors: one whose every item of the range is malformed is answered empty, with its skips', async () => {
      const now = T0 + DAY;
      const table = new MemoryTable();
      fill(table, ['s1'], now - HOUR, now);
      table.putMalformed('broken', now - 10 * 60_000, 'no_readings');
      const cache = new RecentReadings(table, { overlapMs: 60_000, now: () => now });
      const all = await cache.readRange({ sensors: [], fromMs: now - HOUR, toMs: now });
      expect(all.series.map((s) => [s.sensorId, s.time.length])).toEqual([
        ['broken', 0],
        ['s1', 361],
      ]);
      expect(all.stats.bySensor.get('broken')?.itemsSkipped).toBe(1);
    });
  });
});
