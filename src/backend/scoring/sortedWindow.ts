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
 * Cost: a window slides by one reading in and one out most of the time, and
 * {@link replace} does both in one move: a binary search and a shift of the
 * values *between* the old and the new value only. Sensor readings move
 * little from one minute to the next, so that is a handful of values, not
 * half the window. Short shifts are plain loops (a `copyWithin` call costs
 * more than moving a few dozen numbers); long ones use `copyWithin`.
 */

/** Below this many values a loop beats `copyWithin`'s call overhead (measured: about 45 ns a call). */
const LOOP_SHIFT = 96;

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
    const at = this.lowerBound(value, 0, this.count);
    this.shiftRight(at, this.count);
    this.values[at] = value;
    this.count++;
  }

  /** Removes one copy of `value`, which must be in the window. */
  remove(value: number): void {
    const at = this.find(value);
    this.shiftLeft(at, this.count - 1);
    this.count--;
  }

  /**
   * Removes one copy of `out` (which must be in the window) and inserts `into`:
   * the same values as `remove(out); insert(into)`, moving only the values between the two.
   */
  replace(out: number, into: number): void {
    const at = this.find(out);
    const v = this.values;
    if (into >= out) {
      // Values in (at, to) are below `into`: they move one place down, `into` goes after them.
      const to = this.lowerBound(into, at + 1, this.count);
      this.shiftLeft(at, to - 1);
      v[to - 1] = into;
    } else {
      const to = this.lowerBound(into, 0, at);
      this.shiftRight(to, at);
      v[to] = into;
    }
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

  /** Position of one copy of `value`; throws when it is not in the window. */
  private find(value: number): number {
    const at = this.lowerBound(value, 0, this.count);
    if (at >= this.count || this.values[at] !== value) {
      throw new Error(`SortedWindow.remove: ${value} is not in the window`);
    }
    return at;
  }

  /** values[from + 1 … to] move to [from … to − 1]. */
  private shiftLeft(from: number, to: number): void {
    const v = this.values;
    if (to - from < LOOP_SHIFT) {
      for (let i = from; i < to; i++) {
        v[i] = v[i + 1];
      }
    } else {
      v.copyWithin(from, from + 1, to + 1);
    }
  }

  /** values[from … to − 1] move to [from + 1 … to]. */
  private shiftRight(from: number, to: number): void {
    const v = this.values;
    if (to - from < LOOP_SHIFT) {
      for (let i = to; i > from; i--) {
        v[i] = v[i - 1];
      }
    } else {
      v.copyWithin(from + 1, from, to);
    }
  }

  /**
   * First position in [lo, hi) whose value is ≥ `value` (hi when none is).
   * Branch-free: each step adds `half` or 0 by a comparison turned into a
   * number (`+(a < b)`), which V8 compiles to a flag, not a branch the CPU
   * mispredicts half the time.
   */
  private lowerBound(value: number, lo: number, hi: number): number {
    const v = this.values;
    let base = lo;
    let n = hi - lo;
    if (n === 0) {
      return lo;
    }
    while (n > 1) {
      const half = n >>> 1;
      base += half * +(v[base + half - 1] < value);
      n -= half;
    }
    return base + +(v[base] < value);
  }
}
