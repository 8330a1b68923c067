/**
 * The browser suite (`npm run e2e`): the built plugin in Debian's Chromium,
 * its data from the real backend on emulators (tests/e2e/README.md).
 */
import { defineConfig } from '@playwright/test';

import { OUTPUT_DIR } from './tests/e2e/config';
import { CHROMIUM, CHROMIUM_ARGS } from './tools/preview/chromium';

export default defineConfig({
  testDir: './tests/e2e',
  testMatch: '*.spec.ts',
  outputDir: `${OUTPUT_DIR}/results`,
  globalSetup: './tests/e2e/globalSetup.ts',
  // One worker: the machine's two cores also run the backend and the emulators.
  workers: 1,
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./tests/e2e/summaryReporter.ts']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
    viewport: { width: 1200, height: 800 },
    deviceScaleFactor: 1,
    timezoneId: 'UTC',
    actionTimeout: 10_000,
    screenshot: 'only-on-failure',
  },
});
