/**
 * Runs the scoring core as the product does and collects, for every scored
 * live reading, its label, score, flag and explanation.
 * - Isolation Forest: trained on each sensor's history (one reading a minute),
 *   then scoring its live days (one every ~10 s), features warmed up on the
 *   live data itself.
 * - DBSCAN: on each live day of each sensor by itself (a one-day dashboard
 *   range), standardized on that day, eps from contamination.
 */
import {
  DEFAULT_WINDOWS,
  featureSpecOf,
  computeFeatures,
  fitFeatureSpec,
  warmupMs,
} from '../../src/backend/scoring/features';
import { detectDbscan, scoreWithModel } from '../../src/backend/scoring/detect';
import { trainModel } from '../../src/backend/scoring/train';
import type { DropCounts, FeatureMatrix, ForestParams, Scores } from '../../src/backend/scoring/types';
import type { FeatureTransform } from '../../src/common/features';
import { METRICS, type Metric } from '../../src/common/query';
import type { SensorSeries } from '../../src/backend/sources/types';
import type { LabelledSeries } from './data';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Per reading, the time of the first reading of its segment (the data's start, or the end of a pause longer than maxGapMs). */
function segmentStarts(time: Float64Array): Float64Array {
  const start = new Float64Array(time.length);
  for (let i = 0; i < time.length; i++) {
    start[i] = i > 0 && time[i]! - time[i - 1]! <= DEFAULT_WINDOWS.maxGapMs ? start[i - 1]! : time[i]!;
  }
  return start;
}

/** Every scored reading of a run, concatenated over sensors. */
export interface ScoredRows {
  labels: Uint8Array;
  metricOf: Int8Array;
  progress: Float32Array;
  /** 1 where the reading is within the first hour after the start of the data or a pause longer than maxGapMs. */
  afterStart: Uint8Array;
  score: Float64Array;
  flag: Uint8Array;
  explanation: Float64Array;
  /** Live readings, and those that got no row (by reason). */
  readings: number;
  dropped: DropCounts;
  /** Sensors or ranges that could not be scored at all (too few rows). */
  unscored: number;
}

class Collector {
  private readonly parts: Array<{ labels: LabelledSeries; matrix: FeatureMatrix; scores: Omit<Scores, 'threshold'> }> =
    [];
  readings = 0;
  unscored = 0;
  readonly dropped: DropCounts = { missing_reading: 0, duplicate_time: 0, out_of_order: 0, warming_up: 0 };

  add(labels: LabelledSeries, matrix: FeatureMatrix, scores: Omit<Scores, 'threshold'>): void {
    this.parts.push({ labels, matrix, scores });
    for (const [reason, n] of Object.entries(matrix.dropped)) {
      this.dropped[reason as keyof DropCounts] += n;
    }
  }

  result(): ScoredRows {
    const rows = this.parts.reduce((n, p) => n + p.matrix.rows, 0);
    const out: ScoredRows = {
      labels: new Uint8Array(rows),
      metricOf: new Int8Array(rows),
      progress: new Float32Array(rows),
      afterStart: new Uint8Array(rows),
      score: new Float64Array(rows),
      flag: new Uint8Array(rows),
      explanation: new Float64Array(rows),
      readings: this.readings,
      dropped: this.dropped,
      unscored: this.unscored,
    };
    let at = 0;
    for (const { labels, matrix, scores } of this.parts) {
      const segmentStart = segmentStarts(labels.series.time);
      for (let r = 0; r < matrix.rows; r++) {
        const reading = matrix.rowIndex[r]!;
        out.labels[at] = labels.labels[reading]!;
        out.metricOf[at] = labels.metricOf[reading]!;
        out.progress[at] = labels.progress[reading]!;
        out.afterStart[at] = labels.series.time[reading]! - segmentStart[reading]! < HOUR ? 1 : 0;
        at++;
      }
      out.score.set(scores.score, at - matrix.rows);
      out.flag.set(scores.flag, at - matrix.rows);
      out.explanation.set(scores.explanation, at - matrix.rows);
    }
    return out;
  }
}

export interface SensorRun {
  history: SensorSeries;
  live: LabelledSeries;
}

export function isolationForestRun(
  sensors: readonly SensorRun[],
  transforms: readonly FeatureTransform[],
  params: ForestParams
): ScoredRows {
  const collector = new Collector();
  const spec = featureSpecOf({ metrics: [...METRICS], transforms });
  for (const sensor of sensors) {
    collector.readings += sensor.live.series.time.length;
    const trained = trainModel([sensor.history], spec, params, { identity: sensor.history.sensorId });
    if (!trained.ok) {
      collector.unscored++;
      continue;
    }
    const matrix = computeFeatures(sensor.live.series, trained.model.features);
    collector.add(sensor.live, matrix, scoreWithModel(trained.model, matrix));
  }
  return collector.result();
}

export function dbscanRun(
  sensors: readonly SensorRun[],
  transforms: readonly FeatureTransform[],
  options: { eps: number | 'auto'; minSamples: number; contamination: number }
): ScoredRows {
  const collector = new Collector();
  const spec = featureSpecOf({ metrics: [...METRICS], transforms });
  for (const { live } of sensors) {
    const time = live.series.time;
    collector.readings += time.length;
    // Whole days from the first reading on; each day is read with its warm-up before it, as a query would.
    for (let dayStart = time[0]!; dayStart <= time[time.length - 1]!; dayStart += DAY) {
      const range = slice(live.series, dayStart - warmupMs(spec), dayStart + DAY);
      // No training data: what the spec learns from data (the daily profile) it learns from the range, as QueryData does.
      const fitted = fitFeatureSpec(spec, [range]);
      const matrix = computeFeatures(range, fitted, { scoreFromMs: dayStart });
      const result = detectDbscan(matrix, fitted, options, matrix.dropped);
      if (!result.ok) {
        collector.unscored++;
        continue;
      }
      collector.add(
        {
          series: range,
          labels: live.labels.subarray(range.offset),
          metricOf: live.metricOf.subarray(range.offset),
          progress: live.progress.subarray(range.offset),
        },
        matrix,
        result
      );
    }
  }
  return collector.result();
}

/** Readings with time in [fromMs, toMs), and where they start in the series. */
function slice(series: SensorSeries, fromMs: number, toMs: number): SensorSeries & { offset: number } {
  let from = 0;
  while (from < series.time.length && series.time[from]! < fromMs) {
    from++;
  }
  let to = from;
  while (to < series.time.length && series.time[to]! < toMs) {
    to++;
  }
  const readings = {} as Record<Metric, Float64Array>;
  for (const m of METRICS) {
    readings[m] = series.readings[m].subarray(from, to);
  }
  return { sensorId: series.sensorId, time: series.time.subarray(from, to), readings, offset: from };
}
