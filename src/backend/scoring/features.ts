/**
 * Readings → feature rows: the maths behind the catalog in
 * src/common/features.ts (explained for users in docs/features.md).
 *
 * Every window is defined in time, not in readings, and every rate is per
 * minute, because the same sensor arrives at different cadences (history
 * every 60 s, live items every few seconds, with jitter and gaps): the same
 * physical behaviour must give the same features at any cadence.
 *
 * Per metric, at a reading at time t:
 * - value: the reading x;
 * - deviation: (x − median) / (IQR / 1.349 + floor) over the baseline window
 *   (t − baselineMs, t] — a robust z-score against the last hour;
 * - spread: log10(std + floor) over the short window (t − shortMs, t] — a stuck
 *   sensor goes to log10(floor), far below any real noise;
 * - rate: (median of (t − S, t] − median of (t − 2S, t − S]) / S in minutes,
 *   S = shortMs — the smoothed slope, which a single noisy step cannot fake;
 * and once, time of day as (sin, cos) of the UTC hour on a 24-hour circle.
 *
 * Readings enter the windows only when every metric of the spec is present and
 * the time moves forward. A pause longer than `maxGapMs` starts a new segment:
 * every window empties, so no rate or baseline spans the gap. A reading gets a
 * row only when its windows can be trusted, else it is dropped as `warming_up`:
 * - the segment reaches back the longest window (at the start of the data and
 *   after a long pause the windows fill first);
 * - the short window holds readings spanning at least half its length (a
 *   shorter pause must not leave a "spread" of one reading, which would look
 *   like a stuck sensor);
 * - the earlier of the two rate windows is not empty.
 *
 * Features at t depend only on the readings in (t − longest window, t], and
 * whether they are emitted on the readings since t − warmupMs: a query that
 * reads `warmupMs(spec)` before its range and a stream running for days
 * produce bit-identical rows (see SortedWindow for why no running sums).
 */
import { FEATURE_TRANSFORM_IDS, featureColumnCount, type FeatureTransform, type Metric } from '../../common/features';
import { DetectorAbortedError, throwIfAborted } from '../../detectors';
import { SortedWindow } from './sortedWindow';
import type {
  CancelCheck,
  CrossMetricFit,
  DailyProfile,
  DropCounts,
  DropReason,
  FeatureMatrix,
  FeatureSpec,
  FeatureWindows,
} from './types';
import type { SensorSeries } from '../sources/types';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Window lengths of the default spec; docs/features.md explains the choice. */
export const DEFAULT_WINDOWS: Readonly<FeatureWindows> = {
  baselineMs: 60 * MINUTE,
  shortMs: 5 * MINUTE,
  rateMs: 30 * MINUTE,
  maxGapMs: 15 * MINUTE,
};

/**
 * A tenth of the resolution the lab's sensors report at (0.01 °C, 0.1 %RH,
 * 0.1 hPa, 1 lux): small enough that real noise, even rounded, stays well
 * above it, large enough that a constant signal gives a finite value.
 */
const DEFAULT_FLOOR: Readonly<Record<Metric, number>> = {
  temperature: 0.001,
  humidity: 0.01,
  pressure: 0.01,
  light_level: 0.1,
};

/** The feature layout a query asks for, as JSON: part of a model and of its cache key. */
export function featureSpecOf(options: {
  metrics: readonly Metric[];
  transforms: readonly FeatureTransform[];
  windows?: Partial<FeatureWindows>;
}): FeatureSpec {
  if (options.metrics.length === 0) {
    throw new RangeError('featureSpecOf: at least one metric');
  }
  const windows = { ...DEFAULT_WINDOWS, ...options.windows };
  for (const [name, ms] of Object.entries(windows)) {
    if (!Number.isFinite(ms) || ms <= 0) {
      throw new RangeError(`featureSpecOf: windows.${name} must be a positive number of ms (got ${ms})`);
    }
  }
  return {
    kind: 'feature_spec',
    version: 1,
    metrics: [...options.metrics],
    transforms: FEATURE_TRANSFORM_IDS.filter((id) => options.transforms.includes(id)),
    windows,
    floor: options.metrics.map((m) => DEFAULT_FLOOR[m]),
  };
}

