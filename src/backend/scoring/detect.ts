/**
 * Feature rows → score, 0/1 flag and explanation code per row, with a trained
 * Isolation Forest model or with DBSCAN on the rows themselves.
 */
import {
  StandardScaler,
  autoEps,
  dbscan,
  explainDbscan,
  kDistances,
  nearestCoreDistances,
  type Matrix,
} from '../../detectors';
import { NO_EXPLANATION } from '../../common/frames';
import { CANCEL_CHECK_ROWS, emptyDropCounts, throwIfCancelled } from './features';
import { applyClip } from './guard';
import { columnCodesOf, loadModel, type LoadedModel } from './model';
import type { AnomalyModelJson, CancelCheck, DropCounts, FeatureSpec, Scores, TooFewRows } from './types';

/** The rows a scorer reads: a feature matrix, or any row-major block of the spec's width. */
export type Rows = Pick<Matrix, 'data' | 'rows' | 'cols'>;

/**
 * Scores rows with a trained model (its JSON, or loaded once with `loadModel`
 * and reused). A row's score is its largest member score (see model.ts):
 * higher is more anomalous, 0 is a typical training row, 1 as unusual as the
 * 99th percentile of the training rows of that member. A row is flagged when
 * its score is above the model's threshold; a flagged row's explanation is the
 * code of the feature whose splits isolated it fastest in the member that
 * scored it highest. A row the range guard trips (guard.ts) is flagged
 * whatever the forests say, scores threshold + log2(g / limit) if that is
 * higher, and is explained by the column it lies furthest outside on.
 */
export function scoreWithModel(
  model: AnomalyModelJson | LoadedModel,
  rows: Rows,
  options: { cancel?: CancelCheck } = {}
): Scores {
  const loaded = 'columnCodes' in model ? model : loadModel(model);
  const { scaler, members, columnCodes, threshold, guard, clip } = loaded;
  const n = rows.rows;
  const cols = rows.cols;
  if (cols !== scaler.nFeatures) {
    throw new RangeError(`scoreWithModel: rows of ${scaler.nFeatures} features expected (got ${cols})`);
  }
  const score = new Float64Array(n);
  const flag = new Uint8Array(n);
  const explanation = new Float64Array(n).fill(NO_EXPLANATION);
  const best = new Uint8Array(n);
  const chunkRows = Math.min(n, CANCEL_CHECK_ROWS);
  const clipped = new Float64Array(chunkRows * cols);
  const standardized = new Float64Array(chunkRows * cols);
  const memberRows = new Float64Array(chunkRows * cols);
  for (let start = 0; start < n; start += CANCEL_CHECK_ROWS) {
    throwIfCancelled(options.cancel);
    const count = Math.min(n, start + CANCEL_CHECK_ROWS) - start;
    const x = { data: standardized.subarray(0, count * cols), rows: count, cols };
    const raw = rows.data.subarray(start * cols, (start + count) * cols);
    clipped.set(raw);
    applyClip(clip, clipped, count, cols);
    scaler.transformInto(clipped.subarray(0, count * cols), x.data);
    score.fill(-Infinity, start, start + count);
    members.forEach((member, k) => {
      const sub = gatherColumns(x, member.columns, memberRows);
      const scores = member.forest.scoreSamples(sub);
      for (let i = 0; i < count; i++) {
        const normalized = (-scores[i]! - member.median) * member.inverseSpread;
        if (normalized > score[start + i]!) {
          score[start + i] = normalized;
          best[start + i] = k;
        }
      }
    });
    for (let i = 0; i < count; i++) {
      const g = guard.excess(raw, i * cols);
      if (g > guard.limit) {
        score[start + i] = Math.max(score[start + i]!, threshold + Math.log2(g / guard.limit));
        flag[start + i] = 1;
        explanation[start + i] = columnCodes[guard.column]!;
      } else if (score[start + i]! > threshold) {
        flag[start + i] = 1;
        const member = members[best[start + i]!]!;
        const why = member.forest.explain(gatherColumns(x, member.columns, memberRows, i, 1));
        explanation[start + i] = columnCodes[member.columns[why[0]!.topFeature]!]!;
      }
    }
  }
  return { score, flag, explanation, threshold };
}

/** Copies the given columns of `count` rows from `first` into `out` (reused) as a matrix view. */
function gatherColumns(x: Rows, columns: Uint32Array, out: Float64Array, first = 0, count = x.rows - first): Matrix {
  const width = columns.length;
  for (let r = 0; r < count; r++) {
    const from = (first + r) * x.cols;
    for (let j = 0; j < width; j++) {
      out[r * width + j] = x.data[from + columns[j]!]!;
    }
  }
  return { data: out.subarray(0, count * width), rows: count, cols: width };
}

/** DBSCAN needs more rows than `minSamples` for "dense" to mean anything. */
function dbscanRowsNeeded(minSamples: number): number {
  return minSamples + 1;
}

/**
 * DBSCAN on the rows themselves (no training): standardized on the rows, then
 * clustered; noise is flagged. `eps: 'auto'` derives eps from `contamination`
 * (see src/detectors autoEps). Score: the distance to the nearest core row
 * over eps, so a row is flagged (noise) exactly when its score is above 1;
 * when no row is core at all, every row is noise and scores its k-distance
 * over eps (above 1 too). Scores compare within one run, not across runs.
 */
export function detectDbscan(
  rows: Rows,
  spec: FeatureSpec,
  options: { eps: number | 'auto'; minSamples: number; contamination: number; cancel?: CancelCheck },
  dropped: DropCounts = emptyDropCounts()
): (Scores & { ok: true; eps: number }) | TooFewRows {
  const needed = dbscanRowsNeeded(options.minSamples);
  if (rows.rows < needed) {
    return { ok: false, reason: 'too_few_rows', rows: rows.rows, needed, dropped };
  }
  throwIfCancelled(options.cancel);
  const x = StandardScaler.fit(rows).transform(rows);
  const eps =
    options.eps === 'auto'
      ? autoEps(x, { minSamples: options.minSamples, contamination: options.contamination })
      : options.eps;
  throwIfCancelled(options.cancel);
  const result = dbscan(x, { eps, minSamples: options.minSamples }, { signal: options.cancel });
  const codes = columnCodesOf(spec);
  const n = rows.rows;
  const flag = new Uint8Array(n);
  const explanation = new Float64Array(n).fill(NO_EXPLANATION);
  const why = explainDbscan(x, result);
  const distance = result.noiseCount === n ? kDistances(x, options.minSamples) : nearestCoreDistances(x, result);
  const score = distance.map((d) => d / eps);
  for (let r = 0; r < n; r++) {
    if (result.labels[r] < 0) {
      flag[r] = 1;
      explanation[r] = codes[why.get(r)!.topFeature]!;
    }
  }
  return { ok: true, score, flag, explanation, threshold: 1, eps };
}
