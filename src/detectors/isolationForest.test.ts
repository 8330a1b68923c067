import { averagePathLength, growTrees, IsolationForest } from './isolationForest';
import { percentileLinear } from './matrix';
import { rocAuc, spearman } from '../../tests/parity/metrics';
import { loadFixture } from '../../tests/parity/loadFixture';

interface ForestFixture {
  data: number[][];
  labels: number[];
  contamination: number;
  runs: Array<{ seed: number; offset: number; scores: number[]; auc: number; flagged: number }>;
  autoOffset: number;
}

const fixture = loadFixture<ForestFixture>('isolation-forest.json');
const numeric = loadFixture<{ averagePathLength: Array<{ n: number; expected: number }> }>('numeric.json');

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('c(n), the average path length of an unsuccessful BST search', () => {
  it("equals scikit-learn's _average_path_length, n ≤ 2 special cases included", () => {
    for (const { n, expected } of numeric.averagePathLength) {
      expect(averagePathLength(n)).toBe(expected);
    }
  });
});

describe('IsolationForest parity with scikit-learn', () => {
  const seeds = fixture.runs.map((r) => r.seed);
  const models = seeds.map((seed) => IsolationForest.fit(fixture.data, { contamination: fixture.contamination, seed }));
  const ourScores = models.map((m) => m.scoreSamples(fixture.data));

  it('flags the contamination share of the training rows (within one row)', () => {
    const expected = fixture.contamination * fixture.data.length;
    for (const model of models) {
      const flagged = model.isAnomaly(fixture.data).reduce((s, f) => s + f, 0);
      expect(Math.abs(flagged - expected)).toBeLessThanOrEqual(1);
    }
    for (const run of fixture.runs) {
      expect(Math.abs(run.flagged - expected)).toBeLessThanOrEqual(1); // scikit-learn, same rule
    }
  });

  it('sets the offset to the contamination percentile of the training scores, as scikit-learn does', () => {
    for (const run of fixture.runs) {
      expect(percentileLinear(Float64Array.from(run.scores), 100 * fixture.contamination)).toBe(run.offset);
    }
    models.forEach((model, i) =>
      expect(model.offset).toBe(percentileLinear(ourScores[i], 100 * fixture.contamination))
    );
  });

  it("uses offset −0.5 for contamination 'auto'", () => {
    expect(fixture.autoOffset).toBe(-0.5);
    expect(IsolationForest.fit(fixture.data, { contamination: 'auto', nEstimators: 10 }).offset).toBe(-0.5);
  });

  it('ranks the labelled anomalies as well as scikit-learn (mean ROC-AUC over 5 seeds within 0.02)', () => {
    const ours = mean(
      ourScores.map((s) =>
        rocAuc(
          fixture.labels,
          s.map((v) => -v)
        )
      )
    );
    const theirs = mean(fixture.runs.map((r) => r.auc));
    expect(Math.abs(ours - theirs)).toBeLessThanOrEqual(0.02);
  });

  it('orders rows like scikit-learn (Spearman ≥ 0.95 between seed-averaged scores)', () => {
    const averaged = (all: Array<ArrayLike<number>>) =>
      Float64Array.from({ length: fixture.data.length }, (_, i) => mean(all.map((s) => s[i])));
    const theirs = averaged(fixture.runs.map((r) => r.scores));
    expect(spearman(averaged(ourScores), theirs)).toBeGreaterThanOrEqual(0.95);
  });
});

