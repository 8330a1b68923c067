/**
 * Bundles the host page (tools/preview/host/main.tsx) with the modules Grafana
 * shares with plugins, taken from node_modules: the same package versions the
 * plugin is built and unit-tested against.
 */
import { build } from 'esbuild';
import path from 'node:path';

/** Writes `main.js` into `outDir`; returns its path. */
export async function buildHost(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'main.js');
  await build({
    entryPoints: [path.join(__dirname, 'host', 'main.tsx')],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    jsx: 'automatic',
    // Grafana ships React's production build; so does the host.
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty', '.css': 'empty' },
    sourcemap: false,
    // A third of the size: each test page parses the bundle again.
    minify: true,
    logLevel: 'error',
  });
  return outfile;
}
