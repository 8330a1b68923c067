import { METRICS, type Metric } from '../../common/query';
import { featureLabel } from '../../common/features';
import type { SensorSeries } from '../sources/types';
import { createSensors } from '../../../tools/simulator/signals';
import { detectDbscan, scoreWithModel } from './detect';
import { computeFeatures, featureSpecOf, ScoringCancelledError } from './features';
import { loadModel, memberColumns, ModelFormatError } from './model';
import { MIN_TRAINING_ROWS, modelCacheKey, trainModel } from './train';
import type { AnomalyModelJson, ForestParams } from './types';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 5);
const PARAMS: ForestParams = { nEstimators: 40, maxSamples: 'auto', maxFeatures: 1, contamination: 0.01, seed: 7 };
const SPEC = featureSpecOf({ metrics: [...METRICS], transforms: ['deviation', 'spread', 'rate', 'daily_profile'] });

function simulated(days: number, stepMs: number, seed = 3): SensorSeries {
  const [sim] = createSensors(1, seed, { anomaliesPerDay: 0 });
  const n = Math.floor((days * 86_400_000) / stepMs);
  const time = new Float64Array(n);
  const readings = Object.fromEntries(METRICS.map((m) => [m, new Float64Array(n)])) as Record<Metric, Float64Array>;
  for (let i = 0; i < n; i++) {
    time[i] = START + i * stepMs;
    const r = sim!.next(time[i]!);
    METRICS.forEach((m) => (readings[m][i] = r.values[m]));
  }
  return { sensorId: 'sensmitter_1', time, readings };
}

const history = simulated(4, MIN);

function trained(params = PARAMS): AnomalyModelJson {
  const result = trainModel([history], SPEC, params, { identity: 's3://lab/s1.csv#etag' });
  if (!result.ok) {
    throw new Error('expected a model');
  }
  return result.model;
}

describe('trainModel', () => {
  const model = trained();

  it('is versioned JSON that scores bit-identically after a round trip through text', () => {
    const matrix = computeFeatures(simulated(1, 10_000, 4), model.features);
    const direct = scoreWithModel(model, matrix);
    const reloaded = scoreWithModel(loadModel(JSON.stringify(model)), matrix);
    expect(model).toMatchObject({ kind: 'anomaly_model', version: 1 });
    expect(Array.from(reloaded.score)).toEqual(Array.from(direct.score));
    expect(Array.from(reloaded.flag)).toEqual(Array.from(direct.flag));
    expect(Array.from(reloaded.explanation)).toEqual(Array.from(direct.explanation));
  });

  it('flags the contamination share of its own training rows, as the editor promises', () => {
    const rows = computeFeatures(history, model.features);
    const { flag } = scoreWithModel(model, rows);
    const flagged = flag.reduce((n, f) => n + f, 0);
    expect(Math.abs(flagged - 0.01 * rows.rows)).toBeLessThanOrEqual(1);
    expect(model.training.rows).toBe(rows.rows);
  });

  it('learns one forest per metric and one across metrics, its trees shared out among them', () => {
    expect(model.members.map((m) => m.columns)).toEqual(memberColumns(model.features));
    expect(model.members).toHaveLength(METRICS.length + 1);
    expect(model.members.every((m) => m.forest.roots.length === Math.ceil(40 / 5))).toBe(true);
  });

  it('ranks a humidity spike above nine in ten readings of its day, though not as far as it lies', () => {
    // A forest's thresholds lie inside the training range, so a reading 50 standard deviations out
    // scores like the most extreme training rows, not higher (docs/features.md, "Limits").
    const live = simulated(1, 10_000, 5);
    live.readings.humidity.fill(5, 3000, 3001);
    const matrix = computeFeatures(live, model.features);
    const { score } = scoreWithModel(model, matrix);
    const spike = score[Array.from(matrix.rowIndex).indexOf(3000)]!;
    const above = score.filter((s) => s > spike).length;
    expect(above / matrix.rows).toBeLessThan(0.1);
  });

  it('explains each flag, and only flags, with the code of a known feature', () => {
    const matrix = computeFeatures(simulated(1, 10_000, 5), model.features);
    const { flag, explanation } = scoreWithModel(model, matrix);
    expect(flag.some((f) => f === 1)).toBe(true);
    flag.forEach((f, r) => expect(f === 1).toBe(explanation[r] !== 0));
    explanation.forEach((code) => expect(featureLabel(code)).not.toMatch(/unknown/));
    expect(featureLabel(0)).toBe('none');
  });

  it('answers too few rows with a typed result rather than a throw', () => {
    const short = simulated(0.05, MIN);
    const result = trainModel([short], SPEC, PARAMS, { identity: 'x' });
    expect(result).toMatchObject({ ok: false, reason: 'too_few_rows', needed: MIN_TRAINING_ROWS });
    expect(result.ok ? 0 : result.dropped.warming_up).toBeGreaterThan(0);
  });

  it('stops with an AbortError when cancelled', () => {
    expect(() => trainModel([history], SPEC, PARAMS, { identity: 'x', cancel: { aborted: true } })).toThrow(
      ScoringCancelledError
    );
  });

  it('refuses JSON of another kind or version', () => {
    expect(() => loadModel({ ...model, version: 2 })).toThrow(ModelFormatError);
    expect(() => loadModel({ ...model, members: [] })).toThrow(/members/);
  });
});

describe('modelCacheKey', () => {
  it('is stable whatever the key order, and changes with the data, the features or any parameter', () => {
    const key = modelCacheKey('etag-1', SPEC, PARAMS);
    const reordered: ForestParams = {
      seed: 7,
      contamination: 0.01,
      maxFeatures: 1,
      maxSamples: 'auto',
      nEstimators: 40,
    };
    expect(modelCacheKey('etag-1', { ...SPEC }, reordered)).toBe(key);
    expect(modelCacheKey('etag-2', SPEC, PARAMS)).not.toBe(key);
    expect(modelCacheKey('etag-1', SPEC, { ...PARAMS, seed: 8 })).not.toBe(key);
    expect(modelCacheKey('etag-1', SPEC, { ...PARAMS, contamination: 0.02 })).not.toBe(key);
    expect(modelCacheKey('etag-1', featureSpecOf({ metrics: ['humidity'], transforms: ['value'] }), PARAMS)).not.toBe(
      key
    );
  });
});

describe('detectDbscan', () => {
  const spec = featureSpecOf({ metrics: ['temperature', 'humidity'], transforms: ['value', 'deviation', 'spread'] });
  const range = simulated(0.5, MIN, 6);
  range.readings.temperature[400] = 60;
  const matrix = computeFeatures(range, spec);

  it('flags noise, and a row is flagged exactly when its score is above 1', () => {
    const result = detectDbscan(matrix, spec, { eps: 'auto', minSamples: 10, contamination: 0.02 });
    if (!result.ok) {
      throw new Error('expected scores');
    }
    expect(result.flag[Array.from(matrix.rowIndex).indexOf(400)]).toBe(1);
    result.flag.forEach((f, r) => expect(f === 1).toBe(result.score[r]! > 1));
    result.flag.forEach((f, r) => expect(f === 1).toBe(result.explanation[r] !== 0));
  });

  it('answers fewer rows than minSamples + 1 with a typed result', () => {
    const tiny = { ...matrix, rows: 5, data: matrix.data.subarray(0, 5 * matrix.cols) };
    expect(detectDbscan(tiny, spec, { eps: 0.3, minSamples: 10, contamination: 0.01 })).toMatchObject({
      ok: false,
      reason: 'too_few_rows',
      rows: 5,
      needed: 11,
    });
  });
});
