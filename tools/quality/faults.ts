/**
 * Held-out faults: kinds the simulator does not produce, injected by the
 * quality run into clean live data, to see how the features do on faults they
 * were not designed or tuned against. Their shapes and sizes were fixed before
 * the first run and are not to be adjusted to improve the report.
 *
 * Sizes are in units of the sensor's own variability, measured on its history:
 * `hourScale` = robust spread (1.4826 × MAD) of the change over one hour.
 */
import { METRICS, type Metric } from '../../src/common/query';
import { Rng } from '../simulator/signals';
import type { LabelledSeries } from './data';

export const HELD_OUT_KINDS = ['noise_burst', 'oscillation', 'step', 'quantization', 'decorrelation'] as const;
export type HeldOutKind = (typeof HELD_OUT_KINDS)[number];

export const HELD_OUT_DESCRIPTIONS: Readonly<Record<HeldOutKind, string>> = {
  noise_burst: 'Gaussian noise added, standard deviation 2 × hourScale (a loose connector, interference)',
  oscillation: 'a sine added, amplitude 2 × hourScale, period 5–15 min (a control loop hunting)',
  step: 'a constant offset of ± 3 × hourScale for the whole episode (a recalibration, a moved sensor)',
  quantization: 'readings rounded to a grid of 2 × hourScale (a failing converter, a lost resolution setting)',
  decorrelation:
    "humidity's changes mirrored since the episode began, so it moves with temperature instead of against it",
};

const MINUTE = 60_000;
const WEATHER_METRICS: readonly Metric[] = ['temperature', 'humidity', 'pressure'];

export interface InjectionPlan {
  seed: number;
  episodesPerKind: number;
  durationMin: [number, number];
}

export const DEFAULT_INJECTION: InjectionPlan = { seed: 77, episodesPerKind: 3, durationMin: [30, 120] };

/** Robust spread of the one-hour change of each metric in a series. */
export function hourScales(series: LabelledSeries): Record<Metric, number> {
  const { time, readings } = series.series;
  const out = {} as Record<Metric, number>;
  for (const metric of METRICS) {
    const changes: number[] = [];
    let j = 0;
    for (let i = 0; i < time.length; i++) {
      while (time[j]! < time[i]! - 60 * MINUTE) {
        j++;
      }
      if (time[i]! - time[j]! >= 55 * MINUTE) {
        changes.push(readings[metric][i]! - readings[metric][j]!);
      }
    }
    const center = median(changes);
    out[metric] = 1.4826 * median(changes.map((c) => Math.abs(c - center)));
  }
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[sorted.length >> 1]!;
}

/**
 * Copies `live` with held-out faults injected: `episodesPerKind` episodes of
 * every kind, at non-overlapping random times, each labelled with its kind
 * (index in HELD_OUT_KINDS + 1) and metric.
 */
export function injectHeldOut(
  live: LabelledSeries,
  scales: Record<Metric, number>,
  plan: InjectionPlan,
  sensorIndex: number
): LabelledSeries {
  const rng = new Rng(plan.seed * 1000 + sensorIndex);
  const time = live.series.time;
  const readings = Object.fromEntries(METRICS.map((m) => [m, Float64Array.from(live.series.readings[m])])) as Record<
    Metric,
    Float64Array
  >;
  const labels = new Uint8Array(time.length);
  const metricOf = new Int8Array(time.length).fill(-1);
  const progress = new Float32Array(time.length);
  const kinds = HELD_OUT_KINDS.flatMap((kind) => Array.from({ length: plan.episodesPerKind }, () => kind));
  // One slot per episode, in a shuffled order; the episode sits inside its slot with room to spare.
  const span = time[time.length - 1]! - time[0]!;
  const slotMs = span / kinds.length;
  const order = kinds.map((kind, k) => ({ kind, key: rng.next(), k }));
  order.sort((a, b) => a.key - b.key);
  order.forEach(({ kind }, slot) => {
    const durationMs = rng.uniform(plan.durationMin[0], plan.durationMin[1]) * MINUTE;
    const startMs = time[0]! + slot * slotMs + rng.uniform(0.1, 0.9) * Math.max(0, slotMs - durationMs);
    const metric = kind === 'decorrelation' ? 'humidity' : rng.pick(WEATHER_METRICS);
    const values = readings[metric];
    const scale = scales[metric];
    const period = rng.uniform(5, 15) * MINUTE;
    const sign = rng.next() < 0.5 ? -1 : 1;
    let first = -1;
    for (let i = 0; i < time.length; i++) {
      const t = time[i]!;
      if (t < startMs || t > startMs + durationMs) {
        continue;
      }
      first = first < 0 ? i : first;
      values[i] = faulty(kind, values[i]!, {
        scale,
        sinceStart: t - startMs,
        period,
        sign,
        atStart: live.series.readings[metric][first]!,
        noise: rng.normal(),
      });
      labels[i] = HELD_OUT_KINDS.indexOf(kind) + 1;
      metricOf[i] = METRICS.indexOf(metric);
      progress[i] = (t - startMs) / durationMs;
    }
  });
  return { series: { sensorId: live.series.sensorId, time, readings }, labels, metricOf, progress };
}

interface FaultContext {
  scale: number;
  sinceStart: number;
  period: number;
  sign: number;
  atStart: number;
  noise: number;
}

function faulty(kind: HeldOutKind, value: number, c: FaultContext): number {
  switch (kind) {
    case 'noise_burst':
      return value + 2 * c.scale * c.noise;
    case 'oscillation':
      return value + 2 * c.scale * Math.sin((2 * Math.PI * c.sinceStart) / c.period);
    case 'step':
      return value + 3 * c.sign * c.scale;
    case 'quantization': {
      const grid = 2 * c.scale;
      return Math.round(value / grid) * grid;
    }
    case 'decorrelation':
      return 2 * c.atStart - value;
  }
}
