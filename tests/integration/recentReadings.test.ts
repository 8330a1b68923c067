/**
 * The recent-readings cache on DynamoDB Local: a 24-hour, 3-sensor dashboard
 * refreshing every 30 s reads only the overlap and the new items, and every
 * answer equals an uncached read of the same range — late writes inside the
 * overlap and rewritten items included. Prints the items read per refresh
 * (first load and steady state), the figure docs/benchmarks.md reports.
 */
import { DynamoReadingsSource } from '../../src/backend/sources/dynamoReadings';
import { RecentReadings } from '../../src/backend/sources/recentReadings';
import type { ReadResult } from '../../src/backend/sources/types';
import { METRICS } from '../../src/common/query';
import { dynamoItem } from '../../tools/simulator/formats';
import { createSensors, Rng } from '../../tools/simulator/signals';
import { batchWrite, ensureTable } from '../../tools/simulator/writers';
import { dynamoClient, readerConfig, uniqueName } from './emulators';

const STEP = 10_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const OVERLAP = 60_000;
const REFRESH = 30_000;
const NOW = Date.UTC(2026, 5, 2, 12);
/** The dashboard's range plus the features' warm-up (70 minutes), as QueryData reads it. */
const SPAN = DAY + 70 * 60_000;

function plain(result: ReadResult) {
  return result.series.map((s) => ({
    sensorId: s.sensorId,
    time: Array.from(s.time),
    readings: METRICS.map((m) => Array.from(s.readings[m])),
  }));
}

describe('recent readings on DynamoDB Local', () => {
  const table = uniqueName('recent');
  const ddb = dynamoClient();
  const sensors = createSensors(3, 7);
  const rng = new Rng(7);
  const write = (from: number, to: number) => {
    const items = [];
    for (let t = from; t <= to; t += STEP) {
      items.push(...sensors.map((s) => dynamoItem(s.next(t), 's', rng)));
    }
    return batchWrite(ddb, table, items, 16);
  };

  beforeAll(async () => {
    await ensureTable(ddb, table);
    await write(NOW - SPAN, NOW);
  });

  afterAll(() => ddb.destroy());

  test('a 24-hour, 3-sensor dashboard: first load reads the range, each refresh only the overlap and the new items; answers equal uncached reads', async () => {
    const reader = new DynamoReadingsSource(ddb, readerConfig(table));
    let now = NOW;
    const cache = new RecentReadings(reader, { overlapMs: OVERLAP, now: () => now });
    const ids = sensors.map((s) => s.id);
    const read = (to: number) => ({ sensors: ids, fromMs: to - SPAN, toMs: to });

    const first = await cache.readRange(read(now));
    expect(plain(first)).toEqual(plain(await reader.readRange(read(now))));
    const perRefresh: number[] = [];
    for (let refresh = 1; refresh <= 4; refresh++) {
      await write(now + STEP, now + REFRESH);
      now += REFRESH;
      if (refresh === 2) {
        // A late item inside the overlap (written now for a time 40 s ago) and a rewritten one.
        const late = sensors[0]!;
        await batchWrite(
          ddb,
          table,
          [dynamoItem({ ...late.next(now + 1), timeMs: now - 40_000 - 5_000 }, 's', rng)],
          1
        );
        await batchWrite(ddb, table, [dynamoItem({ ...late.next(now + 2), timeMs: now - 20_000 }, 's', rng)], 1);
      }
      const answer = await cache.readRange(read(now));
      perRefresh.push(answer.stats.itemsRead);
      expect(plain(answer)).toEqual(plain(await reader.readRange(read(now))));
    }
    console.log(
      `items read per refresh of a 24-hour, 3-sensor dashboard (10 s cadence, ${REFRESH / 1000} s refresh, ${OVERLAP / 1000} s overlap): ` +
        `first load ${first.stats.itemsRead}, then ${perRefresh.join(', ')}`
    );
    expect(first.stats.itemsRead).toBe(3 * (SPAN / STEP + 1));
    // Per sensor: the overlap (7 readings, both ends included) + 3 new ones; the late item (45 s before
    // the second refresh) lies inside the overlap of the second and the third refresh.
    expect(perRefresh).toEqual([30, 31, 31, 30]);
  });
});
