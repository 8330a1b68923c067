/**
 * The values of one metric inside one time window, kept sorted.
 *
 * Why sorted rather than running sums: every statistic read from it (median,
 * quartiles, standard deviation summed in sorted order) depends only on which
 * values are in the window, never on the order they arrived or on what left
 * before. So a stream that started a week ago and a query that read just the
 * window give bit-identical features — running sums would differ in the last
 * bits, and a trailing EWMA would remember readings older than the window.
 *
 * Cost per reading: a binary search and one `copyWithin` for the insertion and
 * one for the eviction, O(log w + w) with a memmove-fast w; the standard
 * deviation is an O(w) pass. With w a few hundred readings this is far below
 * the cost of scoring the row.
 */
export class SortedWindow {
  private values: Float64Array;
  private count = 0;

  constructor(initialCapacity = 64) {
    this.values = new Float64Array(Math.max(4, initialCapacity));
  }

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  insert(value: number): void {
    if (this.count === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    const at = this.lowerBound(value);
    this.values.copyWithin(at + 1, at, this.count);
    this.values[at] = value;
    this.count++;
  }

  /** Removes one copy of `value`, which must be in the window. */
  remove(value: number): void {
    const at = this.lowerBound(value);
    if (at >= this.count || this.values[at] !== value) {
      throw new Error(`SortedWindow.remove: ${value} is not in the window`);
    }
    this.values.copyWithin(at, at + 1, this.count);
    this.count--;
  }

  /** numpy's linear quantile (q in [0, 1]) of the values; NaN when empty. */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0) {
      return NaN;
    }
    const rank = q * (n - 1);
    const lo = Math.floor(rank);
    const hi = lo + 1 < n ? lo + 1 : lo;
    const t = rank - lo;
    const a = this.values[lo];
    const b = this.values[hi];
    return t === 0 ? a : a + (b - a) * t;
  }

  /** Sample standard deviation (n − 1; 0 for one value), two passes in sorted order; NaN when empty. */
  std(): number {
    const n = this.count;
    if (n === 0) {
      return NaN;
    }
    const v = this.values;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += v[i];
    }
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const d = v[i] - mean;
      squares += d * d;
    }
    return Math.sqrt(squares / (n > 1 ? n - 1 : 1));
  }

  /** First position whose value is ≥ `value`. */
  private lowerBound(value: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
