import { SeriesBuilder } from './seriesBuilder';

const ok = (sensorId: string, timeMs: number, t: number, missingMask = 0) => ({
  ok: true as const,
  item: {
    sensorId,
    timeMs,
    values: [t, 1, 2, missingMask ? Number.NaN : 3] as [number, number, number, number],
    missingMask,
  },
});

describe('SeriesBuilder', () => {
  it('groups by sensor, sorts by time and counts skips and missing readings', () => {
    const b = new SeriesBuilder();
    for (let i = 0; i < 3000; i++) {
      b.add(ok('b', 10_000 - i, i));
    }
    b.add(ok('a', 5, 50, 0b1000));
    b.add({ ok: false, reason: 'bad_timestamp' });
    b.skipUnparsed('csv_syntax');
    const series = b.build(['c']);
    expect(series.map((s) => s.sensorId)).toEqual(['a', 'b', 'c']);
    const bSeries = series[1];
    expect(bSeries.time.length).toBe(3000);
    expect(bSeries.time[0]).toBe(10_000 - 2999);
    expect(bSeries.readings.temperature[0]).toBe(2999);
    for (let i = 1; i < bSeries.time.length; i++) {
      expect(bSeries.time[i]).toBeGreaterThan(bSeries.time[i - 1]);
    }
    expect(series[0].readings.light_level[0]).toBeNaN();
    expect(series[2].time.length).toBe(0);
    expect(b.counts()).toMatchObject({
      itemsRead: 3003,
      itemsSkipped: 2,
      skipReasons: { bad_timestamp: 1, csv_syntax: 1 },
      missingReadings: { light_level: 1 },
    });
  });

  it('gives each sensor its own skips and gaps, and keeps the skips of no sensor apart', () => {
    const b = new SeriesBuilder();
    b.add(ok('a', 1, 1));
    b.add(ok('b', 1, 1, 0b1000));
    b.add({ ok: false, reason: 'non_numeric_reading', sensorId: 'b', timeMs: 30 });
    b.add({ ok: false, reason: 'no_readings', sensorId: 'b', timeMs: 20 });
    b.add({ ok: false, reason: 'missing_timestamp', sensorId: 'b' });
    b.add({ ok: false, reason: 'missing_sensor_id' });
    b.skipUnparsed('bad_payload', 'c');
    const counts = b.counts();
    expect(counts.itemsSkipped).toBe(5);
    expect(counts.bySensor.has('a')).toBe(false);
    expect(counts.bySensor.get('b')).toEqual({
      itemsSkipped: 3,
      skipReasons: { non_numeric_reading: 1, no_readings: 1, missing_timestamp: 1 },
      missingReadings: { light_level: 1 },
      timed: [
        { timeMs: 20, reason: 'no_readings' },
        { timeMs: 30, reason: 'non_numeric_reading' },
      ],
    });
    expect(counts.bySensor.get('c')).toMatchObject({ itemsSkipped: 1, skipReasons: { bad_payload: 1 }, timed: [] });
    expect(counts.withoutSensor).toEqual({
      itemsSkipped: 1,
      skipReasons: { missing_sensor_id: 1 },
      missingReadings: {},
      timed: [],
    });
  });

  it('answers an empty series for a sensor whose every item was malformed, so its skips have a frame', () => {
    const b = new SeriesBuilder();
    b.add(ok('a', 1, 1));
    b.add({ ok: false, reason: 'no_readings', sensorId: 'b', timeMs: 5 });
    b.add({ ok: false, reason: 'missing_sensor_id' });
    expect(b.build().map((s) => [s.sensorId, s.time.length])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
  });

  it('keeps equal timestamps in arrival order', () => {
    const b = new SeriesBuilder();
    b.add(ok('a', 2, 1));
    b.add(ok('a', 1, 2));
    b.add(ok('a', 1, 3));
    const [s] = b.build();
    expect(Array.from(s.readings.temperature)).toEqual([2, 3, 1]);
  });
});
