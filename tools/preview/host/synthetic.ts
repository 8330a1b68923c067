/**
 * Anomaly frames shaped exactly like the backend's (src/common/frames.ts) but
 * generated in the page, in any size: the render-time measurement needs
 * 100,000 readings, more than a test stack is worth seeding. A daily-looking
 * cycle with noise; every `flagEvery`-th reading is a flagged spike.
 */
import { createDataFrame, type DataFrame, FieldType, MappingType } from '@grafana/data';

import { ANOMALY_FRAME, LABELS } from '../../../src/common/frames';
import type { SyntheticSpec } from './contract';

/** A small linear congruential generator: the same frames on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function syntheticFrames(spec: SyntheticSpec, end: number): DataFrame[] {
  return Array.from({ length: spec.sensors }, (_, s) => sensorFrame(spec, end, s));
}

function sensorFrame(spec: SyntheticSpec, end: number, index: number): DataFrame {
  const sensor = `sensmitter_${index + 1}`;
  const next = random(index + 1);
  const n = spec.readings;
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  const flag = new Float64Array(n);
  const score = new Float64Array(n);
  const explanation = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const flagged = i % spec.flagEvery === spec.flagEvery - 1;
    time[i] = end - (n - 1 - i) * spec.stepMs;
    value[i] = 21 + index + 1.5 * Math.sin((2 * Math.PI * i) / 8640) + (next() - 0.5) * 0.4 + (flagged ? 5 : 0);
    flag[i] = flagged ? 1 : 0;
    score[i] = flagged ? 0.7 + next() * 0.25 : 0.35 + next() * 0.15;
    explanation[i] = flagged ? 1 : 0;
  }
  const labels = (series: string) => ({ [LABELS.sensor]: sensor, [LABELS.series]: series });
  return createDataFrame({
    name: sensor,
    refId: 'A',
    fields: [
      { name: ANOMALY_FRAME.time.name, type: FieldType.time, values: Array.from(time) },
      {
        name: 'temperature',
        type: FieldType.number,
        values: Array.from(value),
        labels: labels('temperature'),
        config: { displayNameFromDS: sensor, unit: 'celsius' },
      },
      { name: ANOMALY_FRAME.flag.name, type: FieldType.number, values: Array.from(flag), labels: labels('anomaly') },
      { name: ANOMALY_FRAME.score.name, type: FieldType.number, values: Array.from(score), labels: labels('score') },
      {
        name: ANOMALY_FRAME.explanation.name,
        type: FieldType.number,
        values: Array.from(explanation),
        labels: labels('explanation'),
        config: { mappings: [{ type: MappingType.ValueToText, options: { '1': { text: 'temperature' } } }] },
      },
    ],
  });
}
