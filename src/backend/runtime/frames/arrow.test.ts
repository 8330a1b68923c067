import { RecordBatchFileReader, tableFromIPC, TimeUnit, Type, type Table } from 'apache-arrow';

import { encodeFrame, epochMsToNanos } from './arrow';
import { booleanField, numberField, stringField, subMillisecondNanos, timeField, type Frame } from './frame';
import { frameToJSON } from './json';

/**
 * One test per rule of docs/grafana-plugin-protocol.md §5.1–5.7, decoding with apache-arrow's own file reader.
 */

const T0 = 1_700_000_000_000;

function sampleFrame(): Frame {
  return {
    name: 'sensmitter_1',
    refId: 'A',
    meta: { type: 'timeseries-multi', typeVersion: [0, 1], executedQueryString: 'scan readings' },
    fields: [
      timeField('time', Float64Array.of(T0, T0 + 1000.25, T0 + 2000)),
      numberField('temperature', Float64Array.of(21.5, Number.NaN, 22), {
        labels: { sensor: 'sensmitter_1' },
        config: { unit: 'celsius', decimals: 1, displayName: 'Temperature' },
      }),
      stringField('state', ['ok', 'grüß', '']),
      booleanField('anomaly', Uint8Array.of(0, 1, 0)),
    ],
  };
}

function decode(bytes: Uint8Array): Table {
  return tableFromIPC(bytes);
}

const ALLOWED_TYPE_IDS = new Set([Type.Timestamp, Type.Float, Type.Int, Type.Bool, Type.Utf8, Type.Binary]);

