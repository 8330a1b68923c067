/**
 * Detection quality per anomaly kind: ROC-AUC of the scores, and precision and
 * recall of the 0/1 flags at the model's own threshold.
 *
 * The report asks for the AUC of many subsets of the same scores (each kind,
 * each metric, each quarter of an episode), so the scores are sorted once
 * ({@link rankOrder}) and each AUC is one pass over that order.
 */

export interface KindQuality {
  /** Readings of the kind that were scored. */
  positives: number;
  /** ROC-AUC of the kind's readings against the normal readings: 1 = every one scores above every normal one. */
  auc: number;
  /** Share of the kind's readings that were flagged. */
  recall: number;
  /** Of the kind's flagged readings and the flagged normal readings, the share that are the kind's. */
  precision: number;
}

/**
 * Quality of one kind: its readings (label === kind) against the normal ones
 * (label 0); readings of other kinds are left out, so each kind is judged as
 * if it were the only fault. NaN where a ratio has nothing to divide by.
 */
export function kindQuality(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  flags: ArrayLike<number>,
  kind: number,
  order: Uint32Array = rankOrder(scores)
): KindQuality {
  let positives = 0;
  let truePositives = 0;
  let falsePositives = 0;
  for (let i = 0; i < labels.length; i++) {
    const positive = labels[i] === kind;
    positives += positive ? 1 : 0;
    truePositives += positive && flags[i] === 1 ? 1 : 0;
    falsePositives += labels[i] === 0 && flags[i] === 1 ? 1 : 0;
  }
  return {
    positives,
    auc: aucInOrder(labels, scores, kind, order),
    recall: positives > 0 ? truePositives / positives : NaN,
    precision: truePositives + falsePositives > 0 ? truePositives / (truePositives + falsePositives) : NaN,
  };
}

/** Indices of `scores` in ascending order of score. */
export function rankOrder(scores: ArrayLike<number>): Uint32Array {
  return Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
}

/**
 * ROC-AUC of readings labelled `kind` against readings labelled 0 (others left
 * out): the share of (positive, negative) pairs where the positive scores
 * higher, ties counting half (Mann–Whitney U). One pass over `order`, the
 * indices sorted by score; NaN without positives or negatives.
 */
function aucInOrder(labels: ArrayLike<number>, scores: ArrayLike<number>, kind: number, order: Uint32Array): number {
  let negativesBelow = 0;
  let pairs = 0;
  let positives = 0;
  for (let g = 0; g < order.length; ) {
    let end = g;
    let groupPositives = 0;
    let groupNegatives = 0;
    while (end < order.length && scores[order[end]!] === scores[order[g]!]) {
      const label = labels[order[end]!];
      groupPositives += label === kind ? 1 : 0;
      groupNegatives += label === 0 ? 1 : 0;
      end++;
    }
    pairs += groupPositives * (negativesBelow + groupNegatives / 2);
    negativesBelow += groupNegatives;
    positives += groupPositives;
    g = end;
  }
  return positives > 0 && negativesBelow > 0 ? pairs / (positives * negativesBelow) : NaN;
}

/** Precision and recall of the flags against "any anomaly", and the share of readings flagged. */
export function overallQuality(
  labels: ArrayLike<number>,
  flags: ArrayLike<number>
): { precision: number; recall: number; flaggedShare: number } {
  let flagged = 0;
  let anomalies = 0;
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const anomaly = labels[i] !== 0;
    flagged += flags[i];
    anomalies += anomaly ? 1 : 0;
    hits += anomaly && flags[i] === 1 ? 1 : 0;
  }
  return {
    precision: flagged > 0 ? hits / flagged : NaN,
    recall: anomalies > 0 ? hits / anomalies : NaN,
    flaggedShare: labels.length > 0 ? flagged / labels.length : NaN,
  };
}
