import { build } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { ESM_INTEROP } from './esmInterop';
import { bundleWorkerScripts, piscinaWorkerDirPlugin } from './workerBundle';

const PROTO_DIR = resolve(__dirname, '..', '..', 'src', 'backend', 'runtime', 'proto');

/** Every `.proto` file of the runtime, by file name. */
function protoTexts(): Record<string, string> {
  const files = readdirSync(PROTO_DIR).filter((file) => file.endsWith('.proto'));
  return Object.fromEntries(files.map((file) => [file, readFileSync(join(PROTO_DIR, file), 'utf8')]));
}

/**
 * Bundles the backend entry into one CommonJS file: a Node SEA runs a single
 * script and can `require` built-in modules only, so every dependency
 * (grpc-js, protobufjs, apache-arrow) must be inside it. The plugin protocol's
 * `.proto` files are embedded as text (`IOTLAB_EMBEDDED_PROTOS`, read by
 * src/backend/runtime/proto/load.ts), so nothing is read from disk at run time.
 * The scoring pool's thread scripts are bundled separately and embedded as
 * text (`IOTLAB_EMBEDDED_WORKERS`, see workerBundle.ts): a worker thread needs
 * a file, which the executable writes to a private temporary folder.
 */
export async function bundleBackend(entry: string, outfile: string): Promise<void> {
  const workers = await bundleWorkerScripts();
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // Readable stack traces in logs matter more than the ~1 MB minifying would save in a ~100 MB binary.
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    // grpc-js and apache-arrow pick their Node builds through `main`/`module`; prefer the CJS ones.
    mainFields: ['main', 'module'],
    alias: ESM_INTEROP.alias,
    banner: ESM_INTEROP.banner,
    define: {
      ...ESM_INTEROP.define,
      IOTLAB_EMBEDDED_WORKERS: JSON.stringify(workers),
      // A string literal (the files as JSON), inlined where it is read: an object would make esbuild call an
      // initializer from every module.
      IOTLAB_EMBEDDED_PROTOS: JSON.stringify(JSON.stringify(protoTexts())),
    },
    plugins: [piscinaWorkerDirPlugin()],
  });
  if (result.errors.length > 0) {
    throw new Error(`esbuild failed: ${result.errors.map((e) => e.text).join('; ')}`);
  }
}
