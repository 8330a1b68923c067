/**
 * CallResource routes: what the editors ask the backend besides queries.
 * - `GET defaults`: the query defaults and limits (one definition, src/common/query.ts);
 * - `GET sensors`: the table's sensor ids for the editor's picker and a `$sensor` variable
 *   (the reader caches the list for a minute, so an editor opening many times costs one scan);
 * - `GET models`: the trained models in memory (key, what they were trained on, rows,
 *   when, how long, bytes, trained here or loaded from S3) and the scoring threads.
 */
import { DEFAULT_QUERY, LIMITS } from '../../common/query';
import type { ResourceRoute } from '../runtime';
import type { Connections } from './connections';
import type { ScoringServices } from './services';
import { toResourceError } from './errors';

export function resourceRoutes(connections: Connections, services: ScoringServices): ResourceRoute[] {
  return [
    {
      method: 'GET',
      path: 'defaults',
      handler: async () => ({ status: 200, body: { query: DEFAULT_QUERY, limits: LIMITS } }),
    },
    {
      method: 'GET',
      path: 'sensors',
      async handler(_request, ctx) {
        try {
          return { status: 200, body: await connections.readings().listSensors(ctx.signal) };
        } catch (error) {
          throw toResourceError(error);
        }
      },
    },
    {
      method: 'GET',
      path: 'models',
      handler: async () => ({
        status: 200,
        body: {
          models: services.models.list(),
          totalBytes: services.models.totalBytes,
          training: services.models.producing,
          pool: services.pool.stats,
        },
      }),
    },
  ];
}
