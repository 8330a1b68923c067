import { METRICS, type Metric } from '../../common/query';
import type { SensorSeries } from '../sources/types';
import { createSensors } from '../../../tools/simulator/signals';
import {
  computeFeatures,
  DEFAULT_WINDOWS,
  featureSpecOf,
  FeatureStream,
  fitFeatureSpec,
  lookbackMs,
  minimumCoverageMs,
  needsFitting,
  warmupMs,
} from './features';
import { featureColumns } from '../../common/features';
import type { FeatureSpec } from './types';

const MIN = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 5);

/** A small deterministic generator for the property tests. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seriesOf(time: number[], columns: Partial<Record<Metric, number[]>>): SensorSeries {
  const readings = {} as Record<Metric, Float64Array>;
  for (const m of METRICS) {
    readings[m] = Float64Array.from(columns[m] ?? time.map(() => 0));
  }
  return { sensorId: 's', time: Float64Array.from(time), readings };
}

/**
 * An awkward series: irregular cadence (2 s to 90 s), a few long pauses, NaN
 * readings, duplicate timestamps, stretches of constant values and quantized
 * noise on a daily cycle.
 */
function awkwardSeries(seed: number, readings: number): SensorSeries {
  const rand = random(seed);
  const time: number[] = [];
  const columns: Record<Metric, number[]> = { temperature: [], humidity: [], pressure: [], light_level: [] };
  let t = START;
  let level = 20;
  for (let i = 0; i < readings; i++) {
    const r = rand();
    t += r < 0.002 ? 40 * MIN : r < 0.01 ? 0 : 2_000 + Math.floor(rand() * 88_000);
    level += (rand() - 0.5) * 0.2;
    const stuck = Math.floor(i / 300) % 7 === 3;
    time.push(t);
    columns.temperature.push(stuck ? 21.5 : Math.round((level + Math.sin((2 * Math.PI * t) / DAY)) * 100) / 100);
    columns.humidity.push(rand() < 0.01 ? Number.NaN : 45 - 2 * level + rand());
    columns.pressure.push(Math.round((1013 + rand() * 0.3) * 10) / 10);
    columns.light_level.push(Math.max(0, 400 * Math.sin((2 * Math.PI * t) / DAY)));
  }
  return seriesOf(time, columns);
}

function rowsOf(m: { data: Float64Array; rows: number; cols: number }): number[][] {
  return Array.from({ length: m.rows }, (_, r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)));
}

function sliceFrom(series: SensorSeries, fromMs: number): SensorSeries {
  const first = series.time.findIndex((t) => t >= fromMs);
  const start = first < 0 ? series.time.length : first;
  const readings = {} as Record<Metric, Float64Array>;
  for (const m of METRICS) {
    readings[m] = series.readings[m].slice(start);
  }
  return { sensorId: series.sensorId, time: series.time.slice(start), readings };
}

const ALL_TRANSFORMS = [
  'value',
  'deviation',
  'spread',
  'rate',
  'roughness',
  'daily_profile',
  'cross_residual',
  'time_of_day',
] as const;

function fittedSpec(series: SensorSeries, transforms: ReadonlyArray<(typeof ALL_TRANSFORMS)[number]> = ALL_TRANSFORMS) {
  return fitFeatureSpec(featureSpecOf({ metrics: [...METRICS], transforms }), [series]);
}

describe('featureSpecOf', () => {
  it('is plain JSON with the windows in milliseconds and the transforms in catalog order', () => {
    const spec = featureSpecOf({ metrics: ['humidity', 'temperature'], transforms: ['rate', 'value'] });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(spec.transforms).toEqual(['value', 'rate']);
    expect(spec.windows).toEqual(DEFAULT_WINDOWS);
    expect(spec.resolution).toHaveLength(2);
  });

  it('refuses no metrics and windows that are not positive durations or whole samples', () => {
    expect(() => featureSpecOf({ metrics: [], transforms: ['value'] })).toThrow(/at least one metric/);
    expect(() => featureSpecOf({ metrics: ['pressure'], transforms: ['rate'], windows: { rateMs: 0 } })).toThrow(
      /windows.rateMs/
    );
    expect(() => featureSpecOf({ metrics: ['pressure'], transforms: ['rate'], windows: { rateMs: 90_000 } })).toThrow(
      /whole number of samples/
    );
  });

  it('asks for a warm-up of the longest window, its own minute and one pause, and none for readings only', () => {
    const spec = featureSpecOf({ metrics: ['pressure'], transforms: ['deviation', 'rate'] });
    const longest = Math.max(DEFAULT_WINDOWS.baselineMs, 2 * DEFAULT_WINDOWS.rateMs);
    expect(lookbackMs(spec)).toBe(longest + DEFAULT_WINDOWS.sampleMs);
    expect(warmupMs(spec)).toBe(lookbackMs(spec) + DEFAULT_WINDOWS.maxGapMs);
    expect(minimumCoverageMs(spec)).toBe(DEFAULT_WINDOWS.shortMs);
    expect(warmupMs(featureSpecOf({ metrics: ['pressure'], transforms: ['value', 'time_of_day'] }))).toBe(0);
  });
});

