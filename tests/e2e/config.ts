/** Settings shared by playwright.config.ts, the global setup and the fixtures. */
import path from 'node:path';

/** Debian's Chromium (apt-get install -y chromium); the suite never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags that keep a headless Chromium quiet and offline (see ../shared/docs/build-notes.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Screenshots and measurements (git-ignored). */
export const OUTPUT_DIR = path.join(__dirname, '__output__');

/** Where the global setup leaves the stack's description (StackInfo as JSON) for the test workers. */
export const E2E_STACK_ENV = 'IOTLAB_E2E_STACK';
