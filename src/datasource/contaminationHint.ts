import { type DataFrame, type PanelData, type TimeRange } from '@grafana/data';

import { FRAME_FIELDS, FRAME_STATS } from '../common/frames';
import type { ModelKind } from '../common/query';

/** How many readings the query's range holds, as far as the editor can tell. */
export interface RangeReadings {
  readings: number;
  /** True when scaled from a response for another range (the range changed and the query has not run since). */
  estimated: boolean;
}

/**
 * The readings of the last response: the backend's per-frame `Readings` stat
 * when present, else the rows of `anomalies` frames (one row per reading).
 * `anomaly_count` frames without the stat hold buckets, not readings: unknown.
 */
function readingsOfResponse(frames: readonly DataFrame[]): number | undefined {
  let fromStats: number | undefined;
  let fromRows: number | undefined;
  for (const frame of frames) {
    const stat = frame.meta?.stats?.find((s) => s.displayName === FRAME_STATS.readings);
    if (stat && Number.isFinite(stat.value)) {
      fromStats = (fromStats ?? 0) + stat.value;
    } else if (frame.fields.some((f) => f.name === FRAME_FIELDS.flag)) {
      fromRows = (fromRows ?? 0) + frame.length;
    }
  }
  return fromStats ?? fromRows;
}

function durationOf(range: TimeRange): number {
  return range.to.valueOf() - range.from.valueOf();
}

/**
 * Readings in `range` (the editor's current range), from `data` (the last
 * response, which Grafana filters to this query's refId). When the response
 * was for a range of another length, its count is scaled to the new length
 * and marked as an estimate.
 */
export function readingsInRange(data: PanelData | undefined, range: TimeRange | undefined): RangeReadings | undefined {
  const readings = data ? readingsOfResponse(data.series) : undefined;
  if (readings === undefined || !data) {
    return undefined;
  }
  const answered = durationOf(data.timeRange);
  const wanted = range ? durationOf(range) : answered;
  if (answered <= 0 || wanted <= 0 || Math.abs(wanted - answered) <= answered * 0.01) {
    return { readings, estimated: false };
  }
  return { readings: Math.round((readings * wanted) / answered), estimated: true };
}

const number = new Intl.NumberFormat('en-US');

/**
 * What a contamination means for this range, in readings: "≈ 12 of 1,234
 * readings in this range", or the share in words before the query has run.
 */
export function contaminationHint(options: {
  contamination: number | 'auto' | undefined;
  model: ModelKind;
  /** DBSCAN's eps: a fixed eps ignores contamination. */
  dbscanEps: number | 'auto';
  inRange: RangeReadings | undefined;
}): string | undefined {
  const { contamination, model, dbscanEps, inRange } = options;
  if (model === 'dbscan' && dbscanEps !== 'auto') {
    return 'With a fixed epsilon DBSCAN flags its noise points, whatever the contamination; switch epsilon to auto to let contamination set it.';
  }
  if (contamination === 'auto') {
    return 'auto: the Isolation Forest paper’s fixed threshold; on sensor data it usually flags far more than 1 % of the readings.';
  }
  if (contamination === undefined || !Number.isFinite(contamination) || contamination <= 0) {
    return undefined;
  }
  if (!inRange) {
    const oneIn = Math.round(1 / contamination);
    return `≈ 1 in ${number.format(oneIn)} readings flagged; the count for this range shows once the query has run.`;
  }
  const flagged = Math.round(contamination * inRange.readings);
  const of = `≈ ${number.format(flagged)} of ${number.format(inRange.readings)} readings in this range`;
  return inRange.estimated ? `${of} (estimate: scaled from the last run, for a range of another length)` : of;
}