describe('IsolationForest behaviour', () => {
  const small = fixture.data.slice(0, 600);

  it('is reproducible: same seed, same trees and scores; another seed, other scores', () => {
    const a = IsolationForest.fit(small, { seed: 7 }).scoreSamples(small);
    expect(IsolationForest.fit(small, { seed: 7 }).scoreSamples(small)).toEqual(a);
    expect(IsolationForest.fit(small, { seed: 8 }).scoreSamples(small)).not.toEqual(a);
  });

  it.each([[[0, 100]], [[0, 50, 100]], [[0, 13, 37, 38, 100]]])(
    'is the same forest when grown in parts %j (each tree seeded on its own), offset included',
    (cuts) => {
      const options = { seed: 5, contamination: 0.05, maxFeatures: 0.75 };
      const whole = IsolationForest.fit(small, options);
      const parts = cuts.slice(1).map((end, k) => growTrees(small, options, cuts[k]!, end));
      const unfitted = IsolationForest.fromParts(options, parts);
      const joined = unfitted.withTrainingScores(unfitted.scoreSamples(small));
      expect(JSON.stringify(joined)).toBe(JSON.stringify(whole));
      expect(joined.scoreSamples(small)).toEqual(whole.scoreSamples(small));
    }
  );

  it('refuses parts that are not consecutive trees of one forest', () => {
    const options = { seed: 5 };
    expect(() => IsolationForest.fromParts(options, [growTrees(small, options, 10, 20)])).toThrow(/consecutive/);
    expect(() => growTrees(small, options, 90, 101)).toThrow(/trees/);
  });

  it('round-trips through JSON text with identical scores', () => {
    const model = IsolationForest.fit(small, { seed: 3, maxFeatures: 0.5, maxSamples: 100 });
    const copy = IsolationForest.fromJSON(JSON.parse(JSON.stringify(model)));
    expect(copy.scoreSamples(small)).toEqual(model.scoreSamples(small));
    expect(copy.offset).toBe(model.offset);
  });

  it('scores one row exactly as the batch scorer does', () => {
    const model = IsolationForest.fit(small, { nEstimators: 37 }); // not a multiple of 4 trees
    const batch = model.scoreSamples(small);
    small.forEach((row, i) => expect(model.scoreOne(Float64Array.from(row))).toBe(batch[i]));
  });

  it('keeps decisionFunction, predict and isAnomaly consistent', () => {
    const model = IsolationForest.fit(small, { contamination: 0.05 });
    const decision = model.decisionFunction(small);
    const predicted = model.predict(small);
    const flags = model.isAnomaly(small);
    decision.forEach((d, i) => {
      expect(predicted[i]).toBe(d < 0 ? -1 : 1);
      expect(flags[i]).toBe(d < 0 ? 1 : 0);
    });
  });

  it('gives every row −0.5 with a single training row, like scikit-learn', () => {
    const model = IsolationForest.fit([[1, 2]], { contamination: 'auto' });
    expect(model.scoreOne([5, 5])).toBe(-0.5);
  });

  it('detect returns the scores, the flags and an explanation for every flagged row only', () => {
    const model = IsolationForest.fit(small, { contamination: 0.05 });
    const { scores, flags, explanations } = model.detect(small);
    expect(scores).toEqual(model.scoreSamples(small));
    expect(flags).toEqual(model.isAnomaly(small));
    expect([...explanations.keys()]).toEqual([...flags.keys()].filter((r) => flags[r] === 1));
    expect(explanations.get([...explanations.keys()][0])).toEqual(
      model.explain([small[[...explanations.keys()][0]]])[0]
    );
  });

  it('explains a spike by the feature that was spiked', () => {
    const model = IsolationForest.fit(small, { seed: 1 });
    const spiked = [...small[0]];
    spiked[2] += 12;
    const [explanation] = model.explain([spiked]);
    expect(explanation.topFeature).toBe(2);
    expect(explanation.shares.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it.each([
    ['nEstimators', { nEstimators: 0 }],
    ['maxSamples', { maxSamples: 0 }],
    ['maxSamples', { maxSamples: 2.5 }],
    ['maxFeatures', { maxFeatures: -1 }],
    ['contamination', { contamination: 0.6 }],
    ['contamination', { contamination: 0 }],
    ['seed', { seed: -1 }],
  ])('rejects a bad %s', (parameter, options) => {
    expect(() => IsolationForest.fit(small, options)).toThrow(
      expect.objectContaining({ name: 'DetectorInputError', parameter })
    );
  });

  it('takes maxFeatures as scikit-learn does: a fraction rounds down but keeps one feature, a count above the width is an error', () => {
    expect(IsolationForest.fit(small, { nEstimators: 3, maxFeatures: 0.1 }).nFeatures).toBe(4);
    expect(() => IsolationForest.fit(small, { maxFeatures: 5 })).toThrow(
      expect.objectContaining({ parameter: 'maxFeatures', allowed: 'at most the 4 features of the data' })
    );
  });

  it('words its limits from the constraints table, as the query model does', () => {
    expect(() => IsolationForest.fit(small, { nEstimators: 1001 })).toThrow(
      'nEstimators: must be an integer from 1 to 1000 (got 1001)'
    );
  });

  it('stops growing trees with an AbortError when its signal is raised', () => {
    expect(() => IsolationForest.fit(small, {}, { signal: { aborted: true } })).toThrow(
      expect.objectContaining({ name: 'AbortError' })
    );
  });

  it('rejects bad rows when fitting and scoring, naming the problem', () => {
    const model = IsolationForest.fit(small, { nEstimators: 5 });
    expect(() => IsolationForest.fit([], {})).toThrow(/at least one row/);
    expect(() => model.scoreSamples([[1, 2]])).toThrow(/rows of 4 features/);
    expect(() => model.scoreOne([1, 2, 3, Number.NaN])).toThrow(expect.objectContaining({ parameter: 'feature 3' }));
    expect(() => model.scoreOne([1, 2, 3])).toThrow(expect.objectContaining({ parameter: 'row' }));
  });

  it('refuses a corrupted or foreign model', () => {
    const json = IsolationForest.fit(small, { nEstimators: 2 }).toJSON();
    expect(() => IsolationForest.fromJSON({ ...json, version: 2 })).toThrow(
      expect.objectContaining({ parameter: 'model' })
    );
    expect(() =>
      IsolationForest.fromJSON({ ...json, left: json.left.map(() => 0), feature: json.feature.map(() => 1) })
    ).toThrow(/model node 0/);
    expect(() => IsolationForest.fromJSON(null)).toThrow(expect.objectContaining({ parameter: 'model' }));
  });
});
