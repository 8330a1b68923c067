/**
 * What is usual at each time of day, learned from the training data: the
 * daily profile (`daily_profile`) and how each metric follows the others
 * (`cross_residual`). Both are stored in the model's feature spec, so the same
 * numbers score in a dashboard, a stream and the worker.
 *
 * A half-hour of the day is *covered* only when the training data holds it on
 * at least {@link MIN_PROFILE_DAYS} different days: the profile's spread must
 * include how much one day differs from the next, which a few days cannot show
 * (a model trained on two hours of one afternoon would otherwise call every
 * other afternoon, and every night, extraordinary). Where the profile is not
 * covered, its features are 0 — the value a typical training reading has —
 * so they say nothing and the other features judge alone.
 *
 * The usual *level* also takes out the daily rhythm before `deviation` and
 * `rate` look at a reading (featureStream.ts): there a half-hour not covered
 * borrows the nearest covered one's median, so the level stays continuous
 * around the clock; with no covered half-hour it is 0 (the readings as they are).
 */
import type { SensorSeries } from '../sources/types';
import type { CrossMetricFit, DailyProfile, FeatureSpec } from './types';

const DAY = 86_400_000;

/** Time-of-day bins of a daily profile: half an hour each. */
const PROFILE_BINS = 48;

/**
 * Different days a half-hour needs in the training data before its profile is
 * trusted: a week. With fewer days the profile's spread misses how much days
 * differ, and ordinary days score as unusual (measured: a model trained on 3
 * days flagged 2.2 % of the next day's clean readings, on a week's profile
 * rule 0.8 %; the contamination was 1 %).
 */
const MIN_PROFILE_DAYS = 7;

export function timeOfDayMs(timeMs: number): number {
  return ((timeMs % DAY) + DAY) % DAY;
}

/** Linear quantile (numpy's default) of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Each series' readings whose spec metrics are all present, with their time. */
function* completeReadings(
  spec: FeatureSpec,
  series: readonly SensorSeries[]
): Generator<{ timeMs: number; values: Float64Array }> {
  const values = new Float64Array(spec.metrics.length);
  for (const s of series) {
    const columns = spec.metrics.map((metric) => s.readings[metric]);
    for (let i = 0; i < s.time.length; i++) {
      let complete = true;
      for (let m = 0; m < columns.length; m++) {
        values[m] = columns[m]![i]!;
        complete &&= Number.isFinite(values[m]);
      }
      if (complete) {
        yield { timeMs: s.time[i]!, values };
      }
    }
  }
}

/**
 * Median and robust spread (IQR / 1.349) per metric and half-hour, and which
 * half-hours are covered. A half-hour not covered stores the nearest covered
 * one's median (for the level, see the module comment) and a spread of 0.
 */
export function fitDailyProfile(spec: FeatureSpec, series: readonly SensorSeries[]): DailyProfile {
  const byBin: number[][][] = spec.metrics.map(() => Array.from({ length: PROFILE_BINS }, () => []));
  const days = Array.from({ length: PROFILE_BINS }, () => new Set<number>());
  for (const { timeMs, values } of completeReadings(spec, series)) {
    const bin = Math.floor((timeOfDayMs(timeMs) / DAY) * PROFILE_BINS);
    days[bin]!.add(Math.floor(timeMs / DAY));
    values.forEach((v, m) => byBin[m]![bin]!.push(v));
  }
  const covered = days.map((d) => d.size >= MIN_PROFILE_DAYS);
  const profile: DailyProfile = { bins: PROFILE_BINS, median: [], spread: [], covered };
  for (const bins of byBin) {
    const median = new Array<number>(PROFILE_BINS).fill(NaN);
    const spread = new Array<number>(PROFILE_BINS).fill(0);
    bins.forEach((values, b) => {
      if (covered[b]) {
        const sorted = Float64Array.from(values).sort();
        median[b] = quantileSorted(sorted, 0.5);
        spread[b] = (quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)) / 1.349;
      }
    });
    profile.median.push(fillFromNearest(median));
    profile.spread.push(spread);
  }
  return profile;
}

/** Empty bins (NaN) take the value of the nearest filled bin around the clock; all empty: 0. */
function fillFromNearest(values: number[]): number[] {
  const n = values.length;
  return values.map((v, b) => {
    for (let d = 1; !Number.isFinite(v) && d <= n / 2; d++) {
      v = Number.isFinite(values[(b + d) % n]!) ? values[(b + d) % n]! : values[(b - d + n) % n]!;
    }
    return Number.isFinite(v) ? v : 0;
  });
}

/** Share of the day the profile covers (0 to 1): what a notice can say about a model trained on little data. */
export function profileCoverage(profile: DailyProfile): number {
  return profile.covered.filter(Boolean).length / profile.bins;
}

/** Reads a fitted daily profile at a reading's time of day (read between half-hour centres). */
export class ProfileReader {
  /** After {@link read}: the usual level per metric (never NaN: see the module comment). */
  readonly usual: Float64Array;
  /** After {@link read}: (x − usual) / (usual spread + resolution) per metric, all 0 in a half-hour not covered. */
  readonly deviation: Float64Array;
  /** After {@link read}: whether the reading's half-hour is covered. */
  covered = false;

