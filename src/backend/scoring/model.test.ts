import { createHash } from 'node:crypto';
import { METRICS, type Metric } from '../../common/query';
import { featureColumns, featureLabel, transformsOf } from '../../common/features';
import type { SensorSeries } from '../sources/types';
import { createSensors } from '../../../tools/simulator/signals';
import { detectDbscan, scoreWithModel } from './detect';
import { computeFeatures, featureSpecOf, fitFeatureSpec, ScoringCancelledError } from './features';
import { loadModel, memberColumns, MIN_MEMBER_TREES, ModelFormatError, SCORING_VERSION, treesPerMember } from './model';
import { profileCoverage } from './profile';
import { MIN_TRAINING_ROWS, modelCacheKey, trainModel } from './train';
import type { AnomalyModelJson, ForestParams } from './types';

const MIN = 60_000;
const START = Date.UTC(2026, 0, 5);
const PARAMS: ForestParams = { nEstimators: 40, maxSamples: 'auto', maxFeatures: 1, contamination: 0.01, seed: 7 };
const SPEC = featureSpecOf({ metrics: [...METRICS], transforms: transformsOf('default') });

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

/** Readings [from, to) of a series. */
function sliceSeries(series: SensorSeries, from: number, to: number): SensorSeries {
  const readings = Object.fromEntries(METRICS.map((m) => [m, series.readings[m].slice(from, to)])) as Record<
    Metric,
    Float64Array
  >;
  return { sensorId: series.sensorId, time: series.time.slice(from, to), readings };
}

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
    expect(model).toMatchObject({ kind: 'anomaly_model', version: 2, scoringVersion: SCORING_VERSION });
    expect(Array.from(reloaded.score)).toEqual(Array.from(direct.score));
    expect(Array.from(reloaded.flag)).toEqual(Array.from(direct.flag));
    expect(Array.from(reloaded.explanation)).toEqual(Array.from(direct.explanation));
  });

  it('sets its threshold out of sample: about the contamination share of new normal readings is flagged', () => {
    const days = simulated(6, MIN, 11);
    const model = trainModel([sliceSeries(days, 0, 4 * 1440)], SPEC, PARAMS, { identity: 'x' });
    const rows = computeFeatures(sliceSeries(days, 4 * 1440 - 120, 6 * 1440), model.ok ? model.model.features : SPEC, {
      scoreFromMs: days.time[4 * 1440]!,
    });
    const flagged = scoreWithModel(model.ok ? model.model : trained(), rows).flag.reduce((n, f) => n + f, 0);
    expect(flagged / rows.rows).toBeGreaterThan(0.001);
    expect(flagged / rows.rows).toBeLessThan(0.03);
  });

  it('learns one forest per metric, each of at least MIN_MEMBER_TREES trees (never more than the query asked for)', () => {
    expect(model.members.map((m) => m.columns)).toEqual(memberColumns(model.features));
    expect(model.members).toHaveLength(METRICS.length);
    expect(model.members.every((m) => m.forest.roots.length === 40)).toBe(true);
    expect(treesPerMember(100, 4)).toBe(MIN_MEMBER_TREES);
    expect(treesPerMember(400, 4)).toBe(100);
    expect(treesPerMember(10, 4)).toBe(10);
  });

  it('explains each flag, and only flags, with the code of a known feature', () => {
    const matrix = computeFeatures(simulated(1, 10_000, 5), model.features);
    const { flag, explanation } = scoreWithModel(model, matrix);
    flag.forEach((f, r) => expect(f === 1).toBe(explanation[r] !== 0));
    explanation.forEach((code) => expect(featureLabel(code)).not.toMatch(/unknown/));
    expect(featureLabel(0)).toBe('none');
  });

  it('answers too few rows with a typed result rather than a throw', () => {
    const short = simulated(0.035, MIN);
    const result = trainModel([short], SPEC, PARAMS, { identity: 'x' });
    expect(result).toMatchObject({ ok: false, reason: 'too_few_rows', needed: MIN_TRAINING_ROWS });
    expect(result.ok ? 0 : result.dropped.warming_up).toBeGreaterThan(0);
  });

  it('stops with an AbortError when cancelled', () => {
    expect(() => trainModel([history], SPEC, PARAMS, { identity: 'x', cancel: { aborted: true } })).toThrow(
      ScoringCancelledError
    );
  });

  it('refuses JSON of another kind, format or scoring maths', () => {
    expect(() => loadModel({ ...model, version: 1 })).toThrow(ModelFormatError);
    expect(() => loadModel({ ...model, scoringVersion: SCORING_VERSION - 1 })).toThrow(/train it again/);
    expect(() => loadModel({ ...model, members: [] })).toThrow(/members/);
    expect(() => loadModel({ ...model, guard: { ...model.guard, columns: [99] } })).toThrow(/guard/);
  });
});

