import {
  DBSCAN_CONSTRAINTS,
  ISOLATION_FOREST_CONSTRAINTS,
  describeAllowed,
  satisfies,
  type ParameterConstraint,
} from './constraints';
import { AbortCheck, DetectorInputError, requireIntegerIn, throwIfAborted } from './errors';
import { NeighbourGrid } from './grid';
import { Explanation, explanationFromCredits } from './explanation';
import { KdTree, RadiusSearch } from './kdTree';
import { Matrix, MatrixInput, percentileLinear, requireFiniteMatrix } from './matrix';

/**
 * DBSCAN (Ester et al., 1996) with scikit-learn's exact semantics, so labels —
 * cluster numbers included — are the ones `sklearn.cluster.DBSCAN` returns.
 *
 * - Two rows are neighbours when their Euclidean distance is ≤ eps (compared as
 *   squared distances, Σ(xᵢ − yᵢ)² ≤ eps², summed in feature order as
 *   scikit-learn's tree search does).
 * - A row is a core point when it has at least `minSamples` neighbours, itself
 *   included.
 * - Clusters are the connected groups of core points; a non-core row within eps
 *   of a core point is a border point of its cluster; every other row is noise
 *   (label −1).
 * - Numbering: scikit-learn visits rows in index order and, at each unlabelled
 *   core point, labels everything reachable from it before moving on. So
 *   cluster k is the one whose lowest-index core point is the k-th lowest such
 *   point, and a border point near several clusters joins the lowest-numbered.
 *
 * Two indexes give the same labels. Up to {@link GRID_MAX_FEATURES} features, a
 * grid (see {@link NeighbourGrid}): a cell with ≥ minSamples rows is all core;
 * the cores of a cell are one group; groups of neighbouring cells are merged
 * with a union–find as soon as one pair of their cores is within eps. Beyond
 * that, a k-d tree answers each row's radius query, as scikit-learn's own
 * tree does, and a union–find links the cores. Work stays far below the O(n²)
 * of comparing all pairs on sensor data.
 */
/**
 * The grid visits (2⌈√d⌉ + 1)^d cells around each cell: 625 for the four
 * sensor readings, but 16,807 columns per column at d = 6, so past four
 * features the k-d tree is faster.
 */
const GRID_MAX_FEATURES = 4;

/** Rows between two polls of the abort signal in the per-row loops. */
const ABORT_CHECK_ROWS = 1024;

export interface DbscanOptions {
  /** Neighbourhood radius in (0, 1000] (constraints.ts; on standardized readings in this product). */
  eps: number;
  /** Neighbours (the row itself counted) that make a row core; 1 to 10,000. Default 5, as scikit-learn. */
  minSamples?: number;
}

export interface DbscanResult {
  /** Cluster of each row, numbered from 0 as scikit-learn numbers them; −1 for noise. */
  labels: Int32Array;
  /** 1 where a row is a core point. */
  isCore: Uint8Array;
  clusterCount: number;
  noiseCount: number;
}

function resolveDbscanOptions(options: DbscanOptions): Required<DbscanOptions> {
  return {
    eps: checked('eps', DBSCAN_CONSTRAINTS.eps, options.eps),
    minSamples: checked(
      'minSamples',
      DBSCAN_CONSTRAINTS.minSamples,
      options.minSamples ?? DBSCAN_CONSTRAINTS.minSamples.default
    ),
  };
}

/** autoEps's contamination: the forest's range without its "auto". */
const AUTO_EPS_CONTAMINATION: ParameterConstraint = { ...ISOLATION_FOREST_CONSTRAINTS.contamination, alsoAllowed: [] };

function checked(name: string, parameter: ParameterConstraint, value: unknown): number {
  if (!satisfies(parameter.constraint, value)) {
    throw new DetectorInputError(name, describeAllowed(parameter), value);
  }
  return value;
}

