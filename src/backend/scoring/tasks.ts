/**
 * The units of work the pool runs: each is a pure, synchronous function of
 * plain data and shared memory, so the very same code runs in a worker thread
 * or, for small inputs, inline on the caller's thread (see pool.ts).
 *
 * Memory crosses threads without copies: a series is packed once into a
 * SharedArrayBuffer (time, then each metric of METRICS), a model travels as
 * its UTF-8 JSON text in a SharedArrayBuffer that every worker decodes once
 * and keeps, and a task writes its per-row results into shared output arrays
 * the caller allocated. Only small JSON (counts, the model text on training)
 * is structured-cloned.
 */
import { METRICS, type Metric } from '../../common/query';
import { IsolationForest, growTrees, type ForestPart, type IsolationForestOptions, type Matrix } from '../../detectors';
import type { SensorSeries } from '../sources/types';
import { detectDbscan, scoreWithModel } from './detect';
import { computeFeatures, emptyDropCounts, fitFeatureSpec, needsFitting } from './features';
import { loadModel, type LoadedModel } from './model';
import {
  finishTraining,
  forestJobs,
  growJobTrees,
  prepareTraining,
  scoreJobRows,
  trainModel,
  type ForestJob,
  type PreparedTraining,
} from './train';
import type { CancelCheck, DropCounts, FeatureSpec, ForestParams, Scores, TooFewRows } from './types';

/** One sensor's readings in shared memory: `[time | temperature | humidity | pressure | light_level]`, `length` each. */
export interface SharedSeries {
  sensorId: string;
  buffer: SharedArrayBuffer;
  length: number;
}

/** A model as every thread can read it: its cache key and its JSON text as UTF-8 bytes. */
export interface SharedModel {
  key: string;
  text: SharedArrayBuffer;
  byteLength: number;
}

/** Per-row outputs, allocated by the caller (shared), filled by the task; `rows` of them are valid. */
export interface SharedScores {
  /** Index of the scored reading in the task's series. */
  rowIndex: SharedArrayBuffer;
  score: SharedArrayBuffer;
  flag: SharedArrayBuffer;
  explanation: SharedArrayBuffer;
}

/** A cancellation flag in shared memory: 0 = go on, anything else = stop. */
export type SharedCancel = SharedArrayBuffer;

const F64 = Float64Array.BYTES_PER_ELEMENT;

/** Copies a series into shared memory (one copy, ~1 ms per 30,000 readings). */
export function shareSeries(series: SensorSeries): SharedSeries {
  const n = series.time.length;
  const buffer = new SharedArrayBuffer(Math.max(1, (1 + METRICS.length) * n) * F64);
  new Float64Array(buffer, 0, n).set(series.time);
  METRICS.forEach((metric, m) => new Float64Array(buffer, (1 + m) * n * F64, n).set(series.readings[metric]));
  return { sensorId: series.sensorId, buffer, length: n };
}

/** Views of readings [from, to) of a shared series, as the scoring core reads series. */
function seriesView(shared: SharedSeries, from = 0, to = shared.length): SensorSeries {
  const n = shared.length;
  const view = (column: number) => new Float64Array(shared.buffer, (column * n + from) * F64, to - from);
  const readings = {} as Record<Metric, Float64Array>;
  METRICS.forEach((metric, m) => {
    readings[metric] = view(1 + m);
  });
  return { sensorId: shared.sensorId, time: view(0), readings };
}

/** A model's UTF-8 JSON bytes copied into shared memory. */
export function shareModelBytes(key: string, bytes: Uint8Array): SharedModel {
  const text = new SharedArrayBuffer(Math.max(1, bytes.byteLength));
  new Uint8Array(text).set(bytes);
  return { key, text, byteLength: bytes.byteLength };
}

/** The UTF-8 JSON text of a model in shared memory. */
export function shareModel(key: string, json: string): SharedModel {
  return shareModelBytes(key, new TextEncoder().encode(json));
}

export function allocateScores(rows: number): SharedScores {
  const size = Math.max(1, rows);
  return {
    rowIndex: new SharedArrayBuffer(size * Uint32Array.BYTES_PER_ELEMENT),
    score: new SharedArrayBuffer(size * F64),
    flag: new SharedArrayBuffer(size),
    explanation: new SharedArrayBuffer(size * F64),
  };
}

