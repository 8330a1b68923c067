/**
 * A request as the runtime hands it to the data source, for tests and
 * benchmarks that call the data source directly (no gRPC): no user, no
 * headers, Grafana's default config, a silent logger.
 */
import { createLogger, type DataSourceSettings, type RequestContext } from '../../runtime';

export function testRequestContext(
  options: { signal?: AbortSignal; dataSource?: DataSourceSettings } = {}
): RequestContext {
  return {
    pluginId: 'iotlab-anomaly-datasource',
    orgId: 1,
    ...(options.dataSource ? { dataSource: options.dataSource } : {}),
    grafanaConfig: new Map(),
    headers: new Map(),
    fromAlert: false,
    signal: options.signal ?? new AbortController().signal,
    logger: createLogger({ module: 'test', write: () => undefined }),
  };
}
