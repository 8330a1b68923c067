/**
 * QueryData per refId. TODO(issue 7): still the placeholder — it validates the
 * query exactly as the product will, then answers a sine wave in the frame
 * shape; the real pipeline (read → features → model → frames) replaces it.
 */
import { COUNT_FRAME, COUNT_FRAME_TYPE, ANOMALY_FRAME } from '../../common/frames';
import { resolveQuery } from '../../common/query';
import { numberField, timeField, type DataQuery, type Frame, type RequestContext } from '../runtime';
import { toQueryError } from './errors';
import { SELFTEST_PATH } from './streams/selftest';

export const MAX_POINTS = 10_000;
/** Sine periods across the query's time range. */
const CYCLES = 4;
const ANOMALY_THRESHOLD = 0.99;
const DEFAULT_SENSOR = 'demo';

interface SineSeries {
  time: Float64Array;
  value: Float64Array;
  score: Float64Array;
  anomaly: Float64Array;
}

/** min(maxDataPoints, 10 000) points; a request without maxDataPoints (0) gets the cap. */
export function pointCount(maxDataPoints: number): number {
  return maxDataPoints > 0 ? Math.min(Math.floor(maxDataPoints), MAX_POINTS) : MAX_POINTS;
}

function sineSeries(from: number, to: number, points: number): SineSeries {
  const series: SineSeries = {
    time: new Float64Array(points),
    value: new Float64Array(points),
    score: new Float64Array(points),
    anomaly: new Float64Array(points),
  };
  const step = points > 1 ? (to - from) / (points - 1) : 0;
  for (let i = 0; i < points; i++) {
    const value = Math.sin((2 * Math.PI * CYCLES * i) / Math.max(points - 1, 1));
    series.time[i] = from + i * step;
    series.value[i] = value;
    series.score[i] = Math.abs(value);
    series.anomaly[i] = Math.abs(value) > ANOMALY_THRESHOLD ? 1 : 0;
  }
  return series;
}

function anomalyFrame(sensor: string, metric: string, series: SineSeries): Frame {
  return {
    name: sensor,
    fields: [
      timeField(ANOMALY_FRAME.time.name, series.time),
      numberField(metric, series.value, { labels: { sensor } }),
      numberField(ANOMALY_FRAME.score.name, series.score),
      numberField(ANOMALY_FRAME.flag.name, series.anomaly),
    ],
  };
}

function anomalyCountFrame(sensor: string, series: SineSeries): Frame {
  return {
    name: sensor,
    meta: { ...COUNT_FRAME_TYPE },
    fields: [
      timeField(COUNT_FRAME.time.name, series.time),
      numberField(COUNT_FRAME.count.name, series.anomaly, { labels: { sensor } }),
    ],
  };
}

export async function runQuery(dataQuery: DataQuery, ctx: RequestContext): Promise<Frame[]> {
  let resolved;
  try {
    resolved = resolveQuery(dataQuery.model);
  } catch (error) {
    throw toQueryError(error);
  }
  if (resolved.live) {
    return [{ fields: [], meta: { channel: `ds/${ctx.dataSource?.uid ?? ''}/${SELFTEST_PATH}` } }];
  }
  const { from, to } = dataQuery.timeRange;
  const series = sineSeries(from, to, pointCount(dataQuery.maxDataPoints));
  const sensors = resolved.sensors.length > 0 ? resolved.sensors : [DEFAULT_SENSOR];
  return sensors.map((sensor) =>
    resolved.queryType === 'anomaly_count'
      ? anomalyCountFrame(sensor, series)
      : anomalyFrame(sensor, resolved.metric, series)
  );
}
