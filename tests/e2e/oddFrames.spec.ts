/**
 * The panel on frames it did not get from our backend: another data source's
 * series, hand-written or transformed frames (unsorted, one row, huge values,
 * odd flag values, duplicate names, many series) and hand-edited options. For
 * each, the chart draws without an error state and puts a marker on exactly
 * the readings flagged 1 — counted from the frames here, found on the canvas
 * by colour (canvas.ts). The page's console must stay free of errors (fixtures.ts).
 */
import type { Page } from '@playwright/test';

import { ANOMALY_FRAME } from '../../src/common/frames';
import { testIds } from '../../src/testIds';
import type { FramesSpec } from '../../tools/preview/host/contract';
import { expectMarkersOnFlaggedReadings, markerLayer, scanMarkers } from './canvas';
import { expect, test } from './fixtures';
import { flaggedReadings, type FrameJSON } from './frames';

/** The panel's default marker (src/panel/types.ts): what hand-edited marker options fall back to. */
const MARKER = { color: 'red', size: 7 };

const FROM = Date.UTC(2026, 10, 24, 10, 0, 0);
const TO = FROM + 60 * 60 * 1000;
const MINUTE = 60_000;

interface Reading {
  /** Minutes after FROM. */
  minute: number;
  value: number | null;
  /** The anomaly field's value as written: anything JSON carries, or NaN (sent as an entity). */
  flag?: unknown;
}

/** An anomaly frame in the backend's data-frame JSON (src/common/frames.ts), rows as given. */
function anomalyFrame(name: string, readings: Reading[]): FrameJSON {
  const nanRows = readings.flatMap((r, row) => (Number.isNaN(r.flag) ? [row] : []));
  const labels = (series: string) => ({ sensor: name, series });
  return {
    schema: {
      name,
      fields: [
        { name: ANOMALY_FRAME.time.name, type: 'time' },
        { name: 'temperature', type: 'number', labels: labels('temperature'), config: { unit: 'celsius' } },
        { name: ANOMALY_FRAME.flag.name, type: 'number', labels: labels('anomaly') },
        { name: ANOMALY_FRAME.score.name, type: 'number', labels: labels('anomaly_score') },
      ],
    },
    data: {
      values: [
        readings.map((r) => FROM + r.minute * MINUTE),
        readings.map((r) => r.value),
        readings.map((r) => (Number.isNaN(r.flag) ? null : (r.flag ?? 0))),
        readings.map((r) => (r.flag === 1 ? 0.8 : 0.4)),
      ],
      entities: [null, null, nanRows.length > 0 ? { NaN: nanRows } : null, null],
    },
  };
}

/** A gentle line over the hour, flagged (1) at the given minutes. */
function hourOfReadings(base: number, flaggedMinutes: number[]): Reading[] {
  return Array.from({ length: 60 }, (_, minute) => ({
    minute,
    value: base + Math.sin(minute / 6),
    flag: flaggedMinutes.includes(minute) ? 1 : 0,
  }));
}

/** Shows the panel on `frames` and checks that it drew, and drew a marker on exactly `flagged` readings. */
async function expectDrawnWithMarkers(page: Page, frames: object[], expectedMarkers: number, options?: object) {
  const spec: FramesSpec = { frames, from: FROM, to: TO, width: 1000, height: 480, options: { ...options } };
  await page.evaluate((s) => window.__host.showFrames(s), spec);
  const frame = page.getByTestId(testIds.preview.panelFrame);
  await expect(frame.getByTestId(testIds.panel.container), 'the panel shows an error view instead').toBeVisible();
  await expect(frame.getByText(/Unable to render data|No data|Data is missing/)).toHaveCount(0);
  await expect(frame.locator('canvas')).toHaveCount(1);
  await expect(markerLayer(page)).toHaveAttribute('data-drawn', String(expectedMarkers));
  const flagged = flaggedReadings(
    frames.filter((f): f is FrameJSON => 'schema' in f),
    FROM,
    TO
  );
  expect(flagged.length, 'readings flagged 1 in the frames').toBe(expectedMarkers);
  const color = await page.evaluate((name) => window.__host.themeColor(name), MARKER.color);
  expectMarkersOnFlaggedReadings(await scanMarkers(page, color), flagged, { from: FROM, to: TO }, MARKER.size);
}

