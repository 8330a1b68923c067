import { DetectorInputError } from './errors';
import { Matrix, MatrixInput, requireFiniteMatrix } from './matrix';

/** A fitted scaler as plain JSON (means and scales per feature). */
export interface StandardScalerJson {
  kind: 'standard_scaler';
  version: 1;
  mean: number[];
  scale: number[];
}

/**
 * Standardizes each feature to zero mean and unit variance, as scikit-learn's
 * `StandardScaler` does: the scale is the population standard deviation
 * (divide by n, not n − 1), and a feature with zero variance keeps scale 1 so
 * it is centred but not blown up.
 */
export class StandardScaler {
  private constructor(
    /** Per-feature mean of the training data. */
    readonly mean: Float64Array,
    /** Per-feature divisor: the population standard deviation, or 1 for a constant feature. */
    readonly scale: Float64Array
  ) {}

  static fit(input: MatrixInput): StandardScaler {
    const { data, rows, cols } = requireFiniteMatrix(input);
    const mean = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        mean[c] += data[r * cols + c];
      }
    }
    for (let c = 0; c < cols; c++) {
      mean[c] /= rows;
    }
    // Two passes (sum of squared deviations from the mean) rather than
    // E[x²] − E[x]², which loses all precision on large offsets like pressure in hPa.
    const scale = new Float64Array(cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const d = data[r * cols + c] - mean[c];
        scale[c] += d * d;
      }
    }
    for (let c = 0; c < cols; c++) {
      const variance = scale[c] / rows;
      scale[c] = isConstantFeature(variance, mean[c], rows) ? 1 : Math.sqrt(variance);
    }
    return new StandardScaler(mean, scale);
  }

  get nFeatures(): number {
    return this.mean.length;
  }

  /** Returns a new standardized matrix: (x − mean) / scale per feature. */
  transform(input: MatrixInput): Matrix {
    const m = requireFiniteMatrix(input, 1, this.nFeatures);
    const out = new Float64Array(m.data.length);
    this.standardize(m.data, out);
    return { data: out, rows: m.rows, cols: m.cols };
  }

  /**
   * Standardizes row-major `src` into `dst` (same length); allocation-free, for
   * streaming. Checks its input as {@link transform} does: whole rows of the
   * fitted width, finite values, and a `dst` of the same length.
   */
  transformInto(src: ArrayLike<number>, dst: Float64Array): void {
    const cols = this.nFeatures;
    if (src.length === 0 || src.length % cols !== 0) {
      throw new DetectorInputError(
        'data',
        `rows of ${cols} features (the width the model was fitted on)`,
        `${src.length} values`
      );
    }
    if (dst.length !== src.length) {
      throw new DetectorInputError('dst', `${src.length} values, as many as src`, dst.length);
    }
    for (let i = 0; i < src.length; i++) {
      if (!Number.isFinite(src[i])) {
        const row = Math.floor(i / cols);
        throw new DetectorInputError(`row ${row}, feature ${i - row * cols}`, 'a finite number', src[i]);
      }
    }
    this.standardize(src, dst);
  }

  private standardize(src: ArrayLike<number>, dst: Float64Array): void {
    const cols = this.nFeatures;
    for (let i = 0; i < src.length; i++) {
      const c = i % cols;
      dst[i] = (src[i] - this.mean[c]) / this.scale[c];
    }
  }

  toJSON(): StandardScalerJson {
    return { kind: 'standard_scaler', version: 1, mean: Array.from(this.mean), scale: Array.from(this.scale) };
  }

  static fromJSON(json: unknown): StandardScaler {
    const j = json as Partial<StandardScalerJson> | null;
    if (!j || j.kind !== 'standard_scaler' || j.version !== 1) {
      throw new DetectorInputError('model', 'a standard_scaler model of version 1', j?.kind ?? json);
    }
    if (!Array.isArray(j.mean) || !Array.isArray(j.scale) || j.mean.length !== j.scale.length || j.mean.length < 1) {
      throw new DetectorInputError('model.mean/scale', 'two non-empty lists of the same length', j.mean);
    }
    return new StandardScaler(Float64Array.from(j.mean), Float64Array.from(j.scale));
  }
}

/**
 * scikit-learn's test for a constant column: a variance within the error bound
 * of the two-pass algorithm (Chan, Golub & LeVeque) is rounding noise, not spread.
 */
function isConstantFeature(variance: number, mean: number, n: number): boolean {
  const eps = Number.EPSILON;
  const upperBound = n * eps * variance + (n * mean * eps) ** 2;
  return variance <= upperBound;
}