/**
 * Clusters the rows; see {@link DbscanOptions} for the semantics. With fewer
 * rows than `minSamples` no row can be core, so every row is noise (as in
 * scikit-learn). `run.signal` is polled as the work proceeds.
 */
export function dbscan(input: MatrixInput, options: DbscanOptions, run: { signal?: AbortCheck } = {}): DbscanResult {
  const x = requireFiniteMatrix(input);
  const { eps, minSamples } = resolveDbscanOptions(options);
  const { labels, isCore } =
    x.cols <= GRID_MAX_FEATURES
      ? gridDbscan(x, eps, minSamples, run.signal)
      : treeDbscan(x, eps, minSamples, run.signal);
  let noiseCount = 0;
  let clusterCount = 0;
  for (let r = 0; r < x.rows; r++) {
    noiseCount += labels[r] < 0 ? 1 : 0;
    clusterCount = Math.max(clusterCount, labels[r] + 1);
  }
  return { labels, isCore, clusterCount, noiseCount };
}

function gridDbscan(
  x: Matrix,
  eps: number,
  minSamples: number,
  signal: AbortCheck | undefined
): { labels: Int32Array; isCore: Uint8Array } {
  const grid = new NeighbourGrid(x, eps);
  const search = new GridSearch(grid, eps * eps, signal);
  const isCoreAt = search.findCores(minSamples);
  const groups = search.linkCoreCells(isCoreAt);
  const isCore = new Uint8Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    isCore[grid.rowAt[i]] = isCoreAt[i];
  }
  const labels = numberClusters(isCore, grid.cellCount, (r) => groups.find(grid.cellOfRow[r]));
  search.labelBorderPoints(isCoreAt, labels);
  return { labels, isCore };
}

/**
 * DBSCAN on a k-d tree: each row's neighbours within eps (counted only up to
 * minSamples to decide core), cores linked to the cores in their
 * neighbourhood, clusters numbered in scikit-learn's order, and each border
 * row given the lowest cluster among the cores within eps.
 */
function treeDbscan(
  x: Matrix,
  eps: number,
  minSamples: number,
  signal: AbortCheck | undefined
): { labels: Int32Array; isCore: Uint8Array } {
  const n = x.rows;
  const eps2 = eps * eps;
  const search = new RadiusSearch(new KdTree(x.data, x.cols, rangeOf(n)));
  const isCore = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    if (r % ABORT_CHECK_ROWS === 0) {
      throwIfAborted(signal);
    }
    isCore[r] = search.countWithin(x.data, r * x.cols, eps2, minSamples) >= minSamples ? 1 : 0;
  }
  const groups = new UnionFind(n);
  for (let r = 0; r < n; r++) {
    if (r % ABORT_CHECK_ROWS === 0) {
      throwIfAborted(signal);
    }
    if (!isCore[r]) {
      continue;
    }
    // Only cores not yet in r's group need measuring: in a dense cluster most are, after the first few links.
    search.forEachWithin(
      x.data,
      r * x.cols,
      eps2,
      (j) => !isCore[j] || groups.find(j) === groups.find(r),
      (j) => groups.union(r, j)
    );
  }
  const labels = numberClusters(isCore, n, (r) => groups.find(r));
  for (let r = 0; r < n; r++) {
    if (r % ABORT_CHECK_ROWS === 0) {
      throwIfAborted(signal);
    }
    if (isCore[r]) {
      continue;
    }
    let best = -1;
    const count = search.within(x.data, r * x.cols, eps2);
    for (let k = 0; k < count; k++) {
      const label = labels[search.found[k]];
      if (isCore[search.found[k]] && (best < 0 || label < best)) {
        best = label;
      }
    }
    labels[r] = best;
  }
  return { labels, isCore };
}

/** Neighbour-cell lists kept from core detection for reuse when linking, up to this many entries (64 MB). */
const NEIGHBOUR_CACHE_ENTRIES = 16 * 2 ** 20;

