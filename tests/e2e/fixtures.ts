/**
 * Fixtures for the browser tests:
 * - `stack`: the emulators, data and server the global setup started;
 * - `host`: a fresh page on the host page (`/host`, or the preview `/`), whose console errors,
 *   uncaught exceptions and failed requests fail the test (as Grafana's own
 *   e2e tests treat them) unless the test says it expects them;
 * - `artifacts`: saves screenshots to tests/e2e/__output__/ (git-ignored).
 */
import { type BrowserContext, expect, type Locator, type Page, test as base } from '@playwright/test';
import path from 'node:path';

import type { HostState } from '../../tools/preview/host/contract';
import { E2E_STACK_ENV, OUTPUT_DIR } from './config';
import type { StackInfo } from './stack';

interface Host {
  page: Page;
  /** Lets problems matching `pattern` pass (a test that provokes an error response). */
  expectProblems(pattern: RegExp): void;
  state(): Promise<HostState>;
}

interface Artifacts {
  /** Saves a PNG of `target` as `__output__/<name>.png`. */
  screenshot(target: Locator, name: string): Promise<void>;
}

export const test = base.extend<
  { host: Host; artifacts: Artifacts; hostPage: string },
  { stack: StackInfo; sharedContext: BrowserContext }
>({
  /** The page the `host` fixture opens: `/host` (driven by the test) or `/` (the preview). */
  hostPage: ['/host', { option: true }],

  stack: [
    async ({}, provide) => {
      const json = process.env[E2E_STACK_ENV];
      if (!json) {
        throw new Error(
          `${E2E_STACK_ENV} is not set: run the suite through \`npm run e2e\` (its global setup starts the stack)`
        );
      }
      await provide(JSON.parse(json) as StackInfo);
    },
    { scope: 'worker' },
  ],

  /**
   * One browser context per worker: every test still gets a fresh page (a
   * fresh document), but the 8 MB host bundle is fetched and compiled once.
   */
  sharedContext: [
    async ({ browser }, provide) => {
      const context = await browser.newContext({
        viewport: { width: 1200, height: 800 },
        deviceScaleFactor: 1,
        timezoneId: 'UTC',
      });
      await provide(context);
      await context.close();
    },
    { scope: 'worker' },
  ],

  page: async ({ sharedContext }, provide) => {
    const page = await sharedContext.newPage();
    await provide(page);
    await page.close();
  },

  host: async ({ page, stack, hostPage }, provide) => {
    const problems: string[] = [];
    const allowed: RegExp[] = [];
    const report = (problem: string) => {
      if (!allowed.some((pattern) => pattern.test(problem))) {
        problems.push(problem);
      }
    };
    page.on('console', (message) => {
      if (message.type() === 'error') {
        const where = message.location().url;
        report(`console.error: ${message.text()}${where ? ` (${where})` : ''}`);
      }
    });
    page.on('pageerror', (error) => report(`uncaught: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) {
        report(`HTTP ${response.status()} for ${response.url()}`);
      }
    });
    page.on('requestfailed', (request) => report(`request failed: ${request.url()}`));
    await page.goto(`${stack.url}${hostPage}`);
    await page.waitForFunction(() => '__host' in window);
    await provide({
      page,
      expectProblems: (pattern) => allowed.push(pattern),
      state: () => page.evaluate(() => window.__hostState),
    });
    expect(problems, 'the page reported errors').toEqual([]);
  },

  artifacts: async ({}, provide) => {
    await provide({
      screenshot: async (target, name) => {
        await target.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`) });
      },
    });
  },
});

export { expect };
