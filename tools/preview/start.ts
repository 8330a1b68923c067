/**
 * `npx tsx tools/preview/start.ts`: the preview page for a stack that is
 * already running (`npm start` writes its endpoints to .data/stack.env).
 * `npm start` starts the same preview itself when there is no Docker.
 *
 *   --port <n>     default 3100 (env IOTLAB_PREVIEW_PORT)
 *   --env <file>   default .data/stack.env
 *   --dist <dir>   the built plugin, default dist/
 *   --backend <f>  the backend executable, default dist/'s
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_PREVIEW_PORT, stackSettings, startPreview } from './preview';

const REPO = path.resolve(__dirname, '..', '..');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      env: { type: 'string' },
      dist: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  const port = Number(values.port ?? process.env.IOTLAB_PREVIEW_PORT ?? DEFAULT_PREVIEW_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port: must be a port number from 0 to 65535 (got "${values.port}")`);
  }
  const preview = await startPreview({
    settings: stackSettings(path.resolve(values.env ?? path.join(REPO, '.data', 'stack.env'))),
    distDir: values.dist ? path.resolve(values.dist) : undefined,
    executable: values.backend ? path.resolve(values.backend) : undefined,
    port,
  });
  console.log(`Preview (not Grafana): ${preview.url}  — Ctrl-C stops it`);
  const stop = () => void preview.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`preview: ${error.message}`);
  process.exit(1);
});
