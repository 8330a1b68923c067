/**
 * Training: feature rows of the training series → StandardScaler → Isolation
 * Forest, with the threshold set so that `contamination` of the training rows
 * are flagged. And the key a trained model is cached under.
 */
import { createHash } from 'node:crypto';
import { IsolationForest, StandardScaler, percentileLinear, type Matrix } from '../../detectors';
import type { SensorSeries } from '../sources/types';
import { computeFeatures, emptyDropCounts, fitFeatureSpec, throwIfCancelled } from './features';
import { MODEL_KIND, MODEL_VERSION, inverseSpreadOf, memberColumns } from './model';
import type { AnomalyModelJson, CancelCheck, FeatureSpec, ForestParams, ModelMember, TooFewRows } from './types';

/**
 * Fewer feature rows than this and a model is not trained: 50 rows cannot say
 * what normal looks like, and a 1 % threshold over them is a guess.
 */
export const MIN_TRAINING_ROWS = 50;

export type TrainResult = { ok: true; model: AnomalyModelJson } | TooFewRows;

/**
 * Trains a model on the feature rows of `series` (every row that has full
 * windows; each series warms up on its own first readings). Pure and
 * synchronous, for a worker thread; polls `cancel` between steps and trees.
 */
export function trainModel(
  series: readonly SensorSeries[],
  spec: FeatureSpec,
  params: ForestParams,
  options: { identity: string; cancel?: CancelCheck }
): TrainResult {
  const { cancel } = options;
  spec = fitFeatureSpec(spec, series);
  const dropped = emptyDropCounts();
  const parts = series.map((s) => {
    const part = computeFeatures(s, spec, { cancel });
    for (const [reason, count] of Object.entries(part.dropped)) {
      dropped[reason as keyof typeof dropped] += count;
    }
    return { part, time: s.time };
  });
  const rows = parts.reduce((n, p) => n + p.part.rows, 0);
  if (rows < MIN_TRAINING_ROWS) {
    return { ok: false, reason: 'too_few_rows', rows, needed: MIN_TRAINING_ROWS, dropped };
  }
  const cols = parts[0]!.part.cols;
  const data = new Float64Array(rows * cols);
  let offset = 0;
  let fromMs = Infinity;
  let toMs = -Infinity;
  for (const { part, time } of parts) {
    data.set(part.data, offset);
    offset += part.data.length;
    if (part.rows > 0) {
      fromMs = Math.min(fromMs, time[part.rowIndex[0]!]!);
      toMs = Math.max(toMs, time[part.rowIndex[part.rows - 1]!]!);
    }
  }
  throwIfCancelled(cancel);
  const scaler = StandardScaler.fit({ data, rows, cols });
  const x = scaler.transform({ data, rows, cols });
  const columnsPerMember = memberColumns(spec);
  const trees = Math.ceil(params.nEstimators / columnsPerMember.length);
  const combined = new Float64Array(rows).fill(-Infinity);
  const autoFlagged = new Uint8Array(rows);
  const members = columnsPerMember.map((columns, k): ModelMember => {
    throwIfCancelled(cancel);
    const sub = selectColumns(x, columns);
    const forest = IsolationForest.fit(
      sub,
      {
        nEstimators: trees,
        maxSamples: params.maxSamples,
        maxFeatures: params.maxFeatures > 1 ? Math.min(params.maxFeatures, columns.length) : params.maxFeatures,
        contamination: 'auto',
        seed: (params.seed + k) % 2 ** 32,
      },
      { signal: cancel }
    );
    const scores = forest.scoreSamples(sub);
    scores.forEach((s, r) => {
      scores[r] = -s; // scikit-learn's score_samples is negative; ours: higher = more anomalous
      autoFlagged[r] |= s < -0.5 ? 1 : 0;
    });
    const median = percentileLinear(scores, 50);
    const q99 = percentileLinear(scores, 99);
    const inverse = inverseSpreadOf(median, q99);
    for (let r = 0; r < rows; r++) {
      combined[r] = Math.max(combined[r]!, (scores[r]! - median) * inverse);
    }
    return { columns, forest: forest.toJSON(), median, q99 };
  });
  const threshold = thresholdFor(combined, params.contamination, autoFlagged);
  return {
    ok: true,
    model: {
      kind: MODEL_KIND,
      version: MODEL_VERSION,
      features: spec,
      scaler: scaler.toJSON(),
      members,
      threshold,
      training: { identity: options.identity, rows, dropped, fromMs, toMs },
    },
  };
}

/**
 * The score above which rows are flagged: the (1 − contamination) percentile of
 * the training scores, so that share of the training rows is flagged, as the
 * editor promises. 'auto' takes the share scikit-learn's rule (a member score
 * above 0.5) flags in the training rows.
 */
function thresholdFor(training: Float64Array, contamination: number | 'auto', autoFlagged: Uint8Array): number {
  let share = contamination;
  if (share === 'auto') {
    share = autoFlagged.reduce((n, f) => n + f, 0) / training.length;
  }
  return percentileLinear(training, 100 * (1 - share));
}

/** The given columns of a row-major matrix, as a new matrix. */
function selectColumns(x: Matrix, columns: readonly number[]): Matrix {
  const width = columns.length;
  const data = new Float64Array(x.rows * width);
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < width; j++) {
      data[r * width + j] = x.data[r * x.cols + columns[j]!]!;
    }
  }
  return { data, rows: x.rows, cols: width };
}

/**
 * The key a model is cached (and persisted) under: a hash of the training
 * data's identity (e.g. the S3 object and its ETag, or the window), the
 * feature spec and the forest's parameters, seed included. Key order inside
 * the objects does not matter; any value that changes the model changes the key.
 */
export function modelCacheKey(trainingIdentity: string, spec: FeatureSpec, params: ForestParams): string {
  const text = canonicalJson({ model: `${MODEL_KIND}/${MODEL_VERSION}`, training: trainingIdentity, spec, params });
  return `if-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
