/** The data source's config editor, loaded from dist/datasource/module.js. */
import { testIds } from '../../src/testIds';
import { expect, test } from './fixtures';

// Made-up credentials: the test asserts where they end up, never uses them.
const ACCESS_KEY = 'e2e-access-key-id';
const SECRET_KEY = 'e2e/secret+key/EXAMPLE0123456789abcdef';
const SESSION_TOKEN = 'e2e-session-token-EXAMPLE';

test('access key, secret key and session token go only to secureJsonData', async ({ host, artifacts }) => {
  const { page } = host;
  await page.evaluate((jsonData) => window.__host.showConfigEditor(jsonData), {
    authType: 'default',
    defaultRegion: 'eu-west-1',
    table: 'lab_sensmitter',
  });
  const frame = page.getByTestId(testIds.preview.configEditorFrame);
  await frame.getByText('Authentication Provider', { exact: true }).waitFor();
  await page.getByRole('combobox', { name: 'Authentication Provider' }).click();
  await page.getByText('Access & secret key', { exact: true }).click();
  await page.locator('#accessKeyId').fill(ACCESS_KEY);
  await page.locator('#secretKey').fill(SECRET_KEY);
  await page.locator('#sessionToken').fill(SESSION_TOKEN);
  await page.locator('#historyBucket').fill('mylabdata');

  const settings = (await host.state()).settings;
  expect(settings, 'the config editor never called onOptionsChange').toBeDefined();
  expect(settings!.jsonData).toMatchObject({ authType: 'keys', historyBucket: 'mylabdata' });
  expect(settings!.secureJsonData).toMatchObject({
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    sessionToken: SESSION_TOKEN,
  });
  const plain = JSON.stringify(settings!.jsonData);
  for (const secret of [ACCESS_KEY, SECRET_KEY, SESSION_TOKEN]) {
    expect(plain, 'a secret leaked into jsonData').not.toContain(secret);
  }
  await artifacts.screenshot(frame, 'config-editor');
});

test('an out-of-range max items is refused with a message naming maxItemsPerQuery', async ({ host }) => {
  const { page } = host;
  await page.evaluate((jsonData) => window.__host.showConfigEditor(jsonData), { table: 'lab_sensmitter' });
  const maxItems = page.locator('#maxItemsPerQuery');
  await maxItems.fill('0');
  await maxItems.blur();
  await expect(page.getByText(/^maxItemsPerQuery: must be an integer from 1 to/)).toBeVisible();
  expect((await host.state()).settings?.jsonData.maxItemsPerQuery).toBeUndefined();

  await maxItems.fill('5000');
  await maxItems.blur();
  await expect(page.getByText(/^maxItemsPerQuery: must be/)).toHaveCount(0);
  expect((await host.state()).settings?.jsonData.maxItemsPerQuery).toBe(5000);
});
