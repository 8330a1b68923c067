/**
 * The scoring core's data contract: plain JSON and typed arrays only, so every
 * value here can cross a worker-thread boundary (structured clone, typed
 * arrays transferred) and be persisted (models as versioned JSON).
 *
 * The functions that produce and consume these types live beside this file:
 * `features.ts` (FeatureSpec → FeatureMatrix, FeatureStream), `train.ts`
 * (trainModel, modelCacheKey), `detect.ts` (scoreWithModel, detectDbscan),
 * `counts.ts` (countPerInterval). See README.md for the whole API.
 */
import type { FeatureTransform } from '../../common/features';
import type { Metric } from '../../common/query';
import type { IsolationForestJson, StandardScalerJson } from '../../detectors';

/**
 * Window lengths of the windowed features, in milliseconds (never in reading
 * counts), each a whole number of samples.
 */
export interface FeatureWindows {
  /** Trailing baseline (median) and baseline spread (IQR) of `deviation`. */
  baselineMs: number;
  /** Short-window spread; also the minimum coverage before a reading gets a row. */
  shortMs: number;
  /** Each of the two adjacent windows whose medians `rate` compares. */
  rateMs: number;
  /** The minute-to-minute changes of samples `roughness` reads. */
  roughnessMs: number;
  /** A pause between two readings longer than this restarts every window (no rate across a gap); at least `sampleMs`. */
  maxGapMs: number;
  /** Time is cut into samples this long (epoch-aligned); `deviation`, `rate` and `roughness` read one reading per sample. */
  sampleMs: number;
}

/**
 * Which features a model sees and how they are computed: plain JSON, part of
 * a model and of its cache key. Built by `featureSpecOf`.
 */
export interface FeatureSpec {
  kind: 'feature_spec';
  /** Format version of the spec (2: windows in samples, profile coverage). */
  version: 2;
  /** Column order of the per-metric features. */
  metrics: Metric[];
  /** Catalog order (src/common/features.ts). */
  transforms: FeatureTransform[];
  windows: FeatureWindows;
  /**
   * Per metric (same order as `metrics`): the resolution its sensors report
   * at. No spread means anything below it: `deviation` and `daily_profile`
   * add it to the spreads they divide by (a flat hour or a dark night does
   * not make the next reading's rounding a huge deviation), and `spread`
   * takes the log of the standard deviation plus a tenth of it (a stuck
   * sensor gives a finite, very low value instead of −∞).
   */
  resolution: number[];
  /**
   * What is usual at each time of day, learned from the training data by
   * `fitFeatureSpec`; present exactly when `transforms` holds `daily_profile`.
   */
  profile?: DailyProfile;
  /** How each metric follows the others, learned by `fitFeatureSpec`; present exactly with `cross_residual`. */
  crossMetric?: CrossMetricFit;
}

/**
 * Per metric (spec order): a linear prediction of its daily-profile deviation
 * from the other metrics' (`coefficients[m]` = intercept, then one weight per
 * metric, 0 for m itself), and the robust spread of what it leaves (`scale`).
 */
export interface CrossMetricFit {
  coefficients: number[][];
  scale: number[];
}

/**
 * Per metric (spec order) and per time-of-day bin (UTC, `bins` equal bins from
 * midnight): the median of the training readings and their robust spread
 * (IQR / 1.349). Read between bin centres by linear interpolation, around the
 * clock. `covered[b]`: the training data holds bin b on enough different days
 * (profile.ts); elsewhere the profile's features are 0 and median/spread are 0.
 */
export interface DailyProfile {
  bins: number;
  median: number[][];
  spread: number[][];
  covered: boolean[];
}

/** Why a reading got no feature row; counted, never silent. */
export type DropReason =
  /** A reading of one of the spec's metrics was NaN (missing in the item). */
  | 'missing_reading'
  /** Same timestamp as the previous reading of the sensor: the first one is kept. */
  | 'duplicate_time'
  /** Older than a reading already seen (streams only: a series is sorted). */
  | 'out_of_order'
  /** In the range, but the windows do not yet cover their full length (start of data, or after a gap). */
  | 'warming_up';