/** Neighbour queries on the grid, with the scratch buffers they share. */
class GridSearch {
  private readonly cells: Int32Array;
  /**
   * Sparse cells' neighbour lists, computed during core detection and used
   * again when linking: in sparse data nearly every cell needs both, and
   * finding the neighbour cells costs more than the distances themselves.
   */
  private readonly cacheStart: Int32Array;
  private readonly cacheLength: Int32Array;
  private cache = new Int32Array(1024);
  private cacheUsed = 0;
  /** Where the last {@link neighbourCells} call left its answer. */
  private list: Int32Array;
  private listStart = 0;

  constructor(
    private readonly grid: NeighbourGrid,
    private readonly eps2: number,
    private readonly signal: AbortCheck | undefined
  ) {
    this.cells = grid.newCellBuffer();
    this.list = this.cells;
    this.cacheStart = new Int32Array(grid.cellCount).fill(-1);
    this.cacheLength = new Int32Array(grid.cellCount);
  }

  /**
   * Looks up the cell's neighbour cells and returns how many there are; they
   * are `list[listStart …]` — the cache itself when they were kept, so a kept
   * list is read in place rather than copied.
   */
  private neighbourCells(cell: number, keep: boolean): number {
    const start = this.cacheStart[cell];
    if (start >= 0) {
      this.list = this.cache;
      this.listStart = start;
      return this.cacheLength[cell];
    }
    const count = this.grid.neighbourCells(cell, this.cells);
    this.list = this.cells;
    this.listStart = 0;
    if (keep && this.cacheUsed + count <= NEIGHBOUR_CACHE_ENTRIES) {
      this.keep(cell, count);
    }
    return count;
  }

  private keep(cell: number, count: number): void {
    if (this.cacheUsed + count > this.cache.length) {
      const grown = new Int32Array(
        Math.min(NEIGHBOUR_CACHE_ENTRIES, Math.max(2 * this.cache.length, this.cacheUsed + count))
      );
      grown.set(this.cache.subarray(0, this.cacheUsed));
      this.cache = grown;
    }
    this.cache.set(this.cells.subarray(0, count), this.cacheUsed);
    this.cacheStart[cell] = this.cacheUsed;
    this.cacheLength[cell] = count;
    this.cacheUsed += count;
  }

  /** Core flags by grid position. */
  findCores(minSamples: number): Uint8Array {
    const { grid } = this;
    const isCoreAt = new Uint8Array(grid.rowAt.length);
    for (let cell = 0; cell < grid.cellCount; cell++) {
      this.pollAbort(cell);
      const from = grid.cellStart[cell];
      const to = grid.cellStart[cell + 1];
      if (to - from >= minSamples) {
        isCoreAt.fill(1, from, to); // a cell's rows are all within eps of each other
        continue;
      }
      const cellCount = this.neighbourCells(cell, true);
      for (let i = from; i < to; i++) {
        isCoreAt[i] = this.countNeighbours(i, cell, cellCount, to - from, minSamples) >= minSamples ? 1 : 0;
      }
    }
    return isCoreAt;
  }

  /** Counts neighbours of grid position i, starting from its own cell's `ownCount`, stopping at `enough`. */
  private countNeighbours(i: number, ownCell: number, cellCount: number, ownCount: number, enough: number): number {
    const { grid } = this;
    let count = ownCount;
    for (let k = 0; k < cellCount && count < enough; k++) {
      const cell = this.list[this.listStart + k];
      if (cell === ownCell) {
        continue;
      }
      for (let j = grid.cellStart[cell]; j < grid.cellStart[cell + 1] && count < enough; j++) {
        count += this.within(i, j) ? 1 : 0;
      }
    }
    return count;
  }

  private pollAbort(cell: number): void {
    if (cell % ABORT_CHECK_ROWS === 0) {
      throwIfAborted(this.signal);
    }
  }