describe('encodeFrame: Arrow IPC file per docs/grafana-plugin-protocol.md §5', () => {
  test('rule 1: IPC *file* format — ARROW1 magic at both ends, not the stream format', () => {
    const bytes = encodeFrame(sampleFrame());
    expect(Buffer.from(bytes.subarray(0, 6)).toString('latin1')).toBe('ARROW1');
    expect(Buffer.from(bytes.subarray(bytes.length - 6)).toString('latin1')).toBe('ARROW1');
    expect([...bytes.subarray(0, 4)]).not.toEqual([0xff, 0xff, 0xff, 0xff]);
    const reader = RecordBatchFileReader.from(bytes);
    expect(reader.isFile()).toBe(true);
  });

  test('rule 2: one file holds exactly one frame (one schema, its rows)', () => {
    const reader = RecordBatchFileReader.from(encodeFrame(sampleFrame()));
    reader.open();
    expect(reader.numRecordBatches).toBe(1);
    expect(decode(encodeFrame(sampleFrame())).numRows).toBe(3);
  });

  test('rule 3: schema metadata carries name, refId and meta JSON', () => {
    const { schema } = decode(encodeFrame(sampleFrame()));
    expect(schema.metadata.get('name')).toBe('sensmitter_1');
    expect(schema.metadata.get('refId')).toBe('A');
    expect(JSON.parse(schema.metadata.get('meta')!)).toEqual({
      type: 'timeseries-multi',
      typeVersion: [0, 1],
      executedQueryString: 'scan readings',
    });
  });

  test('rule 3: the refId argument wins over the frame’s, name defaults to ""', () => {
    const { schema } = decode(encodeFrame({ fields: [] }, 'B'));
    expect(schema.metadata.get('name')).toBe('');
    expect(schema.metadata.get('refId')).toBe('B');
    expect(schema.metadata.has('meta')).toBe(false);
  });

  test('rule 3: meta.typeVersion is always a two-number array ([0,0] when unset)', () => {
    const { schema } = decode(encodeFrame({ meta: { channel: 'ds/uid/selftest' }, fields: [] }));
    expect(JSON.parse(schema.metadata.get('meta')!)).toEqual({ channel: 'ds/uid/selftest', typeVersion: [0, 0] });
  });

  test('rule 4: strings are plain Utf8, never dictionary-encoded, and keep non-ASCII text', () => {
    const table = decode(encodeFrame(sampleFrame()));
    const field = table.schema.fields.find((f) => f.name === 'state')!;
    expect(field.typeId).toBe(Type.Utf8);
    expect(field.typeId).not.toBe(Type.Dictionary);
    expect(table.getChild('state')!.toArray()).toEqual(['ok', 'grüß', '']);
  });

  test('rule 5: times are Timestamp(NANOSECOND, no time zone) with exact ns values incl. sub-ms', () => {
    const table = decode(encodeFrame(sampleFrame()));
    const field = table.schema.fields[0]!;
    expect(field.typeId).toBe(Type.Timestamp);
    const type = field.type as { unit: TimeUnit; timezone: string | null };
    expect(type.unit).toBe(TimeUnit.NANOSECOND);
    expect(type.timezone ?? null).toBeNull();
    const raw = table.getChild('time')!.data[0]!.values as BigInt64Array;
    expect([...raw]).toEqual([1_700_000_000_000_000_000n, 1_700_000_001_000_250_000n, 1_700_000_002_000_000_000n]);
  });

  const nanosOf = (ms: number): bigint | undefined => {
    const field = timeField('time', Float64Array.of(ms));
    return epochMsToNanos(field)[0];
  };

  test('rule 5: whole milliseconds convert exactly even beyond 2^53 ns; fractions to the microsecond', () => {
    expect(nanosOf(4_102_444_800_123)).toBe(4_102_444_800_123_000_000n);
    expect(nanosOf(T0 + 0.5)).toBe(1_700_000_000_000_500_000n);
    expect(nanosOf(T0 + 0.123)).toBe(1_700_000_000_000_123_000n);
    // A fraction that would round up to a whole ms stays within its millisecond.
    expect(subMillisecondNanos(0.9999999)).toBe(999_000);
  });

  test('rule 5: a NaN or infinite time not marked null is refused, not written as 1970', () => {
    const frame = {
      fields: [timeField('time', Float64Array.of(T0, Number.NaN)), numberField('v', Float64Array.of(1, 2))],
    };
    expect(() => encodeFrame(frame, 'A')).toThrow('time field "time": row 1 is NaN; mark it null or drop the row');
    expect(() => frameToJSON(frame, 'all')).toThrow('time field "time": row 1 is NaN');
    const marked = { fields: [timeField('time', Float64Array.of(T0, Number.NaN), { nulls: Uint8Array.of(0, 1) })] };
    expect(() => encodeFrame(marked, 'A')).not.toThrow();
  });

  test('rule 6: numbers are Float64 and NaN stays a value', () => {
    const table = decode(encodeFrame(sampleFrame()));
    const field = table.schema.fields[1]!;
    expect(field.typeId).toBe(Type.Float);
    expect(String(field.type)).toBe('Float64');
    const values = table.getChild('temperature')!.toArray() as Float64Array;
    expect(values[0]).toBe(21.5);
    expect(Number.isNaN(values[1])).toBe(true);
  });

  test('rule 7: nullable is false without nulls, true with nulls, and the validity bitmap marks them', () => {
    const frame: Frame = {
      fields: [
        timeField('time', Float64Array.of(T0, T0 + 1), { nulls: Uint8Array.of(0, 1) }),
        numberField('value', Float64Array.of(1, 2), { nulls: Uint8Array.of(1, 0) }),
        stringField('label', ['a', 'b'], { nulls: Uint8Array.of(0, 1) }),
        booleanField('flag', Uint8Array.of(1, 1), { nulls: Uint8Array.of(1, 0) }),
        numberField('dense', Float64Array.of(1, 2)),
        numberField('declared', Float64Array.of(1, 2), { nullable: true }),
      ],
    };
    const table = decode(encodeFrame(frame));
    expect(table.schema.fields.map((f) => [f.name, f.nullable])).toEqual([
      ['time', true],
      ['value', true],
      ['label', true],
      ['flag', true],
      ['dense', false],
      ['declared', true],
    ]);
    expect(table.getChild('time')!.get(1)).toBeNull();
    expect(table.getChild('value')!.get(0)).toBeNull();
    expect(table.getChild('value')!.get(1)).toBe(2);
    expect(table.getChild('label')!.get(1)).toBeNull();
    expect(table.getChild('flag')!.get(0)).toBeNull();
    expect(table.getChild('flag')!.get(1)).toBe(true);
    expect(table.getChild('declared')!.nullCount).toBe(0);
  });

  test('rule 7: field metadata holds labels and config as JSON text, and tstype', () => {
    const fields = decode(encodeFrame(sampleFrame())).schema.fields;
    const temperature = fields[1]!;
    expect(JSON.parse(temperature.metadata.get('labels')!)).toEqual({ sensor: 'sensmitter_1' });
    expect(JSON.parse(temperature.metadata.get('config')!)).toEqual({
      unit: 'celsius',
      decimals: 1,
      displayName: 'Temperature',
    });
    expect(fields.map((f) => f.metadata.get('tstype'))).toEqual(['time', 'number', 'string', 'boolean']);
    expect(fields[0]!.metadata.has('labels')).toBe(false);
    expect(fields[0]!.metadata.has('config')).toBe(false);
  });

  test('rule 8: only types the Go decoder accepts appear', () => {
    for (const field of decode(encodeFrame(sampleFrame())).schema.fields) {
      expect(ALLOWED_TYPE_IDS.has(field.typeId)).toBe(true);
    }
  });

  test('rule 9: a field-less frame is a valid file with its metadata and no record batch', () => {
    const bytes = encodeFrame({
      name: 'nothing',
      refId: 'C',
      meta: { type: 'timeseries-multi', typeVersion: [0, 1] },
      fields: [],
    });
    expect(Buffer.from(bytes.subarray(0, 6)).toString('latin1')).toBe('ARROW1');
    const reader = RecordBatchFileReader.from(bytes);
    reader.open();
    expect(reader.numRecordBatches).toBe(0);
    expect(reader.schema.fields).toHaveLength(0);
    expect(reader.schema.metadata.get('name')).toBe('nothing');
  });

  test('rule 9: a frame with fields and 0 rows keeps its schema', () => {
    const table = decode(
      encodeFrame({ fields: [timeField('time', new Float64Array(0)), numberField('v', new Float64Array(0))] })
    );
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['time', 'v']);
  });

  test('rule 10: field order is kept (time first for time series)', () => {
    expect(decode(encodeFrame(sampleFrame())).schema.fields.map((f) => f.name)).toEqual([
      'time',
      'temperature',
      'state',
      'anomaly',
    ]);
  });

  test('rule 11: values survive the round trip', () => {
    const table = decode(encodeFrame(sampleFrame()));
    expect(table.getChild('anomaly')!.toArray()).toEqual([false, true, false]);
    expect(table.getChild('state')!.get(1)).toBe('grüß');
  });

  test('fields of different lengths are refused (an Arrow batch cannot hold them)', () => {
    expect(() =>
      encodeFrame({
        name: 'bad',
        fields: [timeField('time', Float64Array.of(T0)), numberField('v', Float64Array.of(1, 2))],
      })
    ).toThrow(/field "v" has 2 rows, field "time" has 1/);
  });

  test('a nulls mask of the wrong length is refused', () => {
    expect(() =>
      encodeFrame({ fields: [numberField('v', Float64Array.of(1, 2), { nulls: Uint8Array.of(0) })] })
    ).toThrow(/nulls of field "v"/);
  });
});
