/**
 * What every data source instance of the process shares: one pool of scoring
 * threads (threads are per process, not per data source) and one model cache
 * (a model's key names its training data, so two data sources reading the
 * same history share it).
 *
 * Instances acquire the services and release them on dispose; when the last
 * one is released — at shutdown, the runtime disposes every instance — the
 * pool's threads are terminated. A settings change creates the new instance
 * before the old one is disposed, so the pool survives it.
 */
import type { Logger } from '../runtime';
import { ModelCache } from '../scoring/modelCache';
import { ScoringPool, type PoolScripts } from '../scoring/pool';
import { poolScripts } from './workerScripts';

export interface ScoringServices {
  pool: ScoringPool;
  models: ModelCache;
}

export interface ServicesLease {
  services: ScoringServices;
  /** Idempotent; the last release terminates the pool. */
  release(): Promise<void>;
}

const models = new ModelCache();
let pool: ScoringPool | undefined;
let holders = 0;

function scriptsOrInline(logger: Logger | undefined): PoolScripts | undefined {
  try {
    const scripts = poolScripts();
    if (!scripts) {
      logger?.warn('No scoring worker script: training and scoring run on the main thread');
    }
    return scripts;
  } catch (error) {
    logger?.error('Could not write the scoring worker scripts; training and scoring run on the main thread', {
      error,
    });
    return undefined;
  }
}

export function acquireScoringServices(logger?: Logger): ServicesLease {
  pool ??= new ScoringPool({ scripts: scriptsOrInline(logger) });
  const services = { pool, models };
  holders++;
  let released = false;
  return {
    services,
    async release() {
      if (released) {
        return;
      }
      released = true;
      holders--;
      if (holders === 0 && pool === services.pool) {
        pool = undefined;
        await services.pool.destroy();
      }
    },
  };
}
