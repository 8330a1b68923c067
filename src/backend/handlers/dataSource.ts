/**
 * One data source instance per configured data source (and per settings
 * version): wiring and dispose only. Each thing Grafana calls has its own
 * file beside this one.
 */
import type { DataSourceInstance, DataSourceSettings, InstanceEnvironment } from '../runtime';
import { openConnections, type Connections } from './connections';
import { checkHealth } from './health';
import { runQuery } from './query';
import { resourceRoutes } from './resources';
import { acquireScoringServices, type ServicesLease } from './services';
import { streamHandler } from './streams';
import { LiveStreams } from './streams/live';

/** What tests may put in place of the real connections and the process-wide services. */
export interface DataSourceParts {
  connections?: Connections;
  services?: ServicesLease;
}

export function createDataSource(
  settings: DataSourceSettings,
  env?: InstanceEnvironment,
  parts: DataSourceParts = {}
): DataSourceInstance {
  const connections = parts.connections ?? openConnections(settings);
  const lease = parts.services ?? acquireScoringServices(env?.logger);
  const deps = { connections, services: lease.services };
  const live = new LiveStreams({ settings, ...deps });
  return {
    query: (dataQuery, ctx) => runQuery(dataQuery, ctx, deps),
    checkHealth: (ctx) => checkHealth(connections, ctx),
    resources: resourceRoutes(connections, lease.services),
    streams: streamHandler(live),
    async dispose() {
      await live.dispose();
      connections.close();
      await lease.release();
    },
  };
}
