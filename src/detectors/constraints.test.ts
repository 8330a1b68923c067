import { DBSCAN_CONSTRAINTS, ISOLATION_FOREST_CONSTRAINTS as IF, describeAllowed, satisfies } from './constraints';

describe('the detectors constraints table', () => {
  it('words every kind of constraint the way every error message says it', () => {
    expect(describeAllowed(IF.nEstimators)).toBe('an integer from 1 to 1000');
    expect(describeAllowed(IF.contamination)).toBe('a number in (0, 0.5] or "auto"');
    expect(describeAllowed({ ...IF.contamination, alsoAllowed: [] })).toBe('a number in (0, 0.5]');
    expect(describeAllowed(IF.maxSamples)).toBe('"auto", a fraction in (0, 1] (1 = all readings) or an integer ≥ 2');
    expect(describeAllowed(IF.maxFeatures, { maxCount: 4 })).toBe(
      'a fraction in (0, 1] (1 = all features) or an integer from 2 to 4'
    );
    expect(describeAllowed(IF.maxFeatures, { maxCount: 1 })).toBe('a fraction in (0, 1] (1 = all features)');
    expect(describeAllowed(DBSCAN_CONSTRAINTS.eps)).toBe('a number in (0, 1000]');
  });

  it('allows exactly what it says', () => {
    expect([0, 1, 1000, 1001, 2.5].map((v) => satisfies(IF.nEstimators.constraint, v))).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
    expect([0, 1e-9, 0.5, 0.51].map((v) => satisfies(IF.contamination.constraint, v))).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect([0, 0.3, 1, 1.5, 2, 512].map((v) => satisfies(IF.maxSamples.constraint, v))).toEqual([
      false,
      true,
      true,
      false,
      true,
      true,
    ]);
    expect([Number.NaN, Number.POSITIVE_INFINITY, '3', null].some((v) => satisfies(IF.seed.constraint, v))).toBe(false);
  });

  it('gives the defaults the detectors use', () => {
    expect(IF.nEstimators.default).toBe(100);
    expect(IF.contamination.default).toBe(0.01);
    expect(DBSCAN_CONSTRAINTS.minSamples.default).toBe(5);
  });
});
