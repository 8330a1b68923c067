import { FieldType, toDataFrame } from '@grafana/data';

import { buildPanelModel } from './anomalyData';
import { type BoundSeries, drawMarkers, nearestMarker, placeMarkers, type PlotView, scoreBandCells } from './markers';

/** A 100 × 50 px plot at (10, 5): x from 0 to 100 ms, y from 0 to 50 (up). */
const view: PlotView = {
  bbox: { left: 10, top: 5, width: 100, height: 50 },
  xMin: 0,
  xMax: 100,
  valToPos: (value, scale) => (scale === 'x' ? 10 + value : 55 - value),
};

function bound(times: number[], values: number[], flags: number[], scores?: number[], show = true): BoundSeries {
  const fields = [
    { name: 'time', type: FieldType.time, values: times },
    { name: 'v', type: FieldType.number, values },
    { name: 'anomaly', type: FieldType.number, values: flags },
  ];
  if (scores) {
    fields.push({ name: 'anomaly_score', type: FieldType.number, values: scores });
  }
  const [series] = buildPanelModel([toDataFrame({ fields })]).series;
  return { series, scale: 'y', show };
}

describe('placeMarkers', () => {
  it('places one marker per flagged reading of each visible series, at the reading', () => {
    const set = placeMarkers(view, [bound([10, 20, 30], [1, 2, 3], [1, 0, 1]), bound([40], [4], [1])]);
    expect(set.count).toBe(3);
    expect(Array.from(set.x.subarray(0, 3))).toEqual([20, 40, 50]);
    expect(Array.from(set.y.subarray(0, 3))).toEqual([54, 52, 51]);
    expect(Array.from(set.seriesIndex.subarray(0, 3))).toEqual([0, 0, 1]);
    expect(Array.from(set.row.subarray(0, 3))).toEqual([0, 2, 0]);
  });

  it('draws nothing for hidden series and for readings outside the visible time range', () => {
    const set = placeMarkers(view, [
      bound([-5, 50, 105], [1, 2, 3], [1, 1, 1]),
      bound([40], [4], [1], undefined, false),
    ]);
    expect(set.count).toBe(1);
    expect(set.x[0]).toBe(60);
  });

  it('keeps every one of thousands of flagged readings: markers are never thinned', () => {
    const n = 20_000;
    const times = Array.from({ length: n }, (_, i) => (i * 100) / n);
    const flags = times.map((_, i) => (i % 5 === 0 ? 1 : 0));
    expect(placeMarkers(view, [bound(times, times, flags)]).count).toBe(n / 5);
  });
});

describe('nearestMarker', () => {
  const set = placeMarkers(view, [bound([10, 12, 80], [1, 1, 1], [1, 1, 1])]);

  it('finds the closest marker within the distance, and none beyond it', () => {
    expect(nearestMarker(set, 20.5, 54, 3)).toBe(0);
    expect(nearestMarker(set, 23, 54, 3)).toBe(1);
    expect(nearestMarker(set, 50, 54, 3)).toBe(-1);
  });

  it('prefers the marker drawn last where two overlap exactly', () => {
    const overlapping = placeMarkers(view, [bound([10], [1], [1]), bound([10], [1], [1])]);
    expect(overlapping.seriesIndex[nearestMarker(overlapping, 20, 54, 1)]).toBe(1);
  });
});

describe('drawMarkers', () => {
  it('draws all markers as one path: outline first, then the fill on top', () => {
    const calls: string[] = [];
    const ctx = {
      beginPath: () => calls.push('beginPath'),
      moveTo: () => undefined,
      arc: () => calls.push('arc'),
      stroke: () => calls.push('stroke'),
      fill: () => calls.push('fill'),
      fillStyle: '',
      strokeStyle: '',
      lineWidth: 0,
    };
    const set = placeMarkers(view, [bound([10, 20], [1, 2], [1, 1])]);
    drawMarkers(ctx, set, { fill: 'red', outline: 'black', radius: 3, outlineWidth: 1 });
    expect(calls).toEqual(['beginPath', 'arc', 'arc', 'stroke', 'fill']);
    expect(ctx.fillStyle).toBe('red');
  });
});

describe('scoreBandCells', () => {
  it('keeps the highest score per cell, scaled between the lowest and highest score in view', () => {
    const cells = scoreBandCells(view, [bound([5, 6, 55], [0, 0, 0], [0, 0, 1], [0.2, 0.4, 0.6])], 50);
    expect(cells[0]).toBeCloseTo(0.5);
    expect(cells[1]).toBe(1);
  });

  it('leaves cells without readings empty (NaN) and ignores hidden series', () => {
    const cells = scoreBandCells(view, [bound([5], [0], [0], [0.3]), bound([60], [0], [0], [0.9], false)], 50);
    expect(cells[0]).toBe(1);
    expect(cells[1]).toBeNaN();
  });
});
