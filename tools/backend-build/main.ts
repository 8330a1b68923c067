/**
 * `npm run build:backend`: bundles src/backend/main.ts and turns it into
 * Grafana's backend executables, dist/gpx_iotlab_anomaly_linux_{amd64,arm64}
 * (Node single-executable applications — no Node needed where Grafana runs),
 * and the Kafka scoring worker (src/backend/worker/main.ts) the same way into
 * dist/iotlab-anomaly-worker_linux_{amd64,arm64}. Only these files are
 * written in dist/; the frontend build owns the rest.
 *
 * Options: --amd64-only skips the arm64 binary (no registry download);
 * --out=<dir> writes the executables elsewhere (a private build for one test run).
 */
import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { bundleBackend } from './bundle';
import { arm64Node, findTool, hostNode, type Target } from './nodeBinaries';
import { buildSea } from './sea';

const ROOT = resolve(__dirname, '..', '..');
/** Entry → executable name (suffixed _<os>_<arch>). */
const PROGRAMS = [
  { entry: join('src', 'backend', 'main.ts'), executable: 'gpx_iotlab_anomaly' },
  { entry: join('src', 'backend', 'worker', 'main.ts'), executable: 'iotlab-anomaly-worker' },
] as const;
const OUT_FLAG = '--out=';
const DIST = resolve(process.argv.find((a) => a.startsWith(OUT_FLAG))?.slice(OUT_FLAG.length) ?? join(ROOT, 'dist'));
// Private outputs get a private work folder, so two builds never share intermediate files.
const CACHE = DIST === join(ROOT, 'dist') ? join(ROOT, '.cache', 'backend-build') : join(DIST, '.build');

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

async function main(): Promise<void> {
  const amd64Only = process.argv.includes('--amd64-only');
  mkdirSync(DIST, { recursive: true });
  mkdirSync(CACHE, { recursive: true });

  const node = hostNode(ROOT);
  const targets: Target[] = [{ platform: 'linux_amd64', node, useCodeCache: true, strip: findTool('strip') }];
  if (!amd64Only) {
    targets.push({
      platform: 'linux_arm64',
      node: arm64Node(join(ROOT, '.cache')),
      useCodeCache: false,
      strip: findTool('aarch64-linux-gnu-strip'),
    });
  }
  for (const program of PROGRAMS) {
    const bundle = join(CACHE, `${program.executable}.cjs`);
    let started = performance.now();
    await bundleBackend(join(ROOT, program.entry), bundle);
    console.log(`bundle ${bundle}: ${mib(statSync(bundle).size)} in ${Math.round(performance.now() - started)} ms`);
    for (const target of targets) {
      started = performance.now();
      const output = join(DIST, `${program.executable}_${target.platform}`);
      buildSea({ bundle, target, hostNode: node, workDir: CACHE, output });
      const stripped = target.strip ? 'stripped' : 'not stripped (no strip for this architecture)';
      console.log(
        `${output}: ${mib(statSync(output).size)}, ${stripped}, in ${Math.round(performance.now() - started)} ms`
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