test('a plain series from another data source (no anomaly fields) is drawn as a line without markers', async ({
  host,
}) => {
  const prometheusLike = {
    name: 'node_hwmon_temp_celsius',
    fields: [
      { name: 'Time', type: 'time', values: [0, 15, 30, 45].map((m) => FROM + m * MINUTE) },
      { name: 'Value', type: 'number', values: [41, 43.5, 42, 44], labels: { instance: 'lab-gw:9100' } },
    ],
  };
  await expectDrawnWithMarkers(host.page, [prometheusLike], 0);
  // Grafana names a series by its labels when it has some, as its own time series panel does.
  await expect(host.page.getByTestId(testIds.preview.panelFrame).getByTestId(/VizLegend series/)).toHaveText([
    'lab-gw:9100',
  ]);
});

test('rows out of time order: every reading flagged 1 still gets its marker', async ({ host }) => {
  const shuffled = [
    { minute: 40, value: 22, flag: 0 },
    { minute: 5, value: 21, flag: 1 },
    { minute: 55, value: 23, flag: 0 },
    { minute: 20, value: 27, flag: 1 },
    { minute: 30, value: 22.5, flag: 0 },
    { minute: 10, value: 21.5, flag: 0 },
  ];
  await expectDrawnWithMarkers(host.page, [anomalyFrame('unsorted', shuffled)], 2);
});

test('a single flagged row gets its marker', async ({ host }) => {
  await expectDrawnWithMarkers(host.page, [anomalyFrame('one', [{ minute: 30, value: 21, flag: 1 }])], 1);
});

test('readings of ±1e300 draw, and the flagged reading between them gets its marker', async ({ host }) => {
  const extremes = [
    { minute: 10, value: 1e300, flag: 0 },
    { minute: 20, value: 1, flag: 1 },
    { minute: 30, value: -1e300, flag: 0 },
    { minute: 40, value: 2, flag: 0 },
  ];
  await expectDrawnWithMarkers(host.page, [anomalyFrame('extreme', extremes)], 1);
});

test('anomaly values null, 2, NaN and -1 are not flags: only the reading flagged 1 gets a marker', async ({ host }) => {
  const oddFlags = [null, 2, NaN, -1, 1].map((flag, i) => ({ minute: 10 + i * 10, value: 21 + i, flag }));
  await expectDrawnWithMarkers(host.page, [anomalyFrame('odd flags', oddFlags)], 1);
});

test('two frames with the same name: both series keep their own markers', async ({ host }) => {
  const twins = [
    anomalyFrame('sensmitter_1', hourOfReadings(21, [12])),
    anomalyFrame('sensmitter_1', hourOfReadings(26, [36, 48])),
  ];
  await expectDrawnWithMarkers(host.page, twins, 3);
});

test('50 series with a few flagged readings: exactly those get markers', async ({ host }) => {
  const frames = Array.from({ length: 50 }, (_, s) =>
    anomalyFrame(`sensor_${s + 1}`, hourOfReadings(s, s % 10 === 3 ? [5 + s] : []))
  );
  await expectDrawnWithMarkers(host.page, frames, 5);
});

test('hand-edited options (legend null, tooltip "single", marker colour 5 and size -3) draw with the defaults', async ({
  host,
}) => {
  const handEdited = { legend: null, tooltip: 'single', anomalies: { color: 5, size: -3 } };
  await expectDrawnWithMarkers(host.page, [anomalyFrame('sensmitter_2', hourOfReadings(22, [15, 45]))], 2, handEdited);
});