describe('a single obviously broken reading in an ordinary day', () => {
  // Three sensors, four days of history each, then a day at the live cadence with one reading broken.
  const cases = [21, 22, 23].flatMap((seed) => (['default', 'raw'] as const).map((set) => ({ seed, set })));

  it.each(cases)(
    'is flagged, and explained by temperature, with the $set features (sensor seed $seed)',
    ({ seed, set }) => {
      const spec = featureSpecOf({ metrics: [...METRICS], transforms: transformsOf(set) });
      const result = trainModel([simulated(4, MIN, seed)], spec, PARAMS, { identity: 'x' });
      if (!result.ok) {
        throw new Error('expected a model');
      }
      const day = simulated(1, 10_000, seed + 100);
      const broken = 4321;
      day.readings.temperature[broken] = day.readings.temperature[broken]! + 20;
      const matrix = computeFeatures(day, result.model.features);
      const { flag, explanation } = scoreWithModel(result.model, matrix);
      const r = Array.from(matrix.rowIndex).indexOf(broken);
      expect(flag[r]).toBe(1);
      expect(featureLabel(explanation[r]!)).toMatch(/^temperature/);
    }
  );

  it('is flagged however far out it lies, with a score that keeps growing the further it is', () => {
    const model = trained();
    const day = simulated(1, 10_000, 5);
    const scoresAt = (offset: number) => {
      const copy = { ...day, readings: { ...day.readings, humidity: Float64Array.from(day.readings.humidity) } };
      copy.readings.humidity[3000] = copy.readings.humidity[3000]! + offset;
      const matrix = computeFeatures(copy, model.features);
      const scores = scoreWithModel(model, matrix);
      const r = Array.from(matrix.rowIndex).indexOf(3000);
      return { flag: scores.flag[r], score: scores.score[r]! };
    };
    const near = scoresAt(-25);
    const far = scoresAt(-40);
    expect([near.flag, far.flag]).toEqual([1, 1]);
    expect(far.score).toBeGreaterThan(near.score);
  });
});

describe('a model trained on a short window', () => {
  it('flags about the contamination share of the normal readings that follow it', () => {
    let flagged = 0;
    let rows = 0;
    for (const seed of [31, 32, 33, 34]) {
      const day = simulated(1, 10_000, seed);
      for (const hour of [5, 11, 17]) {
        const at = hour * 360;
        const result = trainModel([sliceSeries(day, at - 720, at)], SPEC, PARAMS, { identity: 'window' });
        if (!result.ok) {
          throw new Error('expected a model');
        }
        const matrix = computeFeatures(sliceSeries(day, at - 720, at + 720), result.model.features, {
          scoreFromMs: day.time[at]!,
        });
        flagged += scoreWithModel(result.model, matrix).flag.reduce((n, f) => n + f, 0);
        rows += matrix.rows;
      }
    }
    // Two hours cannot show a whole day: some more than 1 %, but not the whole next two hours.
    expect(flagged / rows).toBeLessThan(0.03);
  });

  it('learns no daily profile from less than a week, and its profile features say nothing', () => {
    const result = trainModel([simulated(2, MIN, 9)], SPEC, PARAMS, { identity: 'x' });
    if (!result.ok) {
      throw new Error('expected a model');
    }
    expect(profileCoverage(result.model.features.profile!)).toBe(0);
    expect(profileCoverage(trained().features.profile!)).toBe(0);
    const matrix = computeFeatures(simulated(1, 10_000, 9), result.model.features);
    const profileColumns = featureColumns(SPEC.metrics, SPEC.transforms).flatMap((c, i) =>
      c.transform === 'daily_profile' ? [i] : []
    );
    for (let r = 0; r < matrix.rows; r++) {
      profileColumns.forEach((c) => expect(matrix.data[r * matrix.cols + c]).toBe(0));
    }
    expect(profileCoverage(fitFeatureSpec(SPEC, [simulated(8, MIN, 9)]).profile!)).toBe(1);
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

  it('changes with the version of the scoring maths, so a model persisted by older code is not found', () => {
    const key = modelCacheKey('etag-1', SPEC, PARAMS);
    expect(modelCacheKey('etag-1', SPEC, PARAMS, SCORING_VERSION)).toBe(key);
    expect(modelCacheKey('etag-1', SPEC, PARAMS, SCORING_VERSION - 1)).not.toBe(key);
  });
});

describe('SCORING_VERSION', () => {
  /**
   * A fingerprint of the maths: features of a fixed series and the scores of a
   * model trained on it. When it changes, the maths changed: bump
   * SCORING_VERSION in model.ts (so persisted models are trained again), then
   * update both numbers here together.
   */
  it('is bumped whenever features, training or scores change', () => {
    const series = simulated(8, 2 * MIN, 41);
    const result = trainModel([series], SPEC, { ...PARAMS, nEstimators: 8 }, { identity: 'fingerprint' });
    if (!result.ok) {
      throw new Error('expected a model');
    }
    const matrix = computeFeatures(series, result.model.features);
    const { score } = scoreWithModel(result.model, matrix);
    const hash = createHash('sha256');
    hash.update(new Uint8Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.byteLength));
    hash.update(new Uint8Array(score.buffer, score.byteOffset, score.byteLength));
    hash.update(String(result.model.threshold));
    expect({ version: SCORING_VERSION, fingerprint: hash.digest('hex').slice(0, 16) }).toEqual({
      version: 3,
      fingerprint: 'b995c04b27c18a39',
    });
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
