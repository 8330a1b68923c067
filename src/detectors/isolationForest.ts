import { ISOLATION_FOREST_CONSTRAINTS as C, describeAllowed, satisfies, type ParameterConstraint } from './constraints';
import { AbortCheck, DetectorInputError, throwIfAborted } from './errors';
import { Explanation, explanationFromCredits } from './explanation';
import { featureRange, Matrix, MatrixInput, percentileLinear, requireFiniteMatrix } from './matrix';
import { lnInteger } from './exactLog';
import { Xoshiro128, streamSeed } from './random';

/**
 * Isolation Forest (Liu, Ting & Zhou, 2008) with scikit-learn's conventions,
 * so a score here means what `sklearn.ensemble.IsolationForest` means by it.
 *
 * Each tree is grown on a random subsample of `maxSamples` rows by splitting on
 * a random feature at a uniformly random threshold between the node's minimum
 * and maximum, until a row is alone or the depth limit ⌈log₂ maxSamples⌉ is
 * reached. Anomalies are few and different, so they are isolated near the root:
 * a short average path length h(x) means anomalous.
 *
 * - `scoreSamples(x) = −2^(−E[h(x)] / c(maxSamples))`, in [−1, 0): lower is more
 *   anomalous. h counts the edges from root to leaf plus c(leaf size), the
 *   expected depth still needed to isolate x among the rows an unsplit leaf holds.
 * - `decisionFunction(x) = scoreSamples(x) − offset`: negative means anomaly.
 * - `offset` is −0.5 for `contamination: 'auto'` (the paper's threshold), else the
 *   `contamination` percentile of the training scores (numpy's linear percentile),
 *   so that fraction of the training rows is flagged.
 * - `predict` returns −1 for anomalies and 1 for normal rows.
 */
export interface IsolationForestOptions {
  /** Number of trees, 1 to 1,000 (constraints.ts). Default 100. */
  nEstimators?: number;
  /**
   * Rows drawn (without replacement) to grow each tree: 'auto' = min(256, n);
   * a fraction in (0, 1] of n (so 1 means all rows); or an integer count > 1,
   * capped at n as scikit-learn does. Default 'auto'.
   */
  maxSamples?: 'auto' | number;
  /**
   * Features each tree may split on, drawn per tree without replacement: a
   * fraction f in (0, 1] of the n features, max(1, int(f·n)) of them (1 means
   * all), or an integer count from 2 to n (more than n is an error, as in
   * scikit-learn). Default 1 (all features).
   */
  maxFeatures?: number;
  /**
   * Expected share of anomalies in the training data, in (0, 0.5], or 'auto'
   * (offset −0.5, scikit-learn's default). Default 0.01: on sensor data 'auto'
   * flags about a fifth of all readings at a few percent precision, useless for
   * alerting, while a percentile threshold flags a known, small share.
   */
  contamination?: 'auto' | number;
  /** Seed of the xoshiro128** generator: same seed and data ⇒ same trees and scores. Default 42. */
  seed?: number;
}

export type ResolvedIsolationForestOptions = Required<IsolationForestOptions>;

/** The result of {@link IsolationForest.detect}. */
export interface Detection {
  /** scoreSamples per row (lower is more anomalous). */
  scores: Float64Array;
  /** 1 where the row is an anomaly (score below the offset). */
  flags: Uint8Array;
  /** For each flagged row, the feature that isolated it fastest. */
  explanations: Map<number, Explanation>;
}

/** The serialized form: versioned plain JSON, exact on round trip. */
export interface IsolationForestJson {
  kind: 'isolation_forest';
  version: 1;
  options: ResolvedIsolationForestOptions;
  nFeatures: number;
  /** Rows per tree actually used (after 'auto', fraction or capping). */
  maxSamplesUsed: number;
  offset: number;
  /** Index of each tree's root in the node arrays. */
  roots: number[];
  /** Split feature per node, −1 for a leaf. */
  feature: number[];
  threshold: number[];
  /** Left child per node; the right child is always `left + 1`. */
  left: number[];
  /** For a leaf: its depth + c(training rows in it). Unused (0) for split nodes. */
  pathLength: number[];
}

