/**
 * Training: feature rows of the training series → StandardScaler → one
 * Isolation Forest per metric (model.ts) → the threshold and the range guard.
 * And the key a trained model is cached under.
 *
 * The threshold is set *out of sample*: two more models are grown, each on
 * one half of the training rows (in time order), and each scores the half it
 * did not see; the threshold is the (1 − contamination) percentile of those
 * scores. So contamination is the share of *new* normal readings flagged,
 * which is what a user sets it for. In-sample, a forest knows its own
 * training rows, and new readings just outside them score above nearly all
 * of them: a model trained on two hours flagged a quarter of the next two
 * hours' clean readings with an in-sample threshold, 1.5 % out of sample
 * (contamination 1 %). On weeks of history the two agree.
 *
 * Training is split into steps that the scoring pool runs on several threads
 * (`prepareTraining`, then trees by range with `growJobTrees`, rows by range
 * with `scoreJobRows`, then `finishTraining`); `trainModel` runs the same
 * steps in order on one thread. Every tree has its own seed and every row its
 * own scores, so the model is the same to the bit on any number of threads.
 */
import { createHash } from 'node:crypto';
import {
  IsolationForest,
  StandardScaler,
  growTrees,
  percentileLinear,
  type ForestPart,
  type IsolationForestJson,
  type IsolationForestOptions,
  type Matrix,
  type StandardScalerJson,
} from '../../detectors';
import type { ResolvedQuery } from '../../common/query';
import type { SensorSeries } from '../sources/types';
import { computeFeatures, emptyDropCounts, fitFeatureSpec, throwIfCancelled } from './features';
import { applyClip, fitTails } from './guard';
import { MODEL_KIND, MODEL_VERSION, SCORING_VERSION, inverseSpreadOf, memberColumns, treesPerMember } from './model';
import type {
  AnomalyModelJson,
  CancelCheck,
  DropCounts,
  FeatureSpec,
  ForestParams,
  ModelMember,
  RangeGuardJson,
  RateClipJson,
  TooFewRows,
} from './types';

/**
 * Fewer feature rows than this and a model is not trained: 50 rows cannot say
 * what normal looks like, and a 1 % threshold over them is a guess.
 */
export const MIN_TRAINING_ROWS = 50;

export type TrainResult = { ok: true; model: AnomalyModelJson } | TooFewRows;

/** The Isolation Forest parameters a query stands for: what QueryData, Live and the Kafka worker train with. */
export function forestParamsOf(query: Pick<ResolvedQuery, 'isolationForest' | 'contamination'>): ForestParams {
  const { nEstimators, maxSamples, maxFeatures, seed } = query.isolationForest;
  return { nEstimators, maxSamples, maxFeatures, contamination: query.contamination, seed };
}

/** What training knows before any tree is grown. */
export interface PreparedTraining {
  /** The spec as trained, with what it learned (the daily profile). */
  spec: FeatureSpec;
  scaler: StandardScalerJson;
  /** The feature rows, rates clipped, standardized; in time order per series. */
  x: Matrix;
  guard: RangeGuardJson;
  clip: RateClipJson;
  dropped: DropCounts;
  fromMs: number;
  toMs: number;
}

/** The three models training grows: the model itself, and one on each half of the rows (for the threshold). */
const VARIANTS = 3;

/** One forest training grows: a member of one of the three models. */
export interface ForestJob {
  /** 0: the model; 1: trained on the first half of the rows; 2: on the second half. */
  variant: number;
  member: number;
  /** Feature columns the forest sees. */
  columns: number[];
  /** The rows it is grown on (and normalized by): [rowFrom, rowTo). */
  rowFrom: number;
  rowTo: number;
  options: IsolationForestOptions;
}

