import { decodeItem, epochToMs, parseAttributePath, readPath, toNumber, unwrapTyped, type ItemShape } from './parsing';

const seedShape: ItemShape = {
  sensorId: ['uid'],
  timestamp: ['timestamp'],
  readings: ['payload', 'data'],
  metricAttributes: {
    temperature: 'temperature',
    humidity: 'humidity',
    pressure: 'pressure',
    light_level: 'light_level',
  },
  timestampUnit: 'auto',
};

describe('typed JSON', () => {
  it('unwraps upper- and lower-case DynamoDB type tags', () => {
    expect(unwrapTyped({ S: '22.8' })).toBe('22.8');
    expect(unwrapTyped({ s: '22.8' })).toBe('22.8');
    expect(unwrapTyped({ N: '7' })).toBe('7');
    expect(unwrapTyped({ n: '7' })).toBe('7');
    expect(unwrapTyped({ M: { a: 1 } })).toEqual({ a: 1 });
    expect(unwrapTyped({ m: { a: 1 } })).toEqual({ a: 1 });
    expect(unwrapTyped({ NULL: true })).toBeNull();
  });

  it('leaves plain values and multi-key maps alone', () => {
    expect(unwrapTyped(5)).toBe(5);
    expect(unwrapTyped({ temperature: 1 })).toEqual({ temperature: 1 });
    expect(unwrapTyped({ S: 'x', N: '1' })).toEqual({ S: 'x', N: '1' });
  });

  it('follows a path through mixed typed and plain maps', () => {
    const doc = { payload: { M: { data: { m: { temperature: { S: '21.5' } } } } } };
    expect(readPath(doc, ['payload', 'data', 'temperature'])).toBe('21.5');
    expect(readPath({ payload: { data: { temperature: 3 } } }, ['payload', 'data', 'temperature'])).toBe(3);
    expect(readPath(doc, ['payload', 'nope', 'temperature'])).toBeUndefined();
    expect(readPath({ payload: 'text' }, ['payload', 'data'])).toBeUndefined();
  });
});

describe('attribute paths', () => {
  it('splits dotted paths and rejects empty segments with the field name', () => {
    expect(parseAttributePath('payload.data', 'readingsPath')).toEqual(['payload', 'data']);
    expect(() => parseAttributePath('payload..data', 'readingsPath')).toThrow(/^readingsPath: /);
    expect(() => parseAttributePath(' ', 'readingsPath')).toThrow(/readingsPath/);
  });
});

describe('numbers', () => {
  it('accepts numbers and decimal strings, reports missing and garbage apart', () => {
    expect(toNumber(3.5)).toBe(3.5);
    expect(toNumber(' -1.5e2 ')).toBe(-150);
    expect(toNumber('.5')).toBe(0.5);
    expect(toNumber('')).toBeUndefined();
    expect(toNumber(null)).toBeUndefined();
    expect(toNumber(undefined)).toBeUndefined();
    expect(toNumber('12abc')).toBeNaN();
    expect(toNumber('0x10')).toBeNaN();
    expect(toNumber(Infinity)).toBeNaN();
    expect(toNumber('1e400')).toBeNaN();
    expect(toNumber('-1e400')).toBeNaN();
    expect(toNumber(true)).toBeNaN();
  });
});

describe('timestamp units', () => {
  it('converts seconds and milliseconds, and auto-detects by magnitude (below 1e11 = seconds)', () => {
    expect(epochToMs(1612137600, 's')).toBe(1612137600000);
    expect(epochToMs(1612137600000, 'ms')).toBe(1612137600000);
    expect(epochToMs(1612137600, 'auto')).toBe(1612137600000);
    expect(epochToMs(1612137600000, 'auto')).toBe(1612137600000);
    expect(epochToMs(99_999_999_999, 'auto')).toBe(99_999_999_999_000);
    expect(epochToMs(100_000_000_000, 'auto')).toBe(100_000_000_000);
    expect(epochToMs(1612137600.5, 's')).toBe(1612137600500);
  });
});

describe('decodeItem', () => {
  const item = (over: Record<string, unknown> = {}) => ({
    uid: { S: 'sensmitter_1' },
    timestamp: { N: '1612137600' },
    payload: {
      M: {
        data: {
          M: {
            temperature: { N: '22.81' },
            humidity: { S: '41.2' },
            pressure: { N: '1012.6' },
            light_level: { s: '310' },
          },
        },
      },
    },
    ...over,
  });

  it('decodes the seed item shape', () => {
    const out = decodeItem(item(), seedShape);
    expect(out).toEqual({
      ok: true,
      item: { sensorId: 'sensmitter_1', timeMs: 1612137600000, values: [22.81, 41.2, 1012.6, 310], missingMask: 0 },
    });
  });

  it('turns a missing reading into NaN and flags it', () => {
    const out = decodeItem(item({ payload: { M: { data: { M: { temperature: { N: '20' } } } } } }), seedShape);
    expect(out.ok).toBe(true);
    if (out.ok) {
      expect(out.item.values[0]).toBe(20);
      expect(out.item.values.slice(1).every(Number.isNaN)).toBe(true);
      expect(out.item.missingMask).toBe(0b1110);
    }
  });

  it.each([
    ['missing_sensor_id', { uid: undefined }],
    ['missing_timestamp', { timestamp: undefined }],
    ['bad_timestamp', { timestamp: { S: 'yesterday' } }],
    ['bad_timestamp', { timestamp: { N: '-5' } }],
    ['no_readings', { payload: { M: {} } }],
    ['no_readings', { payload: { M: { data: { M: {} } } } }],
    ['non_numeric_reading', { payload: { M: { data: { M: { temperature: { S: 'hot' } } } } } }],
    ['non_numeric_reading', { payload: { M: { data: { M: { temperature: { S: '1e400' } } } } } }],
    ['bad_timestamp', { timestamp: { S: '1e400' } }],
  ])('skips with reason %s', (reason, over) => {
    expect(decodeItem(item(over), seedShape)).toMatchObject({ ok: false, reason });
  });

  it('says which sensor a skipped item belongs to, and when, as far as they could be read', () => {
    expect(decodeItem(item({ uid: { M: {} } }), seedShape)).toEqual({ ok: false, reason: 'missing_sensor_id' });
    expect(decodeItem(item({ timestamp: { S: 'yesterday' } }), seedShape)).toEqual({
      ok: false,
      reason: 'bad_timestamp',
      sensorId: 'sensmitter_1',
    });
    expect(decodeItem(item({ payload: { M: {} } }), seedShape)).toEqual({
      ok: false,
      reason: 'no_readings',
      sensorId: 'sensmitter_1',
      timeMs: 1612137600000,
    });
    expect(decodeItem(item({ payload: { M: { data: { M: { temperature: { S: 'hot' } } } } } }), seedShape)).toEqual({
      ok: false,
      reason: 'non_numeric_reading',
      sensorId: 'sensmitter_1',
      timeMs: 1612137600000,
    });
  });

  it('uses the known sensor when the shape has no sensor attribute (one CSV per sensor)', () => {
    const out = decodeItem(
      { timestamp: '1612137600000', temperature: '1' },
      { ...seedShape, sensorId: null, readings: [] },
      's1'
    );
    expect(out.ok && out.item.sensorId).toBe('s1');
    expect(out.ok && out.item.timeMs).toBe(1612137600000);
  });
});
