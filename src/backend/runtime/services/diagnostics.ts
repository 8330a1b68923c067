import type { HealthResult } from '../api';
import { unaryHandler, withInstance, type ServiceDeps } from '../calls';
import { toRequestContext } from '../context';
import {
  WireHealthStatus,
  type WireCheckHealthRequest,
  type WireCheckHealthResponse,
  type WireCollectMetricsResponse,
} from '../proto/messages';

const NO_DETAILS = new Uint8Array(0);

function toWireHealth(result: HealthResult, deps: ServiceDeps): WireCheckHealthResponse {
  return {
    status: result.status === 'OK' ? WireHealthStatus.OK : WireHealthStatus.ERROR,
    // Defence in depth: a message quoting a secret (an echoed URL, an SDK error) is masked.
    message: deps.secrets.maskString(result.message),
    // Grafana unmarshals jsonDetails into a map: anything but an object would fail the endpoint.
    jsonDetails: result.details ? Buffer.from(JSON.stringify(deps.secrets.redact(result.details))) : NO_DETAILS,
  };
}

/** Never a gRPC error: Grafana shows a health result, so even undecodable settings become an ERROR with a message. */
async function checkHealth(
  deps: ServiceDeps,
  request: WireCheckHealthRequest,
  signal: AbortSignal
): Promise<WireCheckHealthResponse> {
  try {
    const ctx = toRequestContext(request.pluginContext, request.headers, signal, deps.logger);
    return toWireHealth(await withInstance(deps, ctx, (instance) => instance.checkHealth(ctx)), deps);
  } catch (error) {
    const datasource = request.pluginContext?.dataSourceInstanceSettings?.uid;
    deps.logger.warn('Health check failed', { datasource, error });
    const message = error instanceof Error ? error.message : String(error);
    return toWireHealth({ status: 'ERROR', message: `Health check failed: ${message}` }, deps);
  }
}

/** pluginv2.Diagnostics: "Save & test" and the Prometheus metrics Grafana scrapes from plugins. */
export function diagnosticsService(deps: ServiceDeps) {
  return {
    CheckHealth: unaryHandler<WireCheckHealthRequest, WireCheckHealthResponse>(
      deps,
      'CheckHealth',
      (request, { signal }) => checkHealth(deps, request, signal)
    ),
    CollectMetrics: unaryHandler<unknown, WireCollectMetricsResponse>(deps, 'CollectMetrics', async () => ({
      metrics: { prometheus: Buffer.from(await deps.metrics.registry.metrics()) },
    })),
  };
}
