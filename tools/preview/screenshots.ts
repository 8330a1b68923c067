/**
 * `npx tsx tools/preview/screenshots.ts [--url http://127.0.0.1:3100]`: the
 * README's screenshots, taken from a running preview (`npm start` without
 * Docker) in Debian's Chromium: the default query over the last 6 hours, dark
 * and light, written to docs/img/preview-dark.png and docs/img/preview-light.png.
 */
import { chromium } from '@playwright/test';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { testIds } from '../../src/testIds';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';
import { DEFAULT_PREVIEW_PORT } from './preview';

const DOCS_IMG = path.resolve(__dirname, '..', '..', 'docs', 'img');
const VIEWPORT = { width: 1280, height: 760 };

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { url: { type: 'string' } } });
  const url = values.url ?? `http://127.0.0.1:${DEFAULT_PREVIEW_PORT}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    for (const theme of ['dark', 'light']) {
      const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
      await page.goto(`${url}/?theme=${theme}`);
      const status = page.getByTestId(testIds.preview.status);
      await status.getByText(/anomalies/).waitFor({ timeout: 30_000 });
      await page.getByTestId(testIds.preview.refreshPicker).getByRole('radio', { name: 'Off' }).check();
      const file = path.join(DOCS_IMG, `preview-${theme}.png`);
      await page.screenshot({ path: file });
      console.log(`${file}: ${await status.innerText()}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: Error) => {
  console.error(`screenshots: ${error.message}`);
  process.exit(1);
});
