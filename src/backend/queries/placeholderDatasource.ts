/**
 * A stand-in data source that exercises the whole plugin protocol with
 * synthetic data until the DynamoDB + detector pipeline replaces it. Only its
 * `sensors` resource is real already: it lists the table's sensor ids. It
 * validates queries exactly like the real one will (src/common/query.ts), but
 * its readings are a sine wave and its "anomalies" are the wave's peaks.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { FRAME_FIELDS } from '../../common/frames';
import { DEFAULT_QUERY, LIMITS, QueryFieldError, resolveQuery, type ResolvedQuery } from '../../common/query';
import type { AnomalyDataSourceOptions } from '../../common/settings';
import {
  booleanField,
  numberField,
  QueryError,
  timeField,
  type DataQuery,
  type DataSourceInstance,
  type DataSourceSettings,
  type Frame,
  type HealthResult,
  type RequestContext,
  type StreamHandler,
} from '../runtime';
import { sensorsResource } from './sensorsResource';

export const MAX_POINTS = 10_000;
/** Sine periods across the query's time range. */
const CYCLES = 4;
const ANOMALY_THRESHOLD = 0.99;
export const SELFTEST_PATH = 'selftest';
export const SELFTEST_INTERVAL_MS = 100;
const DEFAULT_SENSOR = 'demo';

interface SineSeries {
  time: Float64Array;
  value: Float64Array;
  score: Float64Array;
  anomaly: Uint8Array;
}

/** min(maxDataPoints, 10 000) points; a request without maxDataPoints (0) gets the cap. */
export function pointCount(maxDataPoints: number): number {
  return maxDataPoints > 0 ? Math.min(Math.floor(maxDataPoints), MAX_POINTS) : MAX_POINTS;
}

export function sineSeries(from: number, to: number, points: number): SineSeries {
  const series: SineSeries = {
    time: new Float64Array(points),
    value: new Float64Array(points),
    score: new Float64Array(points),
    anomaly: new Uint8Array(points),
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
      timeField('time', series.time),
      numberField(metric, series.value, { labels: { sensor } }),
      numberField(FRAME_FIELDS.score, series.score),
      booleanField(FRAME_FIELDS.flag, series.anomaly),
    ],
  };
}

/** Data-plane `timeseries-multi`: the shape Grafana alert rules evaluate. */
function anomalyCountFrame(sensor: string, series: SineSeries): Frame {
  return {
    name: sensor,
    meta: { type: 'timeseries-multi', typeVersion: [0, 1] },
    fields: [
      timeField('time', series.time),
      numberField(FRAME_FIELDS.count, Float64Array.from(series.anomaly), { labels: { sensor } }),
    ],
  };
}

function resolveOrReject(model: unknown): ResolvedQuery {
  try {
    return resolveQuery(model);
  } catch (error) {
    if (error instanceof QueryFieldError) {
      throw new QueryError(error.message, { status: 400, source: 'plugin', cause: error });
    }
    throw error;
  }
}

function query(dataQuery: DataQuery, ctx: RequestContext): Frame[] {
  const resolved = resolveOrReject(dataQuery.model);
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

function checkHealth(settings: DataSourceSettings): HealthResult {
  const options = (settings.jsonData ?? {}) as AnomalyDataSourceOptions;
  const table = typeof options.table === 'string' ? options.table.trim() : '';
  if (table === '') {
    return {
      status: 'ERROR',
      message: 'DynamoDB table is not set: enter it in the data source settings (jsonData.table).',
    };
  }
  return {
    status: 'OK',
    message: `Placeholder backend is running (table "${table}" is not checked yet: the DynamoDB and S3 checks come with the query pipeline).`,
  };
}

/** Live channel `ds/<uid>/selftest`: a sine value every 100 ms until Grafana cancels the stream. */
const selftestStream: StreamHandler = {
  async subscribe(request) {
    return { status: request.path === SELFTEST_PATH ? 'OK' : 'NOT_FOUND' };
  },
  async run(request, ctx, sender) {
    if (request.path !== SELFTEST_PATH) {
      return;
    }
    while (!ctx.signal.aborted) {
      const now = Date.now();
      await sender.sendFrame({
        fields: [
          timeField('time', Float64Array.of(now)),
          numberField('value', Float64Array.of(Math.sin((2 * Math.PI * now) / 60_000))),
        ],
      });
      await sleep(SELFTEST_INTERVAL_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  },
};

export function createPlaceholderDataSource(settings: DataSourceSettings): DataSourceInstance {
  const sensors = sensorsResource(settings);
  return {
    query: async (dataQuery, ctx) => query(dataQuery, ctx),
    checkHealth: async () => checkHealth(settings),
    resources: [
      {
        method: 'GET',
        path: 'defaults',
        handler: async () => ({ status: 200, body: { query: DEFAULT_QUERY, limits: LIMITS } }),
      },
      sensors.route,
    ],
    streams: selftestStream,
    dispose: () => sensors.dispose(),
  };
}
