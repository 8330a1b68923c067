/**
 * Readings → feature rows: the maths behind the catalog in
 * src/common/features.ts (explained for users in docs/features.md).
 *
 * Every window is defined in time, not in readings, and every rate is per
 * minute, because the same sensor arrives at different cadences (history
 * every 60 s, live items every few seconds, with jitter and gaps): the same
 * physical behaviour must give the same features at any cadence. Time is cut
 * into epoch-aligned samples of `sampleMs` (a minute); a reading at t in
 * minute k reads the *completed* minutes before k:
 *
 * Per metric:
 * - value: the reading x;
 * - deviation: (x − median) / (IQR / 1.349 + floor) of the baseline: the
 *   first reading of each of the last `baselineMs` of minutes — a robust
 *   z-score against the last hour, at the same sixty samples an hour whatever
 *   the cadence;
 * - spread: log10(std + floor) of every reading of the last `shortMs` of
 *   minutes — a stuck sensor goes to log10(floor), far below any real noise;
 * - rate: (median of the last `rateMs` of samples − median of the `rateMs`
 *   before) / rateMs in minutes — the smoothed slope, which a single noisy
 *   step cannot fake;
 * - roughness: log10(root mean square + floor) of the changes between the
 *   samples of consecutive minutes of the last `roughnessMs` — how much the
 *   reading jumps from one minute to the next, high for noise and
 *   oscillations, at the floor for a stuck sensor, whatever the cadence;
 * - daily_profile and cross_residual: against what the training data holds
 *   as usual at this time of day (profile.ts);
 * and once, time of day as (sin, cos) of the UTC hour on a 24-hour circle.
 *
 * Readings enter the windows only when every metric of the spec is present and
 * the time moves forward. A pause longer than `maxGapMs` starts a new segment:
 * every window empties, so no rate or baseline spans the gap. A reading gets a
 * row once its windows can be trusted, else it is dropped as `warming_up`:
 * - its segment has `shortMs` of completed minutes (the minimum coverage:
 *   about five minutes after the data starts or comes back; the windows are
 *   partly filled until they reach their length, and `rate` is 0 until its
 *   earlier window has that coverage too);
 * - the baseline holds at least 3 samples;
 * - the short window holds at least two readings reaching back half its
 *   length (after a shorter pause a "spread" of one reading would look like a
 *   stuck sensor);
 * - `roughness` has at least two samples to compare.
 *
 * Features at t depend only on the readings of the minutes (t − lookbackMs, t],
 * and whether they are emitted on the readings since t − warmupMs: a query
 * that reads `warmupMs(spec)` before its range and a stream running for days
 * produce bit-identical rows (featureStream.ts is the one engine for both).
 */
import { FEATURE_TRANSFORM_IDS, featureColumnCount, type FeatureTransform, type Metric } from '../../common/features';
import { DetectorAbortedError, throwIfAborted } from '../../detectors';
import { FeatureStream, emptyDropCounts, sampleLayout } from './featureStream';
import { fitCrossMetric, fitDailyProfile } from './profile';
import type { CancelCheck, FeatureMatrix, FeatureSpec, FeatureWindows } from './types';
import type { SensorSeries } from '../sources/types';

export { FeatureStream, emptyDropCounts };

const MINUTE = 60_000;

/** Window lengths of the default spec; docs/features.md explains the choice. */
export const DEFAULT_WINDOWS: Readonly<FeatureWindows> = {
  baselineMs: 60 * MINUTE,
  shortMs: 5 * MINUTE,
  rateMs: 30 * MINUTE,
  roughnessMs: 15 * MINUTE,
  maxGapMs: 15 * MINUTE,
  sampleMs: MINUTE,
};

/** The resolution the lab's sensors report at (see FeatureSpec.resolution for what it is used for). */
const RESOLUTION: Readonly<Record<Metric, number>> = {
  temperature: 0.01,
  humidity: 0.1,
  pressure: 0.1,
  light_level: 1,
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
  for (const name of ['baselineMs', 'shortMs', 'rateMs', 'roughnessMs'] as const) {
    if (windows[name] % windows.sampleMs !== 0) {
      throw new RangeError(
        `featureSpecOf: windows.${name} must be a whole number of samples of ${windows.sampleMs} ms (got ${windows[name]})`
      );
    }
  }
  if (windows.maxGapMs < windows.sampleMs) {
    throw new RangeError(`featureSpecOf: windows.maxGapMs must be at least windows.sampleMs (${windows.sampleMs} ms)`);
  }
  return {
    kind: 'feature_spec',
    version: 2,
    metrics: [...options.metrics],
    transforms: FEATURE_TRANSFORM_IDS.filter((id) => options.transforms.includes(id)),
    windows,
    resolution: options.metrics.map((m) => RESOLUTION[m]),
  };
}

/** Whether a spec still needs {@link fitFeatureSpec} before features can be computed. */
export function needsFitting(spec: FeatureSpec): boolean {
  const wantsProfile = spec.transforms.includes('daily_profile') || spec.transforms.includes('cross_residual');
  return (
    (wantsProfile && spec.profile === undefined) || (spec.transforms.includes('cross_residual') && !spec.crossMetric)
  );
}

/**
 * Learns the parts of a spec that come from data — the daily profile and the
 * cross-metric fit — from the training series (every reading whose spec
 * metrics are all present). Returns the spec unchanged when nothing needs
 * learning. Half-hours the data does not cover on enough days are marked so
 * (profile.ts): there the profile's features are 0.
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

/** Columns of the matrix a spec produces. */
export function columnCount(spec: FeatureSpec): number {
  return featureColumnCount(spec.metrics.length, spec.transforms);
}

/** How far back the features of a reading look: its own minute and the longest window's (0: the reading alone). */
export function lookbackMs(spec: FeatureSpec): number {
  const { lookback } = sampleLayout(spec);
  return lookback > 0 ? (lookback + 1) * spec.windows.sampleMs : 0;
}

/**
 * How much time before the first reading to score the caller must read so that
 * reading gets its full windows when the data has no long pause: the lookback,
 * plus one `maxGapMs` to tell "the data starts here" from "a pause ended here".
 * 0 for readings, daily profile and time of day only.
 */
export function warmupMs(spec: FeatureSpec): number {
  const lookback = lookbackMs(spec);
  return lookback > 0 ? lookback + spec.windows.maxGapMs : 0;
}

/** The time after the start of the data or a long pause before readings get rows (see the module comment). */
export function minimumCoverageMs(spec: FeatureSpec): number {
  return lookbackMs(spec) > 0 ? sampleLayout(spec).minCoverage * spec.windows.sampleMs : 0;
}

/**
 * Thrown when a {@link CancelCheck} reports abort, here or inside a detector:
 * one class, so a caller's `instanceof` catches both (named 'AbortError').
 */
export { DetectorAbortedError as ScoringCancelledError, throwIfAborted as throwIfCancelled };

/** Rows between two cancellation checks. */
export const CANCEL_CHECK_ROWS = 4096;

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
      reading[m] = columns[m]![i]!;
    }
    const t = series.time[i]!;
    const kept = stream.step(t, reading);
    if (t < scoreFromMs) {
      continue;
    }
    if (!kept) {
      dropped[stream.lastDropReason!]++;
      continue;
    }
    stream.writeRow(t, reading, data, rows * cols);
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