/** Features, scaler and guard of the training data, or why there are too few rows. */
export function prepareTraining(
  series: readonly SensorSeries[],
  requested: FeatureSpec,
  cancel?: CancelCheck
): PreparedTraining | TooFewRows {
  const spec = fitFeatureSpec(requested, series);
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
  const { guard, clip } = fitTails({ data, rows, cols }, spec);
  applyClip(clip, data, rows, cols);
  const scaler = StandardScaler.fit({ data, rows, cols });
  const x = scaler.transform({ data, rows, cols });
  return { spec, scaler: scaler.toJSON(), x, guard, clip, dropped, fromMs, toMs };
}

/** Every forest of the three models, each with its rows, columns, trees and seed. */
export function forestJobs(prepared: PreparedTraining, params: ForestParams): ForestJob[] {
  const rows = prepared.x.rows;
  const half = Math.floor(rows / 2);
  const ranges = [
    [0, rows],
    [0, half],
    [half, rows],
  ] as const;
  const columnsPerMember = memberColumns(prepared.spec);
  const trees = treesPerMember(params.nEstimators, columnsPerMember.length);
  const jobs: ForestJob[] = [];
  for (let variant = 0; variant < VARIANTS; variant++) {
    columnsPerMember.forEach((columns, member) => {
      jobs.push({
        variant,
        member,
        columns,
        rowFrom: ranges[variant]![0],
        rowTo: ranges[variant]![1],
        options: {
          nEstimators: trees,
          maxSamples: params.maxSamples,
          maxFeatures: params.maxFeatures > 1 ? Math.min(params.maxFeatures, columns.length) : params.maxFeatures,
          contamination: 'auto',
          seed: (params.seed + member) % 2 ** 32,
        },
      });
    });
  }
  return jobs;
}

/** Trees [firstTree, endTree) of a job's forest. */
export function growJobTrees(
  x: Matrix,
  job: ForestJob,
  firstTree: number,
  endTree: number,
  cancel?: CancelCheck
): ForestPart {
  const rows = selectColumns(x, job.columns, job.rowFrom, job.rowTo);
  return growTrees(rows, job.options, firstTree, endTree, { signal: cancel });
}

/**
 * How anomalous a job's forest finds rows [rowFrom, rowTo) of x, into
 * `out[rowFrom …]`: the negated scoreSamples (higher = more anomalous, in (0.5
 * ± …) — above 0.5 is scikit-learn's 'auto' anomaly).
 */
export function scoreJobRows(
  x: Matrix,
  job: ForestJob,
  forest: IsolationForest,
  rowFrom: number,
  rowTo: number,
  out: Float64Array
): void {
  const scores = forest.scoreSamples(selectColumns(x, job.columns, rowFrom, rowTo));
  for (let r = 0; r < scores.length; r++) {
    out[rowFrom + r] = -scores[r]!;
  }
}

/**
 * The model from its forests (the model's own, as JSON by job index) and every job's scores of every
 * training row (`raw[job]`, from scoreJobRows): each member normalized by the
 * scores of the rows it was grown on; the threshold from the half-models'
 * scores of the rows they did not see.
 */
export function finishTraining(
  prepared: PreparedTraining,
  params: ForestParams,
  jobs: readonly ForestJob[],
  forestOf: (job: number) => IsolationForestJson,
  raw: readonly Float64Array[],
  identity: string
): AnomalyModelJson {
  const rows = prepared.x.rows;
  const normalized = jobs.map((job, j) => {
    const own = raw[j]!.subarray(job.rowFrom, job.rowTo);
    const median = percentileLinear(own, 50);
    const q99 = percentileLinear(own, 99);
    return { median, q99, inverse: inverseSpreadOf(median, q99) };
  });
  // Out of sample: rows of the first half by the model of the second, and the other way round.
  const outOfSample = new Float64Array(rows).fill(-Infinity);
  const autoFlagged = new Uint8Array(rows);
  jobs.forEach((job, j) => {
    if (job.variant === 0) {
      return;
    }
    const [from, to] = job.variant === 1 ? [job.rowTo, rows] : [0, job.rowFrom];
    const { median, inverse } = normalized[j]!;
    const scores = raw[j]!;
    for (let r = from; r < to; r++) {
      autoFlagged[r] |= scores[r]! > 0.5 ? 1 : 0;
      outOfSample[r] = Math.max(outOfSample[r]!, (scores[r]! - median) * inverse);
    }
  });
  const members = jobs.flatMap((job, j): ModelMember[] =>
    job.variant === 0
      ? [{ columns: job.columns, forest: forestOf(j), median: normalized[j]!.median, q99: normalized[j]!.q99 }]
      : []
  );
  return {
    kind: MODEL_KIND,
    version: MODEL_VERSION,
    scoringVersion: SCORING_VERSION,
    features: prepared.spec,
    scaler: prepared.scaler,
    members,
    threshold: thresholdFor(outOfSample, params.contamination, autoFlagged),
    guard: prepared.guard,
    clip: prepared.clip,
    training: { identity, rows, dropped: prepared.dropped, fromMs: prepared.fromMs, toMs: prepared.toMs },
  };
}

