import { featureRange } from './matrix';

/**
 * A k-d tree over selected rows of a row-major array, for exact k-nearest-
 * neighbour queries under the Euclidean distance. Nodes split the widest axis
 * at the median; leaves hold up to {@link LEAF_SIZE} rows.
 */
const LEAF_SIZE = 16;

export class KdTree {
  /** Row indices in tree order; node n covers order[start[n], end[n]). */
  private readonly order: Uint32Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly axis: Int32Array;
  private readonly split: Float64Array;
  /** Right child of a split node; its left child is the next node (build order). */
  private readonly right: Int32Array;
  private nodeCount = 0;
  /**
   * Bounding box of each node's rows, `cols` values per node: a radius search
   * skips a node whose box is out of reach on all axes together, which prunes
   * far more than the one splitting axis once there are more than a few features.
   */
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;

  constructor(
    private readonly data: Float64Array,
    private readonly cols: number,
    rows: Uint32Array
  ) {
    this.order = Uint32Array.from(rows);
    const capacity = 2 * Math.ceil(rows.length / (LEAF_SIZE / 2)) + 1;
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.axis = new Int32Array(capacity);
    this.split = new Float64Array(capacity);
    this.right = new Int32Array(capacity);
    this.build(0, rows.length);
    this.lower = new Float64Array(this.nodeCount * cols);
    this.upper = new Float64Array(this.nodeCount * cols);
    this.computeBoxes();
  }

  /** Builds the node over order[lo, hi) and returns its index. */
  private build(lo: number, hi: number): number {
    const node = this.nodeCount++;
    this.start[node] = lo;
    this.end[node] = hi;
    this.axis[node] = -1;
    if (hi - lo <= LEAF_SIZE) {
      return node;
    }
    const axis = this.widestAxis(lo, hi);
    const mid = (lo + hi) >>> 1;
    this.selectNth(lo, hi, mid, axis);
    this.axis[node] = axis;
    this.split[node] = this.data[this.order[mid] * this.cols + axis];
    this.build(lo, mid);
    this.right[node] = this.build(mid, hi);
    return node;
  }

  private computeBoxes(): void {
    const { cols, data, order } = this;
    const range = new Float64Array(2);
    for (let node = 0; node < this.nodeCount; node++) {
      for (let a = 0; a < cols; a++) {
        featureRange(data, cols, order, this.start[node], this.end[node], a, range);
        this.lower[node * cols + a] = range[0];
        this.upper[node * cols + a] = range[1];
      }
    }
  }

  /**
   * Squared distance from `query[qBase…]` to the node's box, summed over the
   * axes in feature order. Never more than the squared distance to any row in
   * the box as the leaf scan computes it (each term is no larger, and rounding
   * is monotone), so pruning on it never drops a row within the radius.
   */
  private boxDistance2(node: number, query: ArrayLike<number>, qBase: number): number {
    const cols = this.cols;
    let s = 0;
    for (let a = 0; a < cols; a++) {
      const q = query[qBase + a];
      const lo = this.lower[node * cols + a];
      const hi = this.upper[node * cols + a];
      const t = q < lo ? lo - q : q > hi ? q - hi : 0;
      s += t * t;
    }
    return s;
  }

  private widestAxis(lo: number, hi: number): number {
    let best = 0;
    let bestSpread = -1;
    const range = new Float64Array(2);
    for (let a = 0; a < this.cols; a++) {
      featureRange(this.data, this.cols, this.order, lo, hi, a, range);
      if (range[1] - range[0] > bestSpread) {
        bestSpread = range[1] - range[0];
        best = a;
      }
    }
    return best;
  }

  /** Quickselect (Hoare): afterwards order[n] holds the row of rank n on `axis`, smaller ones before it. */
  private selectNth(lo: number, hi: number, n: number, axis: number): void {
    const { order, data, cols } = this;
    let left = lo;
    let right = hi - 1;
    while (right > left) {
      const pivot = data[order[(left + right) >>> 1] * cols + axis];
      let i = left;
      let j = right;
      while (i <= j) {
        while (data[order[i] * cols + axis] < pivot) {
          i++;
        }
        while (data[order[j] * cols + axis] > pivot) {
          j--;
        }
        if (i <= j) {
          const tmp = order[i];
          order[i] = order[j];
          order[j] = tmp;
          i++;
          j--;
        }
      }
      if (n <= j) {
        right = j;
      } else if (n >= i) {
        left = i;
      } else {
        return;
      }
    }
  }

  /** The query in progress (set by {@link nearest}; fields rather than arguments keep the recursion lean). */
  private q: ArrayLike<number> = [];
  private qBase = 0;
  private k = 1;
  private dist2: Float64Array = new Float64Array(1);
  private found: Int32Array = new Int32Array(1);

  /**
   * The k nearest rows to `query[qBase…]`: writes squared distances (ascending)
   * into `dist2` and rows into `rows`, both of length ≥ k; returns how many
   * were found (fewer than k only if the tree holds fewer rows).
   */
  nearest(query: ArrayLike<number>, qBase: number, k: number, dist2: Float64Array, rows: Int32Array): number {
    dist2.fill(Infinity, 0, k);
    rows.fill(-1, 0, k);
    this.q = query;
    this.qBase = qBase;
    this.k = k;
    this.dist2 = dist2;
    this.found = rows;
    this.search(0);
    let found = 0;
    while (found < k && rows[found] >= 0) {
      found++;
    }
    return found;
  }