  private within(i: number, j: number): boolean {
    const { values, cols } = this.grid;
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const t = values[i * cols + c] - values[j * cols + c];
      s += t * t;
    }
    return s <= this.eps2;
  }

  /**
   * Union–find over cells: cells whose cores are density-connected end up in
   * one set. A cell's adjacent neighbours come first, and pairs already in one
   * set need no distance computed at all.
   */
  linkCoreCells(isCoreAt: Uint8Array): UnionFind {
    const { grid } = this;
    const groups = new UnionFind(grid.cellCount);
    const coreCount = coresPerCell(grid, isCoreAt);
    for (let cell = 0; cell < grid.cellCount; cell++) {
      this.pollAbort(cell);
      if (coreCount[cell] === 0) {
        continue;
      }
      const cellCount = this.neighbourCells(cell, false);
      for (let k = 0; k < cellCount; k++) {
        const other = this.list[this.listStart + k];
        if (
          other > cell &&
          coreCount[other] > 0 &&
          groups.find(cell) !== groups.find(other) &&
          this.coresTouch(cell, other, isCoreAt)
        ) {
          groups.union(cell, other);
        }
      }
    }
    return groups;
  }

  private coresTouch(a: number, b: number, isCoreAt: Uint8Array): boolean {
    const { cellStart } = this.grid;
    for (let i = cellStart[a]; i < cellStart[a + 1]; i++) {
      if (!isCoreAt[i]) {
        continue;
      }
      for (let j = cellStart[b]; j < cellStart[b + 1]; j++) {
        if (isCoreAt[j] && this.within(i, j)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Gives each non-core row the lowest cluster number among the core points
   * within eps (scikit-learn's first-come order), or leaves it noise.
   */
  labelBorderPoints(isCoreAt: Uint8Array, labels: Int32Array): void {
    const { grid } = this;
    const cellLabel = labelPerCell(grid, isCoreAt, labels);
    for (let cell = 0; cell < grid.cellCount; cell++) {
      this.pollAbort(cell);
      const from = grid.cellStart[cell];
      const to = grid.cellStart[cell + 1];
      let cellCount = -1; // neighbour cells are looked up once per cell, and only if needed
      for (let i = from; i < to; i++) {
        if (isCoreAt[i]) {
          continue;
        }
        if (cellCount < 0) {
          cellCount = this.neighbourCells(cell, false);
        }
        labels[grid.rowAt[i]] = this.lowestClusterNear(i, cellCount, cellLabel, isCoreAt);
      }
    }
  }

  private lowestClusterNear(i: number, cellCount: number, cellLabel: Int32Array, isCoreAt: Uint8Array): number {
    const { cellStart } = this.grid;
    let best = -1;
    for (let k = 0; k < cellCount; k++) {
      const cell = this.list[this.listStart + k];
      const label = cellLabel[cell];
      if (label < 0 || (best >= 0 && label >= best)) {
        continue; // no cores there, or cannot improve: all cores of a cell share one cluster
      }
      for (let j = cellStart[cell]; j < cellStart[cell + 1]; j++) {
        if (isCoreAt[j] && this.within(i, j)) {
          best = label;
          break;
        }
      }
    }
    return best;
  }
}

function coresPerCell(grid: NeighbourGrid, isCoreAt: Uint8Array): Int32Array {
  const counts = new Int32Array(grid.cellCount);
  for (let cell = 0; cell < grid.cellCount; cell++) {
    for (let i = grid.cellStart[cell]; i < grid.cellStart[cell + 1]; i++) {
      counts[cell] += isCoreAt[i];
    }
  }
  return counts;
}

/**
 * Numbers the clusters as scikit-learn does: walking rows in index order, the
 * first core point of each connected group opens the next cluster number.
 * `groupOf(r)` names a core row's group, an integer below `groupCount`.
 * Returns labels by input row, core points labelled, all others −1.
 */
function numberClusters(isCore: Uint8Array, groupCount: number, groupOf: (row: number) => number): Int32Array {
  const groupLabel = new Int32Array(groupCount).fill(-1);
  const labels = new Int32Array(isCore.length).fill(-1);
  let next = 0;
  for (let r = 0; r < isCore.length; r++) {
    if (!isCore[r]) {
      continue;
    }
    const group = groupOf(r);
    if (groupLabel[group] < 0) {
      groupLabel[group] = next++;
    }
    labels[r] = groupLabel[group];
  }
  return labels;
}

function labelPerCell(grid: NeighbourGrid, isCoreAt: Uint8Array, labels: Int32Array): Int32Array {
  const cellLabel = new Int32Array(grid.cellCount).fill(-1);
  for (let i = 0; i < grid.rowAt.length; i++) {
    if (isCoreAt[i]) {
      cellLabel[grid.cellOfRow[grid.rowAt[i]]] = labels[grid.rowAt[i]];
    }
  }
  return cellLabel;
}

/** Disjoint sets with path halving and union by size. */
class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      this.parent[i] = i;
    }
  }

  find(i: number): number {
    const parent = this.parent;
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) {
      return;
    }
    if (this.size[ra] < this.size[rb]) {
      [ra, rb] = [rb, ra];
    }
    this.parent[rb] = ra;
    this.size[ra] += this.size[rb];
  }
}

