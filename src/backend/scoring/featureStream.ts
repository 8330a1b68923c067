/**
 * Feature rows one reading at a time: the engine behind `computeFeatures`
 * (a whole series) and Live streams and the Kafka worker (one reading at a
 * time), so their rows are bit-identical. The maths is documented in
 * features.ts and docs/features.md; this file is how it is made cheap.
 *
 * Time is cut into samples of `sampleMs` (one minute), aligned to the epoch.
 * The windowed statistics are read from *completed* minutes only, so they
 * change once a minute, not once a reading: at the live cadence (a reading
 * every ~10 s) six readings share one update, and a reading's own cost is a
 * few arithmetic operations.
 * - `deviation` and `rate` read the first reading of each minute (its
 *   sample): the same sixty numbers an hour whether the sensor reports every
 *   second or every minute, so a model trained on the minute-by-minute
 *   history judges live readings on the same scale. Samples are kept sorted
 *   per window (SortedWindow), which makes every statistic depend only on
 *   which samples are in a window, never on arrival order.
 * - `spread` reads every reading of the last `shortMs`, summed in time order.
 * - `roughness` reads the samples of the last `roughnessMs` straight from the
 *   ring of samples by minute, in minute order.
 *
 * A pause longer than `maxGapMs` starts a new segment: everything before it
 * is forgotten. A reading gets a row once its segment has
 * `shortMs` of completed minutes (the minimum coverage: about five minutes
 * after the data starts or comes back), with windows only partly filled
 * until then; `rate` is 0 (says nothing) until its earlier window holds that
 * much too. Memory is bounded by the samples of the longest window and the
 * readings of `shortMs`.
 */
import { featureColumnCount, type FeatureTransform } from '../../common/features';
import { ProfileReader, timeOfDayMs } from './profile';
import { SortedWindow } from './sortedWindow';
import type { DropCounts, DropReason, FeatureSpec } from './types';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** The windows in samples, and the minimum coverage, derived from a spec. */
export interface SampleLayout {
  /** Samples (minutes) per window. */
  baseline: number;
  short: number;
  rate: number;
  roughness: number;
  /** Completed samples of its segment a reading needs before it gets a row. */
  minCoverage: number;
  /** Samples back from a reading's own that its features read (0: none, the reading alone). */
  lookback: number;
}

export function sampleLayout(spec: FeatureSpec): SampleLayout {
  const { baselineMs, shortMs, rateMs, roughnessMs, sampleMs } = spec.windows;
  const baseline = Math.ceil(baselineMs / sampleMs);
  const short = Math.ceil(shortMs / sampleMs);
  const rate = Math.ceil(rateMs / sampleMs);
  const roughness = Math.ceil(roughnessMs / sampleMs);
  const reach: Partial<Record<FeatureTransform, number>> = {
    deviation: baseline,
    spread: short,
    rate: 2 * rate,
    roughness,
  };
  let lookback = 0;
  for (const t of spec.transforms) {
    lookback = Math.max(lookback, reach[t] ?? 0);
  }
  return { baseline, short, rate, roughness, minCoverage: short, lookback };
}

export function emptyDropCounts(): DropCounts {
  return { missing_reading: 0, duplicate_time: 0, out_of_order: 0, warming_up: 0 };
}

/** Samples needed in the baseline before `deviation` means anything (a quartile of fewer is a guess). */
const MIN_BASELINE_SAMPLES = 3;

/** Samples of the minutes (k − lag − length, k − lag] for the current minute k, sorted per metric. */
class SampleWindow {
  readonly perMetric: SortedWindow[];

  constructor(
    readonly lag: number,
    readonly length: number,
    metricCount: number
  ) {
    this.perMetric = Array.from({ length: metricCount }, () => new SortedWindow());
  }

  get size(): number {
    return this.perMetric[0]!.size;
  }

  clear(): void {
    for (const w of this.perMetric) {
      w.clear();
    }
  }
}

export class FeatureStream {
  readonly cols: number;
  /** How far back a row's features look. */
  readonly lookbackMs: number;
  /** How much to replay before the first reading to score (see features.ts `warmupMs`). */
  readonly warmupMs: number;
  /** Readings that got no row, by reason, since the stream started. */
  readonly dropped: DropCounts = emptyDropCounts();
  /** Why the last {@link push} or {@link step} gave no row (undefined after a row). */
  lastDropReason: DropReason | undefined;

