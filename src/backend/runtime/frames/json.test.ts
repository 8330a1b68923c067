import { booleanField, numberField, stringField, timeField, type Frame } from './frame';
import { frameToJSON } from './json';

const T0 = 1_700_000_000_000;

function frame(): Frame {
  return {
    name: 'sensmitter_1',
    refId: 'A',
    meta: { type: 'timeseries-multi', typeVersion: [0, 1] },
    fields: [
      timeField('time', Float64Array.of(T0, T0 + 1000.25, T0 + 2000)),
      numberField('temperature', Float64Array.of(21.5, Number.NaN, Number.POSITIVE_INFINITY), {
        labels: { sensor: 'sensmitter_1' },
        config: { unit: 'celsius' },
      }),
      numberField('score', Float64Array.of(Number.NEGATIVE_INFINITY, 0.5, 0), { nulls: Uint8Array.of(0, 0, 1) }),
      stringField('state', ['ok', 'warn', 'ok']),
      booleanField('anomaly', Uint8Array.of(0, 1, 0)),
    ],
  };
}

describe('frameToJSON (the Go SDK’s data.FrameToJSON layout, docs/grafana-plugin-protocol.md §5.8)', () => {
  test('schema: name, refId, meta, then fields with tstype, Go typeInfo, labels and config', () => {
    expect(frameToJSON(frame()).schema).toEqual({
      name: 'sensmitter_1',
      refId: 'A',
      meta: { type: 'timeseries-multi', typeVersion: [0, 1] },
      fields: [
        { name: 'time', type: 'time', typeInfo: { frame: 'time.Time' } },
        {
          name: 'temperature',
          type: 'number',
          typeInfo: { frame: 'float64' },
          labels: { sensor: 'sensmitter_1' },
          config: { unit: 'celsius' },
        },
        { name: 'score', type: 'number', typeInfo: { frame: 'float64', nullable: true } },
        { name: 'state', type: 'string', typeInfo: { frame: 'string' } },
        { name: 'anomaly', type: 'boolean', typeInfo: { frame: 'bool' } },
      ],
    });
    expect(Object.keys(frameToJSON(frame()).schema!)).toEqual(['name', 'refId', 'meta', 'fields']);
  });

  test('data: column-major values, ms times with sub-ms in nanos, NaN/±Inf as null listed in entities', () => {
    expect(frameToJSON(frame()).data).toEqual({
      values: [
        [T0, T0 + 1000, T0 + 2000],
        [21.5, null, null],
        [null, 0.5, null],
        ['ok', 'warn', 'ok'],
        [false, true, false],
      ],
      entities: [null, { NaN: [1], Inf: [2] }, { NegInf: [0] }, null, null],
      nanos: [[0, 250_000, 0], null, null, null, null],
    });
  });

  test('entities and nanos are omitted when no value needs them', () => {
    const data = frameToJSON({
      fields: [timeField('time', Float64Array.of(T0)), numberField('v', Float64Array.of(1))],
    }).data!;
    expect(data).toEqual({ values: [[T0], [1]] });
  });

  test('schema-only and data-only forms for Live packets', () => {
    expect(Object.keys(frameToJSON(frame(), 'schema'))).toEqual(['schema']);
    expect(Object.keys(frameToJSON(frame(), 'data'))).toEqual(['data']);
  });

  test('empty name/refId/meta are left out; a field-less frame has empty lists', () => {
    expect(frameToJSON({ fields: [] })).toEqual({ schema: { fields: [] }, data: { values: [] } });
  });

  test('survives JSON.stringify (what a StreamPacket carries)', () => {
    const text = JSON.stringify(frameToJSON(frame()));
    expect(JSON.parse(text)).toEqual(frameToJSON(frame()));
    expect(text).not.toMatch(/[:,[]NaN|Infinity/);
  });
});
