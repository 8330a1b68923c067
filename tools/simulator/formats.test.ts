import { parse } from 'csv-parse/sync';
import { decodeItem } from '../../src/backend/sources/parsing';
import { dynamoItem, HISTORY_HEADER, historyRow, labelsCsv } from './formats';
import { Rng, type SimReading } from './signals';

const reading: SimReading = {
  sensorId: 'sensmitter_1',
  timeMs: 1612137600000,
  values: { temperature: 22.81, humidity: 41.2, pressure: 1012.6, light_level: 310 },
};

describe('seed formats', () => {
  it('history rows are valid CSV whose payload the reader decodes back, in every tag style', () => {
    const rng = new Rng(5);
    const text = HISTORY_HEADER + Array.from({ length: 200 }, () => historyRow(reading, 's', rng)).join('');
    const rows = parse(text, { columns: true }) as Array<{ payload: string }>;
    expect(rows).toHaveLength(200);
    const tags = new Set<string>();
    for (const row of rows) {
      const doc = JSON.parse(row.payload);
      tags.add(Object.keys(doc.data)[0]);
      tags.add(Object.keys(doc.data[Object.keys(doc.data)[0]].temperature)[0]);
      const out = decodeItem(
        doc,
        {
          sensorId: null,
          timestamp: ['timestamp'],
          readings: ['data'],
          metricAttributes: {
            temperature: 'temperature',
            humidity: 'humidity',
            pressure: 'pressure',
            light_level: 'light_level',
          },
          timestampUnit: 'auto',
        },
        'sensmitter_1'
      );
      expect(out).toEqual({
        ok: true,
        item: { sensorId: 'sensmitter_1', timeMs: reading.timeMs, values: [22.81, 41.2, 1012.6, 310], missingMask: 0 },
      });
    }
    expect(tags).toEqual(new Set(['M', 'm', 'S', 's', 'N']));
  });

  it('live items have the seed shape with numbers and some numeric strings', () => {
    const rng = new Rng(9);
    const items = Array.from({ length: 100 }, () => dynamoItem(reading, 's', rng));
    expect(items[0].uid).toEqual({ S: 'sensmitter_1' });
    expect(items[0].timestamp).toEqual({ N: '1612137600' });
    const kinds = new Set(items.map((i) => Object.keys(i.payload.M!.data.M!.temperature)[0]));
    expect(kinds).toEqual(new Set(['N', 'S']));
  });

  it('labels CSV quotes a sensor id with a comma or a quote, so it parses back whole', () => {
    const csv = labelsCsv([
      { sensorId: 'lab "B", rack 2', kind: 'drift', metric: 'humidity', startMs: 0, endMs: 60_000, points: 2 },
    ]);
    const [row] = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(row).toMatchObject({ sensor_id: 'lab "B", rack 2', kind: 'drift', end_ms: '60000', points: '2' });
  });

  it('labels CSV has one row per episode', () => {
    const csv = labelsCsv([{ sensorId: 's1', kind: 'spike', metric: 'pressure', startMs: 0, endMs: 0, points: 1 }]);
    expect(csv.trim().split('\n')).toEqual([
      'sensor_id,kind,metric,start_ms,end_ms,start_iso,end_iso,points',
      's1,spike,pressure,0,0,1970-01-01T00:00:00.000Z,1970-01-01T00:00:00.000Z,1',
    ]);
  });
});