  private readonly m: number;
  private readonly resolution: Float64Array;
  private readonly sampleMs: number;
  private readonly maxGapMs: number;
  private readonly layout: SampleLayout;
  private readonly wantValue: boolean;
  private readonly wantDeviation: boolean;
  private readonly wantSpread: boolean;
  private readonly wantRate: boolean;
  private readonly wantRoughness: boolean;
  private readonly wantProfile: boolean;
  private readonly wantTimeOfDay: boolean;
  private readonly wantCross: boolean;
  private readonly profile: ProfileReader | undefined;
  /** Cross-metric fit, flattened: metric m's intercept and weights at m * (metrics + 1). */
  private readonly crossCoefficients: Float64Array;
  private readonly crossScale: Float64Array;
  private readonly baseline: SampleWindow | undefined;
  private readonly recent: SampleWindow | undefined;
  private readonly previous: SampleWindow | undefined;
  private readonly windows: SampleWindow[];
  /** Ring of samples by minute: slot (minute mod size) × metrics; NaN for a minute without a reading. */
  private readonly samples: Float64Array;
  private readonly sampleSlots: number;
  /** Ring of the readings of the current minute and the `short` before it (time order). */
  private rawMinute = new Float64Array(64);
  private rawValues: Float64Array;
  private rawMask = 63;
  private rawOldest = 0;
  private rawNext = 0;
  /** Per metric, refreshed once a minute: the baseline's median and scale, the rate, the spread. */
  private readonly baseMedian: Float64Array;
  private readonly baseScale: Float64Array;
  private readonly rate: Float64Array;
  private readonly spread: Float64Array;
  private readonly roughness: Float64Array;
  /** Whether the completed minutes give the windows enough to trust (refreshed with them). */
  private trusted = false;
  /** The minute of the last accepted reading, and the first minute of its segment. */
  private minute = Number.NEGATIVE_INFINITY;
  private segmentMinute = Number.NEGATIVE_INFINITY;
  private lastTime = Number.NEGATIVE_INFINITY;
  private readonly row: Float64Array;

  constructor(readonly spec: FeatureSpec) {
    const has = (t: FeatureTransform) => spec.transforms.includes(t);
    const m = spec.metrics.length;
    this.m = m;
    this.resolution = Float64Array.from(spec.resolution);
    this.sampleMs = spec.windows.sampleMs;
    this.maxGapMs = spec.windows.maxGapMs;
    this.layout = sampleLayout(spec);
    this.cols = featureColumnCount(m, spec.transforms);
    this.lookbackMs = this.layout.lookback > 0 ? (this.layout.lookback + 1) * this.sampleMs : 0;
    this.warmupMs = this.lookbackMs > 0 ? this.lookbackMs + this.maxGapMs : 0;
    this.wantValue = has('value');
    this.wantDeviation = has('deviation');
    this.wantSpread = has('spread');
    this.wantRate = has('rate');
    this.wantRoughness = has('roughness');
    this.wantProfile = has('daily_profile');
    this.wantCross = has('cross_residual');
    this.wantTimeOfDay = has('time_of_day');
    if ((this.wantProfile || this.wantCross) && (!spec.profile || (this.wantCross && !spec.crossMetric))) {
      throw new RangeError(
        'feature spec: daily_profile and cross_residual need fitting on training data (fitFeatureSpec)'
      );
    }
    this.profile = this.wantProfile || this.wantCross ? new ProfileReader(spec) : undefined;
    this.crossCoefficients = Float64Array.from(spec.crossMetric?.coefficients.flat() ?? []);
    this.crossScale = Float64Array.from(spec.crossMetric?.scale ?? []);
    const { baseline, rate } = this.layout;
    this.baseline = this.wantDeviation ? new SampleWindow(1, baseline, m) : undefined;
    this.recent = this.wantRate ? new SampleWindow(1, rate, m) : undefined;
    this.previous = this.wantRate ? new SampleWindow(1 + rate, rate, m) : undefined;
    this.windows = [this.baseline, this.recent, this.previous].filter((w): w is SampleWindow => w !== undefined);
    // A minute's slot is reused `sampleSlots` minutes later, by then out of every window (and of roughness's reach).
    const roughReach = this.wantRoughness ? this.layout.roughness : 0;
    this.sampleSlots = Math.max(...this.windows.map((w) => w.lag + w.length), roughReach) + 1;
    this.samples = new Float64Array(this.sampleSlots * m).fill(Number.NaN);
    this.rawValues = new Float64Array(64 * m);
    this.baseMedian = new Float64Array(m);
    this.baseScale = new Float64Array(m);
    this.rate = new Float64Array(m);
    this.spread = new Float64Array(m);
    this.roughness = new Float64Array(m);
    this.row = new Float64Array(this.cols);
  }

