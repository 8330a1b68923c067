/**
 * Before any browser test: checks what the suite needs (Chromium, the built
 * plugin, the backend executable) and says exactly what to do about anything
 * missing, builds the host page once, and starts the stack (emulators,
 * simulator data, backend, preview server). The returned function is
 * Playwright's global teardown: it stops everything started here.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildHost } from '../../tools/preview/buildHost';
import { CHROMIUM } from '../../tools/preview/chromium';
import { E2E_STACK_ENV } from './config';
import { startTestStack } from './stack';

const REPO = path.resolve(__dirname, '..', '..');
/** The build under test: dist/ unless E2E_DIST names another (e.g. an unpacked release archive). */
const DIST = path.resolve(process.env.E2E_DIST ?? path.join(REPO, 'dist'));
const EXECUTABLE = path.resolve(process.env.E2E_BACKEND ?? path.join(DIST, 'gpx_iotlab_anomaly_linux_amd64'));
const BUNDLES = ['module.js', 'panel/module.js', 'datasource/module.js'];

/** Reasons the suite cannot start, each with the command that fixes it. */
function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) {
    missing.push(`${CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium)`);
  }
  for (const bundle of BUNDLES) {
    if (!existsSync(path.join(DIST, bundle))) {
      missing.push(`${path.join(DIST, bundle)} not found: run \`npm run build:frontend\` first`);
    }
  }
  if (!existsSync(EXECUTABLE)) {
    missing.push(`${EXECUTABLE} not found: run \`npm run build:backend\` first`);
  }
  return missing;
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    throw new Error(`the browser tests cannot start:\n  ${missing.join('\n  ')}`);
  }
  const started = performance.now();
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'iotlab-e2e-'));
  const hostDir = path.join(workDir, 'host');
  try {
    await buildHost(hostDir);
    const stack = await startTestStack({ distDir: DIST, hostDir, executable: EXECUTABLE, workDir });
    const { stop, ...info } = stack;
    process.env[E2E_STACK_ENV] = JSON.stringify(info);
    console.log(`e2e: stack up in ${((performance.now() - started) / 1000).toFixed(1)} s at ${info.url}`);
    return async () => {
      await stop();
      rmSync(workDir, { recursive: true, force: true });
    };
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}
