/**
 * Where the scoring pool's threads find their scripts (see
 * src/backend/scoring/pool.ts and docs/adr/0007-scoring-threads-in-the-executable.md).
 *
 * - In the executable the build embedded both scripts as text
 *   (`IOTLAB_EMBEDDED_WORKERS`, tools/backend-build/workerBundle.ts): they are
 *   written once to a private temporary folder (mode 0700, removed at exit),
 *   because a worker thread runs a file, and the plugin's own folder may be
 *   read-only.
 * - Run from source (tests, tools), `IOTLAB_SCORING_WORKER` may name a built
 *   scoring worker (`writeScoringWorkerSync`); without it every task runs inline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { PoolScripts } from '../scoring/pool';

/** Replaced by the backend build with the two scripts' text; undeclared when run from source. */
declare const IOTLAB_EMBEDDED_WORKERS: { piscina: string; scoring: string } | undefined;

export const SCORING_WORKER_ENV = 'IOTLAB_SCORING_WORKER';

let written: PoolScripts | undefined;

function embedded(): { piscina: string; scoring: string } | undefined {
  return typeof IOTLAB_EMBEDDED_WORKERS === 'undefined' ? undefined : IOTLAB_EMBEDDED_WORKERS;
}

function writeEmbedded(scripts: { piscina: string; scoring: string }): PoolScripts {
  const dir = mkdtempSync(join(tmpdir(), 'iotlab-anomaly-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // A package.json of our own: a `"type": "module"` further up must not turn these CommonJS files into ES modules.
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n', { mode: 0o600 });
  writeFileSync(join(dir, 'worker.js'), scripts.piscina, { mode: 0o600 });
  writeFileSync(join(dir, 'scoring-worker.js'), scripts.scoring, { mode: 0o600 });
  return { scoringWorker: join(dir, 'scoring-worker.js'), piscinaWorkerDir: dir };
}

/**
 * The pool's scripts, or undefined when there are none (tasks then run
 * inline). Throws when the embedded scripts cannot be written; the caller
 * logs it and runs inline.
 */
export function poolScripts(): PoolScripts | undefined {
  const scripts = embedded();
  if (scripts) {
    written ??= writeEmbedded(scripts);
    return written;
  }
  const fromEnv = process.env[SCORING_WORKER_ENV];
  return fromEnv ? { scoringWorker: fromEnv } : undefined;
}