  /**
   * Takes the next reading (`readings` in the spec's metric order) and returns
   * its feature row, or undefined when it gets none ({@link lastDropReason}
   * says why). The row is a view the next call overwrites: copy it to keep it.
   */
  push(timeMs: number, readings: ArrayLike<number>): Float64Array | undefined {
    if (!this.step(timeMs, readings)) {
      return undefined;
    }
    this.writeRow(timeMs, readings, this.row, 0);
    return this.row;
  }

  /**
   * Takes the next reading into the windows and says whether it gets a row
   * (else {@link lastDropReason} says why); {@link writeRow} then writes that
   * row. `push` is the two together; `computeFeatures` writes straight into its matrix.
   */
  step(timeMs: number, readings: ArrayLike<number>): boolean {
    const reason = this.accept(timeMs, readings);
    if (reason === undefined && (this.layout.lookback === 0 || this.trusted)) {
      this.lastDropReason = undefined;
      return true;
    }
    this.lastDropReason = reason ?? 'warming_up';
    this.dropped[this.lastDropReason]++;
    return false;
  }

  /** Readings and samples the stream holds: bounded by its longest window. */
  get heldReadings(): number {
    return this.rawNext - this.rawOldest + this.sampleSlots;
  }

  /** Takes the reading into the windows, or says why it cannot be used. */
  private accept(timeMs: number, readings: ArrayLike<number>): DropReason | undefined {
    for (let i = 0; i < this.m; i++) {
      if (!Number.isFinite(readings[i])) {
        return 'missing_reading';
      }
    }
    if (!Number.isFinite(timeMs) || timeMs < this.lastTime) {
      return 'out_of_order';
    }
    if (timeMs === this.lastTime) {
      return 'duplicate_time';
    }
    const minute = Math.floor(timeMs / this.sampleMs);
    if (timeMs - this.lastTime > this.maxGapMs) {
      this.restart(minute);
    } else if (minute > this.minute) {
      this.enterMinute(minute);
    }
    this.lastTime = timeMs;
    this.profile?.read(timeMs, readings);
    this.append(minute, readings);
    return undefined;
  }

  /** The first reading or one after a long pause: forget everything, a new segment starts this minute. */
  private restart(minute: number): void {
    for (const w of this.windows) {
      w.clear();
    }
    this.rawOldest = this.rawNext;
    this.segmentMinute = minute;
    this.minute = minute;
    this.markEmpty(minute);
    this.refresh();
  }

  /** Minutes up to `minute` − 1 are complete: slide the windows minute by minute and refresh the statistics. */
  private enterMinute(minute: number): void {
    for (let k = this.minute; k < minute; k++) {
      this.markEmpty(k + 1);
      for (const w of this.windows) {
        this.slide(w, k);
      }
    }
    this.minute = minute;
    this.dropRawBefore(minute - this.layout.short);
    this.refresh();
  }

  private slot(minute: number): number {
    const n = this.sampleSlots;
    return (((minute % n) + n) % n) * this.m;
  }

  private markEmpty(minute: number): void {
    this.samples.fill(Number.NaN, this.slot(minute), this.slot(minute) + this.m);
  }

  /** A window moves from current minute k to k + 1: minute k − lag − length + 1 leaves, k + 1 − lag enters. */
  private slide(w: SampleWindow, k: number): void {
    const leaving = k - w.lag - w.length + 1;
    const entering = k + 1 - w.lag;
    const out = leaving >= this.segmentMinute ? this.slot(leaving) : -1;
    const into = entering >= this.segmentMinute ? this.slot(entering) : -1;
    const hasOut = out >= 0 && this.samples[out] === this.samples[out]; // NaN: no reading that minute
    const hasInto = into >= 0 && this.samples[into] === this.samples[into];
    for (let i = 0; i < this.m; i++) {
      const window = w.perMetric[i]!;
      if (hasOut && hasInto) {
        window.replace(this.samples[out + i]!, this.samples[into + i]!);
      } else if (hasOut) {
        window.remove(this.samples[out + i]!);
      } else if (hasInto) {
        window.insert(this.samples[into + i]!);
      }
    }
  }

