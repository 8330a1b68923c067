/**
 * Builds the app plugin and its nested data source and panel, following
 * @grafana/create-plugin's conventions: one AMD bundle per plugin (`src/module.ts`
 * → `dist/module.js`, `src/<dir>/module.ts` → `dist/<dir>/module.js`), everything the
 * Grafana page already provides kept external, and the plugin.json files, docs and
 * logos copied beside the bundles.
 *
 * Run with `npm run build:frontend` (production) or `npm run dev` (watch).
 */
import CopyWebpackPlugin from 'copy-webpack-plugin';
import fs from 'node:fs';
import path from 'node:path';
import TerserPlugin from 'terser-webpack-plugin';
import type { Configuration } from 'webpack';

import { EXTERNALS } from './externals';

const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');
const DIST = path.join(ROOT, 'dist');

interface Env {
  production?: boolean;
  development?: boolean;
}

interface PluginJson {
  id: string;
  info: { screenshots?: Array<{ path: string }> };
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const appPluginJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'plugin.json'), 'utf8')) as PluginJson;
const PLUGIN_ID = appPluginJson.id;

/** Folders under src/ (relative, '/'-separated) holding a nested plugin.json next to a module.ts(x). */
function nestedPluginDirs(): string[] {
  return fs
    .readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => path.basename(file) === 'plugin.json')
    .map((file) => path.dirname(file).split(path.sep).join('/'))
    .filter((dir) => dir !== '.' && moduleFile(path.join(SRC, dir)) !== undefined)
    .sort();
}

function moduleFile(dir: string): string | undefined {
  return ['module.ts', 'module.tsx'].map((name) => path.join(dir, name)).find((file) => fs.existsSync(file));
}

/** The entry's modules: the public-path setter first, then the plugin's module. */
function entryFor(dir: string, depth: number): string[] {
  const file = moduleFile(dir);
  if (file === undefined) {
    throw new Error(`no module.ts in ${dir}`);
  }
  const fallback = encodeURIComponent(`public/plugins/${PLUGIN_ID}/`);
  return [`${path.join(__dirname, 'public-path.ts')}?depth=${depth}&fallback=${fallback}`, file];
}

function entries(nested: string[]): Record<string, string[]> {
  const result: Record<string, string[]> = { module: entryFor(SRC, 0) };
  for (const dir of nested) {
    result[`${dir}/module`] = entryFor(path.join(SRC, dir), dir.split('/').length);
  }
  return result;
}

/** Fills in the build-time placeholders Grafana's scaffold uses in plugin.json files. */
function stampPluginJson(content: Buffer): string {
  const today = new Date().toISOString().slice(0, 10);
  return content
    .toString('utf8')
    .replace(/%VERSION%/g, pkg.version)
    .replace(/%TODAY%/g, today)
    .replace(/%PLUGIN_ID%/g, PLUGIN_ID);
}

function copyPatterns(nested: string[]): CopyWebpackPlugin['patterns'] {
  const optional = (file: string) => ({ from: path.join(ROOT, file), to: '.', noErrorOnMissing: true });
  // Every plugin (the app and each nested one) resolves its logos relative to its own folder.
  const logoTargets = ['img', ...nested.map((dir) => `${dir}/img`)];
  return [
    { from: path.join(ROOT, 'plugin.json'), to: 'plugin.json', transform: stampPluginJson },
    ...nested.map((dir) => ({
      from: path.join(SRC, dir, 'plugin.json'),
      to: `${dir}/plugin.json`,
      transform: stampPluginJson,
    })),
    // The catalog's README (src/README.md, for Grafana users; absolute links only), not the repository's.
    { from: path.join(SRC, 'README.md'), to: 'README.md' },
    optional('CHANGELOG.md'),
    optional('LICENSE'),
    // The dashboard the app's plugin.json `includes`; the provisioned copy is the single source.
    { from: path.join(ROOT, 'provisioning/dashboards/anomaly-overview.json'), to: 'dashboards/anomaly-overview.json' },
    ...logoTargets.map((to) => ({
      from: path.join(SRC, 'img').split(path.sep).join('/') + '/*',
      to: `${to}/[name][ext]`,
    })),
    // The catalog screenshots the app's plugin.json lists (paths under img/), taken from the same paths under
    // docs/, where the README shows them too. A missing one does not stop a build; `npm run package` refuses to
    // ship without it.
    ...(appPluginJson.info.screenshots ?? []).map((shot) => ({
      from: path.join(ROOT, 'docs', shot.path),
      to: shot.path,
      noErrorOnMissing: true,
    })),
  ];
}

export default function config(env: Env = {}): Configuration {
  const production = Boolean(env.production) || !env.development;
  const nested = nestedPluginDirs();
  return {
    mode: production ? 'production' : 'development',
    context: ROOT,
    devtool: production ? 'source-map' : 'eval-source-map',
    entry: entries(nested),
    externals: EXTERNALS,
    // Bundles are loaded by Grafana's AMD loader, never split into async chunks here.
    output: {
      path: DIST,
      filename: '[name].js',
      chunkFilename: '[name].js?_cache=[contenthash]',
      library: { type: 'amd' },
      publicPath: `public/plugins/${PLUGIN_ID}/`,
      uniqueName: PLUGIN_ID,
      crossOriginLoading: 'anonymous',
      // `npm run build:backend` writes gpx_<name>_<os>_<arch> executables into dist/.
      clean: { keep: /(^|\/)gpx_|go_plugin_build_manifest/ },
    },
    resolve: {
      extensions: ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.json'],
      // Some ESM packages import without extensions; webpack 5 would otherwise refuse.
      fullySpecified: false,
    },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                baseUrl: SRC,
                target: 'es2020',
                loose: false,
                parser: { syntax: 'typescript', tsx: true, decorators: false, dynamicImport: true },
                transform: { react: { runtime: 'automatic', development: !production } },
              },
            },
          },
        },
        { test: /\.m?js$/, resolve: { fullySpecified: false } },
      ],
    },
    plugins: [new CopyWebpackPlugin({ patterns: copyPatterns(nested) })],
    optimization: {
      minimize: production,
      minimizer: [
        new TerserPlugin({
          extractComments: true,
          terserOptions: {
            format: { comments: false },
            compress: { drop_debugger: true, pure_funcs: ['console.log', 'console.info'] },
          },
        }),
      ],
    },
    performance: { hints: false },
    watchOptions: { ignored: ['**/node_modules/**', '**/dist/**', '**/.data/**'] },
    stats: production ? 'normal' : 'minimal',
  };
}