export type DropCounts = Record<DropReason, number>;

/** Feature rows of one sensor's readings. */
export interface FeatureMatrix {
  /** Row-major: row r, column c at `data[r * cols + c]`. */
  data: Float64Array;
  rows: number;
  cols: number;
  /** `rowIndex[r]` is the series row (reading) that matrix row r describes. */
  rowIndex: Uint32Array;
  /** Readings at or after `scoreFromMs` that got no row, by reason. */
  dropped: DropCounts;
}

/** Isolation Forest parameters as the query model holds them (minus where the training data comes from). */
export interface ForestParams {
  nEstimators: number;
  maxSamples: 'auto' | number;
  maxFeatures: number;
  contamination: number | 'auto';
  seed: number;
}

/**
 * One Isolation Forest of a model, on a subset of the feature columns: one per
 * metric (that metric's columns and the shared ones), and one on all columns
 * when there are several metrics. Its scores are put on a common scale before
 * the members are combined: (score − median) / (q99 − median) of its training
 * scores, so 0 is a typical training row and 1 as unusual as the 99th percentile.
 */
export interface ModelMember {
  /** Indices of the feature columns this forest sees, ascending. */
  columns: number[];
  forest: IsolationForestJson;
  median: number;
  q99: number;
}

/**
 * The range guard (guard.ts): per guarded column (raw feature values), the
 * training rows' 1st percentile, median and 99th percentile; readings whose
 * excess beyond them passes `limit` are flagged.
 */
export interface RangeGuardJson {
  columns: number[];
  low: number[];
  median: number[];
  high: number[];
  limit: number;
}

/** The rate clip (guard.ts): per clipped column, the bounds the forests see its values within. */
export interface RateClipJson {
  columns: number[];
  low: number[];
  high: number[];
}

/** A trained model: everything scoring needs, versioned JSON that round-trips to bit-identical scores. */
export interface AnomalyModelJson {
  kind: 'anomaly_model';
  version: 2;
  /** The scoring maths that trained it (model.ts SCORING_VERSION); a model of other maths is not loaded. */
  scoringVersion: number;
  /** The spec as trained, with what it learned (the daily profile). */
  features: FeatureSpec;
  /** Standardizes all feature columns (fitted on the training rows). */
  scaler: StandardScalerJson;
  members: ModelMember[];
  /**
   * A row's score is the largest member score; rows scoring above this are
   * flagged. Set out of sample (train.ts): the (1 − contamination) percentile
   * of the training rows' scores by models that did not see them.
   */
  threshold: number;
  /** Flags readings far outside the training data whatever the forests say (guard.ts); on raw feature values. */
  guard: RangeGuardJson;
  /** Clips the rate columns before the scaler and the forests (guard.ts). */
  clip: RateClipJson;
  training: {
    /** What the model was trained on (S3 ETag, window), as the caller named it. */
    identity: string;
    rows: number;
    dropped: DropCounts;
    /** Time of the first and last training row (epoch ms). */
    fromMs: number;
    toMs: number;
  };
}

/** A cancellation check polled by long loops (an AbortSignal qualifies; so does a SharedArrayBuffer-backed flag). */
export interface CancelCheck {
  readonly aborted: boolean;
}

/** Per row of a feature matrix: what the frames carry. */
export interface Scores {
  /** Higher = more anomalous; see the model (Isolation Forest) or detectDbscan for the scale. */
  score: Float64Array;
  /** 1 = anomaly, 0 = normal. */
  flag: Uint8Array;
  /** Feature code (src/common/features.ts `featureCode`) that explains a flag; 0 = none. */
  explanation: Float64Array;
  /** Scores above this are flagged (so a panel can draw it). */
  threshold: number;
}

/** Not enough rows to train or to cluster: the caller turns this into a frame notice. */
export interface TooFewRows {
  ok: false;
  reason: 'too_few_rows';
  rows: number;
  needed: number;
  dropped: DropCounts;
}
