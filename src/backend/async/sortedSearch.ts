/**
 * Binary search in an ascending array of numbers (a series' times): where a
 * value would be inserted before (`lowerBound`) or after (`upperBound`) the
 * equal ones, searching `[from, to)`. numpy calls these `searchsorted` with
 * side "left" and "right".
 */

/** First index i in [from, to) with sorted[i] >= t (to when there is none). */
export function lowerBound(sorted: ArrayLike<number>, t: number, from = 0, to = sorted.length): number {
  return search(sorted, t, from, to, false);
}

/** First index i in [from, to) with sorted[i] > t (to when there is none). */
export function upperBound(sorted: ArrayLike<number>, t: number, from = 0, to = sorted.length): number {
  return search(sorted, t, from, to, true);
}

function search(sorted: ArrayLike<number>, t: number, from: number, to: number, skipEqual: boolean): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const value = sorted[mid]!;
    if (value < t || (skipEqual && value === t)) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
