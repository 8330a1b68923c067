/**
 * A trained model as versioned JSON (`AnomalyModelJson`), and its loaded form
 * with typed arrays ready to score. The JSON is what the model cache holds, what
 * crosses worker threads and what the Kafka worker reads from S3: loading it
 * gives bit-identical scores to the model that was trained.
 *
 * Why several forests (members) rather than one: an Isolation Forest splits on
 * a feature drawn at random, so a fault that shows in one column out of
 * sixteen (a stuck humidity sensor shows only in humidity's spread) is cut off
 * in few trees and scores barely above normal. One forest per metric sees that
 * metric's columns (and the shared ones), so its faults stand out there. A
 * row's score is its largest member score, each member's put on a common scale
 * by its training scores; the range guard (guard.ts) then lifts readings far
 * outside the training data. docs/features.md has the measurements behind this.
 */
import { featureColumns } from '../../common/features';
import { IsolationForest, StandardScaler } from '../../detectors';
import { columnCount } from './features';
import { RangeGuard } from './guard';
import type { AnomalyModelJson, FeatureSpec, RateClipJson } from './types';

export const MODEL_KIND = 'anomaly_model';
/** Version of the model JSON's shape. */
export const MODEL_VERSION = 2;
/**
 * Version of the maths from readings to scores — features, training,
 * scoring. Part of every model's JSON and of its cache key, so a model
 * persisted by older code is never mistaken for one of today's: bump it with
 * any change that can change a feature, a trained model or a score
 * (model.test.ts fingerprints the maths and fails until it is bumped).
 */
export const SCORING_VERSION = 3;

/** A member forest ready to score. */
interface LoadedMember {
  columns: Uint32Array;
  forest: IsolationForest;
  median: number;
  /** 1 / (q99 − median), or 1 when the member's training scores do not spread. */
  inverseSpread: number;
}

/** A model ready to score: the detectors rebuilt from JSON, the explanation code of every column. */
export interface LoadedModel {
  json: AnomalyModelJson;
  spec: FeatureSpec;
  scaler: StandardScaler;
  members: LoadedMember[];
  threshold: number;
  guard: RangeGuard;
  clip: RateClipJson;
  /** Explanation code per feature column (src/common/features.ts `featureCode`). */
  columnCodes: Float64Array;
}

/** Thrown for a model JSON this version cannot read; names what was wrong. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(`model: ${message}`);
    this.name = 'ModelFormatError';
  }
}

/** Explanation code of each column of a spec's feature matrix. */
export function columnCodesOf(spec: FeatureSpec): Float64Array {
  return Float64Array.from(featureColumns(spec.metrics, spec.transforms), (c) => c.code);
}

/**
 * The columns each member forest sees: per metric, that metric's columns and
 * the shared ones (time of day). A forest on all columns as well measured no
 * better on any fault kind, cross-metric ones included (docs/features.md), and
 * took a fifth of the trees.
 */
export function memberColumns(spec: FeatureSpec): number[][] {
  const columns = featureColumns(spec.metrics, spec.transforms);
  return spec.metrics.map((metric) =>
    columns.flatMap((c, i) => (c.metric === metric || c.metric === undefined ? [i] : []))
  );
}

/**
 * Fewer trees than this in a member and its scores are noisy enough to cost
 * AUC points on collective faults (measured: 20 trees a member, drift 0.894;
 * 40 trees, 0.903; docs/features.md).
 */
export const MIN_MEMBER_TREES = 40;

/**
 * Trees per member forest: the query's trees shared out among the members,
 * but at least {@link MIN_MEMBER_TREES} each (never more than the query asked for in all).
 */
export function treesPerMember(nEstimators: number, members: number): number {
  return Math.min(nEstimators, Math.max(Math.ceil(nEstimators / members), MIN_MEMBER_TREES));
}

export function inverseSpreadOf(median: number, q99: number): number {
  return q99 > median ? 1 / (q99 - median) : 1;
}

/** Rebuilds a model from its JSON (an object or its text, parsed); refuses other kinds, versions and shapes. */
export function loadModel(input: unknown): LoadedModel {
  const json = (typeof input === 'string' ? JSON.parse(input) : input) as Partial<AnomalyModelJson> | null;
  if (!json || json.kind !== MODEL_KIND || json.version !== MODEL_VERSION) {
    throw new ModelFormatError(`expected kind "${MODEL_KIND}" version ${MODEL_VERSION}`);
  }
  if (json.scoringVersion !== SCORING_VERSION) {
    throw new ModelFormatError(
      `trained by scoring maths version ${json.scoringVersion}, this version scores with ${SCORING_VERSION}: train it again`
    );
  }
  const spec = json.features;
  if (!spec || spec.kind !== 'feature_spec' || spec.version !== 2) {
    throw new ModelFormatError('expected a feature_spec of version 2');
  }
  const cols = columnCount(spec);
  const scaler = StandardScaler.fromJSON(json.scaler);
  if (scaler.nFeatures !== cols) {
    throw new ModelFormatError(`the scaler must have the spec's ${cols} columns`);
  }
  if (!Array.isArray(json.members) || json.members.length === 0 || typeof json.threshold !== 'number') {
    throw new ModelFormatError('expected a non-empty list of members and a threshold');
  }
  const members = json.members.map((m, k): LoadedMember => {
    const forest = IsolationForest.fromJSON(m.forest);
    const columnsOk =
      Array.isArray(m.columns) &&
      m.columns.length === forest.nFeatures &&
      m.columns.every((c) => Number.isInteger(c) && c >= 0 && c < cols);
    if (!columnsOk || typeof m.median !== 'number' || typeof m.q99 !== 'number') {
      throw new ModelFormatError(`member ${k}: columns within the spec's ${cols}, one per forest feature; median; q99`);
    }
    return {
      columns: Uint32Array.from(m.columns),
      forest,
      median: m.median,
      inverseSpread: inverseSpreadOf(m.median, m.q99),
    };
  });
  const guard = json.guard;
  const guardOk =
    !!guard &&
    typeof guard.limit === 'number' &&
    Array.isArray(guard.columns) &&
    [guard.low, guard.median, guard.high].every((a) => Array.isArray(a) && a.length === guard.columns.length) &&
    guard.columns.every((c) => Number.isInteger(c) && c >= 0 && c < cols);
  if (!guardOk) {
    throw new ModelFormatError(`guard: columns within the spec's ${cols}, a low, median and high per column, a limit`);
  }
  const clip = json.clip;
  const clipOk =
    !!clip &&
    Array.isArray(clip.columns) &&
    [clip.low, clip.high].every((a) => Array.isArray(a) && a.length === clip.columns.length) &&
    clip.columns.every((c) => Number.isInteger(c) && c >= 0 && c < cols);
  if (!clipOk) {
    throw new ModelFormatError(`clip: columns within the spec's ${cols}, a low and a high per column`);
  }
  return {
    json: json as AnomalyModelJson,
    spec,
    scaler,
    members,
    threshold: json.threshold,
    guard: new RangeGuard(guard),
    clip,
    columnCodes: columnCodesOf(spec),
  };
}
