import { encodeFrame, numberField, timeField } from '../../src/backend/runtime/frames';
import { toDsQueryReply, toQueryDataRequest } from './pluginBackend';

describe('the browser body of /api/ds/query as QueryData queries', () => {
  it('puts each query’s JSON, time range, interval and max data points where Grafana puts them', () => {
    const queries = toQueryDataRequest({
      from: '1000',
      to: '2000',
      queries: [{ refId: 'A', queryType: 'anomalies', intervalMs: 30_000, maxDataPoints: 900, metric: 'humidity' }],
    });
    expect(queries).toEqual([
      {
        refId: 'A',
        queryType: 'anomalies',
        intervalMS: 30_000,
        maxDataPoints: 900,
        timeRange: { fromEpochMS: 1000, toEpochMS: 2000 },
        json: Buffer.from(
          JSON.stringify({
            refId: 'A',
            queryType: 'anomalies',
            intervalMs: 30_000,
            maxDataPoints: 900,
            metric: 'humidity',
          })
        ),
      },
    ]);
  });

  it('fills Grafana’s defaults for interval and max data points', () => {
    expect(toQueryDataRequest({ from: '1', to: '2', queries: [{ refId: 'A' }] })).toMatchObject([
      { intervalMS: 1000, maxDataPoints: 100 },
    ]);
  });

  it('names what is wrong with a body it cannot use', () => {
    expect(toQueryDataRequest({ from: 'now-1h', to: 'now', queries: [{}] })).toMatch(/^from and to must be epoch/);
    expect(toQueryDataRequest({ from: '1', to: '2', queries: [] })).toBe('queries: at least one query is needed');
  });
});

describe('QueryData answers as /api/ds/query replies', () => {
  const frame = encodeFrame({
    name: 's1',
    fields: [timeField('time', Float64Array.of(1000)), numberField('temperature', Float64Array.of(21))],
  });

  it('turns frames into frame JSON per refId, keeping a refId such as __proto__ as data', () => {
    const reply = toDsQueryReply([
      { key: 'A', value: { frames: [frame], error: '', status: 200, errorSource: '' } },
      { key: '__proto__', value: { frames: [], error: '', status: 200, errorSource: '' } },
    ]);
    expect(reply.status).toBe(200);
    const results = (reply.body as { results: Record<string, { frames: Array<{ schema: { name: string } }> }> })
      .results;
    expect(results.A.frames[0].schema.name).toBe('s1');
    expect(Object.keys(results)).toEqual(['A', '__proto__']);
  });

  it('answers with the failure’s status only when every query failed, as Grafana does', () => {
    const failed = { frames: [], error: 'contamination: must be …', status: 400, errorSource: 'downstream' };
    const ok = { frames: [frame], error: '', status: 200, errorSource: '' };
    expect(toDsQueryReply([{ key: 'A', value: failed }]).status).toBe(400);
    expect(
      toDsQueryReply([
        { key: 'A', value: failed },
        { key: 'B', value: ok },
      ]).status
    ).toBe(200);
    expect(toDsQueryReply([{ key: 'A', value: failed }]).body).toEqual({
      results: { A: { status: 400, error: 'contamination: must be …', errorSource: 'downstream', frames: [] } },
    });
  });
});