  private search(node: number): void {
    if (this.boxDistance2(node, this.q, this.qBase) > this.dist2[this.k - 1]) {
      return;
    }
    const axis = this.axis[node];
    if (axis < 0) {
      this.scanLeaf(node);
      return;
    }
    const diff = this.q[this.qBase + axis] - this.split[node];
    const near = diff < 0 ? node + 1 : this.right[node];
    const far = diff < 0 ? this.right[node] : node + 1;
    this.search(near);
    if (diff * diff <= this.dist2[this.k - 1]) {
      this.search(far);
    }
  }

  /**
   * Reports to `search` every row of the subtree within its radius. A subtree
   * beyond the splitting plane is skipped when the plane alone is further than
   * the radius: a row there is at least that far (one of its squared terms is).
   */
  visitWithin(search: RadiusSearch, node: number): void {
    if (search.done || this.boxDistance2(node, search.query, search.base) > search.r2) {
      return;
    }
    const axis = this.axis[node];
    if (axis < 0) {
      this.scanLeafWithin(search, node);
      return;
    }
    const diff = search.query[search.base + axis] - this.split[node];
    const near = diff < 0 ? node + 1 : this.right[node];
    const far = diff < 0 ? this.right[node] : node + 1;
    this.visitWithin(search, near);
    if (diff * diff <= search.r2) {
      this.visitWithin(search, far);
    }
  }

  private scanLeafWithin(search: RadiusSearch, node: number): void {
    const { data, cols, order } = this;
    const q = search.query;
    const qBase = search.base;
    const r2 = search.r2;
    for (let i = this.start[node]; i < this.end[node] && !search.done; i++) {
      const row = order[i];
      if (search.skips(row)) {
        continue;
      }
      let s = 0;
      for (let c = 0; c < cols; c++) {
        const t = q[qBase + c] - data[row * cols + c];
        s += t * t;
      }
      if (s <= r2) {
        search.add(row);
      }
    }
  }

  private scanLeaf(node: number): void {
    const { data, cols, order, q, qBase, k, dist2, found } = this;
    for (let i = this.start[node]; i < this.end[node]; i++) {
      const row = order[i];
      let s = 0;
      for (let c = 0; c < cols; c++) {
        const t = q[qBase + c] - data[row * cols + c];
        s += t * t;
      }
      if (s < dist2[k - 1]) {
        insertSorted(s, row, k, dist2, found);
      }
    }
  }
}

/** Rows within a radius of a query point, for DBSCAN's neighbourhoods. */
export class RadiusSearch {
  private q: ArrayLike<number> = [];
  private qBase = 0;
  private radius2 = 0;
  private limit = 0;
  private count = 0;
  private skipRow: ((row: number) => boolean) | undefined;
  private onRow: ((row: number) => void) | undefined;
  /** Rows found by the last {@link within}; grows as needed. */
  found = new Int32Array(64);

  constructor(private readonly tree: KdTree) {}

  /**
   * How many rows lie within √radius2 of `query[qBase…]` (squared distances
   * summed in feature order, compared with ≤), counting no further than `limit`.
   */
  countWithin(query: ArrayLike<number>, qBase: number, radius2: number, limit: number): number {
    this.start(query, qBase, radius2, limit);
    this.tree.visitWithin(this, 0);
    return this.count;
  }

  /** Writes every row within √radius2 of `query[qBase…]` into {@link found}; returns how many. */
  within(query: ArrayLike<number>, qBase: number, radius2: number): number {
    this.start(query, qBase, radius2, Infinity);
    this.tree.visitWithin(this, 0);
    return this.count;
  }

  /**
   * Calls `onRow` for every row within √radius2 that `skip` does not rule out
   * first: a row ruled out costs no distance (DBSCAN skips rows already linked).
   */
  forEachWithin(
    query: ArrayLike<number>,
    qBase: number,
    radius2: number,
    skip: (row: number) => boolean,
    onRow: (row: number) => void
  ): void {
    this.start(query, qBase, radius2, Infinity);
    this.skipRow = skip;
    this.onRow = onRow;
    this.tree.visitWithin(this, 0);
  }

  private start(query: ArrayLike<number>, qBase: number, radius2: number, limit: number): void {
    this.q = query;
    this.qBase = qBase;
    this.radius2 = radius2;
    this.limit = limit;
    this.count = 0;
    this.skipRow = undefined;
    this.onRow = undefined;
  }

  /** For the tree's walk: whether a row need not be measured at all. */
  skips(row: number): boolean {
    return this.skipRow !== undefined && this.skipRow(row);
  }

  /** For the tree's walk: the query, the squared radius, and whether enough rows were found. */
  get query(): ArrayLike<number> {
    return this.q;
  }
  get base(): number {
    return this.qBase;
  }
  get r2(): number {
    return this.radius2;
  }
  get done(): boolean {
    return this.count >= this.limit;
  }

  add(row: number): void {
    if (this.onRow) {
      this.onRow(row);
      return;
    }
    if (this.limit === Infinity) {
      if (this.count === this.found.length) {
        const grown = new Int32Array(this.found.length * 2);
        grown.set(this.found);
        this.found = grown;
      }
      this.found[this.count] = row;
    }
    this.count++;
  }
}

function insertSorted(d2: number, row: number, k: number, dist2: Float64Array, rows: Int32Array): void {
  let i = k - 1;
  while (i > 0 && dist2[i - 1] > d2) {
    dist2[i] = dist2[i - 1];
    rows[i] = rows[i - 1];
    i--;
  }
  dist2[i] = d2;
  rows[i] = row;
}
