/**
 * One data source instance per configured data source (and per settings
 * version): wiring and dispose only. Each thing Grafana calls has its own
 * file beside this one.
 */
import type { DataSourceInstance, DataSourceSettings } from '../runtime';
import { openConnections } from './connections';
import { checkHealth } from './health';
import { runQuery } from './query';
import { resourceRoutes } from './resources';
import { streamHandler } from './streams';

export function createDataSource(settings: DataSourceSettings): DataSourceInstance {
  const connections = openConnections(settings);
  return {
    query: (dataQuery, ctx) => runQuery(dataQuery, ctx),
    checkHealth: () => checkHealth(connections),
    resources: resourceRoutes(connections),
    streams: streamHandler(),
    dispose: () => connections.close(),
  };
}