/** Time-of-day bins of a daily profile: half an hour each. */
const PROFILE_BINS = 48;

/** Whether a spec still needs {@link fitFeatureSpec} before features can be computed. */
export function needsFitting(spec: FeatureSpec): boolean {
  const wantsProfile = spec.transforms.includes('daily_profile') || spec.transforms.includes('cross_residual');
  return (
    (wantsProfile && spec.profile === undefined) || (spec.transforms.includes('cross_residual') && !spec.crossMetric)
  );
}

/**
 * Learns the parts of a spec that come from data — today the daily profile —
 * from the training series (every reading whose spec metrics are all present).
 * Returns the spec unchanged when nothing needs learning. Bins without any
 * training reading borrow the nearest bin that has one.
 */
export function fitFeatureSpec(spec: FeatureSpec, series: readonly SensorSeries[]): FeatureSpec {
  if (!needsFitting(spec)) {
    return spec;
  }
  const withProfile = { ...spec, profile: fitDailyProfile(spec, series) };
  return spec.transforms.includes('cross_residual')
    ? { ...withProfile, crossMetric: fitCrossMetric(withProfile, series) }
    : withProfile;
}

function fitDailyProfile(spec: FeatureSpec, series: readonly SensorSeries[]): DailyProfile {
  const byBin: number[][][] = spec.metrics.map(() => Array.from({ length: PROFILE_BINS }, () => []));
  for (const s of series) {
    const columns = spec.metrics.map((metric) => s.readings[metric]);
    for (let i = 0; i < s.time.length; i++) {
      if (!columns.every((column) => Number.isFinite(column[i]))) {
        continue;
      }
      const bin = Math.floor((timeOfDayMs(s.time[i]!) / DAY) * PROFILE_BINS);
      columns.forEach((column, m) => byBin[m]![bin]!.push(column[i]!));
    }
  }
  const profile: DailyProfile = { bins: PROFILE_BINS, median: [], spread: [] };
  for (const bins of byBin) {
    const median = new Array<number>(PROFILE_BINS).fill(NaN);
    const spread = new Array<number>(PROFILE_BINS).fill(NaN);
    bins.forEach((values, b) => {
      if (values.length > 0) {
        const sorted = Float64Array.from(values).sort();
        median[b] = quantileSorted(sorted, 0.5);
        spread[b] = (quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25)) / 1.349;
      }
    });
    profile.median.push(fillEmptyBins(median));
    profile.spread.push(fillEmptyBins(spread));
  }
  return profile;
}

/**
 * Least squares of each metric's daily-profile deviation on the others' (with
 * an intercept and a small ridge, so collinear or constant metrics still
 * solve), over the complete training readings; scale = IQR/1.349 of what is
 * left, plus a hair so a perfect fit does not divide by 0.
 */
