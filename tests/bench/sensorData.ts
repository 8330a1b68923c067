import { Xoshiro128 } from '../../src/detectors/random';

/** Sensor-like readings for the benchmark: row-major [temperature, humidity, pressure, light_level]. */
export interface SensorData {
  data: Float64Array;
  rows: number;
  cols: 4;
  /** 1 for the injected anomalies (about 1 % of rows). */
  labels: Uint8Array;
}

/**
 * One reading a minute from a lab sensor: temperature on a diurnal cycle,
 * humidity anti-correlated with it, pressure drifting weekly, light only by
 * day, Gaussian noise on all, and ~1 % labelled anomalies (spikes and drops on
 * one feature). Deterministic for a given seed.
 */
export function sensorData(rows: number, seed = 1): SensorData {
  const rng = new Xoshiro128(seed);
  const gaussian = (): number => {
    const u = 1 - rng.nextFloat();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
  };
  const data = new Float64Array(rows * 4);
  const labels = new Uint8Array(rows);
  const anomalyScale = [4, 12, 8, 500];
  for (let i = 0; i < rows; i++) {
    const day = (2 * Math.PI * i) / 1440;
    const temperature = 21 + 3 * Math.sin(day - Math.PI / 2) + 0.4 * gaussian();
    const humidity = 45 - 1.8 * (temperature - 21) + 1.5 * gaussian();
    const pressure = 1013 + 4 * Math.sin((2 * Math.PI * i) / (1440 * 7)) + 0.6 * gaussian();
    const light = Math.max(0, 600 * Math.sin(day - Math.PI / 2)) + Math.max(0, 20 * gaussian());
    data.set([temperature, humidity, pressure, light], i * 4);
    if (rng.nextFloat() < 0.01) {
      const feature = rng.nextInt(4);
      const sign = rng.nextFloat() < 0.5 ? -1 : 1;
      data[i * 4 + feature] += sign * anomalyScale[feature] * (1.5 + 1.5 * rng.nextFloat());
      labels[i] = 1;
    }
  }
  return { data, rows, cols: 4, labels };
}
