/**
 * Flags → anomalies per interval, the series Grafana alert rules evaluate
 * (`anomaly_count`). Buckets are aligned to multiples of the interval since
 * the epoch (as Grafana aligns its own intervals), so the same reading falls in
 * the same bucket whatever range was asked; every bucket of the range is
 * present, empty ones as 0, so "no anomaly" is a 0 and not a missing point.
 */

export interface BucketCounts {
  /** Start of each bucket (epoch ms), ascending. */
  time: Float64Array;
  /** Flagged readings in [time, time + interval). */
  count: Float64Array;
}

/**
 * Counts the flagged readings (`flag[i] === 1` at `time[i]`) per bucket, for
 * every bucket that overlaps [fromMs, toMs]. Readings outside the range are
 * not counted. `intervalMs` must be a positive number; an empty range
 * (toMs < fromMs) has no buckets.
 */
export function countPerInterval(
  time: ArrayLike<number>,
  flag: ArrayLike<number>,
  range: { fromMs: number; toMs: number; intervalMs: number }
): BucketCounts {
  const { fromMs, toMs, intervalMs } = range;
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
    throw new RangeError(`countPerInterval: intervalMs must be a positive number (got ${intervalMs})`);
  }
  if (time.length !== flag.length) {
    throw new RangeError(`countPerInterval: ${time.length} times but ${flag.length} flags`);
  }
  const first = Math.floor(fromMs / intervalMs) * intervalMs;
  const buckets = toMs < fromMs ? 0 : Math.floor((toMs - first) / intervalMs) + 1;
  const out: BucketCounts = { time: new Float64Array(buckets), count: new Float64Array(buckets) };
  for (let b = 0; b < buckets; b++) {
    out.time[b] = first + b * intervalMs;
  }
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    if (flag[i] === 1 && t >= fromMs && t <= toMs) {
      out.count[Math.floor((t - first) / intervalMs)]! += 1;
    }
  }
  return out;
}
