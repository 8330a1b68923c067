import { autoEps, dbscan, explainDbscan, kDistances, nearestCoreDistances } from './dbscan';
import { DetectorInputError } from './errors';
import { matrixFromRows } from './matrix';
import { loadFixture } from '../../tests/parity/loadFixture';

interface DbscanCase {
  name: string;
  eps: number;
  minSamples: number;
  data: number[][];
  labels: number[];
}

const fixture = loadFixture<{ cases: DbscanCase[] }>('dbscan.json');

/** The textbook O(n²) algorithm, in scikit-learn's visiting order, as an independent reference. */
function referenceDbscan(rows: number[][], eps: number, minSamples: number): number[] {
  const n = rows.length;
  const neighbours = rows.map((a) =>
    rows.flatMap((b, j) => (a.reduce((s, v, c) => s + (v - b[c]) ** 2, 0) <= eps * eps ? [j] : []))
  );
  const core = neighbours.map((nb) => nb.length >= minSamples);
  const labels = new Array<number>(n).fill(-1);
  let next = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== -1 || !core[i]) {
      continue;
    }
    const stack = [i];
    while (stack.length > 0) {
      const p = stack.pop() as number;
      if (labels[p] !== -1) {
        continue;
      }
      labels[p] = next;
      if (core[p]) {
        stack.push(...neighbours[p].filter((q) => labels[q] === -1));
      }
    }
    next++;
  }
  return labels;
}

describe('dbscan parity with scikit-learn', () => {
  it('covers at least six data sets', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(6);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))(
    '%s: labels identical, cluster numbers included',
    (_name, c) => {
      const result = dbscan(c.data, { eps: c.eps, minSamples: c.minSamples });
      expect(Array.from(result.labels)).toEqual(c.labels);
      expect(result.noiseCount).toBe(c.labels.filter((l) => l === -1).length);
      expect(result.clusterCount).toBe(Math.max(-1, ...c.labels) + 1);
    }
  );

  it('agrees with a brute-force reference on random data of 1 to 12 dimensions (grid and k-d tree)', () => {
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const d of [1, 2, 3, 4, 5, 8, 12]) {
      const rows = Array.from({ length: 300 }, () => Array.from({ length: d }, () => Math.round(rand() * 40) / 8));
      const eps = 0.5 + d * 0.25;
      expect(Array.from(dbscan(rows, { eps, minSamples: 4 }).labels)).toEqual(referenceDbscan(rows, eps, 4));
    }
  });
});

describe('dbscan input checks', () => {
  const rows = [
    [0, 0],
    [0, 1],
    [1, 0],
  ];

  it.each([
    ['eps', { eps: 0 }],
    ['eps', { eps: -1 }],
    ['eps', { eps: Number.NaN }],
    ['minSamples', { eps: 1, minSamples: 0 }],
    ['minSamples', { eps: 1, minSamples: 2.5 }],
  ])('rejects a bad %s', (parameter, options) => {
    expect(() => dbscan(rows, options)).toThrow(expect.objectContaining({ name: 'DetectorInputError', parameter }));
  });

  it('labels every row noise when there are fewer rows than minSamples, as scikit-learn does', () => {
    const result = dbscan(rows, { eps: 10, minSamples: 4 });
    expect(Array.from(result.labels)).toEqual([-1, -1, -1]);
    expect(result).toMatchObject({ clusterCount: 0, noiseCount: 3 });
  });

  it('stops with an AbortError when its signal is raised, on either index', () => {
    const aborted = { aborted: true };
    expect(() => dbscan(rows, { eps: 1 }, { signal: aborted })).toThrow(
      expect.objectContaining({ name: 'AbortError' })
    );
    expect(() => dbscan([[1, 2, 3, 4, 5]], { eps: 1 }, { signal: aborted })).toThrow(
      expect.objectContaining({ name: 'AbortError' })
    );
  });

  it('rejects NaN, Infinity, ragged rows and empty data, naming the place', () => {
    expect(() =>
      dbscan(
        [
          [0, 0],
          [Number.NaN, 1],
        ],
        { eps: 1 }
      )
    ).toThrow(/row 1, feature 0/);
    expect(() => dbscan([[0, Infinity]], { eps: 1, minSamples: 1 })).toThrow(DetectorInputError);
    expect(() => dbscan([[0, 0], [1]], { eps: 1 })).toThrow(/row 1: must be 2 features/);
    expect(() => dbscan([], { eps: 1 })).toThrow(/data: must be at least one row/);
  });
});

