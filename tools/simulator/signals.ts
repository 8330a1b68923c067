/**
 * Pure, deterministic generation of lab-sensor readings with labelled
 * anomalies. No I/O: the CLI, the local stack, tests and benchmarks share it.
 *
 * Each sensor is a small physical model advanced in time:
 * - temperature: a diurnal cycle (peak mid-afternoon UTC) plus slow "weather"
 *   (an Ornstein-Uhlenbeck process) and sensor noise;
 * - humidity: anti-correlated with temperature (relative humidity falls as air warms), its own slow variation, noise;
 * - pressure: a slowly drifting OU process around 1013 hPa with the semi-diurnal atmospheric tide;
 * - light_level: daylight (zero at night) scaled by cloud cover, noise only while lit.
 *
 * Anomalies are episodes that start at random (Poisson, `anomaliesPerDay`) and
 * are recorded as labels: spike (one reading), drift (a growing offset), stuck
 * (a frozen value), dropout (the reading falls to 0) and inconsistent (light
 * that contradicts the time of day while the other readings stay normal).
 * Same seed and same timestamps → same readings and labels.
 */
import { METRICS, type Metric } from '../../src/common/query';

export const ANOMALY_KINDS = ['spike', 'drift', 'stuck', 'dropout', 'inconsistent'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export type Readings = Record<Metric, number>;

export interface SimReading {
  sensorId: string;
  timeMs: number;
  values: Readings;
  /** Set while an anomaly episode affects this reading. */
  anomaly?: AnomalyKind;
}

export interface AnomalyLabel {
  sensorId: string;
  kind: AnomalyKind;
  metric: Metric;
  /** First affected reading (epoch ms). */
  startMs: number;
  /** Last affected reading (epoch ms, inclusive). */
  endMs: number;
  /** Readings affected. */
  points: number;
}

export interface SensorOptions {
  /** Mean number of anomaly episodes per sensor per day of simulated time. */
  anomaliesPerDay: number;
}

export const DEFAULT_SENSOR_OPTIONS: SensorOptions = { anomaliesPerDay: 1.5 };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MAX_EXPOSURE_MS = 10 * 60_000;

/** Typical spread of each metric: anomaly sizes are multiples of it. */
const SCALE: Readings = { temperature: 1, humidity: 4, pressure: 3, light_level: 120 };
const WEATHER_METRICS = ['temperature', 'humidity', 'pressure'] as const satisfies readonly Metric[];
const DECIMALS: Readings = { temperature: 2, humidity: 1, pressure: 1, light_level: 0 };

export function sensorId(index: number): string {
  return `sensmitter_${index + 1}`;
}

/** mulberry32: small, fast, good enough for simulation; seeded per sensor. */
export class Rng {
  private state: number;
  private spare: number | undefined;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hiInclusive: number): number {
    return lo + Math.floor(this.next() * (hiInclusive - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Standard normal (Box-Muller, using both values). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

/** Derives a per-sensor (or per-purpose) seed from the run's seed. */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (stream + 0x85ebca6b), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** An Ornstein-Uhlenbeck process with exact discretisation for any time step. */
class Ou {
  value = 0;
  constructor(
    private readonly tauMs: number,
    private readonly sigma: number,
    rng: Rng
  ) {
    this.value = sigma * rng.normal();
  }
  step(dtMs: number, rng: Rng): number {
    const a = Math.exp(-dtMs / this.tauMs);
    this.value = this.value * a + this.sigma * Math.sqrt(1 - a * a) * rng.normal();
    return this.value;
  }
}

interface Episode {
  kind: AnomalyKind;
  metric: Metric;
  startMs: number;
  endMs: number;
  /** spike/drift: signed size; stuck: the frozen value. */
  amount: number;
  label: AnomalyLabel;
}

const round = (value: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

/** Fraction of full daylight at a UTC time: 0 from 18:00 to 06:00, a sine arch in between. */
export function daylight(timeMs: number): number {
  const hour = (((timeMs % DAY) + DAY) % DAY) / HOUR;
  return hour <= 6 || hour >= 18 ? 0 : Math.sin((Math.PI * (hour - 6)) / 12);
}

export class SensorSimulator {
  readonly id: string;
  readonly labels: AnomalyLabel[] = [];
  private readonly rng: Rng;
  private readonly baseTemp: number;
  private readonly tempAmplitude: number;
  private readonly baseHumidity: number;
  private readonly peakLux: number;
  private readonly weather: Ou;
  private readonly damp: Ou;
  private readonly pressure: Ou;
  private readonly cloud: Ou;
  private lastMs: number | undefined;
  private episode: Episode | undefined;

  constructor(
    index: number,
    seed: number,
    private readonly options: SensorOptions = DEFAULT_SENSOR_OPTIONS
  ) {
    this.id = sensorId(index);
    this.rng = new Rng(deriveSeed(seed, index));
    this.baseTemp = this.rng.uniform(20.5, 23);
    this.tempAmplitude = this.rng.uniform(1.5, 3.5);
    this.baseHumidity = this.rng.uniform(38, 50);
    this.peakLux = this.rng.uniform(300, 600);
    this.weather = new Ou(6 * HOUR, 0.8, this.rng);
    this.damp = new Ou(3 * HOUR, 2, this.rng);
    this.pressure = new Ou(2 * DAY, 6, this.rng);
    this.cloud = new Ou(2 * HOUR, 0.15, this.rng);
  }

  /** The reading at `timeMs` (must not go backwards); advances the sensor's state. */
  next(timeMs: number): SimReading {
    const dt = this.lastMs === undefined ? 60_000 : timeMs - this.lastMs;
    if (dt < 0) {
      throw new Error(`time went backwards for ${this.id}: ${timeMs} after ${this.lastMs}`);
    }
    this.lastMs = timeMs;
    const values = this.normalValues(timeMs, dt);
    const anomaly = this.applyAnomaly(timeMs, dt, values);
    for (const m of METRICS) {
      values[m] = round(values[m], DECIMALS[m]);
    }
    return anomaly ? { sensorId: this.id, timeMs, values, anomaly } : { sensorId: this.id, timeMs, values };
  }

  private normalValues(timeMs: number, dt: number): Readings {
    const rng = this.rng;
    const hour = (((timeMs % DAY) + DAY) % DAY) / HOUR;
    const diurnal = Math.sin((2 * Math.PI * (hour - 9)) / 24); // peaks at 15:00
    const tempAnomaly = this.tempAmplitude * diurnal + this.weather.step(dt, rng);
    const temperature = this.baseTemp + tempAnomaly + 0.05 * rng.normal();
    const humidity = Math.min(
      95,
      Math.max(5, this.baseHumidity - 2.2 * tempAnomaly + this.damp.step(dt, rng) + 0.3 * rng.normal())
    );
    const tide = 0.6 * Math.sin((4 * Math.PI * hour) / 24);
    const pressure = 1013 + this.pressure.step(dt, rng) + tide + 0.08 * rng.normal();
    const light = daylight(timeMs);
    const cloudCover = Math.min(1, Math.max(0.35, 0.8 + this.cloud.step(dt, rng)));
    const light_level = light === 0 ? 0 : Math.max(0, this.peakLux * light * cloudCover + 6 * rng.normal());
    return { temperature, humidity, pressure, light_level };
  }

  private maybeStartEpisode(timeMs: number, dt: number, values: Readings): void {
    // After a long gap (a skipped stretch of time) an episode would have been over: cap the exposure.
    const exposure = Math.min(Math.max(dt, 1), MAX_EXPOSURE_MS);
    const chance = 1 - Math.exp(-(this.options.anomaliesPerDay * exposure) / DAY);
    if (this.rng.next() >= chance) {
      return;
    }
    const rng = this.rng;
    const kind = rng.pick(ANOMALY_KINDS);
    const minutes = (lo: number, hi: number) => rng.uniform(lo, hi) * 60_000;
    // A light reading stuck or dropped to 0 is indistinguishable from night, so those kinds use the other metrics.
    const metric: Metric =
      kind === 'inconsistent'
        ? 'light_level'
        : rng.pick(kind === 'stuck' || kind === 'dropout' ? WEATHER_METRICS : METRICS);
    // Light cannot go below 0, so its spikes and drifts go up.
    const sign = metric === 'light_level' || rng.next() < 0.5 ? 1 : -1;
    const spec: Record<AnomalyKind, { durationMs: number; amount: number }> = {
      spike: { durationMs: 0, amount: sign * rng.uniform(5, 8) * SCALE[metric] },
      drift: { durationMs: minutes(60, 180), amount: sign * rng.uniform(4, 6) * SCALE[metric] },
      stuck: { durationMs: minutes(30, 120), amount: values[metric] },
      dropout: { durationMs: minutes(10, 40), amount: 0 },
      inconsistent: { durationMs: minutes(20, 60), amount: rng.uniform(0.6, 0.9) * this.peakLux },
    };
    const { durationMs, amount } = spec[kind];
    const label: AnomalyLabel = { sensorId: this.id, kind, metric, startMs: timeMs, endMs: timeMs, points: 0 };
    this.labels.push(label);
    this.episode = { kind, metric, startMs: timeMs, endMs: timeMs + durationMs, amount, label };
  }

  /** Alters `values` while an episode is active; returns its kind. */
  private applyAnomaly(timeMs: number, dt: number, values: Readings): AnomalyKind | undefined {
    if (this.episode && timeMs > this.episode.endMs) {
      this.episode = undefined;
    }
    if (!this.episode) {
      this.maybeStartEpisode(timeMs, dt, values);
    }
    const e = this.episode;
    if (!e) {
      return undefined;
    }
    switch (e.kind) {
      case 'spike':
        values[e.metric] += e.amount;
        break;
      case 'drift': {
        const progress = e.endMs === e.startMs ? 1 : (timeMs - e.startMs) / (e.endMs - e.startMs);
        values[e.metric] += e.amount * Math.max(0.25, progress);
        break;
      }
      case 'stuck':
        values[e.metric] = e.amount;
        break;
      case 'dropout':
        values[e.metric] = 0;
        break;
      case 'inconsistent':
        // Light that contradicts the time of day: lit at night, dark in daylight.
        values.light_level = daylight(timeMs) > 0.2 ? 0 : e.amount;
        break;
    }
    e.label.endMs = timeMs;
    e.label.points++;
    return e.kind;
  }
}

/** Readings of one sensor at a fixed step, `count` of them starting at `startMs`. */
export function* readingsAt(
  sim: SensorSimulator,
  startMs: number,
  stepMs: number,
  count: number
): Generator<SimReading> {
  for (let i = 0; i < count; i++) {
    yield sim.next(startMs + i * stepMs);
  }
}

/** The sensors of a run, seeded from `seed`. */
export function createSensors(
  count: number,
  seed: number,
  options: SensorOptions = DEFAULT_SENSOR_OPTIONS
): SensorSimulator[] {
  return Array.from({ length: count }, (_, i) => new SensorSimulator(i, seed, options));
}
