import { ISOLATION_FOREST_CONSTRAINTS, describeAllowed } from '../detectors/constraints';
import { DEFAULT_QUERY, LIMITS, QueryFieldError, resolveQuery } from './query';

function errorOf(raw: unknown): QueryFieldError {
  try {
    resolveQuery(raw);
  } catch (err) {
    if (err instanceof QueryFieldError) {
      return err;
    }
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('resolveQuery', () => {
  it('fills every default for an empty query', () => {
    expect(resolveQuery({})).toEqual(DEFAULT_QUERY);
  });

  it('keeps valid values', () => {
    const q = resolveQuery({
      queryType: 'anomaly_count',
      sensors: ['sensmitter_1', ' sensmitter_2 ', 'sensmitter_1'],
      metric: 'humidity',
      metrics: ['humidity', 'temperature'],
      model: 'dbscan',
      contamination: 0.05,
      dbscan: { eps: 'auto', minSamples: 5 },
    });
    expect(q.queryType).toBe('anomaly_count');
    expect(q.sensors).toEqual(['sensmitter_1', 'sensmitter_2']);
    expect(q.metrics).toEqual(['humidity', 'temperature']);
    expect(q.dbscan).toEqual({ eps: 'auto', minSamples: 5 });
  });

  it('accepts contamination "auto" only for the isolation forest', () => {
    expect(resolveQuery({ contamination: 'auto' }).contamination).toBe('auto');
    const err = errorOf({ model: 'dbscan', contamination: 'auto' });
    expect(err.field).toBe('contamination');
    expect(err.message).toBe('contamination: must be a number in (0, 0.5] (got "auto")');
  });

  it.each([
    [{ model: 'svm' }, 'model', 'model: must be one of "isolation_forest", "dbscan" (got "svm")'],
    [{ contamination: 'lots' }, 'contamination', 'contamination: must be a number in (0, 0.5] or "auto" (got "lots")'],
    [{ contamination: 0 }, 'contamination', 'contamination: must be a number in (0, 0.5] or "auto" (got 0)'],
    [{ contamination: 0.51 }, 'contamination', 'contamination: must be a number in (0, 0.5] or "auto" (got 0.51)'],
    [
      { metric: 'co2' },
      'metric',
      'metric: must be one of "temperature", "humidity", "pressure", "light_level" (got "co2")',
    ],
    [
      { metrics: [] },
      'metrics',
      'metrics: must be a non-empty list of "temperature", "humidity", "pressure", "light_level" (got [])',
    ],
    [
      { sensors: 'sensmitter_1' },
      'sensors',
      'sensors: must be a list of at most 100 sensor ids of 1 to 128 letters, digits and _ . : @ - (got "sensmitter_1")',
    ],
    [
      { sensors: ['ok_1', '../secrets'] },
      'sensors',
      'sensors: must be a list of at most 100 sensor ids of 1 to 128 letters, digits and _ . : @ - (got "../secrets")',
    ],
    [
      { sensors: ['  '] },
      'sensors',
      'sensors: must be a list of at most 100 sensor ids of 1 to 128 letters, digits and _ . : @ - (got "")',
    ],
    [{ queryType: 'table' }, 'queryType', 'queryType: must be one of "anomalies", "anomaly_count" (got "table")'],
    [
      { isolationForest: { nEstimators: 0 } },
      'isolationForest.nEstimators',
      'isolationForest.nEstimators: must be an integer from 1 to 1000 (got 0)',
    ],
    [
      { isolationForest: { nEstimators: 2.5 } },
      'isolationForest.nEstimators',
      'isolationForest.nEstimators: must be an integer from 1 to 1000 (got 2.5)',
    ],
    [
      { isolationForest: { maxSamples: 1.5 } },
      'isolationForest.maxSamples',
      'isolationForest.maxSamples: must be "auto", a fraction in (0, 1] (1 = all readings) or an integer ≥ 2 (got 1.5)',
    ],
    [
      { featureSet: 'raw', isolationForest: { maxFeatures: 5 } },
      'isolationForest.maxFeatures',
      'isolationForest.maxFeatures: must be a fraction in (0, 1] (1 = all features) or an integer from 2 to 4 (got 5)',
    ],
    [
      { metrics: ['humidity'], featureSet: 'raw', isolationForest: { maxFeatures: 2 } },
      'isolationForest.maxFeatures',
      'isolationForest.maxFeatures: must be a fraction in (0, 1] (1 = all features) (got 2)',
    ],
    [
      { isolationForest: { training: 'yesterday' } },
      'isolationForest.training',
      'isolationForest.training: must be one of "history", "window" (got "yesterday")',
    ],
    [{ dbscan: { eps: -1 } }, 'dbscan.eps', 'dbscan.eps: must be a number in (0, 1000] or "auto" (got -1)'],
    [
      { dbscan: { minSamples: '10' } },
      'dbscan.minSamples',
      'dbscan.minSamples: must be an integer from 1 to 10000 (got "10")',
    ],
    [{ dbscan: [] }, 'dbscan', 'dbscan: must be an object (got [])'],
    ['not an object', 'query', 'query: must be an object (got "not an object")'],
  ])('rejects %j naming %s', (raw, field, message) => {
    const err = errorOf(raw);
    expect(err.field).toBe(field);
    expect(err.message).toBe(message);
  });

  it('reads 1 as "all" for maxSamples and maxFeatures, as the detectors do', () => {
    const q = resolveQuery({ isolationForest: { maxSamples: 1, maxFeatures: 1 } });
    expect(q.isolationForest).toMatchObject({ maxSamples: 1, maxFeatures: 1 });
    expect(resolveQuery({ isolationForest: { maxSamples: 512, maxFeatures: 0.5 } }).isolationForest).toMatchObject({
      maxSamples: 512,
      maxFeatures: 0.5,
    });
  });

  it('rejects NaN and Infinity, which JSON cannot carry but callers can', () => {
    expect(errorOf({ contamination: Number.NaN }).field).toBe('contamination');
    expect(errorOf({ dbscan: { eps: Number.POSITIVE_INFINITY } }).field).toBe('dbscan.eps');
  });

  it('shortens long offending values in the message', () => {
    const err = errorOf({ model: 'x'.repeat(200) });
    expect(err.message.length).toBeLessThan(140);
  });
});

describe('limits shared with the detectors', () => {
  it('come from the detectors constraints table, so both say the same words', () => {
    expect(LIMITS.nEstimators).toEqual({ min: 1, max: ISOLATION_FOREST_CONSTRAINTS.nEstimators.constraint.max });
    expect(errorOf({ isolationForest: { nEstimators: 5000 } }).allowed).toBe(
      describeAllowed(ISOLATION_FOREST_CONSTRAINTS.nEstimators)
    );
  });
});