describe('FeatureStream and computeFeatures', () => {
  /** What a query does (read from warmupMs before, score from the split) and a stream from the start give the same rows. */
  function expectSplitsBitIdentical(series: SensorSeries, spec: FeatureSpec, rand: () => number, trials: number): void {
    const whole = computeFeatures(series, spec);
    for (let trial = 0; trial < trials; trial++) {
      const splitMs = series.time[Math.floor(rand() * series.time.length)]!;
      const query = computeFeatures(sliceFrom(series, splitMs - warmupMs(spec)), spec, { scoreFromMs: splitMs });
      const streamRows: number[][] = [];
      const stream = new FeatureStream(spec);
      const reading = new Float64Array(METRICS.length);
      series.time.forEach((t, i) => {
        METRICS.forEach((m, k) => (reading[k] = series.readings[m][i]!));
        const row = stream.push(t, reading);
        if (row && t >= splitMs) {
          streamRows.push(Array.from(row));
        }
      });
      const wholeFromSplit = rowsOf(whole).filter((_, r) => series.time[whole.rowIndex[r]!]! >= splitMs);
      expect(rowsOf(query)).toEqual(streamRows);
      expect(streamRows).toEqual(wholeFromSplit);
    }
  }

  it.each([1, 2, 3, 4, 5])(
    'give bit-identical rows however the readings are split, and a read from warmupMs before equals a long stream (seed %i)',
    (seed) => {
      const series = awkwardSeries(seed, 3000);
      expectSplitsBitIdentical(series, fittedSpec(series), random(seed * 7), 3);
    }
  );

  it.each([6, 7])(
    'stay bit-identical with a daily profile learned from a week, the usual level taken out before deviation and rate (seed %i)',
    (seed) => {
      const series = awkwardSeries(seed, 16_000);
      const spec = fittedSpec(series);
      expect(spec.profile!.covered.every(Boolean)).toBe(true);
      expectSplitsBitIdentical(series, spec, random(seed * 7), 2);
    }
  );

  it('drops and counts a missing reading, a repeated timestamp and a reading back in time', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['value'] });
    const stream = new FeatureStream(spec);
    expect(stream.push(1000, [20])).toBeDefined();
    expect(stream.push(2000, [Number.NaN])).toBeUndefined();
    expect(stream.lastDropReason).toBe('missing_reading');
    expect(stream.push(1000, [21])).toBeUndefined();
    expect(stream.lastDropReason).toBe('duplicate_time');
    expect(stream.push(500, [21])).toBeUndefined();
    expect(stream.lastDropReason).toBe('out_of_order');
    expect(Array.from(stream.push(3000, [22])!)).toEqual([22]);
    expect(stream.dropped).toEqual({ missing_reading: 1, duplicate_time: 1, out_of_order: 1, warming_up: 0 });
  });

  it('keeps the first of two readings with the same time in a series and counts the second', () => {
    const series = seriesOf([0, MIN, MIN, 2 * MIN], { temperature: [1, 2, 99, 3] });
    const m = computeFeatures(series, featureSpecOf({ metrics: ['temperature'], transforms: ['value'] }));
    expect(rowsOf(m)).toEqual([[1], [2], [3]]);
    expect(Array.from(m.rowIndex)).toEqual([0, 1, 3]);
    expect(m.dropped.duplicate_time).toBe(1);
  });

  it('leaves a missing reading out of the windows, as if it had not been sent', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['deviation', 'spread', 'rate'] });
    const time = Array.from({ length: 200 }, (_, i) => START + i * MIN);
    const values = time.map((_, i) => 20 + Math.sin(i / 7));
    const withGap = values.map((v, i) => (i === 150 ? Number.NaN : v));
    const a = computeFeatures(seriesOf(time, { temperature: withGap }), spec);
    const b = computeFeatures(
      seriesOf(
        time.filter((_, i) => i !== 150),
        { temperature: values.filter((_, i) => i !== 150) }
      ),
      spec
    );
    expect(rowsOf(a)).toEqual(rowsOf(b));
    expect(a.dropped.missing_reading).toBe(1);
  });

  it('restarts every window after a pause longer than maxGapMs: no rate across it, rows again after the minimum coverage', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['deviation', 'rate'] });
    const before = Array.from({ length: 120 }, (_, i) => START + i * MIN);
    const after = Array.from({ length: 120 }, (_, i) => START + 3 * 3_600_000 + i * MIN);
    const time = [...before, ...after];
    // A level shift of 100 during the pause: a rate across the gap would be huge.
    const m = computeFeatures(seriesOf(time, { temperature: time.map((t) => (t > before.at(-1)! ? 120 : 20)) }), spec);
    const scoredAfter = Array.from(m.rowIndex).filter((i) => i >= before.length);
    // Minutes are completed ones: the first reading of a segment's minute k needs k − start ≥ the coverage.
    expect(Math.min(...scoredAfter.map((i) => time[i]! - after[0]!))).toBe(minimumCoverageMs(spec));
    expect(rowsOf(m).every(([, rate]) => rate === 0)).toBe(true);
    expect(m.dropped.warming_up).toBe(2 * (minimumCoverageMs(spec) / MIN));
  });

  it('scores partly filled windows a few minutes after the data starts, and says nothing of a rate it cannot know yet', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['deviation', 'spread', 'rate'] });
    const time = Array.from({ length: 90 }, (_, i) => START + i * MIN);
    // Rising by 0.1 a minute with a little noise: a rate of 0.1 once both rate windows can be read.
    const m = computeFeatures(seriesOf(time, { temperature: time.map((_, i) => 20 + 0.1 * i + (i % 3) * 0.01) }), spec);
    const first = m.rowIndex[0]!;
    expect(time[first]! - time[0]!).toBe(5 * MIN);
    const rate = (r: number) => m.data[r * m.cols + 2]!;
    // The earlier rate window needs the same coverage: 30 minutes of the later one plus 5 of its own.
    const rowAt = (minute: number) => Array.from(m.rowIndex).indexOf(minute);
    expect(rate(rowAt(30))).toBe(0);
    expect(rate(rowAt(40))).toBeCloseTo(0.1, 2);
    expect(rate(rowAt(80))).toBeCloseTo(0.1, 2);
  });

  it('does not score a spread of a single reading after a pause shorter than maxGapMs', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['spread'] });
    const steady = Array.from({ length: 30 }, (_, i) => START + i * MIN);
    const resumed = START + 29 * MIN + spec.windows.maxGapMs - MIN;
    const time = [...steady, resumed, resumed + MIN, resumed + 2 * MIN, resumed + 3 * MIN];
    const m = computeFeatures(seriesOf(time, { temperature: time.map((_, i) => 20 + (i % 2) * 0.1) }), spec);
    const times = Array.from(m.rowIndex, (i) => time[i]);
    expect(times).not.toContain(resumed);
    expect(times).toContain(resumed + 3 * MIN);
  });

  it('shows a stuck sensor as a spread at the log of a tenth of the resolution, far below real noise', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['spread'] });
    const time = Array.from({ length: 60 }, (_, i) => START + i * MIN);
    const noisy = time.map((_, i) => 20 + ((i * 7919) % 13) / 100);
    const stuck = time.map(() => 20.37);
    const noisyRows = rowsOf(computeFeatures(seriesOf(time, { temperature: noisy }), spec));
    const stuckRows = rowsOf(computeFeatures(seriesOf(time, { temperature: stuck }), spec));
    const floor = spec.resolution[0]! / 10;
    expect(stuckRows[0]![0]).toBeCloseTo(Math.log10(floor), 12);
    expect(Math.min(...noisyRows.map((r) => r[0]!))).toBeGreaterThan(Math.log10(floor) + 1);
  });

  it('shows minute-to-minute jumps as roughness: an oscillation far above a ramp over the same range, stuck at the floor', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['roughness'] });
    const time = Array.from({ length: 6 * 60 }, (_, i) => START + i * 10_000);
    const ramp = time.map((_, i) => 20 + i / 360);
    const oscillation = time.map((t) => 20.5 + 0.5 * Math.sin((2 * Math.PI * (t - START)) / (6 * MIN)));
    const last = (values: number[]) =>
      rowsOf(computeFeatures(seriesOf(time, { temperature: values }), spec)).at(-1)![0]!;
    expect(last(time.map(() => 20.37))).toBeCloseTo(Math.log10(spec.resolution[0]! / 10), 12);
    expect(last(oscillation)).toBeGreaterThan(last(ramp) + 1);
  });

  it('compares the samples it has at a reading every 2 minutes, a change divided by the square root of its minutes', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['roughness'] });
    const time = Array.from({ length: 20 }, (_, i) => START + i * 2 * MIN);
    const rows = rowsOf(computeFeatures(seriesOf(time, { temperature: time.map((_, i) => 20 + (i % 2)) }), spec));
    expect(rows.at(-1)![0]).toBeCloseTo(Math.log10(1 / Math.SQRT2 + spec.resolution[0]! / 10), 12);
  });

  it('keeps only the readings of its longest window, however long it runs', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['deviation', 'spread', 'rate'] });
    const stream = new FeatureStream(spec);
    for (let i = 0; i < 50_000; i++) {
      stream.push(START + i * 10_000, [20 + (i % 17) / 10]);
    }
    expect(stream.heldReadings).toBeLessThanOrEqual(lookbackMs(spec) / 10_000 + 1);
  });
});

