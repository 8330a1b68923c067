import { dateTime, FieldType, LoadingState, type PanelData, type TimeRange, toDataFrame } from '@grafana/data';

import { contaminationHint, readingsInRange } from './contaminationHint';

const HOUR = 3_600_000;

function timeRange(hours: number): TimeRange {
  const from = dateTime(0);
  const to = dateTime(hours * HOUR);
  return { from, to, raw: { from, to } };
}

function response(frames: PanelData['series'], hours = 6): PanelData {
  return { state: LoadingState.Done, series: frames, timeRange: timeRange(hours) };
}

const withStat = (readings: number) =>
  toDataFrame({
    fields: [{ name: 'anomaly_count', type: FieldType.number, values: [0, 1] }],
    meta: { stats: [{ displayName: 'Readings', value: readings }] },
  });

const anomaliesFrame = (rows: number) =>
  toDataFrame({
    fields: [
      { name: 'time', type: FieldType.time, values: Array.from({ length: rows }, (_, i) => i) },
      { name: 'anomaly', type: FieldType.number, values: new Array(rows).fill(0) },
    ],
  });

describe('readingsInRange', () => {
  it('adds up the backend’s Readings stat over the sensors’ frames', () => {
    expect(readingsInRange(response([withStat(1000), withStat(234)]), timeRange(6))).toEqual({
      readings: 1234,
      estimated: false,
    });
  });

  it('counts the rows of anomalies frames when the backend sent no stat', () => {
    expect(readingsInRange(response([anomaliesFrame(30), anomaliesFrame(12)]), timeRange(6))).toEqual({
      readings: 42,
      estimated: false,
    });
  });

  it('knows nothing from count frames without the stat, or without a response', () => {
    const counts = toDataFrame({ fields: [{ name: 'anomaly_count', type: FieldType.number, values: [1] }] });
    expect(readingsInRange(response([counts]), timeRange(6))).toBeUndefined();
    expect(readingsInRange(undefined, timeRange(6))).toBeUndefined();
  });

  it('scales the last response to a range of another length and says it is an estimate', () => {
    expect(readingsInRange(response([withStat(600)], 6), timeRange(24))).toEqual({ readings: 2400, estimated: true });
  });
});

describe('contaminationHint', () => {
  const base = { model: 'isolation_forest' as const, dbscanEps: 0.3 };

  it('says how many readings of the range a contamination flags', () => {
    const hint = contaminationHint({ ...base, contamination: 0.01, inRange: { readings: 1234, estimated: false } });
    expect(hint).toBe('≈ 12 of 1,234 readings in this range');
  });

  it('marks a scaled count as an estimate', () => {
    const hint = contaminationHint({ ...base, contamination: 0.05, inRange: { readings: 2400, estimated: true } });
    expect(hint).toBe(
      '≈ 120 of 2,400 readings in this range (estimate: scaled from the last run, for a range of another length)'
    );
  });

  it('gives the share in words before the query has run', () => {
    expect(contaminationHint({ ...base, contamination: 0.01, inRange: undefined })).toBe(
      '≈ 1 in 100 readings flagged; the count for this range shows once the query has run.'
    );
  });

  it('explains "auto" and a DBSCAN with a fixed epsilon instead of a count', () => {
    expect(contaminationHint({ ...base, contamination: 'auto', inRange: undefined })).toMatch(/^auto: /);
    expect(contaminationHint({ model: 'dbscan', dbscanEps: 0.5, contamination: 0.01, inRange: undefined })).toMatch(
      /fixed epsilon DBSCAN flags its noise points/
    );
    expect(contaminationHint({ model: 'dbscan', dbscanEps: 'auto', contamination: 0.02, inRange: undefined })).toMatch(
      /^≈ 1 in 50 readings/
    );
  });

  it('says nothing about a contamination that is not a share', () => {
    expect(contaminationHint({ ...base, contamination: -1, inRange: undefined })).toBeUndefined();
  });
});
