/**
 * Collects decoded items into per-sensor columns (growable typed arrays) and
 * keeps the read/skip/missing counts both readers report, in total and per
 * sensor (skips of items whose sensor id could not be read apart).
 */
import { METRICS, type Metric } from '../../common/query';
import type { DecodeOutcome, DecodedItem, SkippedOutcome } from './parsing';
import type { ReadStats, SensorSeries, SensorSkips, SkipReason, TimedSkip } from './types';

const INITIAL_CAPACITY = 1024;

class SeriesColumns {
  private length = 0;
  private time: Float64Array = new Float64Array(INITIAL_CAPACITY);
  private values: Float64Array[] = METRICS.map(() => new Float64Array(INITIAL_CAPACITY));
  private sorted = true;

  push(item: DecodedItem): void {
    if (this.length === this.time.length) {
      this.grow();
    }
    const i = this.length++;
    if (i > 0 && item.timeMs < this.time[i - 1]) {
      this.sorted = false;
    }
    this.time[i] = item.timeMs;
    for (let m = 0; m < METRICS.length; m++) {
      this.values[m][i] = item.values[m];
    }
  }

  private grow(): void {
    const capacity = this.time.length * 2;
    const widen = (old: Float64Array): Float64Array => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    this.time = widen(this.time);
    this.values = this.values.map(widen);
  }

  /** Trimmed, time-ascending columns (a stable sort keeps equal timestamps in arrival order). */
  toSeries(sensorId: string): SensorSeries {
    const n = this.length;
    const order = this.sorted ? null : stableOrder(this.time, n);
    const pick = (src: Float64Array): Float64Array => {
      if (!order) {
        return src.slice(0, n);
      }
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = src[order[i]];
      }
      return out;
    };
    const readings = {} as Record<Metric, Float64Array>;
    METRICS.forEach((metric, m) => {
      readings[metric] = pick(this.values[m]);
    });
    return { sensorId, time: pick(this.time), readings };
  }
}

function stableOrder(time: Float64Array, n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    order[i] = i;
  }
  // Typed-array sort with a comparator is stable (ES2019); ties fall back to index.
  order.sort((a, b) => time[a] - time[b] || a - b);
  return order;
}

/** Skipped items by reason and kept items' absent readings by metric, for one sensor or for a whole read. */
class SkipTally {
  itemsSkipped = 0;
  readonly skipReasons: Partial<Record<SkipReason, number>> = {};
  readonly missingReadings: Partial<Record<Metric, number>> = {};
  private readonly timed: TimedSkip[] = [];

  /** `timeMs` is kept (per sensor) when the item's time could be read. */
  skip(reason: SkipReason, timeMs?: number): void {
    this.itemsSkipped++;
    this.skipReasons[reason] = (this.skipReasons[reason] ?? 0) + 1;
    if (timeMs !== undefined) {
      this.timed.push({ timeMs, reason });
    }
  }

  countMissing(mask: number): void {
    for (let m = 0; m < METRICS.length; m++) {
      if (mask & (1 << m)) {
        this.missingReadings[METRICS[m]] = (this.missingReadings[METRICS[m]] ?? 0) + 1;
      }
    }
  }

  toSkips(): SensorSkips {
    return {
      itemsSkipped: this.itemsSkipped,
      skipReasons: this.skipReasons,
      missingReadings: this.missingReadings,
      // Array sort is stable: equal times keep their arrival order.
      timed: [...this.timed].sort((a, b) => a.timeMs - b.timeMs),
    };
  }
}

/** What a builder counted: the totals, and each sensor's share of them. */
export type BuilderCounts = Pick<
  ReadStats,
  'itemsRead' | 'itemsSkipped' | 'skipReasons' | 'missingReadings' | 'bySensor' | 'withoutSensor'
>;

/** The stats of a read that has examined nothing yet. */
export function emptyReadStats(itemCap = 0): ReadStats {
  return {
    ...new SeriesBuilder().counts(),
    truncated: false,
    itemCap,
    pages: 0,
  };
}

export class SeriesBuilder {
  private readonly bySensor = new Map<string, SeriesColumns>();
  private readonly skipsBySensor = new Map<string, SkipTally>();
  private readonly withoutSensor = new SkipTally();
  private readonly total = new SkipTally();
  private itemsRead = 0;

  add(outcome: DecodeOutcome): void {
    this.itemsRead++;
    if (!outcome.ok) {
      this.countSkip(outcome);
      return;
    }
    const { item } = outcome;
    if (item.missingMask !== 0) {
      this.total.countMissing(item.missingMask);
      this.tallyOf(item.sensorId).countMissing(item.missingMask);
    }
    let columns = this.bySensor.get(item.sensorId);
    if (!columns) {
      columns = new SeriesColumns();
      this.bySensor.set(item.sensorId, columns);
    }
    columns.push(item);
  }

  /** Counts a record that never reached decoding (e.g. a CSV syntax error) of `sensorId`, when known. */
  skipUnparsed(reason: SkipReason, sensorId?: string): void {
    this.itemsRead++;
    this.countSkip({ ok: false, reason, sensorId });
  }

  private countSkip(skipped: SkippedOutcome): void {
    this.total.skip(skipped.reason);
    const tally = skipped.sensorId === undefined ? this.withoutSensor : this.tallyOf(skipped.sensorId);
    tally.skip(skipped.reason, skipped.timeMs);
  }

  private tallyOf(sensorId: string): SkipTally {
    let tally = this.skipsBySensor.get(sensorId);
    if (!tally) {
      tally = new SkipTally();
      this.skipsBySensor.set(sensorId, tally);
    }
    return tally;
  }

  counts(): BuilderCounts {
    return {
      itemsRead: this.itemsRead,
      itemsSkipped: this.total.itemsSkipped,
      skipReasons: this.total.skipReasons,
      missingReadings: this.total.missingReadings,
      bySensor: new Map([...this.skipsBySensor].map(([id, tally]) => [id, tally.toSkips()])),
      withoutSensor: this.withoutSensor.toSkips(),
    };
  }

  /**
   * One series per sensor, ordered by sensor id: every sensor with kept or
   * skipped items (a sensor whose items were all malformed gets an empty series,
   * so its skips have a frame to be shown on), and `ensure` adds empty series
   * for requested sensors without either.
   */
  build(ensure: readonly string[] = []): SensorSeries[] {
    for (const id of [...ensure, ...this.skipsBySensor.keys()]) {
      if (!this.bySensor.has(id)) {
        this.bySensor.set(id, new SeriesColumns());
      }
    }
    return [...this.bySensor.keys()].sort().map((id) => this.bySensor.get(id)!.toSeries(id));
  }
}
