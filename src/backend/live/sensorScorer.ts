/**
 * Scoring one sensor's readings as they arrive: the sensor's feature windows
 * (a `FeatureStream`, bit-identical to the batch features QueryData computes)
 * and the trained model. Live streams and the Kafka worker both keep one per
 * sensor; nothing here knows where readings come from or where scores go.
 */
import { METRICS, type Metric } from '../../common/query';
import { FeatureStream } from '../scoring/features';
import { loadModel, type LoadedModel } from '../scoring/model';
import { scoreWithModel } from '../scoring/detect';
import type { AnomalyModelJson, DropCounts } from '../scoring/types';

/** A reading as the sources decode it: values in METRICS order, NaN where absent. */
export interface Reading {
  timeMs: number;
  values: ArrayLike<number>;
}

/** Per reading of a batch, in input order. */
export interface ScoredReadings {
  time: Float64Array;
  /** Each metric's reading (METRICS order), NaN where absent. */
  values: Record<Metric, Float64Array>;
  /** 1 = the reading got a feature row and a score; 0 = dropped (see `dropped`). */
  scored: Uint8Array;
  score: Float64Array;
  flag: Uint8Array;
  /** Explanation code (src/common/features.ts `featureCode`), 0 = none. */
  explanation: Float64Array;
  /** Scores above this are flagged. */
  threshold: number;
}

function allocate(n: number): ScoredReadings {
  const values = {} as Record<Metric, Float64Array>;
  for (const metric of METRICS) {
    values[metric] = new Float64Array(n);
  }
  return {
    time: new Float64Array(n),
    values,
    scored: new Uint8Array(n),
    score: new Float64Array(n),
    flag: new Uint8Array(n),
    explanation: new Float64Array(n),
    threshold: Number.NaN,
  };
}

/** Readings shown without a model: values kept, nothing scored. */
export function unscored(readings: readonly Reading[]): ScoredReadings {
  const out = allocate(readings.length);
  readings.forEach((reading, i) => {
    out.time[i] = reading.timeMs;
    METRICS.forEach((metric, m) => {
      out.values[metric][i] = reading.values[m]!;
    });
  });
  return out;
}

export class SensorScorer {
  readonly model: LoadedModel;
  private readonly features: FeatureStream;
  /** Index into a METRICS-ordered reading of each of the model's metrics. */
  private readonly metricIndex: Uint8Array;
  private readonly picked: Float64Array;
  /** Newest reading time pushed so far (scored or not). */
  lastTimeMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly sensorId: string,
    model: AnomalyModelJson | LoadedModel,
    /** The model's cache key, carried into what is published. */
    readonly modelKey: string
  ) {
    this.model = 'columnCodes' in model ? model : loadModel(model);
    // The model's own (fitted) spec: the features it was trained on, learned parts included.
    this.features = new FeatureStream(this.model.spec);
    this.metricIndex = Uint8Array.from(this.model.spec.metrics, (m) => METRICS.indexOf(m));
    this.picked = new Float64Array(this.metricIndex.length);
  }

  /** How much history before a reading its features look at. */
  get warmupMs(): number {
    return this.features.warmupMs;
  }

  /** Readings that got no row since the scorer started, by reason. */
  get dropped(): Readonly<DropCounts> {
    return this.features.dropped;
  }

  private push(reading: Reading): Float64Array | undefined {
    for (let m = 0; m < this.metricIndex.length; m++) {
      this.picked[m] = reading.values[this.metricIndex[m]!]!;
    }
    if (reading.timeMs > this.lastTimeMs) {
      this.lastTimeMs = reading.timeMs;
    }
    return this.features.push(reading.timeMs, this.picked);
  }

  /** Feeds readings (ascending) into the windows without scoring them: state from before a stream's start. */
  warm(readings: Iterable<Reading>): void {
    for (const reading of readings) {
      this.push(reading);
    }
  }

  /** Scores readings (ascending); each either gets a row and a score or is counted as dropped. */
  score(readings: readonly Reading[]): ScoredReadings {
    const cols = this.features.cols;
    const rows = new Float64Array(readings.length * cols);
    const rowOf = new Int32Array(readings.length);
    let n = 0;
    const out = unscored(readings);
    readings.forEach((reading, i) => {
      const row = this.push(reading);
      if (row) {
        rows.set(row, n * cols);
        rowOf[n++] = i;
      }
    });
    const scores = scoreWithModel(this.model, { data: rows.subarray(0, n * cols), rows: n, cols });
    for (let r = 0; r < n; r++) {
      const i = rowOf[r]!;
      out.scored[i] = 1;
      out.score[i] = scores.score[r]!;
      out.flag[i] = scores.flag[r]!;
      out.explanation[i] = scores.explanation[r]!;
    }
    out.threshold = scores.threshold;
    return out;
  }
}