/** Rows whose k-distance is estimated exactly; larger inputs use this many evenly spaced rows. */
export const AUTO_EPS_SAMPLE = 5000;

/**
 * An eps that makes `contamination` mean for DBSCAN what it means for the
 * Isolation Forest: about that share of rows ends up outside the dense core.
 *
 * A row is core exactly when its k-distance — the distance to its k-th nearest
 * row, counting itself first, with k = minSamples as scikit-learn counts — is
 * ≤ eps. So eps = the (1 − contamination) quantile of the k-distances (numpy's
 * linear percentile) leaves `contamination` of the rows non-core; noise is a
 * subset of those (border points are non-core but clustered), so at most about
 * that share is flagged. With more than {@link AUTO_EPS_SAMPLE} rows, the
 * quantile is taken over that many evenly spaced rows (each k-distance still
 * exact against all rows), which keeps the cost near-linear.
 */
export function autoEps(input: MatrixInput, options: { minSamples?: number; contamination: number }): number {
  const x = requireFiniteMatrix(input);
  const minSamples = checked(
    'minSamples',
    DBSCAN_CONSTRAINTS.minSamples,
    options.minSamples ?? DBSCAN_CONSTRAINTS.minSamples.default
  );
  requireIntegerIn('minSamples', minSamples, 1, x.rows);
  const contamination = checked('contamination', AUTO_EPS_CONTAMINATION, options.contamination);
  const kDistances = kDistancesOfSample(x, minSamples);
  const eps = percentileLinear(kDistances, 100 * (1 - contamination));
  if (eps <= 0) {
    throw new DetectorInputError(
      'data',
      `more than ${minSamples} distinct rows around most rows (the k-distance quantile is 0)`,
      eps
    );
  }
  return eps;
}

function kDistancesOfSample(x: Matrix, k: number): Float64Array {
  const sampleSize = Math.min(x.rows, AUTO_EPS_SAMPLE);
  return kDistancesOf(
    x,
    k,
    Uint32Array.from({ length: sampleSize }, (_, s) => Math.floor((s * x.rows) / sampleSize))
  );
}

/**
 * The k-distance of each row (all rows, or those listed): the distance to its
 * k-th nearest row, the row itself counted first, as DBSCAN counts
 * neighbours. A row is core exactly when its k-distance (k = minSamples) is ≤ eps.
 */
export function kDistances(input: MatrixInput, k: number, rows?: Uint32Array): Float64Array {
  const x = requireFiniteMatrix(input);
  requireIntegerIn('k', k, 1, x.rows);
  return kDistancesOf(x, k, rows ?? rangeOf(x.rows));
}

