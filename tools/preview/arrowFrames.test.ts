import {
  booleanField,
  encodeFrame,
  type Frame,
  frameToJSON,
  numberField,
  stringField,
  timeField,
} from '../../src/backend/runtime/frames';
import { arrowToFrameJSON, decodeArrowFrame } from './arrowFrames';

const T0 = 1_700_000_000_000;

function anomalyFrame(): Frame {
  return {
    name: 'sensmitter_1',
    refId: 'A',
    meta: { stats: [{ displayName: 'readings', value: 3 }], notices: [{ severity: 'info', text: 'cached model' }] },
    fields: [
      timeField('time', Float64Array.of(T0, T0 + 10_000.25, T0 + 20_000)),
      numberField('temperature', Float64Array.of(21.5, Number.NaN, 22), {
        labels: { sensor: 'sensmitter_1', series: 'temperature' },
        config: { unit: 'celsius', displayNameFromDS: 'sensmitter_1' },
      }),
      numberField('anomaly', Float64Array.of(0, 1, 0)),
      numberField('explanation', Float64Array.of(0, 2, 0), {
        config: { mappings: [{ type: 'value', options: { '2': { text: 'Deviation from baseline' } } }] },
      }),
    ],
  };
}

describe('Arrow frames to the JSON /api/ds/query returns', () => {
  it('gives the same JSON the backend would write for the frame directly', () => {
    const frame = anomalyFrame();
    expect(arrowToFrameJSON(encodeFrame(frame))).toEqual(frameToJSON(frame));
  });

  it('keeps name, refId, meta, labels, config and sub-millisecond times', () => {
    const decoded = decodeArrowFrame(encodeFrame(anomalyFrame()));
    expect(decoded).toMatchObject({ name: 'sensmitter_1', refId: 'A' });
    expect(decoded.meta?.stats).toEqual([{ displayName: 'readings', value: 3 }]);
    expect(decoded.fields[1].labels).toEqual({ sensor: 'sensmitter_1', series: 'temperature' });
    expect(decoded.fields[1].config?.unit).toBe('celsius');
    expect(Array.from(decoded.fields[0].values as Float64Array)).toEqual([T0, T0 + 10_000.25, T0 + 20_000]);
  });

  it('decodes booleans, strings and nulls, as older frames and other plugins send them', () => {
    const frame: Frame = {
      fields: [
        timeField('time', Float64Array.of(T0, T0 + 1), { nulls: Uint8Array.of(0, 1) }),
        booleanField('anomaly', Uint8Array.of(1, 0)),
        stringField('note', ['grüß', '']),
      ],
    };
    expect(arrowToFrameJSON(encodeFrame(frame))).toEqual(frameToJSON(frame));
  });
});