const EULER_GAMMA = 0.5772156649015329;
/** Rows scored together tree by tree (their features stay in cache: 256 rows × 16 columns = 32 KB). */
const SCORE_BLOCK_ROWS = 256;
/** scikit-learn's tree splitter treats a feature spanning less than this as constant in a node. */
const FEATURE_THRESHOLD = 1e-7;

/**
 * c(n): the average path length of an unsuccessful search in a binary search
 * tree of n keys, 2·H(n − 1) − 2(n − 1)/n with H(i) ≈ ln i + γ; by convention
 * c(n) = 0 for n ≤ 1 and c(2) = 1 (scikit-learn's `_average_path_length`).
 * Bit-identical to scikit-learn's for every integer n (see {@link lnInteger}).
 */
export function averagePathLength(n: number): number {
  if (n <= 1) {
    return 0;
  }
  if (n === 2) {
    return 1;
  }
  return 2 * (lnInteger(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** c(n) for n in [0, limit] (leaf sizes never exceed maxSamples), kept per limit: a forest grows in many parts. */
const pathLengthTables = new Map<number, Float64Array>();
function averagePathLengthTable(limit: number): Float64Array {
  let table = pathLengthTables.get(limit);
  if (!table) {
    table = Float64Array.from({ length: limit + 1 }, (_, n) => averagePathLength(n));
    if (pathLengthTables.size >= 8) {
      pathLengthTables.clear();
    }
    pathLengthTables.set(limit, table);
  }
  return table;
}

/**
 * Validates options and fills in defaults from the constraints table
 * (constraints.ts); errors name the option and say what is allowed.
 */
export function resolveIsolationForestOptions(options: IsolationForestOptions = {}): ResolvedIsolationForestOptions {
  return {
    nEstimators: checked('nEstimators', C.nEstimators, options.nEstimators),
    maxSamples: checked('maxSamples', C.maxSamples, options.maxSamples),
    maxFeatures: checked('maxFeatures', C.maxFeatures, options.maxFeatures),
    contamination: checked('contamination', C.contamination, options.contamination),
    seed: checked('seed', C.seed, options.seed),
  };
}

/** The value, or the parameter's default when undefined; throws unless the table allows it. */
function checked<D extends number | string>(
  name: string,
  parameter: ParameterConstraint<D>,
  value: number | string | undefined
): number | D {
  const v = value ?? parameter.default;
  if (typeof v === 'string' ? parameter.alsoAllowed.includes(v) : satisfies(parameter.constraint, v)) {
    return v as number | D;
  }
  throw new DetectorInputError(name, describeAllowed(parameter), v);
}

/**
 * A count-or-fraction option applied to a total, as scikit-learn does: a
 * fraction f takes int(f·n) (at least 1 for maxFeatures, as scikit-learn's
 * bagging takes max(1, int(f·n)); maxSamples must come to at least 1), a count
 * is capped at n for maxSamples (scikit-learn warns and uses all rows) and is
 * an error above n for maxFeatures.
 */
function countFrom(parameter: 'maxSamples' | 'maxFeatures', value: number, total: number): number {
  if (value <= 1) {
    const count = Math.floor(value * total);
    if (parameter === 'maxFeatures') {
      return Math.max(1, count);
    }
    if (count < 1) {
      throw new DetectorInputError(parameter, `large enough to select at least 1 of ${total} rows`, value);
    }
    return count;
  }
  if (parameter === 'maxFeatures' && value > total) {
    throw new DetectorInputError(parameter, `at most the ${total} features of the data`, value);
  }
  return Math.min(value, total);
}

/** Flat node arrays for the whole forest, grown tree by tree. */
class ForestBuilder {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  pathLength: Float64Array;
  size = 0;

  constructor(capacity: number) {
    this.feature = new Int32Array(capacity);
    this.threshold = new Float64Array(capacity);
    this.left = new Int32Array(capacity);
    this.pathLength = new Float64Array(capacity);
  }

  /** A leaf loops to itself: threshold +∞ sends every row "left", and left is the leaf. */
  makeLeaf(node: number, pathLength: number): void {
    this.feature[node] = 0;
    this.threshold[node] = Infinity;
    this.left[node] = node;
    this.pathLength[node] = pathLength;
  }

  allocate(count: number): number {
    const first = this.size;
    this.size += count;
    return first;
  }
}

/**
 * Grows one isolation tree over `sample` (row-major, `cols` wide; the rows
 * `order[start, end)` reach the node) and writes it into the builder.
 */
class TreeGrower {
  private readonly candidates: Int32Array;
  private readonly range = new Float64Array(2);

  constructor(
    private readonly forest: ForestBuilder,
    private readonly sample: Float64Array,
    private readonly cols: number,
    private readonly order: Uint32Array,
    private readonly features: Int32Array,
    private readonly maxDepth: number,
    private readonly rng: Xoshiro128,
    private readonly leafPathLength: Float64Array
  ) {
    this.candidates = new Int32Array(features.length);
  }

  grow(node: number, start: number, end: number, depth: number): void {
    const f = this.forest;
    const n = end - start;
    const split = n >= 2 && depth < this.maxDepth ? this.drawSplit(start, end) : null;
    if (split === null) {
      f.makeLeaf(node, depth + this.leafPathLength[n]);
      return;
    }
    const mid = this.partition(start, end, split.feature, split.threshold);
    const left = f.allocate(2);
    f.feature[node] = split.feature;
    f.threshold[node] = split.threshold;
    f.left[node] = left;
    this.grow(left, start, mid, depth + 1);
    this.grow(left + 1, mid, end, depth + 1);
  }

  /**
   * Draws features in random order until one is not constant in this node (as
   * scikit-learn's random splitter does), then a threshold uniform in
   * [min, max); null when every feature is constant here.
   */
  private drawSplit(start: number, end: number): { feature: number; threshold: number } | null {
    const candidates = this.candidates;
    candidates.set(this.features);
    for (let remaining = candidates.length; remaining > 0; remaining--) {
      const pick = this.rng.nextInt(remaining);
      const feature = candidates[pick];
      candidates[pick] = candidates[remaining - 1];
      featureRange(this.sample, this.cols, this.order, start, end, feature, this.range);
      const min = this.range[0];
      const max = this.range[1];
      if (max > min + FEATURE_THRESHOLD) {
        let threshold = min + this.rng.nextFloat() * (max - min);
        if (threshold >= max) {
          threshold = min; // rounding reached max: keep both sides non-empty
        }
        return { feature, threshold };
      }
    }
    return null;
  }

  /** Moves rows with value ≤ threshold to the front; returns where the right side begins. */
  private partition(start: number, end: number, feature: number, threshold: number): number {
    const { order, sample, cols } = this;
    let lo = start;
    let hi = end - 1;
    while (lo <= hi) {
      if (sample[order[lo] * cols + feature] <= threshold) {
        lo++;
      } else {
        const tmp = order[lo];
        order[lo] = order[hi];
        order[hi] = tmp;
        hi--;
      }
    }
    return lo;
  }
}

export class IsolationForest {
  private constructor(
    readonly options: ResolvedIsolationForestOptions,
    readonly nFeatures: number,
    readonly maxSamplesUsed: number,
    private readonly roots: Int32Array,
    private readonly feature: Int32Array,
    private readonly threshold: Float64Array,
    private readonly left: Int32Array,
    private readonly pathLength: Float64Array,
    /** scoreSamples below this are anomalies; see the class comment. */
    readonly offset: number
  ) {
    const denominator = roots.length * averagePathLength(maxSamplesUsed);
    this.inverseDenominator = denominator === 0 ? 0 : 1 / denominator;
    this.maxDepth = depthLimit(maxSamplesUsed);
    this.rowScratch = new Float64Array(nFeatures);
  }

  /** ⌈log₂ maxSamples⌉: no leaf is deeper, so this many steps reach a leaf from any root. */
  private readonly maxDepth: number;
  /**
   * {@link scoreOne} copies its row here, so the hot loop only ever reads a
   * Float64Array (one element kind keeps V8's code monomorphic) and nothing is allocated per call.
   */
  private readonly rowScratch: Float64Array;

  /** 1 / (trees · c(maxSamples)), or 0 when c is 0 (a single training row: every score is −0.5, as in scikit-learn). */
  private readonly inverseDenominator: number;

  /**
   * Grows the forest on `training` and sets the offset from `contamination`.
   * `run.signal` is polled between trees: an abort throws {@link DetectorAbortedError}.
   * The same as {@link growTrees} over all trees, {@link fromParts} and
   * {@link withTrainingScores} on the training rows' scores, which is how a
   * caller grows one forest on several threads with the very same result.
   */
  static fit(
    training: MatrixInput,
    options: IsolationForestOptions = {},
    run: { signal?: AbortCheck } = {}
  ): IsolationForest {
    const opts = resolveIsolationForestOptions(options);
    const x = requireFiniteMatrix(training);
    const unfitted = IsolationForest.fromParts(opts, [growTrees(x, opts, 0, opts.nEstimators, run)]);
    return opts.contamination === 'auto' ? unfitted : unfitted.withTrainingScores(unfitted.scoreRows(x));
  }

  /**
   * The forest made of consecutive parts from {@link growTrees} (trees 0 … n − 1
   * in order), offset −0.5 until {@link withTrainingScores} sets it from data.
   */
  static fromParts(options: IsolationForestOptions, parts: readonly ForestPart[]): IsolationForest {
    const opts = resolveIsolationForestOptions(options);
    if (parts.length === 0) {
      throw new DetectorInputError('parts', 'at least one part of a forest', 0);
    }
    const nodes = parts.reduce((n, p) => n + p.feature.length, 0);
    const trees = parts.reduce((n, p) => n + p.roots.length, 0);
    const forest = new ForestBuilder(nodes);
    const roots = new Int32Array(trees);
    let tree = 0;
    for (const part of parts) {
      if (
        part.firstTree !== tree ||
        part.nFeatures !== parts[0]!.nFeatures ||
        part.maxSamplesUsed !== parts[0]!.maxSamplesUsed
      ) {
        throw new DetectorInputError('parts', 'consecutive trees of one forest, in order', part.firstTree);
      }
      const base = forest.allocate(part.feature.length);
      forest.feature.set(part.feature, base);
      forest.threshold.set(part.threshold, base);
      forest.pathLength.set(part.pathLength, base);
      for (let i = 0; i < part.left.length; i++) {
        forest.left[base + i] = part.left[i]! + base;
      }
      for (let t = 0; t < part.roots.length; t++) {
        roots[tree++] = part.roots[t]! + base;
      }
    }
    const { nFeatures, maxSamplesUsed } = parts[0]!;
    return new IsolationForest(
      opts,
      nFeatures,
      maxSamplesUsed,
      roots,
      forest.feature,
      forest.threshold,
      forest.left,
      forest.pathLength,
      -0.5
    );
  }

  /**
   * This forest with the offset `fit` sets from the training rows' scores
   * (scoreSamples): their `contamination` percentile, or −0.5 for 'auto'.
   */
  withTrainingScores(trainingScores: Float64Array): IsolationForest {
    const c = this.options.contamination;
    return this.withOffset(c === 'auto' ? -0.5 : percentileLinear(trainingScores, 100 * c));
  }

  private withOffset(offset: number): IsolationForest {
    return new IsolationForest(
      this.options,
      this.nFeatures,
      this.maxSamplesUsed,
      this.roots,
      this.feature,
      this.threshold,
      this.left,
      this.pathLength,
      offset
    );
  }

  /** scikit-learn's `score_samples`: −2^(−E[h]/c(maxSamples)) per row; lower is more anomalous. */
  scoreSamples(input: MatrixInput): Float64Array {
    return this.scoreRows(requireFiniteMatrix(input, 1, this.nFeatures));
  }

  /**
   * scoreSamples of a matrix already validated, so fit and detect scan their
   * input once. Tree by tree over a block of rows rather than row by row over
   * the whole forest: four trees' nodes (a few KB) stay in the fastest cache
   * while every row of the block descends them, where a row-by-row walk
   * fetches the whole forest (hundreds of KB) again for every row. Each row's
   * path lengths are summed in the same order as {@link scoreAt}'s, so the
   * scores are bit-identical to scoring one row at a time.
   */
  private scoreRows(x: Matrix): Float64Array {
    const totals = new Float64Array(x.rows);
    for (let first = 0; first < x.rows; first += SCORE_BLOCK_ROWS) {
      this.addPathLengths(x.data, x.cols, first, Math.min(x.rows, first + SCORE_BLOCK_ROWS), totals);
    }
    for (let r = 0; r < x.rows; r++) {
      totals[r] = this.scoreOfTotal(totals[r]);
    }
    return totals;
  }

  /** Adds every tree's path length for rows [first, end) to `totals`, four trees at a time as scoreAt groups them. */
  private addPathLengths(data: Float64Array, cols: number, first: number, end: number, totals: Float64Array): void {
    const { roots, feature, threshold, left, pathLength, maxDepth } = this;
    const grouped = roots.length - (roots.length % 4);
    for (let t = 0; t < grouped; t += 4) {
      const ra = roots[t];
      const rb = roots[t + 1];
      const rc = roots[t + 2];
      const rd = roots[t + 3];
      let r = first;
      // Two rows at a time: eight independent descents keep the CPU's load units busy.
      for (; r + 1 < end; r += 2) {
        const base = r * cols;
        const base2 = base + cols;
        let a = ra;
        let b = rb;
        let c = rc;
        let d = rd;
        let e = ra;
        let f = rb;
        let g = rc;
        let h = rd;
        for (let k = 0; k < maxDepth; k++) {
          a = left[a] + +(data[base + feature[a]] > threshold[a]);
          b = left[b] + +(data[base + feature[b]] > threshold[b]);
          c = left[c] + +(data[base + feature[c]] > threshold[c]);
          d = left[d] + +(data[base + feature[d]] > threshold[d]);
          e = left[e] + +(data[base2 + feature[e]] > threshold[e]);
          f = left[f] + +(data[base2 + feature[f]] > threshold[f]);
          g = left[g] + +(data[base2 + feature[g]] > threshold[g]);
          h = left[h] + +(data[base2 + feature[h]] > threshold[h]);
        }
        totals[r] += pathLength[a] + pathLength[b] + pathLength[c] + pathLength[d];
        totals[r + 1] += pathLength[e] + pathLength[f] + pathLength[g] + pathLength[h];
      }
      for (; r < end; r++) {
        const base = r * cols;
        let a = ra;
        let b = rb;
        let c = rc;
        let d = rd;
        for (let k = 0; k < maxDepth; k++) {
          a = left[a] + +(data[base + feature[a]] > threshold[a]);
          b = left[b] + +(data[base + feature[b]] > threshold[b]);
          c = left[c] + +(data[base + feature[c]] > threshold[c]);
          d = left[d] + +(data[base + feature[d]] > threshold[d]);
        }
        totals[r] += pathLength[a] + pathLength[b] + pathLength[c] + pathLength[d];
      }
    }
    for (let t = grouped; t < roots.length; t++) {
      const root = roots[t];
      for (let r = first; r < end; r++) {
        const base = r * cols;
        let a = root;
        for (let k = 0; k < maxDepth; k++) {
          a = left[a] + +(data[base + feature[a]] > threshold[a]);
        }
        totals[r] += pathLength[a];
      }
    }
  }

  /** The score of a row whose trees' path lengths sum to `total`. */
  private scoreOfTotal(total: number): number {
    const ratio = this.inverseDenominator === 0 ? 1 : total * this.inverseDenominator;
    return -Math.pow(2, -ratio);
  }

  /** `scoreSamples − offset`: negative for anomalies. */
  decisionFunction(input: MatrixInput): Float64Array {
    const scores = this.scoreSamples(input);
    for (let i = 0; i < scores.length; i++) {
      scores[i] -= this.offset;
    }
    return scores;
  }

  /** −1 for anomalies, 1 for normal rows. */
  predict(input: MatrixInput): Int8Array {
    const decision = this.decisionFunction(input);
    const labels = new Int8Array(decision.length);
    for (let i = 0; i < decision.length; i++) {
      labels[i] = decision[i] < 0 ? -1 : 1;
    }
    return labels;
  }

  /** 1 where a row is an anomaly (the boolean form of {@link predict}). */
  isAnomaly(input: MatrixInput): Uint8Array {
    const decision = this.decisionFunction(input);
    const flags = new Uint8Array(decision.length);
    for (let i = 0; i < decision.length; i++) {
      flags[i] = decision[i] < 0 ? 1 : 0;
    }
    return flags;
  }

  /**
   * Everything a dashboard query needs in one pass: scikit-learn scores, the
   * anomaly flags and, for flagged rows only, which feature isolated them.
   */
  detect(input: MatrixInput): Detection {
    const x = requireFiniteMatrix(input, 1, this.nFeatures);
    const scores = this.scoreRows(x);
    const flags = new Uint8Array(x.rows);
    const explanations = new Map<number, Explanation>();
    for (let r = 0; r < x.rows; r++) {
      if (scores[r] < this.offset) {
        flags[r] = 1;
        explanations.set(r, this.explainAt(x.data, r * x.cols));
      }
    }
    return { scores, flags, explanations };
  }

  /**
   * scoreSamples for a single row, for streaming: no allocation per call.
   * Throws {@link DetectorInputError} for a wrong width or a non-finite value.
   */
  scoreOne(row: ArrayLike<number>): number {
    if (row.length !== this.nFeatures) {
      throw new DetectorInputError('row', `${this.nFeatures} features`, row.length);
    }
    const copy = this.rowScratch;
    for (let c = 0; c < row.length; c++) {
      if (!Number.isFinite(row[c])) {
        throw new DetectorInputError(`feature ${c}`, 'a finite number', row[c]);
      }
      copy[c] = row[c];
    }
    return this.scoreAt(copy, 0);
  }

  /**
   * The hot path: descend every tree from `data[base…]` and turn the summed
   * path lengths into a score. Leaves loop to themselves (threshold +∞, left =
   * self), so every descent is exactly `maxDepth` steps with no leaf test, and
   * four trees descend side by side: their loads are independent, so the CPU
   * overlaps them instead of waiting on one chain of dependent loads.
   * `+(x > t)` rather than `x > t ? 1 : 0`: V8 turns it into a flag instead
   * of a branch the CPU would mispredict half the time (and not `Number(…)`,
   * a global looked up on every step: a hundred times slower inside a `vm`
   * context such as Jest's).
   */
  private scoreAt(data: Float64Array, base: number): number {
    const { roots, feature, threshold, left, pathLength, maxDepth } = this;
    const grouped = roots.length - (roots.length % 4);
    let total = 0;
    for (let t = 0; t < grouped; t += 4) {
      let a = roots[t];
      let b = roots[t + 1];
      let c = roots[t + 2];
      let d = roots[t + 3];
      for (let k = 0; k < maxDepth; k++) {
        a = left[a] + +(data[base + feature[a]] > threshold[a]);
        b = left[b] + +(data[base + feature[b]] > threshold[b]);
        c = left[c] + +(data[base + feature[c]] > threshold[c]);
        d = left[d] + +(data[base + feature[d]] > threshold[d]);
      }
      total += pathLength[a] + pathLength[b] + pathLength[c] + pathLength[d];
    }
    for (let t = grouped; t < roots.length; t++) {
      let a = roots[t];
      for (let k = 0; k < maxDepth; k++) {
        a = left[a] + +(data[base + feature[a]] > threshold[a]);
      }
      total += pathLength[a];
    }
    return this.scoreOfTotal(total);
  }

  /**
   * Which features isolated each row fastest. Every split on a row's path in a
   * tree credits its feature 1/h, h being the row's path length in that tree,
   * so features that cut the row off in few steps gather the most credit.
   * Shares are normalized to sum to 1 per row.
   */
  explain(input: MatrixInput): Explanation[] {
    const x = requireFiniteMatrix(input, 1, this.nFeatures);
    const out: Explanation[] = [];
    for (let r = 0; r < x.rows; r++) {
      out.push(this.explainAt(x.data, r * x.cols));
    }
    return out;
  }

  private explainAt(data: Float64Array, base: number): Explanation {
    const { roots, feature, threshold, left, pathLength } = this;
    const shares = new Float64Array(this.nFeatures);
    const pathFeatures = new Int32Array(64); // deeper than any tree: max depth is ⌈log₂ 2³²⌉ = 32
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      let steps = 0;
      while (left[node] !== node) {
        pathFeatures[steps++] = feature[node];
        node = data[base + feature[node]] <= threshold[node] ? left[node] : left[node] + 1;
      }
      const credit = 1 / Math.max(pathLength[node], 1);
      for (let s = 0; s < steps; s++) {
        shares[pathFeatures[s]] += credit;
      }
    }
    return explanationFromCredits(shares);
  }

  toJSON(): IsolationForestJson {
    const isLeaf = (node: number): boolean => this.left[node] === node;
    return {
      kind: 'isolation_forest',
      version: 1,
      options: this.options,
      nFeatures: this.nFeatures,
      maxSamplesUsed: this.maxSamplesUsed,
      offset: this.offset,
      roots: Array.from(this.roots),
      feature: Array.from(this.feature, (f, node) => (isLeaf(node) ? -1 : f)),
      threshold: Array.from(this.threshold, (t, node) => (isLeaf(node) ? 0 : t)),
      left: Array.from(this.left, (l, node) => (isLeaf(node) ? 0 : l)),
      pathLength: Array.from(this.pathLength),
    };
  }

  /** Rebuilds a model from {@link toJSON}'s output (or its JSON text, parsed); scores are bit-identical. */
  static fromJSON(json: unknown): IsolationForest {
    const j = json as Partial<IsolationForestJson> | null;
    if (!j || j.kind !== 'isolation_forest' || j.version !== 1) {
      throw new DetectorInputError('model', 'an isolation_forest model of version 1', j?.kind ?? json);
    }
    const nodes = j.feature?.length ?? -1;
    const shapeOk =
      Array.isArray(j.roots) &&
      j.roots.length >= 1 &&
      [j.feature, j.threshold, j.left, j.pathLength].every((a) => Array.isArray(a) && a.length === nodes) &&
      typeof j.offset === 'number' &&
      Number.isInteger(j.nFeatures) &&
      Number.isInteger(j.maxSamplesUsed) &&
      typeof j.options === 'object';
    if (!shapeOk) {
      throw new DetectorInputError(
        'model',
        'roots, feature, threshold, left and pathLength lists of equal length',
        nodes
      );
    }
    const forest = new ForestBuilder(nodes);
    forest.allocate(nodes);
    for (let node = 0; node < nodes; node++) {
      requireValidNode(j as IsolationForestJson, node);
      if (j.feature![node] < 0) {
        forest.makeLeaf(node, j.pathLength![node]);
      } else {
        forest.feature[node] = j.feature![node];
        forest.threshold[node] = j.threshold![node];
        forest.left[node] = j.left![node];
      }
    }
    return new IsolationForest(
      resolveIsolationForestOptions(j.options),
      j.nFeatures!,
      j.maxSamplesUsed!,
      Int32Array.from(j.roots!),
      forest.feature,
      forest.threshold,
      forest.left,
      forest.pathLength,
      j.offset!
    );
  }
}

function depthLimit(maxSamples: number): number {
  return Math.ceil(Math.log2(Math.max(maxSamples, 2)));
}

/** Refuses a corrupted model that would index out of range or loop while scoring. */
function requireValidNode(j: IsolationForestJson, node: number): void {
  const f = j.feature[node];
  const left = j.left[node];
  const isLeaf = f === -1;
  const validSplit = Number.isInteger(f) && f >= 0 && f < j.nFeatures && left > node && left + 1 < j.feature.length;
  if (!(isLeaf || validSplit) || typeof j.threshold[node] !== 'number' || typeof j.pathLength[node] !== 'number') {
    throw new DetectorInputError(
      `model node ${node}`,
      'a leaf (feature −1) or a split on a known feature whose children follow it',
      f
    );
  }
}

/**
 * Trees [firstTree, endTree) of a forest, grown on their own: node indices
 * (roots, left) count from the part's first node. {@link IsolationForest.fromParts}
 * joins consecutive parts into the forest. Plain typed arrays, so a part
 * crosses threads as it is.
 */
export interface ForestPart {
  firstTree: number;
  nFeatures: number;
  maxSamplesUsed: number;
  roots: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  pathLength: Float64Array;
}

/**
 * Grows trees [firstTree, endTree) of the forest `options` describes on
 * `training`. Tree t draws from its own generator, seeded from (seed, t), and
 * from the full set of rows and features: it is the same tree whoever grows
 * it, whatever else they grow — so a forest grown in parts on several threads
 * equals the forest grown in one piece. `run.signal` is polled between trees.
 */
export function growTrees(
  training: MatrixInput,
  options: IsolationForestOptions,
  firstTree: number,
  endTree: number,
  run: { signal?: AbortCheck } = {}
): ForestPart {
  const opts = resolveIsolationForestOptions(options);
  const x = requireFiniteMatrix(training);
  if (
    !Number.isInteger(firstTree) ||
    !Number.isInteger(endTree) ||
    firstTree < 0 ||
    endTree < firstTree ||
    endTree > opts.nEstimators
  ) {
    throw new DetectorInputError(
      'trees',
      `a range within the forest's ${opts.nEstimators} trees`,
      `${firstTree}…${endTree}`
    );
  }
  const maxSamples =
    opts.maxSamples === 'auto' ? Math.min(256, x.rows) : countFrom('maxSamples', opts.maxSamples, x.rows);
  const maxFeatures = countFrom('maxFeatures', opts.maxFeatures, x.cols);
  const count = endTree - firstTree;
  const maxDepth = depthLimit(maxSamples);
  const forest = new ForestBuilder(count * (2 * maxSamples - 1));
  const roots = new Int32Array(count);
  // One permutation of rows and one of features, put back in order after each tree
  // (the swaps undone), so every tree draws its subsets from the same starting point.
  const rowPool = identity(x.rows);
  const featurePool = identity(x.cols);
  const rowSwaps = new Uint32Array(maxSamples);
  const featureSwaps = new Uint32Array(maxFeatures);
  const leafPathLength = averagePathLengthTable(maxSamples);
  const sample = new Float64Array(maxSamples * x.cols);
  const order = new Uint32Array(maxSamples);
  for (let t = 0; t < count; t++) {
    throwIfAborted(run.signal);
    const rng = new Xoshiro128(streamSeed(opts.seed, firstTree + t));
    const features = Int32Array.from(drawSubset(rng, featurePool, maxFeatures, featureSwaps)).sort();
    const rows = drawSubset(rng, rowPool, maxSamples, rowSwaps);
    for (let i = 0; i < maxSamples; i++) {
      sample.set(x.data.subarray(rows[i] * x.cols, rows[i] * x.cols + x.cols), i * x.cols);
      order[i] = i;
    }
    undoSubset(rowPool, maxSamples, rowSwaps);
    undoSubset(featurePool, maxFeatures, featureSwaps);
    roots[t] = forest.allocate(1);
    new TreeGrower(forest, sample, x.cols, order, features, maxDepth, rng, leafPathLength).grow(
      roots[t],
      0,
      maxSamples,
      0
    );
  }
  const used = forest.size;
  return {
    firstTree,
    nFeatures: x.cols,
    maxSamplesUsed: maxSamples,
    roots,
    feature: forest.feature.slice(0, used),
    threshold: forest.threshold.slice(0, used),
    left: forest.left.slice(0, used),
    pathLength: forest.pathLength.slice(0, used),
  };
}

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = i;
  }
  return a;
}

/**
 * Shuffles the first `count` entries of `pool` into a uniform random subset
 * (a partial Fisher–Yates) and returns that view; `swaps` records the moves for {@link undoSubset}.
 */
function drawSubset(rng: Xoshiro128, pool: Uint32Array, count: number, swaps: Uint32Array): Uint32Array {
  for (let i = 0; i < count; i++) {
    const j = i + rng.nextInt(pool.length - i);
    swaps[i] = j;
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return pool.subarray(0, count);
}

/** Puts `pool` back as it was before {@link drawSubset}. */
function undoSubset(pool: Uint32Array, count: number, swaps: Uint32Array): void {
  for (let i = count - 1; i >= 0; i--) {
    const j = swaps[i];
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
}
