/** Settings shared by playwright.config.ts, the global setup and the fixtures. */
import path from 'node:path';

/** Screenshots and measurements (git-ignored). */
export const OUTPUT_DIR = path.join(__dirname, '__output__');

/** Where the global setup leaves the stack's description (StackInfo as JSON) for the test workers. */
export const E2E_STACK_ENV = 'IOTLAB_E2E_STACK';