  private readonly bins: number;
  /** Flattened metric-major: metric m, bin b at m * bins + b. */
  private readonly median: Float64Array;
  private readonly spread: Float64Array;
  private readonly coveredBins: Uint8Array;
  private readonly resolution: Float64Array;

  constructor(spec: FeatureSpec) {
    const profile = spec.profile!;
    const m = spec.metrics.length;
    this.bins = profile.bins;
    this.median = Float64Array.from(profile.median.flat());
    this.spread = Float64Array.from(profile.spread.flat());
    this.coveredBins = Uint8Array.from(profile.covered, Number);
    this.resolution = Float64Array.from(spec.resolution);
    this.usual = new Float64Array(m);
    this.deviation = new Float64Array(m);
  }

  read(timeMs: number, readings: ArrayLike<number>): void {
    const bins = this.bins;
    const position = (timeOfDayMs(timeMs) / DAY) * bins - 0.5;
    const below = Math.floor(position);
    const w = position - below;
    const b0 = (below + bins) % bins;
    const b1 = (below + 1) % bins;
    const own = w < 0.5 ? b0 : b1;
    this.covered = this.coveredBins[own] === 1;
    // A neighbour not covered: the own half-hour's spread, flat, rather than a blend with a spread of 0.
    const ws = this.coveredBins[b0] === 1 && this.coveredBins[b1] === 1 ? w : own === b1 ? 1 : 0;
    for (let m = 0; m < this.usual.length; m++) {
      const base = m * bins;
      const usual = (1 - w) * this.median[base + b0]! + w * this.median[base + b1]!;
      this.usual[m] = usual;
      if (this.covered) {
        const spread = (1 - ws) * this.spread[base + b0]! + ws * this.spread[base + b1]!;
        this.deviation[m] = (readings[m]! - usual) / (spread + this.resolution[m]!);
      } else {
        this.deviation[m] = 0;
      }
    }
  }
}

/**
 * Least squares of each metric's daily-profile deviation on the others' (with
 * an intercept and a small ridge, so collinear or constant metrics still
 * solve), over the complete training readings in covered half-hours; scale =
 * IQR/1.349 of what is left, plus a hair so a perfect fit does not divide by 0.
 */
export function fitCrossMetric(spec: FeatureSpec, series: readonly SensorSeries[]): CrossMetricFit {
  const m = spec.metrics.length;
  const reader = new ProfileReader(spec);
  const z: number[][] = [];
  for (const { timeMs, values } of completeReadings(spec, series)) {
    reader.read(timeMs, values);
    if (reader.covered) {
      z.push(Array.from(reader.deviation));
    }
  }
  const coefficients: number[][] = [];
  const scale: number[] = [];
  for (let target = 0; target < m; target++) {
    const beta = ridgeFit(z, target, m);
    const residuals = Float64Array.from(z, (row) => row[target]! - predict(beta, row, target)).sort();
    coefficients.push(beta);
    scale.push(
      residuals.length > 0 ? (quantileSorted(residuals, 0.75) - quantileSorted(residuals, 0.25)) / 1.349 + 1e-6 : 1
    );
  }
  return { coefficients, scale };
}

function predict(beta: readonly number[], row: ArrayLike<number>, target: number): number {
  let y = beta[0]!;
  for (let k = 0; k < row.length; k++) {
    y += k === target ? 0 : beta[k + 1]! * row[k]!;
  }
  return y;
}

/** [intercept, weight per metric (0 for the target)] by ridge-regularized least squares. */
function ridgeFit(z: readonly number[][], target: number, m: number): number[] {
  const p = m + 1;
  const a = Array.from({ length: p }, () => new Float64Array(p + 1));
  for (const row of z) {
    const x = [1, ...row.map((v, k) => (k === target ? 0 : v))];
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        a[i]![j]! += x[i]! * x[j]!;
      }
      a[i]![p]! += x[i]! * row[target]!;
    }
  }
  for (let i = 1; i < p; i++) {
    a[i]![i]! += 1e-3 * Math.max(1, z.length);
  }
  return solve(a, p);
}

/** Gauss–Jordan elimination with partial pivoting of an augmented p × (p + 1) system. */
function solve(a: Float64Array[], p: number): number[] {
  for (let col = 0; col < p; col++) {
    let pivot = col;
    for (let r = col + 1; r < p; r++) {
      pivot = Math.abs(a[r]![col]!) > Math.abs(a[pivot]![col]!) ? r : pivot;
    }
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const lead = a[col]![col]!;
    if (lead === 0) {
      continue;
    }
    for (let r = 0; r < p; r++) {
      if (r === col) {
        continue;
      }
      const f = a[r]![col]! / lead;
      for (let c = col; c <= p; c++) {
        a[r]![c]! -= f * a[col]![c]!;
      }
    }
  }
  return Array.from({ length: p }, (_, i) => (a[i]![i]! === 0 ? 0 : a[i]![p]! / a[i]![i]!));
}