describe('autoEps', () => {
  const sensor = fixture.cases.find((c) => c.name === 'sensor_standardized') as DbscanCase;

  it('leaves about `contamination` of the rows non-core, so noise is at most about that share', () => {
    for (const contamination of [0.01, 0.05]) {
      const eps = autoEps(sensor.data, { minSamples: 10, contamination });
      const result = dbscan(sensor.data, { eps, minSamples: 10 });
      const nonCore = result.isCore.reduce((s, f) => s + (1 - f), 0) / sensor.data.length;
      expect(Math.abs(nonCore - contamination)).toBeLessThanOrEqual(1 / sensor.data.length + 1e-12);
      expect(result.noiseCount / sensor.data.length).toBeLessThanOrEqual(nonCore);
    }
  });

  it('is the k-distance quantile, counting the row itself as the first neighbour', () => {
    // On a line at 0, 1, 2, …, 9 the 2nd neighbour (self first) is 1 away for every row.
    const line = Array.from({ length: 10 }, (_, i) => [i]);
    expect(autoEps(line, { minSamples: 2, contamination: 0.1 })).toBe(1);
    // The 3rd is 1 away inside the line and 2 away at both ends, so the sorted
    // k-distances are eight 1s and two 2s; the 85th percentile sits at rank 7.65.
    expect(autoEps(line, { minSamples: 3, contamination: 0.15 })).toBeCloseTo(1.65, 12);
  });

  it('rejects contamination outside (0, 0.5]', () => {
    expect(() => autoEps(sensor.data, { minSamples: 10, contamination: 0.6 })).toThrow(
      expect.objectContaining({ parameter: 'contamination', allowed: 'a number in (0, 0.5]' })
    );
  });
});

describe('nearestCoreDistances', () => {
  it('is above eps exactly for noise rows, and measures to another core for core rows', () => {
    const rows = [[0], [0.1], [0.2], [0.3], [5]];
    const x = matrixFromRows(rows);
    const result = dbscan(x, { eps: 0.15, minSamples: 2 });
    const distance = nearestCoreDistances(x, result);
    expect(Array.from(result.labels)).toEqual([0, 0, 0, 0, -1]);
    expect(distance[0]).toBeCloseTo(0.1, 12);
    expect(distance[4]).toBeCloseTo(4.7, 12);
    distance.forEach((d, r) => expect(d > 0.15).toBe(result.labels[r] === -1));
  });
});

describe('kDistances', () => {
  it('counts the row itself as its first neighbour', () => {
    expect(Array.from(kDistances([[0], [1], [3]], 2))).toEqual([1, 1, 2]);
  });
});

describe('explainDbscan', () => {
  it('names the feature on which a noise point is furthest from the nearest core point', () => {
    const rows = [
      ...Array.from({ length: 20 }, (_, i) => [i / 20, (i % 5) / 10]),
      [0.5, 3], // far off on feature 1 only
    ];
    const x = matrixFromRows(rows);
    const result = dbscan(x, { eps: 0.3, minSamples: 3 });
    expect(result.labels[20]).toBe(-1);
    const explanation = explainDbscan(x, result).get(20);
    expect(explanation?.topFeature).toBe(1);
    expect(explanation!.shares[0] + explanation!.shares[1]).toBeCloseTo(1, 12);
  });
});