function fitCrossMetric(spec: FeatureSpec, series: readonly SensorSeries[]): CrossMetricFit {
  const m = spec.metrics.length;
  const stream = new ProfileReader(spec);
  const z: number[][] = [];
  for (const s of series) {
    const columns = spec.metrics.map((metric) => s.readings[metric]);
    const reading = new Float64Array(m);
    for (let i = 0; i < s.time.length; i++) {
      columns.forEach((column, k) => (reading[k] = column[i]!));
      if (reading.every(Number.isFinite)) {
        z.push(Array.from(stream.deviations(s.time[i]!, reading)));
      }
    }
  }
  const coefficients: number[][] = [];
  const scale: number[] = [];
  for (let target = 0; target < m; target++) {
    const beta = ridgeFit(z, target);
    const residuals = Float64Array.from(z, (row) => row[target]! - predict(beta, row, target)).sort();
    coefficients.push(beta);
    scale.push((quantileSorted(residuals, 0.75) - quantileSorted(residuals, 0.25)) / 1.349 + 1e-6);
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
function ridgeFit(z: readonly number[][], target: number): number[] {
  const m = z[0]?.length ?? 0;
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

function quantileSorted(sorted: Float64Array, q: number): number {
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Empty bins (NaN) take the value of the nearest filled bin around the clock; all-empty stays NaN. */
function fillEmptyBins(values: number[]): number[] {
  const n = values.length;
  return values.map((v, b) => {
    for (let d = 0; !Number.isFinite(v) && d <= n / 2; d++) {
      v = Number.isFinite(values[(b + d) % n]!) ? values[(b + d) % n]! : values[(b - d + n) % n]!;
    }
    return v;
  });
}

function timeOfDayMs(timeMs: number): number {
  return ((timeMs % DAY) + DAY) % DAY;
}

/** Columns of the matrix a spec produces. */
export function columnCount(spec: FeatureSpec): number {
  return featureColumnCount(spec.metrics.length, spec.transforms);
}

/** How far back the features of a reading look: the longest window (0 when no feature looks back). */
export function lookbackMs(spec: FeatureSpec): number {
  const { baselineMs, shortMs, rateMs } = spec.windows;
  let ms = 0;
  for (const t of spec.transforms) {
    ms = Math.max(ms, t === 'deviation' ? baselineMs : t === 'spread' ? shortMs : t === 'rate' ? 2 * rateMs : 0);
  }
  return ms;
}

/**
 * How much time before the first reading to score the caller must read so that
 * reading gets a row when the data has no long pause: the longest window, plus
 * one `maxGapMs` to tell "the data starts here" from "a pause ended here".
 * 0 for readings and time of day only.
 */
export function warmupMs(spec: FeatureSpec): number {
  const lookback = lookbackMs(spec);
  return lookback > 0 ? lookback + spec.windows.maxGapMs : 0;
}

export function emptyDropCounts(): DropCounts {
  return { missing_reading: 0, duplicate_time: 0, out_of_order: 0, warming_up: 0 };
}

/**
 * Thrown when a {@link CancelCheck} reports abort, here or inside a detector:
 * one class, so a caller's `instanceof` catches both (named 'AbortError').
 */
export { DetectorAbortedError as ScoringCancelledError, throwIfAborted as throwIfCancelled };

/** Rows between two cancellation checks. */
export const CANCEL_CHECK_ROWS = 4096;

/**
 * Values of each metric in a window of time (t − lag − length, t − lag]. The
 * readings themselves live in the stream's ring; a window only remembers
 * which of them it holds (sequence numbers [first, end)).
 */
class TimeWindow {
  readonly perMetric: SortedWindow[];
  first = 0;
  end = 0;

  constructor(
    readonly lagMs: number,
    readonly lengthMs: number,
    metricCount: number
  ) {
    this.perMetric = Array.from({ length: metricCount }, () => new SortedWindow());
  }

  clear(next: number): void {
    this.first = next;
    this.end = next;
    for (const w of this.perMetric) {
      w.clear();
    }
  }
}

/**
 * Feature rows one reading at a time, for Live streams and the Kafka worker;
 * {@link computeFeatures} runs the same code over a whole series, so rows are
 * bit-identical. Memory is bounded by the readings of the longest window.
 */
export class FeatureStream {
  readonly cols: number;
  /** How far back a row's features look (the longest window). */
  readonly lookbackMs: number;
  /** How much to replay before the first reading to score (see {@link warmupMs}). */
  readonly warmupMs: number;
  /** Readings that got no row, by reason, since the stream started. */
  readonly dropped: DropCounts = emptyDropCounts();
  /** Why the last {@link push} returned undefined (undefined after a row). */
  lastDropReason: DropReason | undefined;

  private readonly metricCount: number;
  private readonly floor: Float64Array;
  private readonly maxGapMs: number;
  private readonly wantValue: boolean;
  private readonly wantDeviation: boolean;
  private readonly wantSpread: boolean;
  private readonly wantRate: boolean;
  private readonly wantProfile: boolean;
  private readonly wantTimeOfDay: boolean;
  private readonly wantCross: boolean;
  private readonly profile: ProfileReader | undefined;
  /** Cross-metric fit, flattened: metric m's intercept and weights at m * (metrics + 1). */
  private readonly crossCoefficients: Float64Array;
  private readonly crossScale: Float64Array;
  /** The windows the spec needs; each is updated on every accepted reading. */
  private readonly baseline: TimeWindow | undefined;
  private readonly short: TimeWindow | undefined;
  private readonly recent: TimeWindow | undefined;
  private readonly previous: TimeWindow | undefined;
  private readonly windows: TimeWindow[];
  /** Ring of accepted readings: times and `metricCount` values each, by sequence number. */
  private ringTime = new Float64Array(64);
  private ringValues: Float64Array;
  private ringMask = 63;
  private oldest = 0;
  private next = 0;
  private lastTime = -Infinity;
  private segmentStart = -Infinity;
  private readonly row: Float64Array;

  constructor(readonly spec: FeatureSpec) {
    const has = (t: FeatureTransform) => spec.transforms.includes(t);
    this.metricCount = spec.metrics.length;
    this.floor = Float64Array.from(spec.floor);
    this.maxGapMs = spec.windows.maxGapMs;
    this.cols = columnCount(spec);
    this.lookbackMs = lookbackMs(spec);
    this.warmupMs = warmupMs(spec);
    this.wantValue = has('value');
    this.wantDeviation = has('deviation');
    this.wantSpread = has('spread');
    this.wantRate = has('rate');
    this.wantProfile = has('daily_profile');
    this.wantCross = has('cross_residual');
    this.wantTimeOfDay = has('time_of_day');
    if (needsFitting(spec)) {
      throw new RangeError(
        'feature spec: daily_profile and cross_residual need fitting on training data (fitFeatureSpec)'
      );
    }
    this.profile = this.wantProfile || this.wantCross ? new ProfileReader(spec) : undefined;
    this.crossCoefficients = Float64Array.from(spec.crossMetric?.coefficients.flat() ?? []);
    this.crossScale = Float64Array.from(spec.crossMetric?.scale ?? []);
    const { baselineMs, shortMs, rateMs } = spec.windows;
    const m = this.metricCount;
    this.baseline = this.wantDeviation ? new TimeWindow(0, baselineMs, m) : undefined;
    this.short = this.wantSpread ? new TimeWindow(0, shortMs, m) : undefined;
    this.recent = this.wantRate ? new TimeWindow(0, rateMs, m) : undefined;
    this.previous = this.wantRate ? new TimeWindow(rateMs, rateMs, m) : undefined;
    this.windows = [this.baseline, this.short, this.recent, this.previous].filter(
      (w): w is TimeWindow => w !== undefined
    );
    this.ringValues = new Float64Array(64 * m);
    this.row = new Float64Array(this.cols);
  }

  /**
   * Takes the next reading (`readings` in the spec's metric order) and returns
   * its feature row, or undefined when it gets none ({@link lastDropReason}
   * says why). The row is a view the next call overwrites: copy it to keep it.
   */
  push(timeMs: number, readings: ArrayLike<number>): Float64Array | undefined {
    const reason = this.accept(timeMs, readings);
    if (reason !== undefined) {
      return this.drop(reason);
    }
    if (!this.windowsTrusted(timeMs)) {
      return this.drop('warming_up');
    }
    this.lastDropReason = undefined;
    this.writeRow(timeMs, readings);
    return this.row;
  }

  /** Readings the stream holds for its windows: bounded by the longest window. */
  get heldReadings(): number {
    return this.next - this.oldest;
  }

  /** The three conditions of the module comment. */
  private windowsTrusted(timeMs: number): boolean {
    if (this.segmentStart > timeMs - this.lookbackMs) {
      return false;
    }
    const short = this.short;
    if (short && this.ringTime[short.first & this.ringMask] > timeMs - short.lengthMs / 2) {
      return false; // the window is never empty here: it holds the reading just pushed
    }
    return this.previous === undefined || this.previous.first < this.previous.end;
  }

  private drop(reason: DropReason): undefined {
    this.dropped[reason]++;
    this.lastDropReason = reason;
    return undefined;
  }

  /** Adds the reading to the ring and the windows, or says why it cannot be used. */
  private accept(timeMs: number, readings: ArrayLike<number>): DropReason | undefined {
    for (let m = 0; m < this.metricCount; m++) {
      if (!Number.isFinite(readings[m])) {
        return 'missing_reading';
      }
    }
    if (!Number.isFinite(timeMs) || timeMs < this.lastTime) {
      return 'out_of_order';
    }
    if (timeMs === this.lastTime) {
      return 'duplicate_time';
    }
    if (timeMs - this.lastTime > this.maxGapMs) {
      this.restart(timeMs);
    }
    this.lastTime = timeMs;
    this.append(timeMs, readings);
    for (const w of this.windows) {
      this.advance(w, timeMs);
    }
    this.forgetUnused();
    return undefined;
  }

  /** A gap (or the first reading): forget everything, the windows fill again from here. */
  private restart(timeMs: number): void {
    this.oldest = this.next;
    this.segmentStart = timeMs;
    for (const w of this.windows) {
      w.clear(this.next);
    }
  }

  private append(timeMs: number, readings: ArrayLike<number>): void {
    if (this.next - this.oldest > this.ringMask) {
      this.growRing();
    }
    const slot = this.next & this.ringMask;
    this.ringTime[slot] = timeMs;
    const base = slot * this.metricCount;
    for (let m = 0; m < this.metricCount; m++) {
      this.ringValues[base + m] = readings[m];
    }
    this.next++;
  }

  private growRing(): void {
    const size = this.ringMask + 1;
    const m = this.metricCount;
    const time = new Float64Array(size * 2);
    const values = new Float64Array(size * 2 * m);
    for (let seq = this.oldest; seq < this.next; seq++) {
      const from = seq & this.ringMask;
      const to = seq & (size * 2 - 1);
      time[to] = this.ringTime[from];
      values.set(this.ringValues.subarray(from * m, from * m + m), to * m);
    }
    this.ringTime = time;
    this.ringValues = values;
    this.ringMask = size * 2 - 1;
  }

  /** Moves a window to (t − lag − length, t − lag]: readings enter at the new end, leave at the old start. */
  private advance(w: TimeWindow, timeMs: number): void {
    const enterUpTo = timeMs - w.lagMs;
    while (w.end < this.next && this.ringTime[w.end & this.ringMask] <= enterUpTo) {
      this.moveReading(w, w.end, true);
      w.end++;
    }
    const leaveUpTo = enterUpTo - w.lengthMs;
    while (w.first < w.end && this.ringTime[w.first & this.ringMask] <= leaveUpTo) {
      this.moveReading(w, w.first, false);
      w.first++;
    }
  }

  private moveReading(w: TimeWindow, seq: number, entering: boolean): void {
    const base = (seq & this.ringMask) * this.metricCount;
    for (let m = 0; m < this.metricCount; m++) {
      const v = this.ringValues[base + m];
      if (entering) {
        w.perMetric[m].insert(v);
      } else {
        w.perMetric[m].remove(v);
      }
    }
  }

  /** The ring keeps readings some window still holds or has yet to take in. */
  private forgetUnused(): void {
    let keepFrom = this.next;
    for (const w of this.windows) {
      keepFrom = Math.min(keepFrom, w.first);
    }
    this.oldest = keepFrom;
  }

  private writeRow(timeMs: number, readings: ArrayLike<number>): void {
    const row = this.row;
    const m = this.metricCount;
    let c = 0;
    if (this.wantValue) {
      for (let i = 0; i < m; i++) {
        row[c++] = readings[i];
      }
    }
    if (this.wantDeviation) {
      const windows = this.baseline!.perMetric;
      for (let i = 0; i < m; i++) {
        const w = windows[i];
        const spread = (w.quantile(0.75) - w.quantile(0.25)) / 1.349;
        row[c++] = (readings[i] - w.quantile(0.5)) / (spread + this.floor[i]);
      }
    }
    if (this.wantSpread) {
      const windows = this.short!.perMetric;
      for (let i = 0; i < m; i++) {
        row[c++] = Math.log10(windows[i].std() + this.floor[i]);
      }
    }
    if (this.wantRate) {
      const now = this.recent!.perMetric;
      const before = this.previous!.perMetric;
      const minutes = this.spec.windows.rateMs / MINUTE;
      for (let i = 0; i < m; i++) {
        row[c++] = (now[i].quantile(0.5) - before[i].quantile(0.5)) / minutes;
      }
    }
    if (this.profile) {
      const z = this.profile.deviations(timeMs, readings);
      if (this.wantProfile) {
        row.set(z, c);
        c += m;
      }
      if (this.wantCross) {
        for (let i = 0; i < m; i++) {
          const base = i * (m + 1);
          let predicted = this.crossCoefficients[base];
          for (let k = 0; k < m; k++) {
            predicted += k === i ? 0 : this.crossCoefficients[base + 1 + k] * z[k];
          }
          row[c++] = (z[i] - predicted) / this.crossScale[i];
        }
      }
    }
    if (this.wantTimeOfDay) {
      const angle = (2 * Math.PI * timeOfDayMs(timeMs)) / DAY;
      row[c++] = Math.sin(angle);
      row[c++] = Math.cos(angle);
    }
  }
}

/** Reads a fitted daily profile: each reading's deviation from what is usual at its time of day. */
class ProfileReader {
  private readonly bins: number;
  /** Flattened metric-major: metric m, bin b at m * bins + b. */
  private readonly median: Float64Array;
  private readonly spread: Float64Array;
  private readonly floor: Float64Array;
  private readonly out: Float64Array;

  constructor(spec: FeatureSpec) {
    const profile = spec.profile!;
    this.bins = profile.bins;
    this.median = Float64Array.from(profile.median.flat());
    this.spread = Float64Array.from(profile.spread.flat());
    this.floor = Float64Array.from(spec.floor);
    this.out = new Float64Array(spec.metrics.length);
  }

  /**
   * (x − usual) / (usual spread + floor) per metric, the profile read between
   * bin centres. A view the next call overwrites.
   */
  deviations(timeMs: number, readings: ArrayLike<number>): Float64Array {
    const bins = this.bins;
    const position = (timeOfDayMs(timeMs) / DAY) * bins - 0.5;
    const below = Math.floor(position);
    const w = position - below;
    const b0 = (below + bins) % bins;
    const b1 = (below + 1) % bins;
    for (let m = 0; m < this.out.length; m++) {
      const base = m * bins;
      const usual = (1 - w) * this.median[base + b0] + w * this.median[base + b1];
      const spread = (1 - w) * this.spread[base + b0] + w * this.spread[base + b1];
      this.out[m] = (readings[m] - usual) / (spread + this.floor[m]);
    }
    return this.out;
  }
}

/**
 * Feature rows of a series: one per reading at or after `scoreFromMs` that can
 * be scored; earlier readings only fill the windows (read `warmupMs(spec)`
 * before the range). Dropped readings of the range are counted by reason.
 */
export function computeFeatures(
  series: SensorSeries,
  spec: FeatureSpec,
  options: { scoreFromMs?: number; cancel?: CancelCheck } = {}
): FeatureMatrix {
  const { scoreFromMs = -Infinity, cancel } = options;
  const stream = new FeatureStream(spec);
  const columns = spec.metrics.map((metric) => series.readings[metric]);
  const n = series.time.length;
  const cols = stream.cols;
  const reading = new Float64Array(columns.length);
  const data = new Float64Array(n * cols);
  const rowIndex = new Uint32Array(n);
  const dropped = emptyDropCounts();
  let rows = 0;
  for (let i = 0; i < n; i++) {
    if (i % CANCEL_CHECK_ROWS === 0) {
      throwIfAborted(cancel);
    }
    for (let m = 0; m < columns.length; m++) {
      reading[m] = columns[m][i];
    }
    const t = series.time[i];
    const row = stream.push(t, reading);
    if (t < scoreFromMs) {
      continue;
    }
    if (row === undefined) {
      dropped[stream.lastDropReason!]++;
      continue;
    }
    data.set(row, rows * cols);
    rowIndex[rows++] = i;
  }
  return {
    data: rows === n ? data : data.slice(0, rows * cols),
    rows,
    cols,
    rowIndex: rows === n ? rowIndex : rowIndex.slice(0, rows),
    dropped,
  };
}
