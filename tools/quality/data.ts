/**
 * The quality run's data: simulated sensors, their history at the S3 cadence
 * (one row a minute) and then several days at a live cadence (every 10 s, with
 * jitter and occasional pauses), one continuous signal per sensor, with the
 * simulator's anomaly label on every reading. Deterministic under the seed.
 */
import { METRICS } from '../../src/common/query';
import type { SensorSeries } from '../../src/backend/sources/types';
import { sensorSeries } from '../simulator/formats';
import {
  ANOMALY_KINDS,
  createSensors,
  deriveSeed,
  Rng,
  type AnomalyLabel,
  type SimReading,
} from '../simulator/signals';

export interface DataPlan {
  seed: number;
  sensors: number;
  /** History rows per sensor, one every `historyIntervalMs` (the S3 CSV). */
  historyRows: number;
  historyIntervalMs: number;
  liveDays: number;
  liveIntervalMs: number;
  /** Live timestamps move by up to ± this much (devices do not tick exactly). */
  liveJitterMs: number;
  /** Chance per live reading that the device pauses, and how long pauses last. */
  pauseChance: number;
  pauseMs: [number, number];
  /** Anomaly episodes per sensor and day in the history (training) and in the live days (evaluation). */
  anomaliesPerDay: { history: number; live: number };
  startMs: number;
}

export const DEFAULT_PLAN: DataPlan = {
  seed: 20260101,
  sensors: 16,
  historyRows: 23_000,
  historyIntervalMs: 60_000,
  liveDays: 6,
  liveIntervalMs: 10_000,
  liveJitterMs: 2_000,
  pauseChance: 1 / 5000,
  pauseMs: [60_000, 30 * 60_000],
  // The simulator's default rate in the training history; more in the live days, for more episodes to judge.
  anomaliesPerDay: { history: 1.5, live: 4 },
  startMs: Date.UTC(2026, 0, 1),
};

/** Label per reading: 0 = normal, k = the k-th kind of a list (1-based); and the metric it affects. */
export interface LabelledSeries {
  series: SensorSeries;
  labels: Uint8Array;
  /** Index in METRICS of the metric the anomaly affects; −1 for a normal reading. */
  metricOf: Int8Array;
  /** How far into its episode an anomalous reading is, 0 (first reading) to 1 (last); 0 for normal readings. */
  progress: Float32Array;
}

export interface SensorData {
  sensorId: string;
  history: LabelledSeries;
  live: LabelledSeries;
}

/** Index + 1 of a simulator anomaly kind in ANOMALY_KINDS, 0 for a normal reading. */
function simulatorLabel(reading: SimReading): number {
  return reading.anomaly === undefined ? 0 : ANOMALY_KINDS.indexOf(reading.anomaly) + 1;
}

export function toLabelledSeries(
  sensorId: string,
  readings: readonly SimReading[],
  episodes: readonly AnomalyLabel[]
): LabelledSeries {
  const n = readings.length;
  const metricOf = new Int8Array(n).fill(-1);
  const progress = new Float32Array(n);
  const series = sensorSeries(readings, sensorId);
  const time = series.time;
  const labels = Uint8Array.from(readings, simulatorLabel);
  for (const e of episodes) {
    const first = time.findIndex((t) => t >= e.startMs);
    for (let i = first < 0 ? n : first; i < n && time[i]! <= e.endMs; i++) {
      metricOf[i] = METRICS.indexOf(e.metric);
      progress[i] = e.endMs > e.startMs ? (time[i]! - e.startMs) / (e.endMs - e.startMs) : 0;
    }
  }
  return { series, labels, metricOf, progress };
}

/** Live timestamps: the cadence with jitter, and now and then a pause. */
function liveTimes(plan: DataPlan, fromMs: number, rng: Rng): number[] {
  const times: number[] = [];
  const endMs = fromMs + plan.liveDays * 86_400_000;
  let tick = fromMs;
  let last = -Infinity;
  while (tick < endMs) {
    if (rng.next() < plan.pauseChance) {
      tick += rng.uniform(plan.pauseMs[0], plan.pauseMs[1]);
    }
    const t = Math.round(tick + rng.uniform(-plan.liveJitterMs, plan.liveJitterMs));
    if (t > last) {
      times.push(t);
      last = t;
    }
    tick += plan.liveIntervalMs;
  }
  return times;
}

/** Every sensor's history and live data, with labels; an anomaly rate of 0 gives clean data. */
export function simulate(plan: DataPlan): SensorData[] {
  // The simulators read this object's rate at every reading, so raising it after the history changes the live days only.
  const rate = { anomaliesPerDay: plan.anomaliesPerDay.history };
  const sensors = createSensors(plan.sensors, plan.seed, rate);
  return sensors.map((sim, index) => {
    rate.anomaliesPerDay = plan.anomaliesPerDay.history;
    const history: SimReading[] = [];
    for (let i = 0; i < plan.historyRows; i++) {
      history.push(sim.next(plan.startMs + i * plan.historyIntervalMs));
    }
    rate.anomaliesPerDay = plan.anomaliesPerDay.live;
    const liveFrom = plan.startMs + plan.historyRows * plan.historyIntervalMs;
    const rng = new Rng(deriveSeed(plan.seed, 1000 + index));
    const live = liveTimes(plan, liveFrom, rng).map((t) => sim.next(t));
    return {
      sensorId: sim.id,
      history: toLabelledSeries(sim.id, history, sim.labels),
      live: toLabelledSeries(sim.id, live, sim.labels),
    };
  });
}
