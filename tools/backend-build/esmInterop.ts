import type { BuildOptions } from 'esbuild';

/**
 * esbuild options that let ESM-only packages written for Node run from the
 * executables' CommonJS bundles (a Node SEA runs one CommonJS script):
 * - `@platformatic/wasm-utils` (Kafka's checksums and compression) reads its
 *   `.wasm` file next to itself at load time; its `bundled` entry inlines it.
 * - `import.meta.url` is empty in CommonJS, and `@platformatic/kafka` calls
 *   `createRequire(import.meta.url)` at load time: point it at the bundle.
 */
export const ESM_INTEROP = {
  alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
  banner: { js: 'const __iotlab_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__iotlab_import_meta_url' },
} as const satisfies Pick<BuildOptions, 'alias' | 'banner' | 'define'>;
