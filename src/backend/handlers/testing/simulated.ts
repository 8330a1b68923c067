/**
 * Test fixtures: the simulator's deterministic, labelled readings as the
 * readers return them (one SensorSeries per sensor).
 */
import { sensorSeries } from '../../../../tools/simulator/formats';
import { createSensors, readingsAt, type SensorSimulator } from '../../../../tools/simulator/signals';
import type { SensorSeries } from '../../sources/types';

export interface SimulatedSeries {
  series: SensorSeries;
  /** 1 where the simulator had an anomaly episode running. */
  labels: Uint8Array;
}

/** `count` readings every `stepMs` from `startMs`, continuing the simulator's state. */
function simulatedSeries(sim: SensorSimulator, startMs: number, stepMs: number, count: number): SimulatedSeries {
  const readings = [...readingsAt(sim, startMs, stepMs, count)];
  return {
    series: sensorSeries(readings, sim.id),
    labels: Uint8Array.from(readings, (reading) => (reading.anomaly ? 1 : 0)),
  };
}

/** One simulated sensor (seeded), its history (every minute) and then its recent readings (every 10 s). */
export function simulatedSensor(
  options: { seed?: number; index?: number; historyRows?: number; recentRows?: number; startMs?: number } = {}
): { history: SimulatedSeries; recent: SimulatedSeries } {
  const { seed = 42, index = 0, historyRows = 5000, recentRows = 2000, startMs = Date.UTC(2026, 0, 1) } = options;
  const sim = createSensors(index + 1, seed)[index]!;
  const history = simulatedSeries(sim, startMs, 60_000, historyRows);
  const recent = simulatedSeries(sim, startMs + historyRows * 60_000, 10_000, recentRows);
  return { history, recent };
}
