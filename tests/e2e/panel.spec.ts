/**
 * The anomaly panel, loaded from dist/panel/module.js into Grafana's
 * PanelChrome, on frames the real backend computed from the simulator's
 * readings in DynamoDB Local.
 */
import type { PanelSpec, ThemeMode } from '../../tools/preview/host/contract';
import { formatScore } from '../../src/panel/anomalyData';
import { testIds } from '../../src/testIds';
import { expectMarkersOnFlaggedReadings, markerCentre, markerLayer, scanMarkers, xOf } from './canvas';
import { expect, test } from './fixtures';
import { flaggedReadings, lastError, lastFrames, queryExchanges } from './frames';
import type { StackInfo } from './stack';

/** The panel's default marker: colour name and size (src/panel/types.ts). */
const MARKER = { color: 'red', size: 7 };

/**
 * The panel's query: the query defaults (default features, contamination 0.01). The stack's broken
 * readings (45 °C) are flagged on every run, so there are always markers to check.
 * Which readings a model flags is the backend's business (npm run quality); here only drawing them is.
 */
function panelSpec(stack: StackInfo, target: Record<string, unknown> = {}): PanelSpec {
  return {
    targets: [
      {
        refId: 'A',
        queryType: 'anomalies',
        sensors: stack.sensors,
        metric: 'temperature',
        model: 'isolation_forest',
        contamination: 0.01,
        ...target,
      },
    ],
    from: stack.from,
    to: stack.to,
    width: 1000,
    height: 420,
  };
}

async function showPanel(host: { page: import('@playwright/test').Page }, spec: PanelSpec, loads = 1) {
  await host.page.evaluate((s) => window.__host.showPanel(s), spec);
  await host.page.waitForFunction((n) => window.__hostState.panelLoads >= n, loads);
}

const panelFrame = (page: import('@playwright/test').Page) => page.getByTestId(testIds.preview.panelFrame);

/** Shows the panel on the stack's data and returns the readings the backend flagged in its range (at least one). */
async function panelWithAnomalies(host: { page: import('@playwright/test').Page }, stack: StackInfo) {
  const spec = panelSpec(stack);
  await showPanel(host, spec);
  const flagged = flaggedReadings(await lastFrames(host.page), spec.from, spec.to);
  expect(flagged.length, 'the backend flagged no reading in the range: nothing to check').toBeGreaterThan(0);
  return { spec, flagged };
}

for (const theme of ['dark', 'light'] as ThemeMode[]) {
  test(`draws a marker on every reading the backend flagged, and nowhere else (${theme} theme)`, async ({
    host,
    stack,
    artifacts,
  }) => {
    const { page } = host;
    await page.evaluate((mode) => window.__host.setTheme(mode), theme);
    const { spec, flagged } = await panelWithAnomalies(host, stack);
    await expect(markerLayer(page)).toHaveAttribute('data-drawn', String(flagged.length));
    const color = await page.evaluate((name) => window.__host.themeColor(name), MARKER.color);
    expectMarkersOnFlaggedReadings(await scanMarkers(page, color), flagged, spec, MARKER.size);
    await artifacts.screenshot(panelFrame(page), `panel-${theme}`);
  });
}

test('hovering a marker shows the flagged reading: sensor, time, value, score and explanation', async ({
  host,
  stack,
  artifacts,
}) => {
  const { page } = host;
  const { spec, flagged } = await panelWithAnomalies(host, stack);
  const scan = await scanMarkers(page, await page.evaluate((name) => window.__host.themeColor(name), MARKER.color));
  const target = flagged[Math.floor(flagged.length / 2)];
  const centre = markerCentre(scan, target, spec);
  await page.mouse.move(centre.x, centre.y);
  const tooltip = page.getByTestId(testIds.panel.anomalyTooltip);
  await expect(tooltip).toBeVisible();
  const text = await tooltip.innerText();
  // Markers a pixel or two apart overlap: the tooltip may describe a neighbour of the one aimed at.
  const shown = flagged.filter((r) => text.includes(utc(r.time)) && (!r.sensor || text.includes(r.sensor)));
  expect(shown.length, `the tooltip names none of the flagged readings near the cursor:\n${text}`).toBeGreaterThan(0);
  const reading = shown[shown.length - 1];
  expect(Math.abs(xOf(scan, reading.time, spec.from, spec.to) - (centre.x - scan.origin.x))).toBeLessThanOrEqual(
    MARKER.size
  );
  expect(text).toContain('Anomaly');
  const value = /Value\s*\n?\s*(-?[\d.,]+)/.exec(text);
  expect(value, `no value in the tooltip:\n${text}`).not.toBeNull();
  // The tooltip rounds to the field's decimals: the reading must be what that rounding shows (25.25 → 25.3).
  const shownValue = value![1].replace(/,/g, '');
  const decimals = shownValue.split('.')[1]?.length ?? 0;
  expect(Math.abs(Number(shownValue) - reading.value)).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
  if (reading.score !== undefined) {
    expect(text).toContain(formatScore(reading.score));
  }
  if (reading.explanation) {
    expect(text).toContain(reading.explanation);
  }
  await artifacts.screenshot(page.locator('body'), 'panel-tooltip');
});