export function newCancelFlag(): SharedCancel {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

export function raiseCancelFlag(flag: SharedCancel): void {
  Atomics.store(new Int32Array(flag), 0, 1);
}

/** The scoring core's CancelCheck over a shared flag: visible across threads at once. */
function cancelCheckOf(flag: SharedCancel): CancelCheck {
  const cell = new Int32Array(flag);
  return {
    get aborted() {
      return Atomics.load(cell, 0) !== 0;
    },
  };
}

/**
 * Models this thread has decoded, by key: decoding a 100-tree forest costs a
 * few milliseconds, so each thread pays it once per model, not per task.
 */
const MODELS_KEPT = 16;
const loadedModels = new Map<string, LoadedModel>();

/** Whether this thread has the model decoded already (scoring with it inline costs no decoding). */
export function isDecodedHere(key: string): boolean {
  return loadedModels.has(key);
}

function modelFor(shared: SharedModel): LoadedModel {
  const hit = loadedModels.get(shared.key);
  if (hit) {
    loadedModels.delete(shared.key);
    loadedModels.set(shared.key, hit);
    return hit;
  }
  // TextDecoder refuses shared memory: copy the bytes out first (once per model and thread).
  const bytes = new Uint8Array(shared.byteLength);
  bytes.set(new Uint8Array(shared.text, 0, shared.byteLength));
  const loaded = loadModel(new TextDecoder().decode(bytes));
  loadedModels.set(shared.key, loaded);
  if (loadedModels.size > MODELS_KEPT) {
    loadedModels.delete(loadedModels.keys().next().value as string);
  }
  return loaded;
}

/** What a scoring task returns besides the rows it wrote into its SharedScores. */
export interface ChunkResult {
  rows: number;
  dropped: DropCounts;
  threshold: number;
}

interface ScoreChunkTask {
  series: SharedSeries;
  /** Readings [from, to) of the series are read; those before `scoreFromMs` only fill the windows. */
  from: number;
  to: number;
  scoreFromMs: number;
  /** Scored with the features the model was trained on (its spec, fitted parts included). */
  model: SharedModel;
  out: SharedScores;
  cancel: SharedCancel;
}

function writeScores(
  out: SharedScores,
  rowIndex: Uint32Array,
  offset: number,
  scores: Omit<Scores, 'threshold'>
): void {
  const rows = rowIndex.length;
  const index = new Uint32Array(out.rowIndex, 0, rows);
  for (let r = 0; r < rows; r++) {
    index[r] = rowIndex[r]! + offset;
  }
  new Float64Array(out.score, 0, rows).set(scores.score);
  new Uint8Array(out.flag, 0, rows).set(scores.flag);
  new Float64Array(out.explanation, 0, rows).set(scores.explanation);
}

/** Features of readings [from, to) and their scores by a trained model. */
export function scoreChunk(task: ScoreChunkTask): ChunkResult {
  const cancel = cancelCheckOf(task.cancel);
  const model = modelFor(task.model);
  const matrix = computeFeatures(seriesView(task.series, task.from, task.to), model.spec, {
    scoreFromMs: task.scoreFromMs,
    cancel,
  });
  const scores = scoreWithModel(model, matrix, { cancel });
  writeScores(task.out, matrix.rowIndex, task.from, scores);
  return { rows: matrix.rows, dropped: matrix.dropped, threshold: scores.threshold };
}

interface DbscanTask {
  series: SharedSeries;
  scoreFromMs: number;
  spec: FeatureSpec;
  eps: number | 'auto';
  minSamples: number;
  contamination: number;
  out: SharedScores;
  cancel: SharedCancel;
}

export type DbscanResult = (ChunkResult & { ok: true; eps: number }) | TooFewRows;

/** Features of the range and DBSCAN on them (the whole range at once: clusters are global). */
export function dbscanRange(task: DbscanTask): DbscanResult {
  const cancel = cancelCheckOf(task.cancel);
  const series = seriesView(task.series);
  // DBSCAN has no training data: what a spec learns from data (the daily profile) it learns from the range.
  const spec = needsFitting(task.spec) ? fitFeatureSpec(task.spec, [series]) : task.spec;
  const matrix = computeFeatures(series, spec, { scoreFromMs: task.scoreFromMs, cancel });
  const result = detectDbscan(
    matrix,
    spec,
    { eps: task.eps, minSamples: task.minSamples, contamination: task.contamination, cancel },
    matrix.dropped
  );
  if (!result.ok) {
    return result;
  }
  writeScores(task.out, matrix.rowIndex, 0, result);
  return { ok: true, rows: matrix.rows, dropped: matrix.dropped, threshold: result.threshold, eps: result.eps };
}

interface TrainTask {
  series: SharedSeries[];
  spec: FeatureSpec;
  params: ForestParams;
  identity: string;
  cancel: SharedCancel;
}

export type TrainTaskResult =
  | { ok: true; text: SharedArrayBuffer; byteLength: number; rows: number; dropped: DropCounts; trainingMs: number }
  | TooFewRows;

/**
 * Trains a model on the series and returns its JSON as UTF-8 bytes in shared
 * memory (what the cache keeps, the threads decode and S3 stores): the
 * caller's thread never holds the text, which for a 1,000-tree forest is tens
 * of MB its garbage collector would have to move.
 */
export function trainTask(task: TrainTask): TrainTaskResult {
  const started = performance.now();
  const result = trainModel(
    task.series.map((s) => seriesView(s)),
    task.spec,
    task.params,
    { identity: task.identity, cancel: cancelCheckOf(task.cancel) }
  );
  if (!result.ok) {
    return result;
  }
  const { text, byteLength } = shareModel('', JSON.stringify(result.model));
  return {
    ok: true,
    text,
    byteLength,
    rows: result.model.training.rows,
    dropped: result.model.training.dropped ?? emptyDropCounts(),
    trainingMs: performance.now() - started,
  };
}

export interface ModelFacts {
  identity: string;
  rows: number;
  dropped: DropCounts;
}

/**
 * Decodes a model (a stored one, before it is trusted) and keeps it decoded
 * on this thread; throws ModelFormatError when it is not a model this
 * version can score with.
 */
export function inspectModel(model: SharedModel): ModelFacts {
  const { training } = modelFor(model).json;
  return { identity: training.identity, rows: training.rows, dropped: training.dropped ?? emptyDropCounts() };
}

/** A row-major matrix in shared memory. */
export interface SharedMatrix {
  buffer: SharedArrayBuffer;
  rows: number;
  cols: number;
}

export function shareMatrix(x: Matrix): SharedMatrix {
  const buffer = new SharedArrayBuffer(Math.max(1, x.rows * x.cols) * F64);
  new Float64Array(buffer, 0, x.rows * x.cols).set(x.data.subarray(0, x.rows * x.cols));
  return { buffer, rows: x.rows, cols: x.cols };
}

function matrixOf(shared: SharedMatrix): Matrix {
  return { data: new Float64Array(shared.buffer, 0, shared.rows * shared.cols), rows: shared.rows, cols: shared.cols };
}

/** A prepared training as it crosses threads: the rows in shared memory, the rest small JSON. */
interface SharedTraining extends Omit<PreparedTraining, 'x'> {
  x: SharedMatrix;
}

interface PrepareTrainingTask {
  series: SharedSeries[];
  spec: FeatureSpec;
  params: ForestParams;
  cancel: SharedCancel;
}

type PrepareTrainingResult = { ok: true; prepared: SharedTraining; jobs: ForestJob[] } | TooFewRows;

/** Training's first step on a thread: features, scaler, guard; the standardized rows into shared memory. */
export function prepareTrainingTask(task: PrepareTrainingTask): PrepareTrainingResult {
  const prepared = prepareTraining(
    task.series.map((s) => seriesView(s)),
    task.spec,
    cancelCheckOf(task.cancel)
  );
  if ('ok' in prepared) {
    return prepared;
  }
  return {
    ok: true,
    prepared: { ...prepared, x: shareMatrix(prepared.x) },
    jobs: forestJobs(prepared, task.params),
  };
}

interface TrainJobsTask {
  x: SharedMatrix;
  jobs: ForestJob[];
  /** Indices of the jobs this task grows and scores. */
  mine: number[];
  /** Every job's score of every training row: job j's at [j × rows, (j + 1) × rows). */
  raw: SharedArrayBuffer;
  cancel: SharedCancel;
}

/**
 * Grows whole forests (jobs) and scores every training row with each, into
 * shared memory; returns the forests of the model itself (variant 0). A forest
 * is grown and scored on one thread, so nothing but its scores crosses threads.
 */
export function trainJobsTask(task: TrainJobsTask): Array<{ job: number; part: ForestPart }> {
  const cancel = cancelCheckOf(task.cancel);
  const x = matrixOf(task.x);
  const kept: Array<{ job: number; part: ForestPart }> = [];
  for (const j of task.mine) {
    const job = task.jobs[j]!;
    const part = growJobTrees(x, job, 0, job.options.nEstimators!, cancel);
    const raw = new Float64Array(task.raw, j * x.rows * F64, x.rows);
    scoreJobRows(x, job, IsolationForest.fromParts(job.options, [part]), 0, x.rows, raw);
    if (job.variant === 0) {
      kept.push({ job: j, part });
    }
  }
  return kept;
}

interface FinishTrainingTask {
  prepared: SharedTraining;
  params: ForestParams;
  jobs: ForestJob[];
  /** The model's own forests, by job index. */
  forests: Array<{ job: number; part: ForestPart }>;
  raw: SharedArrayBuffer;
  identity: string;
}

/**
 * Training's last step: normalization, threshold, the model's JSON text into
 * shared memory (as trainTask returns it; the caller sets `trainingMs`, the
 * steps having run on several threads).
 */
export function finishTrainingTask(task: FinishTrainingTask): TrainTaskResult {
  const x = matrixOf(task.prepared.x);
  const raw = task.jobs.map((_, j) => new Float64Array(task.raw, j * x.rows * F64, x.rows));
  const parts = new Map(task.forests.map(({ job, part }) => [job, part]));
  const model = finishTraining(
    { ...task.prepared, x },
    task.params,
    task.jobs,
    (j) => IsolationForest.fromParts(task.jobs[j]!.options, [parts.get(j)!]).toJSON(),
    raw,
    task.identity
  );
  const { text, byteLength } = shareModel('', JSON.stringify(model));
  return {
    ok: true,
    text,
    byteLength,
    rows: model.training.rows,
    dropped: model.training.dropped,
    trainingMs: 0,
  };
}

interface GrowForestTask {
  x: SharedMatrix;
  options: IsolationForestOptions;
  firstTree: number;
  endTree: number;
  cancel: SharedCancel;
}

/** Trees [firstTree, endTree) of a forest on a shared matrix (ScoringPool.fitForest). */
export function growForestTask(task: GrowForestTask): ForestPart {
  const part = growTrees(matrixOf(task.x), task.options, task.firstTree, task.endTree, {
    signal: cancelCheckOf(task.cancel),
  });
  // In shared memory: the part crosses to the caller and on to every scoring task without a copy.
  return {
    ...part,
    roots: inShared(part.roots),
    feature: inShared(part.feature),
    threshold: inShared(part.threshold),
    left: inShared(part.left),
    pathLength: inShared(part.pathLength),
  };
}

function inShared<T extends Int32Array | Float64Array>(array: T): T {
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(
    new SharedArrayBuffer(Math.max(1, array.byteLength))
  );
  copy.set(array);
  return array.length === copy.length ? copy : (copy.subarray(0, array.length) as T);
}

/** Forests this thread has joined from parts, by the pool's key (the parts of one fit never change). */
const FORESTS_KEPT = 4;
const joinedForests = new Map<string, IsolationForest>();

function forestFor(key: string, options: IsolationForestOptions, parts: ForestPart[]): IsolationForest {
  let forest = joinedForests.get(key);
  if (!forest) {
    forest = IsolationForest.fromParts(options, parts);
    joinedForests.set(key, forest);
    if (joinedForests.size > FORESTS_KEPT) {
      joinedForests.delete(joinedForests.keys().next().value as string);
    }
  }
  return forest;
}

interface ScoreForestTask {
  x: SharedMatrix;
  /** Names the forest the parts make, so a thread joins them once. */
  key: string;
  options: IsolationForestOptions;
  parts: ForestPart[];
  rowFrom: number;
  rowTo: number;
  /** scoreSamples of every row of x, written at [rowFrom, rowTo). */
  out: SharedArrayBuffer;
}

/** scoreSamples of rows [rowFrom, rowTo) of a shared matrix by a forest given as parts (ScoringPool.scoreForest). */
export function scoreForestTask(task: ScoreForestTask): void {
  const x = matrixOf(task.x);
  const rows = {
    data: x.data.subarray(task.rowFrom * x.cols, task.rowTo * x.cols),
    rows: task.rowTo - task.rowFrom,
    cols: x.cols,
  };
  const scores = forestFor(task.key, task.options, task.parts).scoreSamples(rows);
  new Float64Array(task.out, task.rowFrom * F64, scores.length).set(scores);
}

/** The tasks by name, as the worker exports them and the inline path calls them. */
export const TASKS = {
  scoreChunk,
  dbscanRange,
  trainTask,
  inspectModel,
  prepareTrainingTask,
  trainJobsTask,
  finishTrainingTask,
  growForestTask,
  scoreForestTask,
} as const;
export type TaskName = keyof typeof TASKS;
