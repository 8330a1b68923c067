/**
 * The data source's query editor, loaded from dist/datasource/module.js, with
 * the real backend behind its resource calls and queries.
 */
import type { Page } from '@playwright/test';

import { DATASOURCE_UID } from '../../tools/preview/host/contract';
import { testIds } from '../../src/testIds';
import { expect, test } from './fixtures';

const FOREST_PARAMS = ['Trees', 'Max samples', 'Max features', 'Seed'];
const DBSCAN_PARAMS = ['Epsilon', 'Min samples'];
/** "0.01" in Grafana's 14 px font plus the input's padding needs about 48 px. */
const MIN_NUMBER_WIDTH = 48;

const STORED_QUERY = {
  queryType: 'anomalies',
  sensors: [],
  metric: 'temperature',
  model: 'isolation_forest',
  contamination: 0.01,
};

const frame = (page: Page) => page.getByTestId(testIds.preview.queryEditorFrame);

async function showEditor(page: Page, query: Record<string, unknown>) {
  await page.evaluate((q) => window.__host.showQueryEditor(q), query);
  await frame(page).getByText('Contamination', { exact: true }).waitFor();
}

/** The text input an editor label belongs to. */
const field = (page: Page, label: string) => page.getByRole('textbox', { name: label, exact: true });

async function commitNumber(page: Page, label: string, text: string) {
  await field(page, label).fill(text);
  await field(page, label).press('Enter');
}

const latestQuery = (page: Page) => page.evaluate(() => window.__hostState.query);
const runQueryCount = (page: Page) => page.evaluate(() => window.__hostState.runQueryCount);

async function expectVisible(page: Page, labels: string[], visible: boolean) {
  for (const label of labels) {
    const locator = frame(page).getByText(label, { exact: true });
    await (visible ? expect(locator).toBeVisible() : expect(locator).toHaveCount(0));
  }
}

/** Sends a query through the page to `/api/ds/query`, as the data source would, and returns status and body. */
function sendQuery(page: Page, query: Record<string, unknown>, range: { from: number; to: number }) {
  return page.evaluate(
    async ({ query, range }) => {
      const reply = await fetch('/api/ds/query', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ queries: [query], from: String(range.from), to: String(range.to) }),
      });
      return {
        status: reply.status,
        body: (await reply.json()) as { results: Record<string, { error?: string; frames?: unknown[] }> },
      };
    },
    { query, range }
  );
}

test("choosing DBSCAN shows eps and minSamples and hides the forest's parameters", async ({ host, artifacts }) => {
  const { page } = host;
  await showEditor(page, STORED_QUERY);
  await expectVisible(page, FOREST_PARAMS, true);
  await expectVisible(page, DBSCAN_PARAMS, false);
  await artifacts.screenshot(frame(page), 'query-editor-forest');

  await page.getByRole('radio', { name: 'DBSCAN' }).check();
  await expectVisible(page, DBSCAN_PARAMS, true);
  await expectVisible(page, FOREST_PARAMS, false);
  expect((await latestQuery(page))?.model).toBe('dbscan');
  // Move off the button so its description tooltip does not cover the parameters in the screenshot.
  await page.mouse.move(1150, 780);
  await expect(page.getByRole('tooltip')).toHaveCount(0);
  await artifacts.screenshot(frame(page), 'query-editor-dbscan');
});

test('number fields with an "auto" switch leave room to read their value', async ({ host }) => {
  const { page } = host;
  const narrow: string[] = [];
  for (const [model, labels] of [
    ['isolation_forest', ['Contamination', 'Max samples']],
    ['dbscan', ['Contamination', 'Epsilon']],
  ] as const) {
    await showEditor(page, { ...STORED_QUERY, model, isolationForest: { maxSamples: 256 }, dbscan: { eps: 0.25 } });
    for (const label of labels) {
      const box = await field(page, label).boundingBox();
      if (!box || box.width < MIN_NUMBER_WIDTH) {
        narrow.push(`${label} (${model}): ${box ? Math.round(box.width) : 0} px`);
      }
    }
  }
  expect(narrow, `text boxes too narrow to show a number (< ${MIN_NUMBER_WIDTH} px)`).toEqual([]);
});

test('an out-of-range contamination shows the backend’s own message inline and does not run', async ({
  host,
  stack,
  artifacts,
}) => {
  const { page } = host;
  host.expectProblems(/HTTP 400|status of 400/);
  const refused = await sendQuery(page, { refId: 'A', ...STORED_QUERY, contamination: 0.9 }, stack);
  expect(refused.status).toBe(400);
  const message = refused.body.results.A.error!;
  expect(message).toContain('contamination');

  await showEditor(page, STORED_QUERY);
  const runsBefore = await runQueryCount(page);
  await commitNumber(page, 'Contamination', '0.9');
  await expect(frame(page).getByText(message)).toBeVisible();
  expect(await runQueryCount(page)).toBe(runsBefore);
  await artifacts.screenshot(frame(page), 'query-editor-error');

  await commitNumber(page, 'Contamination', '0.05');
  await expect(frame(page).getByText(message)).toHaveCount(0);
  expect(await runQueryCount(page)).toBe(runsBefore + 1);
});

test('a stored query round-trips through the editor, and what the editor writes the backend runs', async ({
  host,
  stack,
}) => {
  const { page } = host;
  // DBSCAN sees at most 4 feature columns: raw readings of two metrics.
  const stored = { ...STORED_QUERY, model: 'dbscan', featureSet: 'raw', metrics: ['temperature', 'humidity'] };
  await showEditor(page, stored);
  await commitNumber(page, 'Contamination', '0.05');
  await commitNumber(page, 'Epsilon', '0.5');
  await commitNumber(page, 'Min samples', '20');
  const query = await latestQuery(page);
  expect(query).toMatchObject({
    refId: 'A',
    ...stored,
    contamination: 0.05,
    dbscan: { eps: 0.5, minSamples: 20 },
  });
  const answer = await sendQuery(page, query!, stack);
  expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBe(200);
  expect(answer.body.results.A.error).toBeUndefined();
  expect(answer.body.results.A.frames?.length).toBeGreaterThan(0);
});

test("the sensor list comes from the backend's sensors resource, fetched once", async ({ host, stack, artifacts }) => {
  const { page } = host;
  await showEditor(page, STORED_QUERY);
  const sensors = page.getByRole('combobox', { name: 'Sensors' });
  await sensors.click();
  for (const sensor of stack.sensors) {
    await expect(page.getByRole('option', { name: sensor, exact: true })).toBeVisible();
  }
  await artifacts.screenshot(page.locator('body'), 'query-editor-sensors');
  const [first, second, third] = stack.sensors;
  await page.getByRole('option', { name: third, exact: true }).click();
  await page.getByRole('option', { name: first, exact: true }).click();
  await page.keyboard.press('Escape');
  // Filtering asks the editor for options again; the list must come from the first fetch.
  await sensors.click();
  await sensors.pressSequentially(second.slice(3));
  await expect(page.getByRole('option', { name: second, exact: true })).toBeVisible();
  await expect(page.getByRole('option', { name: third, exact: true })).toHaveCount(0);
  await page.keyboard.press('Escape');
  expect((await latestQuery(page))?.sensors).toEqual([third, first]);
  const requests = (await host.state()).requests.map(({ method, url, status }) => ({ method, url, status }));
  expect(requests).toEqual([
    { method: 'GET', url: `/api/datasources/uid/${DATASOURCE_UID}/resources/sensors`, status: 200 },
  ]);
});