function kDistancesOf(x: Matrix, k: number, rows: Uint32Array): Float64Array {
  const tree = new KdTree(x.data, x.cols, rangeOf(x.rows));
  const out = new Float64Array(rows.length);
  const dist2 = new Float64Array(k);
  const found = new Int32Array(k);
  for (let s = 0; s < rows.length; s++) {
    tree.nearest(x.data, rows[s] * x.cols, k, dist2, found);
    out[s] = Math.sqrt(dist2[k - 1]);
  }
  return out;
}

function rangeOf(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = i;
  }
  return a;
}

/**
 * For each requested row (default: every noise row), the feature on which it
 * lies furthest from its nearest core point: on standardized readings, the
 * reading that is most out of line. Shares are each feature's |difference|
 * over the sum of differences. Rows with no core point anywhere get all-zero
 * shares and feature 0.
 */
export function explainDbscan(
  input: MatrixInput,
  result: DbscanResult,
  rows?: ArrayLike<number>
): Map<number, Explanation> {
  const x = requireFiniteMatrix(input, 1);
  if (result.labels.length !== x.rows) {
    throw new DetectorInputError('result', `labels for the ${x.rows} rows given`, result.labels.length);
  }
  const wanted = rows ?? rowsWhere(result.labels, (label) => label < 0);
  const cores = rowsWhere(result.isCore, (flag) => flag === 1);
  const out = new Map<number, Explanation>();
  const tree = cores.length > 0 ? new KdTree(x.data, x.cols, cores) : null;
  const dist2 = new Float64Array(1);
  const nearest = new Int32Array(1);
  for (let i = 0; i < wanted.length; i++) {
    const r = wanted[i];
    if (!Number.isInteger(r) || r < 0 || r >= x.rows) {
      throw new DetectorInputError('rows', `row numbers from 0 to ${x.rows - 1}`, r);
    }
    const shares = new Float64Array(x.cols);
    if (tree && tree.nearest(x.data, r * x.cols, 1, dist2, nearest) === 1) {
      for (let c = 0; c < x.cols; c++) {
        shares[c] = Math.abs(x.data[r * x.cols + c] - x.data[nearest[0] * x.cols + c]);
      }
    }
    out.set(r, explanationFromCredits(shares));
  }
  return out;
}

/** Row numbers where `keep(value)` holds. */
function rowsWhere<T extends Int32Array | Uint8Array>(values: T, keep: (value: number) => boolean): Uint32Array {
  const rows: number[] = [];
  values.forEach((value: number, r: number) => {
    if (keep(value)) {
      rows.push(r);
    }
  });
  return Uint32Array.from(rows);
}

/**
 * For each row, the Euclidean distance to the nearest core point other than
 * itself (Infinity when there is none): below eps for rows inside a cluster,
 * above eps exactly for noise. A graded "how far outside" to go with the labels.
 */
export function nearestCoreDistances(input: MatrixInput, result: DbscanResult): Float64Array {
  const x = requireFiniteMatrix(input, 1);
  if (result.isCore.length !== x.rows) {
    throw new DetectorInputError('result', `core flags for the ${x.rows} rows given`, result.isCore.length);
  }
  const cores = rowsWhere(result.isCore, (flag) => flag === 1);
  const out = new Float64Array(x.rows).fill(Infinity);
  if (cores.length === 0) {
    return out;
  }
  const tree = new KdTree(x.data, x.cols, cores);
  const dist2 = new Float64Array(2);
  const nearest = new Int32Array(2);
  for (let r = 0; r < x.rows; r++) {
    const found = tree.nearest(x.data, r * x.cols, 2, dist2, nearest);
    const k = nearest[0] === r ? 1 : 0; // a core row finds itself first
    out[r] = k < found ? Math.sqrt(dist2[k]) : Infinity;
  }
  return out;
}
