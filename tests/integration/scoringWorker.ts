/**
 * The scoring pool's thread script for tests that run the backend from
 * source: built once per run into a temporary folder and named in
 * IOTLAB_SCORING_WORKER, where src/backend/handlers/workerScripts.ts finds it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { writeScoringWorkerSync } from '../../tools/backend-build/workerBundle';
import { SCORING_WORKER_ENV } from '../../src/backend/handlers/workerScripts';

export function buildScoringWorker(): string {
  const existing = process.env[SCORING_WORKER_ENV];
  if (existing) {
    return existing;
  }
  const { scoringWorker } = writeScoringWorkerSync(mkdtempSync(join(tmpdir(), 'iotlab-it-worker-')));
  process.env[SCORING_WORKER_ENV] = scoringWorker;
  return scoringWorker;
}