describe('the daily profile and the cross-metric fit', () => {
  it('learn what is usual at each time of day, so the training signal itself deviates little', () => {
    const time = Array.from({ length: 14 * 24 * 12 }, (_, i) => START + i * 5 * MIN);
    const rand = random(9);
    const temperature = time.map((t) => 20 + 3 * Math.sin((2 * Math.PI * t) / DAY) + (rand() - 0.5) * 0.2);
    const humidity = temperature.map((v) => 90 - 2 * v + (rand() - 0.5) * 0.2);
    const series = seriesOf(time, { temperature, humidity });
    const spec = fitFeatureSpec(
      featureSpecOf({ metrics: ['temperature', 'humidity'], transforms: ['daily_profile', 'cross_residual'] }),
      [series]
    );
    expect(needsFitting(spec)).toBe(false);
    expect(spec.profile!.bins).toBe(48);
    const m = computeFeatures(series, spec);
    const worst = Math.max(...rowsOf(m).flat().map(Math.abs));
    expect(worst).toBeLessThan(5);
    // Humidity that stops following temperature is far out of line, though its value is ordinary.
    const broken = seriesOf([time.at(-1)! + 5 * MIN], { temperature: [23], humidity: [90 - 2 * 17] });
    const row = rowsOf(computeFeatures(broken, spec))[0]!;
    expect(Math.abs(row[3]!)).toBeGreaterThan(20);
  });

  it('must be fitted before features are computed', () => {
    const spec = featureSpecOf({ metrics: ['temperature'], transforms: ['daily_profile'] });
    expect(needsFitting(spec)).toBe(true);
    expect(() => new FeatureStream(spec)).toThrow(/fitFeatureSpec/);
  });
});

