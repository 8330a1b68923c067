/**
 * Anomaly detectors for sensor readings, in plain TypeScript over typed arrays:
 * no I/O, no Grafana, no AWS. The backend's query layer calls these.
 *
 * Typical use on readings (rows = readings, columns = features):
 *
 *   const { matrix, keptIndices, droppedCount } = dropIncompleteRows(rows); // report droppedCount
 *   const scaler = StandardScaler.fit(matrix);
 *   const x = scaler.transform(matrix);
 *   // Isolation Forest: fit once (e.g. on S3 history), cache as JSON, score anywhere.
 *   const forest = IsolationForest.fit(x, { contamination: 0.01, seed: 42 });
 *   const { scores, flags, explanations } = forest.detect(x); // explanations for flagged rows
 *   const cached = JSON.stringify(forest); IsolationForest.fromJSON(JSON.parse(cached)).scoreOne(row);
 *   // DBSCAN: on standardized readings; eps fixed or derived from contamination.
 *   const eps = autoEps(x, { minSamples: 10, contamination: 0.01 });
 *   const { labels } = dbscan(x, { eps, minSamples: 10 }); // −1 = anomaly (noise)
 *   const whyNoise = explainDbscan(x, result);
 *
 * Defaults: contamination 0.01 (the product default, see src/common/query.ts),
 * not scikit-learn's 'auto', which flags about a fifth of sensor readings.
 * Every bad input throws {@link DetectorInputError} naming the parameter and
 * the allowed range.
 */
export { DetectorAbortedError, DetectorInputError } from './errors';
export type { AbortCheck } from './errors';
export type { Matrix, MatrixInput, CompleteRows } from './matrix';
export { dropIncompleteRows, matrixFromFlat, matrixFromRows, percentileLinear, toMatrix } from './matrix';
export type { Explanation } from './explanation';
export { StandardScaler } from './scaler';
export type { StandardScalerJson } from './scaler';
export { IsolationForest, averagePathLength, resolveIsolationForestOptions } from './isolationForest';
export type {
  Detection,
  IsolationForestJson,
  IsolationForestOptions,
  ResolvedIsolationForestOptions,
} from './isolationForest';
export { AUTO_EPS_SAMPLE, autoEps, dbscan, explainDbscan, kDistances, nearestCoreDistances } from './dbscan';
export type { DbscanOptions, DbscanResult } from './dbscan';
