/**
 * The metrics `Diagnostics/CollectMetrics` returns and Grafana re-exposes at
 * /api/plugins/<id>/metrics: a prom-client registry rendered as Prometheus
 * text. It holds prom-client's default process and Node.js metrics (memory,
 * CPU, heap, event-loop lag, GC, start time) and the runtime's per-method
 * traffic; plugin code registers its own metrics in the same registry
 * (`new Counter({ …, registers: [env.metrics] })`).
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'iotlab_anomaly_';

/** Seconds; spans a cached lookup (1 ms) to a slow DynamoDB scan plus training (60 s). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The runtime's own metrics: per gRPC method traffic plus the process's health. */
export interface RuntimeMetrics {
  registry: Registry;
  requests: Counter<'method'>;
  errors: Counter<'method'>;
  duration: Histogram<'method'>;
  queryErrors: Counter<'source'>;
}

export function createRuntimeMetrics(registry = new Registry()): RuntimeMetrics {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: `${METRIC_PREFIX}grpc_requests_total`,
      help: 'gRPC requests handled, by method.',
      labelNames: ['method'],
      registers,
    }),
    errors: new Counter({
      name: `${METRIC_PREFIX}grpc_errors_total`,
      help: 'gRPC requests that ended with a gRPC error status, by method.',
      labelNames: ['method'],
      registers,
    }),
    duration: new Histogram({
      name: `${METRIC_PREFIX}grpc_request_duration_seconds`,
      help: 'Time to handle a gRPC request (streams: until the stream ends), by method.',
      labelNames: ['method'],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    queryErrors: new Counter({
      name: `${METRIC_PREFIX}query_errors_total`,
      help: 'Queries (refIds) answered with an error, by error source.',
      labelNames: ['source'],
      registers,
    }),
  };
}
