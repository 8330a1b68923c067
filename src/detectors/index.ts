/**
 * Anomaly detectors for sensor readings, in plain TypeScript over typed arrays:
 * no I/O, no Grafana, no AWS, no import from outside this folder. The scoring
 * core (src/backend/scoring/) calls these; their parameter limits are the
 * table in constraints.ts, which the query model reads too.
 *
 * Typical use on readings (rows = readings, columns = features):
 *
 * ```ts
 * import { IsolationForest, StandardScaler, autoEps, dbscan, dropIncompleteRows, explainDbscan } from './index';
 *
 * const rows = [
 *   [21.5, 40.1, 1012.9, 310],
 *   [21.6, 40.0, 1013.0, 312],
 *   [21.4, 40.3, 1012.8, 309],
 *   [35.0, 12.0, 1013.1, 305],
 *   [21.5, Number.NaN, 1013.0, 311],
 * ];
 * const { matrix, keptIndices, droppedCount } = dropIncompleteRows(rows); // report droppedCount
 * const scaler = StandardScaler.fit(matrix);
 * const x = scaler.transform(matrix);
 * // Isolation Forest: fit once (e.g. on S3 history), keep as JSON, score anywhere.
 * const forest = IsolationForest.fit(x, { contamination: 0.25, seed: 42 });
 * const { scores, flags, explanations } = forest.detect(x); // explanations for flagged rows only
 * const restored = IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest)));
 * const score: number = restored.scoreOne(x.data.subarray(0, x.cols)); // one reading, as a stream scores it
 * // DBSCAN: on standardized readings; eps fixed or derived from contamination.
 * const eps = autoEps(x, { minSamples: 2, contamination: 0.25 });
 * const result = dbscan(x, { eps, minSamples: 2 }); // label −1 = noise = anomaly
 * const whyNoise = explainDbscan(x, result);
 * console.log(keptIndices, droppedCount, scores, flags, explanations, score, whyNoise);
 * ```
 *
 * Defaults: contamination 0.01 (constraints.ts), not scikit-learn's 'auto',
 * which flags about a fifth of sensor readings. Every bad input throws
 * {@link DetectorInputError} naming the parameter and what is allowed; a raised
 * abort signal throws {@link DetectorAbortedError}.
 */
export { DetectorAbortedError, DetectorInputError, throwIfAborted } from './errors';
export type { AbortCheck } from './errors';
export type { Matrix, MatrixInput, CompleteRows } from './matrix';
export { dropIncompleteRows, matrixFromFlat, matrixFromRows, percentileLinear, toMatrix } from './matrix';
export type { Explanation } from './explanation';
export { StandardScaler } from './scaler';
export type { StandardScalerJson } from './scaler';
export { IsolationForest, averagePathLength, growTrees, resolveIsolationForestOptions } from './isolationForest';
export type {
  ForestPart,
  Detection,
  IsolationForestJson,
  IsolationForestOptions,
  ResolvedIsolationForestOptions,
} from './isolationForest';
export { AUTO_EPS_SAMPLE, autoEps, dbscan, explainDbscan, kDistances, nearestCoreDistances } from './dbscan';
export type { DbscanOptions, DbscanResult } from './dbscan';
