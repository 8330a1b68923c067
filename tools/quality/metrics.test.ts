import { rocAuc } from '../../tests/parity/metrics';
import { kindQuality, overallQuality } from './metrics';

const aucOf = (labels: number[], scores: number[]) =>
  kindQuality(
    labels,
    scores,
    labels.map(() => 0),
    1
  ).auc;

describe('quality metrics on cases small enough to count by hand', () => {
  it('ROC-AUC is the share of (positive, negative) pairs ranked the right way, ties counting half', () => {
    // Positives 0.9 and 0.4, negatives 0.8 and 0.1: 0.9 > 0.8, 0.9 > 0.1, 0.4 < 0.8, 0.4 > 0.1 → 3 of 4.
    expect(aucOf([1, 0, 1, 0], [0.9, 0.8, 0.4, 0.1])).toBe(0.75);
    expect(aucOf([1, 0], [0.5, 0.5])).toBe(0.5);
    expect(aucOf([0, 0, 1], [1, 2, 3])).toBe(1);
    // Ties across positives and negatives: 0.5 vs {0.5, 0.2} → ½ + 1; 0.9 vs both → 2; total 3.5 of 4.
    expect(aucOf([1, 0, 1, 0], [0.5, 0.5, 0.9, 0.2])).toBe(0.875);
  });

  it('agrees with the parity tests rank statistic on random scores with ties', () => {
    let seed = 3;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const scores = Array.from({ length: 500 }, () => Math.round(rand() * 50) / 50);
    const labels = scores.map((s) => (rand() < 0.2 + 0.5 * s ? 1 : 0));
    expect(aucOf(labels, scores)).toBeCloseTo(rocAuc(labels, scores), 12);
  });

  it('judges one kind against the normal readings only, leaving other kinds out', () => {
    const labels = [0, 1, 2, 1, 0];
    const scores = [0.2, 0.9, 0.95, 0.1, 0.3];
    const flags = [1, 1, 1, 0, 0];
    // Kind 1: readings 1 and 3 against normals 0 and 4. Pairs: 0.9 beats both, 0.1 beats neither → 2 of 4.
    // Flags: reading 1 caught (recall 1 of 2); flagged kind-1-or-normal readings: 1 and 0 → precision 1 of 2.
    expect(kindQuality(labels, scores, flags, 1)).toEqual({ positives: 2, auc: 0.5, recall: 0.5, precision: 0.5 });
    expect(kindQuality(labels, scores, flags, 2)).toEqual({ positives: 1, auc: 1, recall: 1, precision: 0.5 });
  });

  it('says NaN rather than inventing a number when there is nothing to divide by', () => {
    const q = kindQuality([0, 0], [0.1, 0.2], [0, 0], 1);
    expect(q.positives).toBe(0);
    expect(q.auc).toBeNaN();
    expect(q.recall).toBeNaN();
    expect(q.precision).toBeNaN();
  });

  it('overall precision and recall count any anomaly kind as a hit', () => {
    // Flagged: readings 0, 1, 2 (one normal, two anomalies); anomalies: 1, 2, 3.
    expect(overallQuality([0, 1, 2, 1, 0], [1, 1, 1, 0, 0])).toEqual({
      precision: 2 / 3,
      recall: 2 / 3,
      flaggedShare: 3 / 5,
    });
  });
});
