import { featureCode, featureLabel } from '../../common/features';
import { anomalyMessage } from './anomalyMessage';
import type { ScoredReadings, SensorScorer } from './sensorScorer';

// A message reads only the scorer's sensor, model key and the metrics its model saw.
const scorer = {
  sensorId: 'sensmitter_1',
  modelKey: 'model-key',
  model: { spec: { metrics: ['temperature', 'humidity'] } },
} as unknown as SensorScorer;

const DEVIATION = featureCode('deviation', 'temperature');

const batch: ScoredReadings = {
  time: Float64Array.of(Date.UTC(2026, 5, 1, 12), Date.UTC(2026, 5, 1, 12, 0, 10)),
  values: {
    temperature: Float64Array.of(21.5, 35.25),
    humidity: Float64Array.of(Number.NaN, 40),
    pressure: Float64Array.of(1013, 1013),
    light_level: Float64Array.of(300, 300),
  },
  scored: Uint8Array.of(1, 1),
  score: Float64Array.of(0.42, 0.72),
  flag: Uint8Array.of(0, 1),
  explanation: Float64Array.of(0, DEVIATION),
  threshold: 0.61,
};

describe('the anomalies topic message of a scored reading', () => {
  it('names the sensor, the time, the score against the threshold, the model and the explaining feature', () => {
    expect(anomalyMessage(scorer, batch, 1, 'live')).toEqual({
      version: 1,
      sensor: 'sensmitter_1',
      time: '2026-06-01T12:00:10.000Z',
      timeMs: Date.UTC(2026, 5, 1, 12, 0, 10),
      readings: { temperature: 35.25, humidity: 40 },
      score: 0.72,
      threshold: 0.61,
      anomaly: 1,
      model: 'model-key',
      feature: { code: DEVIATION, label: featureLabel(DEVIATION) },
      source: 'live',
    });
  });

  it('carries only the model’s metrics, a missing reading as null, and an unflagged reading as anomaly 0', () => {
    const message = anomalyMessage(scorer, batch, 0, 'worker');
    expect(message.readings).toEqual({ temperature: 21.5, humidity: null });
    expect(message.anomaly).toBe(0);
    expect(message.feature).toEqual({ code: 0, label: 'none' });
    expect(message.source).toBe('worker');
  });
});
