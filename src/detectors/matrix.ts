import { DetectorInputError } from './errors';

/**
 * A dense row-major matrix: row `r`, feature `c` lives at `data[r * cols + c]`.
 * Every detector works on this layout so that a row is a contiguous slice and
 * scoring walks memory in order.
 */
export interface Matrix {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** What the detectors accept: a {@link Matrix}, or rows as plain arrays for convenience. */
export type MatrixInput = Matrix | ReadonlyArray<ArrayLike<number>>;

/** Wraps a flat row-major array; checks only the shape (use {@link requireFiniteMatrix} for values). */
export function matrixFromFlat(data: Float64Array, cols: number): Matrix {
  if (!Number.isInteger(cols) || cols < 1) {
    throw new DetectorInputError('cols', 'an integer ≥ 1', cols);
  }
  if (data.length % cols !== 0) {
    throw new DetectorInputError('data', `a length that is a multiple of ${cols} features`, data.length);
  }
  return { data, rows: data.length / cols, cols };
}

/** Copies `number[][]`-style rows into a {@link Matrix}; every row must have the same width. */
export function matrixFromRows(rows: ReadonlyArray<ArrayLike<number>>): Matrix {
  if (rows.length === 0) {
    throw new DetectorInputError('data', 'at least one row', 0);
  }
  const cols = rows[0].length;
  if (cols < 1) {
    throw new DetectorInputError('row 0', 'at least one feature', cols);
  }
  const data = new Float64Array(rows.length * cols);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    if (row.length !== cols) {
      throw new DetectorInputError(`row ${r}`, `${cols} features, like row 0`, row.length);
    }
    for (let c = 0; c < cols; c++) {
      data[r * cols + c] = row[c];
    }
  }
  return { data, rows: rows.length, cols };
}

function isMatrix(input: MatrixInput): input is Matrix {
  return (input as Matrix).data instanceof Float64Array;
}

/** Accepts either input form and returns a {@link Matrix} (no copy when it already is one). */
export function toMatrix(input: MatrixInput): Matrix {
  if (!isMatrix(input)) {
    return matrixFromRows(input);
  }
  if (input.data.length !== input.rows * input.cols || input.cols < 1) {
    throw new DetectorInputError('data', `rows × cols = ${input.rows} × ${input.cols} values`, input.data.length);
  }
  return input;
}

/**
 * Converts the input and checks it is usable: at least `minRows` rows, the
 * expected width (when given) and only finite values. The error names the
 * first offending row and feature.
 */
export function requireFiniteMatrix(input: MatrixInput, minRows = 1, expectedCols?: number): Matrix {
  const m = toMatrix(input);
  if (m.rows < minRows) {
    throw new DetectorInputError('data', `at least ${minRows} row${minRows === 1 ? '' : 's'}`, m.rows);
  }
  if (expectedCols !== undefined && m.cols !== expectedCols) {
    throw new DetectorInputError(
      'data',
      `rows of ${expectedCols} features (the width the model was fitted on)`,
      m.cols
    );
  }
  const { data, cols } = m;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const row = Math.floor(i / cols);
      throw new DetectorInputError(
        `row ${row}, feature ${i - row * cols}`,
        'a finite number (drop rows with missing readings first, see dropIncompleteRows)',
        data[i]
      );
    }
  }
  return m;
}

/** The rows kept by {@link dropIncompleteRows}, and which input rows they were. */
export interface CompleteRows {
  matrix: Matrix;
  /** `keptIndices[i]` is the input row that became row `i` of `matrix`. */
  keptIndices: Uint32Array;
  /** How many rows held a NaN or ±Infinity and were left out. */
  droppedCount: number;
}

/**
 * Leaves out rows holding NaN or ±Infinity (a missing or broken reading) and
 * says which rows were kept and how many were dropped. The detectors never do
 * this on their own: the caller decides to drop, and reports the count.
 */
export function dropIncompleteRows(input: MatrixInput): CompleteRows {
  const m = toMatrix(input);
  const { data, rows, cols } = m;
  const kept = new Uint32Array(rows);
  let keptCount = 0;
  for (let r = 0; r < rows; r++) {
    if (rowIsFinite(data, r * cols, cols)) {
      kept[keptCount++] = r;
    }
  }
  const out = new Float64Array(keptCount * cols);
  for (let i = 0; i < keptCount; i++) {
    out.set(data.subarray(kept[i] * cols, kept[i] * cols + cols), i * cols);
  }
  return {
    matrix: { data: out, rows: keptCount, cols },
    keptIndices: kept.slice(0, keptCount),
    droppedCount: rows - keptCount,
  };
}

function rowIsFinite(data: Float64Array, start: number, cols: number): boolean {
  for (let c = 0; c < cols; c++) {
    if (!Number.isFinite(data[start + c])) {
      return false;
    }
  }
  return true;
}

/**
 * numpy's default percentile (`method='linear'`): the value at fractional rank
 * `q/100 · (n − 1)` of the sorted values, interpolated between neighbours.
 * Sorts a copy; `values` is left untouched.
 */
export function percentileLinear(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const rank = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return lerpNumpy(sorted[lo], sorted[hi], rank - lo);
}

/**
 * numpy's `_lerp`: a + (b − a)·t, computed from the nearer end so the result is
 * exact at both ends and equal to numpy's to the last bit.
 */
function lerpNumpy(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Writes [min, max] of feature `feature` over the rows `rows[from, to)` of a
 * row-major array into `out` (reused by callers in loops, so nothing is allocated).
 */
export function featureRange(
  data: Float64Array,
  cols: number,
  rows: Uint32Array,
  from: number,
  to: number,
  feature: number,
  out: Float64Array
): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const v = data[rows[i] * cols + feature];
    min = v < min ? v : min;
    max = v > max ? v : max;
  }
  out[0] = min;
  out[1] = max;
}
