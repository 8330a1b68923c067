import { createTheme, FieldType, MappingType, toDataFrame } from '@grafana/data';

import { buildPanelModel, explanationAt, flaggedInRange, formatScore, rowAtTime } from './anomalyData';

const theme = createTheme();

/** An `anomalies` frame as the backend writes it (src/common/frames.ts). */
function anomalyFrame(sensor: string, flags: unknown[], times = flags.map((_, i) => 1000 * (i + 1))) {
  return toDataFrame({
    name: sensor,
    fields: [
      { name: 'time', type: FieldType.time, values: times },
      { name: 'temperature', type: FieldType.number, values: flags.map((_, i) => 21 + i), labels: { sensor } },
      { name: 'anomaly', type: FieldType.number, values: flags },
      { name: 'anomaly_score', type: FieldType.number, values: flags.map((f) => (f ? 0.8 : 0.4)) },
      {
        name: 'explanation',
        type: FieldType.number,
        values: flags.map((f) => (f ? 2 : 0)),
        config: {
          mappings: [{ type: MappingType.ValueToText, options: { '2': { text: 'Deviation from baseline' } } }],
        },
      },
    ],
  });
}

describe('buildPanelModel', () => {
  it('hands TimeSeries the time and the reading only, and keeps flags, scores and explanations beside it', () => {
    const model = buildPanelModel([anomalyFrame('sensmitter_1', [0, 1, 0])]);
    expect(model.frames).toHaveLength(1);
    expect(model.frames[0].fields.map((f) => f.name)).toEqual(['time', 'temperature']);
    const [series] = model.series;
    expect(series).toMatchObject({ frameIndex: 0, fieldIndex: 1, flaggable: true });
    expect(Array.from(series.flagged)).toEqual([1]);
    expect(series.scores?.[1]).toBe(0.8);
  });

  it('takes the 0/1 flag of the contract and the boolean flag of older frames', () => {
    const model = buildPanelModel([anomalyFrame('a', [1, 0, 1]), anomalyFrame('b', [true, false, false])]);
    expect(model.series.map((s) => Array.from(s.flagged))).toEqual([[0, 2], [0]]);
  });

  it('leaves out a flagged reading that has no value, since it cannot be placed on the chart', () => {
    const frame = anomalyFrame('a', [1, 1]);
    frame.fields[1].values[0] = null;
    expect(Array.from(buildPanelModel([frame]).series[0].flagged)).toEqual([1]);
  });

  it('plots frames without an anomaly field as plain lines, with nothing to mark', () => {
    const plain = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [1, 2] },
        { name: 'anomaly_count', type: FieldType.number, values: [0, 3] },
      ],
    });
    const model = buildPanelModel([plain]);
    expect(model.frames[0].fields.map((f) => f.name)).toEqual(['time', 'anomaly_count']);
    expect(model.series[0]).toMatchObject({ flaggable: false, flagged: new Uint32Array(0) });
  });

  it('skips frames it cannot plot: no time field, or no number besides the anomaly fields', () => {
    const table = toDataFrame({ fields: [{ name: 'x', type: FieldType.number, values: [1] }] });
    const onlyFlags = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [1] },
        { name: 'anomaly', type: FieldType.number, values: [1] },
      ],
    });
    expect(buildPanelModel([table, onlyFlags])).toEqual({ frames: [], series: [] });
  });

  it('numbers the readings for the colour palette among themselves, not among the hidden anomaly fields', () => {
    const frames = [anomalyFrame('a', [0]), anomalyFrame('b', [1])];
    frames.forEach((frame, f) => frame.fields.forEach((field, i) => (field.state = { seriesIndex: f * 4 + i })));
    expect(buildPanelModel(frames).series.map((s) => s.field.state?.seriesIndex)).toEqual([0, 1]);
    expect(frames[1].fields[1].state?.seriesIndex).toBe(5);
  });

  it('numbers plot frames and fields the way TimeSeries reports them back (state.origin)', () => {
    const table = toDataFrame({ fields: [{ name: 'x', type: FieldType.number, values: [1] }] });
    const model = buildPanelModel([table, anomalyFrame('a', [0]), anomalyFrame('b', [1])]);
    expect(model.series.map((s) => [s.frameIndex, s.fieldIndex])).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });
});

describe('reading a series', () => {
  const [series] = buildPanelModel([anomalyFrame('a', [0, 1, 0, 1], [10, 20, 30, 40])]).series;

  it('names the feature that explains a flag through the value mappings, and nothing for code 0', () => {
    expect(explanationAt(series, 1, theme)).toBe('Deviation from baseline');
    expect(explanationAt(series, 0, theme)).toBeUndefined();
  });

  it('counts flagged readings inside a time range, ends included', () => {
    expect(flaggedInRange(series, 20, 40)).toBe(2);
    expect(flaggedInRange(series, 21, 39)).toBe(0);
  });

  it('finds the row at a time, in sorted and unsorted frames', () => {
    expect([10, 30, 35].map((t) => rowAtTime(series, t))).toEqual([0, 2, -1]);
    const [unsorted] = buildPanelModel([anomalyFrame('a', [0, 1, 0], [30, 10, 20])]).series;
    expect(unsorted.sorted).toBe(false);
    expect(rowAtTime(unsorted, 10)).toBe(1);
  });
});

describe('formatScore', () => {
  it('shows three decimals, or exponents for very small and very large scores', () => {
    expect([0.83456, 0, 0.004, 2e7].map(formatScore)).toEqual(['0.835', '0', '4.00e-3', '2.00e+7']);
  });
});
