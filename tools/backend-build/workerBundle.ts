/**
 * The pool's thread scripts (src/backend/scoring/pool.ts). A Node
 * single-executable application runs one embedded script, but a worker thread
 * needs a file: so the build bundles the scoring worker and piscina's own
 * worker separately, embeds both texts in the main bundle
 * (`IOTLAB_EMBEDDED_WORKERS`), and the executable writes them to a private
 * temporary folder at start-up (src/backend/handlers/workerScripts.ts).
 * Inside the bundle piscina would look for its worker beside the executable;
 * `piscinaWorkerDirPlugin` points that lookup at the temporary folder instead.
 *
 * Tests and tools that run from source use `writeScoringWorkerSync`: the same
 * scoring bundle on disk, with piscina's unbundled worker from node_modules.
 */
import { build, buildSync, type BuildOptions, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SCORING_WORKER_ENTRY = join(ROOT, 'src', 'backend', 'scoring', 'poolWorker.ts');

/** The global pool.ts sets (`Symbol.for('iotlab.piscinaWorkerDir')`), read by the patched piscina. */
const WORKER_DIR_EXPRESSION = "globalThis[Symbol.for('iotlab.piscinaWorkerDir')]";
/** The one place piscina names its worker script (piscina 5.x dist/index.js). */
const PISCINA_WORKER_PATH = "(0, node_path_1.resolve)(__dirname, 'worker.js')";

const WORKER_OPTIONS: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  minify: false,
  legalComments: 'none',
  logLevel: 'warning',
  mainFields: ['main', 'module'],
  // piscina's optional native helper for `niceIncrement`, which the pool does not use (its import fails softly).
  external: ['@napi-rs/nice'],
};

/** Rewrites piscina's worker lookup to the folder pool.ts names; fails the build if piscina changed. */
export function piscinaWorkerDirPlugin(): Plugin {
  return {
    name: 'piscina-worker-dir',
    setup(plugin) {
      plugin.onLoad({ filter: /[\\/]piscina[\\/]dist[\\/]index\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes(PISCINA_WORKER_PATH)) {
          return {
            errors: [
              {
                text: `piscina's worker lookup "${PISCINA_WORKER_PATH}" not found in ${args.path}: update tools/backend-build/workerBundle.ts for this piscina version`,
              },
            ],
          };
        }
        const patched = source.replace(
          PISCINA_WORKER_PATH,
          `(0, node_path_1.resolve)(${WORKER_DIR_EXPRESSION} ?? __dirname, 'worker.js')`
        );
        return { contents: patched, loader: 'js' };
      });
    },
  };
}

async function bundleText(entry: string): Promise<string> {
  const result = await build({ ...WORKER_OPTIONS, entryPoints: [entry], write: false });
  return result.outputFiles[0]!.text;
}

/** Both thread scripts as text, for embedding in the executable's bundle. */
export async function bundleWorkerScripts(): Promise<{ piscina: string; scoring: string }> {
  const piscinaWorker = join(ROOT, 'node_modules', 'piscina', 'dist', 'worker.js');
  const [piscina, scoring] = await Promise.all([bundleText(piscinaWorker), bundleText(SCORING_WORKER_ENTRY)]);
  return { piscina, scoring };
}

/** Writes the scoring worker bundle into `dir` for runs from source; returns what ScoringPool takes. */
export function writeScoringWorkerSync(dir: string): { scoringWorker: string } {
  mkdirSync(dir, { recursive: true });
  const scoringWorker = join(dir, 'scoring-worker.cjs');
  buildSync({ ...WORKER_OPTIONS, entryPoints: [SCORING_WORKER_ENTRY], outfile: scoringWorker });
  return { scoringWorker };
}