/**
 * Trains a model on the feature rows of `series` (each series warms up on its
 * own first readings), on this thread: the steps of the module comment in
 * order. Pure and synchronous, for a worker thread; polls `cancel` between
 * steps and trees.
 */
export function trainModel(
  series: readonly SensorSeries[],
  spec: FeatureSpec,
  params: ForestParams,
  options: { identity: string; cancel?: CancelCheck }
): TrainResult {
  const { cancel } = options;
  const prepared = prepareTraining(series, spec, cancel);
  if ('ok' in prepared) {
    return prepared;
  }
  const x = prepared.x;
  const jobs = forestJobs(prepared, params);
  const forests = jobs.map((job) =>
    IsolationForest.fromParts(job.options, [growJobTrees(x, job, 0, job.options.nEstimators!, cancel)])
  );
  const raw = jobs.map((job, j) => {
    throwIfCancelled(cancel);
    const out = new Float64Array(x.rows);
    scoreJobRows(x, job, forests[j]!, 0, x.rows, out);
    return out;
  });
  const model = finishTraining(prepared, params, jobs, (j) => forests[j]!.toJSON(), raw, options.identity);
  return { ok: true, model };
}

/**
 * The score above which rows are flagged: the (1 − contamination) percentile of
 * the out-of-sample scores, so that share of readings like the training data
 * is flagged. 'auto' takes the share scikit-learn's rule (a member score above
 * 0.5) flags among them.
 */
function thresholdFor(scores: Float64Array, contamination: number | 'auto', autoFlagged: Uint8Array): number {
  let share = contamination;
  if (share === 'auto') {
    share = autoFlagged.reduce((n, f) => n + f, 0) / scores.length;
  }
  return percentileLinear(scores, 100 * (1 - share));
}

/** Rows [from, to) of a row-major matrix, the given columns only, as a new matrix. */
function selectColumns(x: Matrix, columns: readonly number[], from = 0, to = x.rows): Matrix {
  const width = columns.length;
  const data = new Float64Array((to - from) * width);
  for (let r = from; r < to; r++) {
    const source = r * x.cols;
    const target = (r - from) * width;
    for (let j = 0; j < width; j++) {
      data[target + j] = x.data[source + columns[j]!]!;
    }
  }
  return { data, rows: to - from, cols: width };
}

/**
 * The key a model is cached (and persisted) under: a hash of the training
 * data's identity (e.g. the S3 object and its ETag, or the window), the
 * feature spec, the forest's parameters, seed included, and the version of
 * the scoring maths (so a model persisted by older code under the same
 * query is not found, and is trained again). Key order inside the objects
 * does not matter; any value that changes the model changes the key.
 */
export function modelCacheKey(
  trainingIdentity: string,
  spec: FeatureSpec,
  params: ForestParams,
  scoringVersion = SCORING_VERSION
): string {
  const model = `${MODEL_KIND}/${MODEL_VERSION}/maths-${scoringVersion}`;
  const text = canonicalJson({ model, training: trainingIdentity, spec, params });
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