describe('windows defined in time, not in readings', () => {
  // One simulated sensor every 10 s, and the same readings thinned to one a minute: the same
  // physical signal at the history's and the live cadence.
  const [sim] = createSensors(1, 5, { anomaliesPerDay: 0 });
  const fine: number[] = [];
  const values: Record<Metric, number[]> = { temperature: [], humidity: [], pressure: [], light_level: [] };
  for (let t = START; t < START + 6 * DAY; t += 10_000) {
    const r = sim!.next(t);
    fine.push(t);
    METRICS.forEach((m) => values[m].push(r.values[m]));
  }
  const every = (k: number) => (_: unknown, i: number) => i % k === 0;
  const live = seriesOf(fine, values);
  const history = seriesOf(
    fine.filter(every(6)),
    Object.fromEntries(METRICS.map((m) => [m, values[m].filter(every(6))]))
  );
  const spec: FeatureSpec = fittedSpec(history, ['value', 'deviation', 'spread', 'rate', 'roughness', 'daily_profile']);
  const a = computeFeatures(history, spec);
  const b = computeFeatures(live, spec);
  const columns = featureColumns(spec.metrics, spec.transforms);

  /** Kolmogorov–Smirnov distance between two samples (ties stepped together). */
  function ks(x: Float64Array, y: Float64Array): number {
    const xs = Float64Array.from(x).sort();
    const ys = Float64Array.from(y).sort();
    let i = 0;
    let j = 0;
    let d = 0;
    while (i < xs.length && j < ys.length) {
      const v = Math.min(xs[i]!, ys[j]!);
      while (i < xs.length && xs[i] === v) {
        i++;
      }
      while (j < ys.length && ys[j] === v) {
        j++;
      }
      d = Math.max(d, Math.abs(i / xs.length - j / ys.length));
    }
    return d;
  }
  const column = (m: typeof a, c: number) => Float64Array.from({ length: m.rows }, (_, r) => m.data[r * m.cols + c]!);

  it.each(columns.map((c, i) => [`${c.transform} of ${c.metric}`, c.transform, i] as const))(
    '%s has the same distribution at one reading a minute and one every 10 s',
    (_name, transform, c) => {
      // The spread of 5 readings (one a minute, 5 minutes) varies more than that of 30: its
      // distribution is a little wider in the history, the only column that is not a near-exact match.
      const limit = transform === 'spread' ? 0.25 : 0.03;
      expect(ks(column(a, c), column(b, c))).toBeLessThan(limit);
    }
  );
});