  private append(minute: number, readings: ArrayLike<number>): void {
    const s = this.slot(minute);
    const usual = this.profile?.usual;
    const firstOfMinute = this.samples[s] !== this.samples[s];
    if (this.rawNext - this.rawOldest > this.rawMask) {
      this.growRaw();
    }
    const r = this.rawNext & this.rawMask;
    this.rawMinute[r] = minute;
    for (let i = 0; i < this.m; i++) {
      // + 0 turns −0 into 0: the windows then hold one kind of zero, whatever order readings arrive in.
      const v = readings[i] + 0;
      this.rawValues[r * this.m + i] = v;
      if (firstOfMinute) {
        this.samples[s + i] = usual ? v - usual[i]! : v;
      }
    }
    this.rawNext++;
  }

  private growRaw(): void {
    const size = this.rawMask + 1;
    const m = this.m;
    const minute = new Float64Array(size * 2);
    const values = new Float64Array(size * 2 * m);
    for (let seq = this.rawOldest; seq < this.rawNext; seq++) {
      const from = seq & this.rawMask;
      const to = seq & (size * 2 - 1);
      minute[to] = this.rawMinute[from]!;
      values.set(this.rawValues.subarray(from * m, from * m + m), to * m);
    }
    this.rawMinute = minute;
    this.rawValues = values;
    this.rawMask = size * 2 - 1;
  }

  private dropRawBefore(minute: number): void {
    while (this.rawOldest < this.rawNext && this.rawMinute[this.rawOldest & this.rawMask]! < minute) {
      this.rawOldest++;
    }
  }

  /** Recomputes the per-minute statistics from the completed minutes and whether they can be trusted. */
  private refresh(): void {
    const { minCoverage, short } = this.layout;
    let trusted = this.minute - this.segmentMinute >= minCoverage;
    if (this.baseline) {
      trusted &&= this.baseline.size >= MIN_BASELINE_SAMPLES;
      for (let i = 0; i < this.m; i++) {
        const w = this.baseline.perMetric[i]!;
        this.baseMedian[i] = w.quantile(0.5);
        this.baseScale[i] = (w.quantile(0.75) - w.quantile(0.25)) / 1.349 + this.resolution[i]!;
      }
    }
    if (this.recent && this.previous) {
      trusted &&= this.recent.size > 0;
      this.refreshRate();
    }
    if (this.wantSpread) {
      trusted &&= this.refreshSpread(short);
    }
    if (this.wantRoughness) {
      trusted &&= this.refreshRoughness();
    }
    this.trusted = trusted;
  }

  /**
   * (median of the later window − median of the earlier) / the minutes between
   * the middles of the minutes each covers in this segment: the full windows'
   * `rateMs` apart, closer while the segment is young. 0 until the earlier
   * window covers the minimum coverage.
   */
  private refreshRate(): void {
    const k = this.minute;
    const rate = this.layout.rate;
    const laterFrom = Math.max(k - rate, this.segmentMinute);
    const earlierFrom = Math.max(k - 2 * rate, this.segmentMinute);
    const earlierTo = k - rate - 1;
    const ready = earlierTo - earlierFrom + 1 >= this.layout.minCoverage;
    const minutes = (((laterFrom + k - 1) / 2 - (earlierFrom + earlierTo) / 2) * this.sampleMs) / MINUTE;
    for (let i = 0; i < this.m; i++) {
      this.rate[i] = ready
        ? (this.recent!.perMetric[i]!.quantile(0.5) - this.previous!.perMetric[i]!.quantile(0.5)) / minutes
        : 0;
    }
  }

