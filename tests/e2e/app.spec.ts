/** The app plugin's root page, loaded from dist/module.js. */
import { testIds } from '../../src/testIds';
import { expect, test } from './fixtures';

test('the root page loads and links to adding the bundled data source', async ({ host, artifacts }) => {
  const { page } = host;
  await page.evaluate(() => window.__host.showApp());
  const frame = page.getByTestId(testIds.preview.appFrame);
  await expect(frame.getByRole('heading', { name: 'IoT Lab Anomaly Detection' })).toBeVisible();
  const link = frame.getByRole('link', { name: 'Add an IoT Lab Anomaly data source' });
  await expect(link).toHaveAttribute('href', /\/connections\/datasources\/new\?type=iotlab-anomaly-datasource$/);
  await artifacts.screenshot(frame, 'app');
});