test('clicking a sensor in the legend leaves only its line and markers; clicking again brings the others back', async ({
  host,
  stack,
}) => {
  const { page } = host;
  const { flagged } = await panelWithAnomalies(host, stack);
  // A sensor with anomalies, so hiding the others visibly changes the markers.
  const series = flagged[0].series;
  const own = flagged.filter((r) => r.series === series);
  const entries = panelFrame(page).getByTestId(/VizLegend series/);
  expect(await entries.count()).toBeGreaterThan(1);
  await entries.nth(series).click();
  await expect(markerLayer(page)).toHaveAttribute('data-drawn', String(own.length));
  await entries.nth(series).click();
  await expect(markerLayer(page)).toHaveAttribute('data-drawn', String(flagged.length));
});

test('the legend counts each sensor’s flagged readings', async ({ host, stack }) => {
  const { page } = host;
  const spec = panelSpec(stack);
  await showPanel(host, spec);
  const flagged = flaggedReadings(await lastFrames(page), spec.from, spec.to);
  const legend = panelFrame(page).getByTestId(/VizLegend series/);
  const count = await legend.count();
  const counts = Array.from({ length: count }, (_, i) => `Anomalies: ${flagged.filter((r) => r.series === i).length}`);
  for (let i = 0; i < count; i++) {
    await expect(legend.nth(i).locator('xpath=..')).toContainText(counts[i]);
  }
});

test('dragging across the chart zooms the dashboard to that time range and queries it', async ({ host, stack }) => {
  const { page } = host;
  const spec = panelSpec(stack);
  await showPanel(host, spec);
  const scan = await scanMarkers(page);
  const y = scan.origin.y + scan.plot.top + scan.plot.height / 2;
  const at = (fraction: number) => scan.origin.x + scan.plot.left + fraction * scan.plot.width;
  await page.mouse.move(at(0.3), y);
  await page.mouse.down();
  await page.mouse.move(at(0.45), y, { steps: 5 });
  await page.mouse.move(at(0.6), y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => window.__hostState.panelLoads >= 2);
  const state = await host.state();
  expect(state.timeRangeChanges).toHaveLength(1);
  const span = spec.to - spec.from;
  const [zoom] = state.timeRangeChanges;
  // One pixel of the plot is the tolerance.
  const pixel = span / scan.plot.width;
  expect(Math.abs(zoom.from - (spec.from + 0.3 * span))).toBeLessThanOrEqual(2 * pixel);
  expect(Math.abs(zoom.to - (spec.from + 0.6 * span))).toBeLessThanOrEqual(2 * pixel);
  const exchanges = queryExchanges(state);
  // The dashboard keeps whole milliseconds.
  const body = exchanges[exchanges.length - 1].requestBody as { from: string; to: string };
  expect(Math.abs(Number(body.from) - zoom.from)).toBeLessThan(1);
  expect(Math.abs(Number(body.to) - zoom.to)).toBeLessThan(1);
  const flagged = flaggedReadings(await lastFrames(page), zoom.from, zoom.to);
  await expect(markerLayer(page)).toHaveAttribute('data-drawn', String(flagged.length));
});

test('a query the backend refuses shows the backend’s message in the panel', async ({ host, stack }) => {
  const { page } = host;
  host.expectProblems(/HTTP 400|status of 400/);
  await showPanel(host, panelSpec(stack, { contamination: 0.9 }));
  const message = await lastError(page);
  expect(message).toContain('contamination');
  await expect(panelFrame(page)).toContainText(message!);
});

/** A time as the tooltip prints it (UTC, the dashboard's time zone here). */
function utc(time: number): string {
  return new Date(time).toISOString().slice(0, 19).replace('T', ' ');
}
