/**
 * The range guard: a reading far outside what the training data holds is an
 * anomaly, however an Isolation Forest happens to score it.
 *
 * Why: a forest's thresholds lie inside the training range, so a reading 50
 * standard deviations out lands in the same leaf as the most extreme training
 * readings and scores like them, not higher. Ranked, such readings come out
 * high; flagged at the contamination threshold, often not (a single 45 °C
 * reading in an ordinary day went unflagged on two sensors out of three).
 *
 * How: per column that describes the reading itself (`value`, `deviation`,
 * `daily_profile`, `cross_residual` — not the window statistics `spread`,
 * `rate` and `roughness`, which stay disturbed after any fault), the training
 * data's median m and 1st and 99th percentiles q01, q99. A reading's excess
 * on that column is how far it lies beyond q99 in units of (q99 − m), or
 * below q01 in units of (m − q01); its guard score g is the largest excess.
 * Past {@link GUARD_LIMIT} — four times as far from the median as the 99th
 * percentile — the reading is flagged, its score lifted above the threshold
 * by log2(g / limit) (so it keeps growing the further out the reading is),
 * and its explanation is that column. Measured (docs/quality.md): it flags
 * about every simulated spike, and 0.01 % of clean readings trip it.
 *
 * The scales are the training data's own (robust quantiles, so the anomalies
 * a history holds barely move them); columns that do not vary on one side in
 * the training data are not guarded on that side (nothing says how far is far).
 *
 * The other side of the same idea, the rate clip: the forests see every
 * `rate` column clipped to median ± 2 × (99th or 1st percentile − median) of
 * its training values. A rate's tails come from the edges of faults (a
 * dropout starting or ending moves the reading by its whole value in a
 * minute), and a forest draws its split points uniformly between a column's
 * extremes, so those few rows stretched the range and left few splits where
 * drifts differ from weather. Clipped, drift ranked better (ROC-AUC 0.899 →
 * 0.917) and nothing else worse; `spread`, `roughness` and the point columns
 * are not clipped (a stuck sensor *is* their low tail, noise their high one;
 * the guard covers the points). Both work on the raw feature values, before the scaler.
 */
import { featureColumns, type FeatureTransform } from '../../common/features';
import type { Matrix } from '../../detectors';
import { quantileSorted } from './profile';
import type { FeatureSpec, RangeGuardJson, RateClipJson } from './types';

/** Excess beyond which a reading is flagged, in units of the training data's (q99 − median). */
const GUARD_LIMIT = 3;

/** Transforms whose columns describe the reading itself (see the module comment). */
const GUARDED: ReadonlySet<FeatureTransform> = new Set(['value', 'deviation', 'daily_profile', 'cross_residual']);

/** How far the clip reaches past the median, in units of (99th or 1st percentile − median). */
const CLIP_REACH = 2;

/** The 1st percentile, median and 99th percentile of a column of the training rows. */
function columnQuantiles(x: Matrix, c: number, values: Float64Array): [number, number, number] {
  for (let r = 0; r < x.rows; r++) {
    values[r] = x.data[r * x.cols + c]!;
  }
  values.sort();
  return [quantileSorted(values, 0.01), quantileSorted(values, 0.5), quantileSorted(values, 0.99)];
}

/** The guard and the rate clip of a spec's features, from the (raw) training rows. */
export function fitTails(x: Matrix, spec: FeatureSpec): { guard: RangeGuardJson; clip: RateClipJson } {
  const columns = featureColumns(spec.metrics, spec.transforms);
  const guard: RangeGuardJson = { columns: [], low: [], median: [], high: [], limit: GUARD_LIMIT };
  const clip: RateClipJson = { columns: [], low: [], high: [] };
  const values = new Float64Array(x.rows);
  columns.forEach((column, c) => {
    if (GUARDED.has(column.transform)) {
      const [low, median, high] = columnQuantiles(x, c, values);
      guard.columns.push(c);
      guard.low.push(low);
      guard.median.push(median);
      guard.high.push(high);
    } else if (column.transform === 'rate') {
      const [low, median, high] = columnQuantiles(x, c, values);
      clip.columns.push(c);
      clip.low.push(median - CLIP_REACH * (median - low));
      clip.high.push(median + CLIP_REACH * (high - median));
    }
  });
  return { guard, clip };
}

/** Clips the rate columns of `rows` row-major rows of `data` in place. */
export function applyClip(clip: RateClipJson, data: Float64Array, rows: number, cols: number): void {
  const { columns, low, high } = clip;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let i = 0; i < columns.length; i++) {
      const at = base + columns[i]!;
      const v = data[at]!;
      data[at] = v < low[i]! ? low[i]! : v > high[i]! ? high[i]! : v;
    }
  }
}

/** A guard ready to apply: per guarded column, where excess starts and the inverse of its unit (0: not guarded). */
export class RangeGuard {
  readonly limit: number;
  private readonly columns: Uint32Array;
  private readonly low: Float64Array;
  private readonly high: Float64Array;
  private readonly inverseDown: Float64Array;
  private readonly inverseUp: Float64Array;
  /** After {@link excess}: the column of the largest excess. */
  column = 0;

  constructor(json: RangeGuardJson) {
    this.limit = json.limit;
    this.columns = Uint32Array.from(json.columns);
    this.low = Float64Array.from(json.low);
    this.high = Float64Array.from(json.high);
    this.inverseDown = Float64Array.from(json.low, (low, i) =>
      json.median[i]! > low ? 1 / (json.median[i]! - low) : 0
    );
    this.inverseUp = Float64Array.from(json.high, (high, i) =>
      high > json.median[i]! ? 1 / (high - json.median[i]!) : 0
    );
  }

  /** The guard score g of the row at `data[base …]` (0 inside the range); sets {@link column}. */
  excess(data: Float64Array, base: number): number {
    let worst = 0;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i]!;
      const v = data[base + c]!;
      const above = (v - this.high[i]!) * this.inverseUp[i]!;
      const below = (this.low[i]! - v) * this.inverseDown[i]!;
      const e = above > below ? above : below;
      if (e > worst) {
        worst = e;
        this.column = c;
      }
    }
    return worst;
  }
}