  /**
   * log10(sample standard deviation + resolution / 10) of the completed readings of the
   * last `short` minutes, summed in time order. False when they are too few
   * to say (fewer than two, or not reaching back half the window: after a
   * shorter pause a "spread" of one reading would look like a stuck sensor).
   */
  private refreshSpread(short: number): boolean {
    const mask = this.rawMask;
    const end = this.rawNext; // the reading that completed the minute is appended after this
    const n = end - this.rawOldest;
    const m = this.m;
    if (n < 2 || this.rawMinute[this.rawOldest & mask]! > this.minute - Math.ceil(short / 2)) {
      return false;
    }
    for (let i = 0; i < m; i++) {
      let sum = 0;
      for (let seq = this.rawOldest; seq < end; seq++) {
        sum += this.rawValues[(seq & mask) * m + i]!;
      }
      const mean = sum / n;
      let squares = 0;
      for (let seq = this.rawOldest; seq < end; seq++) {
        const d = this.rawValues[(seq & mask) * m + i]! - mean;
        squares += d * d;
      }
      this.spread[i] = Math.log10(Math.sqrt(squares / (n - 1)) + this.resolution[i]! / 10);
    }
    return true;
  }

  /**
   * log10(root mean square + resolution / 10) of the changes between
   * consecutive samples of the completed minutes of the last `roughness`
   * minutes of this segment. A sample is a minute's first reading, so at a
   * reading a minute or more often the changes are a minute apart at any
   * cadence; across minutes without a reading (a slower sensor, a short
   * pause) a change is divided by the square root of the minutes it spans, as
   * a random walk's would grow. False when the window holds fewer than two
   * samples (nothing to compare yet).
   */
  private refreshRoughness(): boolean {
    const k = this.minute;
    const from = Math.max(k - this.layout.roughness, this.segmentMinute);
    const m = this.m;
    const ring = this.sampleSlots * m;
    for (let i = 0; i < m; i++) {
      let pairs = 0;
      let squares = 0;
      let before = Number.NaN;
      let beforeMinute = 0;
      // Minute j's sample sits at `at`, stepped through the ring without a division per minute.
      for (let j = from, at = this.slot(from) + i; j < k; j++, at = at + m < ring ? at + m : at + m - ring) {
        const now = this.samples[at]!;
        if (now !== now) {
          continue; // no reading that minute
        }
        if (before === before) {
          const change = now - before;
          squares += (change * change) / (j - beforeMinute);
          pairs++;
        }
        before = now;
        beforeMinute = j;
      }
      if (pairs === 0) {
        return false;
      }
      this.roughness[i] = Math.log10(Math.sqrt(squares / pairs) + this.resolution[i]! / 10);
    }
    return true;
  }

  /**
   * The features of the reading just stepped (the same `timeMs` and
   * `readings`: what the profile read of it is reused), into `row[offset …]`.
   */
  writeRow(timeMs: number, readings: ArrayLike<number>, row: Float64Array, offset: number): void {
    const m = this.m;
    const usual = this.profile?.usual;
    let c = offset;
    if (this.wantValue) {
      for (let i = 0; i < m; i++) {
        row[c++] = readings[i]!;
      }
    }
    if (this.wantDeviation) {
      for (let i = 0; i < m; i++) {
        const level = usual ? readings[i]! - usual[i]! : readings[i]!;
        row[c++] = (level - this.baseMedian[i]!) / this.baseScale[i]!;
      }
    }
    if (this.wantSpread) {
      for (let i = 0; i < m; i++) {
        row[c++] = this.spread[i]!;
      }
    }
    if (this.wantRate) {
      for (let i = 0; i < m; i++) {
        row[c++] = this.rate[i]!;
      }
    }
    if (this.wantRoughness) {
      for (let i = 0; i < m; i++) {
        row[c++] = this.roughness[i]!;
      }
    }
    if (this.profile) {
      const z = this.profile.deviation;
      if (this.wantProfile) {
        for (let i = 0; i < m; i++) {
          row[c++] = z[i]!;
        }
      }
      if (this.wantCross) {
        const covered = this.profile.covered;
        for (let i = 0; i < m; i++) {
          const base = i * (m + 1);
          let predicted = this.crossCoefficients[base]!;
          for (let k = 0; k < m; k++) {
            predicted += k === i ? 0 : this.crossCoefficients[base + 1 + k]! * z[k]!;
          }
          row[c++] = covered ? (z[i]! - predicted) / this.crossScale[i]! : 0;
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
