/**
 * Finds the anomaly markers on the chart's canvas by their colour and shape,
 * pixel by pixel, and checks them against the flagged readings' times: every
 * flagged reading has a marker in its pixel column, and every marker lies on
 * a flagged reading. The panel's own count is not trusted for this.
 *
 * A marker is a filled disc, so its inner pixels have the marker colour all
 * around them; a line of the same colour (a series may be drawn in the marker
 * colour) is one or two pixels wide and antialiased, so it has no such pixel.
 */
import { expect, type Page } from '@playwright/test';

import { testIds } from '../../src/testIds';
import type { FlaggedReading } from './frames';

export interface CanvasScan {
  /** The canvas's top-left corner in page coordinates (CSS px = canvas px at scale 1). */
  origin: { x: number; y: number };
  /** The plot area (uPlot's `.u-over`) in canvas pixels. */
  plot: { left: number; top: number; width: number; height: number };
  /** Marker pixels: exactly the marker colour, and so are their eight neighbours ([x, y] canvas pixels). */
  hits: Array<[number, number]>;
}

/** Scans the panel's chart for pixels of `color` (a #rrggbb colour); without one, only measures the plot. */
export async function scanMarkers(page: Page, color?: string): Promise<CanvasScan> {
  const rgb = color ? [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16)) : undefined;
  return page.evaluate(
    ({ frame, rgb }) => {
      const root = document.querySelector(`[data-testid="${frame}"]`);
      const canvas = root?.querySelector('canvas');
      const over = root?.querySelector('.u-over');
      if (!canvas || !over) {
        throw new Error('no chart canvas in the panel');
      }
      const box = canvas.getBoundingClientRect();
      const plotBox = over.getBoundingClientRect();
      const scale = canvas.width / box.width;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const { width, height } = canvas;
      const exact = new Uint8Array(width * height);
      for (let p = 0; rgb && p < exact.length; p++) {
        const i = p * 4;
        exact[p] =
          data[i] === rgb[0] && data[i + 1] === rgb[1] && data[i + 2] === rgb[2] && data[i + 3] === 255 ? 1 : 0;
      }
      const hits: Array<[number, number]> = [];
      for (let y = 1; y < height - 1; y++) {
        for (let x = 1; x < width - 1; x++) {
          let inner = true;
          for (let dy = -1; dy <= 1 && inner; dy++) {
            for (let dx = -1; dx <= 1 && inner; dx++) {
              inner = exact[(y + dy) * width + x + dx] === 1;
            }
          }
          if (inner) {
            hits.push([x, y]);
          }
        }
      }
      return {
        origin: { x: box.left + window.scrollX, y: box.top + window.scrollY },
        plot: {
          left: (plotBox.left - box.left) * scale,
          top: (plotBox.top - box.top) * scale,
          width: plotBox.width * scale,
          height: plotBox.height * scale,
        },
        hits,
      };
    },
    { frame: testIds.preview.panelFrame, rgb }
  );
}

/** The canvas x of a time on the chart, which spans exactly the dashboard's range. */
export function xOf(scan: CanvasScan, time: number, from: number, to: number): number {
  return scan.plot.left + ((time - from) / (to - from)) * scan.plot.width;
}

/**
 * Every flagged reading has a marker-coloured pixel in its column (±1 px of
 * rounding), and every marker-coloured pixel is within a marker's radius of a
 * flagged reading's column.
 */
export function expectMarkersOnFlaggedReadings(
  scan: CanvasScan,
  flagged: FlaggedReading[],
  range: { from: number; to: number },
  markerSize: number
): void {
  const columns = new Set(scan.hits.map(([x]) => x));
  const hitColumns = [...columns].sort((a, b) => a - b);
  const expectedX = flagged.map((r) => xOf(scan, r.time, range.from, range.to)).sort((a, b) => a - b);
  const reach = markerSize / 2;
  // A marker is a disc of `markerSize` around its reading's x; at the plot's edge only its inner half is
  // drawn (and only inner pixels count as hits), so a hit anywhere within the disc's reach marks the reading.
  const unmarked = flagged.filter((r) => !near(hitColumns, xOf(scan, r.time, range.from, range.to) - 0.5, reach));
  expect(
    unmarked.map((r) => new Date(r.time).toISOString()),
    'flagged readings without a marker'
  ).toEqual([]);
  const stray = [...columns].filter((x) => !near(expectedX, x + 0.5, reach));
  expect(stray, 'marker pixel columns with no flagged reading').toEqual([]);
}

/** Whether some value of the ascending `sorted` lies within `distance` of `x`. */
function near(sorted: number[], x: number, distance: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x - distance) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < sorted.length && sorted[lo] <= x + distance;
}

/** The centre of a marker drawn for `reading`: the middle of the first run of marker pixels in its column. */
export function markerCentre(scan: CanvasScan, reading: FlaggedReading, range: { from: number; to: number }) {
  const x = Math.floor(xOf(scan, reading.time, range.from, range.to));
  const ys = [...new Set(scan.hits.filter(([hx]) => Math.abs(hx - x) <= 1).map(([, y]) => y))].sort((a, b) => a - b);
  expect(ys.length, `no marker pixels near column ${x}`).toBeGreaterThan(0);
  let end = 0;
  while (end + 1 < ys.length && ys[end + 1] === ys[end] + 1) {
    end++;
  }
  return { x: scan.origin.x + x + 0.5, y: scan.origin.y + (ys[0] + ys[end]) / 2 + 0.5 };
}

/** The panel's own report of how many markers its last draw put on the canvas. */
export const markerLayer = (page: Page) => page.getByTestId(testIds.panel.markers);
