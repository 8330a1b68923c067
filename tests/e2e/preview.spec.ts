/**
 * The preview `npm start` serves without Docker: the built panel and query
 * editor on the stack's data, answered by the backend executable.
 */
import type { Page } from '@playwright/test';

import { testIds } from '../../src/testIds';
import { expectMarkersOnFlaggedReadings, markerLayer, scanMarkers } from './canvas';
import { expect, test } from './fixtures';
import { flaggedReadings, lastFrames, queryExchanges } from './frames';

test.use({ hostPage: '/' });

const MARKER = { color: 'red', size: 7 };

async function exchanges(page: Page) {
  return queryExchanges(await page.evaluate(() => window.__hostState));
}

/** The last query the preview sent, and the range it asked for. */
async function lastQuery(page: Page) {
  const all = await exchanges(page);
  const body = all[all.length - 1].requestBody as { from: string; to: string; queries: Array<Record<string, unknown>> };
  return { query: body.queries[0], from: Number(body.from), to: Number(body.to) };
}

/** Markers drawn = readings flagged in the last answer, counted by the panel and found on the canvas. */
async function expectMarkersMatchLastAnswer(page: Page) {
  const { from, to } = await lastQuery(page);
  const flagged = flaggedReadings(await lastFrames(page), from, to);
  await expect(markerLayer(page)).toHaveAttribute('data-drawn', String(flagged.length));
  const color = await page.evaluate((name) => window.__host.themeColor(name), MARKER.color);
  expectMarkersOnFlaggedReadings(await scanMarkers(page, color), flagged, { from, to }, MARKER.size);
  return flagged;
}

/** Runs `action` and waits until the preview has the backend's answer to the query it triggers. */
async function afterNewAnswer(page: Page, action: () => Promise<void>) {
  const before = (await exchanges(page)).length;
  await action();
  await expect.poll(async () => (await exchanges(page)).length).toBeGreaterThan(before);
  await expect(page.getByTestId(testIds.preview.status)).toContainText('Updated');
}

async function setContamination(page: Page, value: string) {
  const contamination = page.getByRole('textbox', { name: 'Contamination', exact: true });
  await contamination.fill(value);
  await contamination.press('Enter');
}

async function stopRefreshing(page: Page) {
  await page.getByTestId(testIds.preview.refreshPicker).getByRole('radio', { name: 'Off' }).check();
}

test('says it is a preview, shows the backend’s anomalies on live data and refreshes on its own', async ({
  host,
  artifacts,
}) => {
  const { page } = host;
  await expect(page.getByTestId(testIds.preview.banner)).toContainText('not Grafana');
  await expect(page.getByTestId(testIds.preview.status)).toContainText('anomalies', { timeout: 20_000 });
  const refreshes = (await exchanges(page)).length;
  // Refresh every 5 s is the default: another answer arrives without anyone asking.
  await expect.poll(async () => (await exchanges(page)).length, { timeout: 15_000 }).toBeGreaterThan(refreshes);
  await stopRefreshing(page);
  await expectMarkersMatchLastAnswer(page);
  // Raw readings: a model that flags the stack's broken readings (45 °C) on every run.
  await afterNewAnswer(page, () => page.getByRole('radio', { name: 'Raw readings' }).check());
  const flagged = await expectMarkersMatchLastAnswer(page);
  expect(flagged.length, 'the backend flagged nothing in the last hour: nothing to see').toBeGreaterThan(0);
  await artifacts.screenshot(page.locator('body'), 'preview-dark');
});

test('switching features, contamination, metric, theme and model asks the backend again and the markers follow', async ({
  host,
  artifacts,
}) => {
  const { page } = host;
  await expect(page.getByTestId(testIds.preview.status)).toContainText('anomalies', { timeout: 20_000 });
  await stopRefreshing(page);

  await afterNewAnswer(page, () => page.getByRole('radio', { name: 'Raw readings' }).check());
  expect((await lastQuery(page)).query.featureSet).toBe('raw');
  await expectMarkersMatchLastAnswer(page);

  await afterNewAnswer(page, () => setContamination(page, '0.05'));
  expect((await lastQuery(page)).query.contamination).toBe(0.05);
  await expectMarkersMatchLastAnswer(page);

  await afterNewAnswer(page, async () => {
    await page.getByRole('combobox', { name: 'Metric' }).click();
    await page.getByRole('option', { name: 'Humidity' }).click();
  });
  expect((await lastQuery(page)).query.metric).toBe('humidity');
  const frames = await lastFrames(page);
  expect(frames.some((frame) => frame.schema.fields.some((field) => field.name === 'humidity'))).toBe(true);
  await expectMarkersMatchLastAnswer(page);

  await page.getByTestId(testIds.preview.themeToggle).getByRole('radio', { name: 'Light' }).check();
  await expectMarkersMatchLastAnswer(page);
  await artifacts.screenshot(page.locator('body'), 'preview-light');

  // DBSCAN sees at most 4 feature columns: the raw readings of the four metrics.
  await afterNewAnswer(page, () => page.getByRole('radio', { name: 'DBSCAN' }).check());
  expect((await lastQuery(page)).query.model).toBe('dbscan');
  await expectMarkersMatchLastAnswer(page);
});
