import { Counter } from 'prom-client';

import { createRuntimeMetrics, METRIC_PREFIX } from './metrics';

describe('runtime metrics (prom-client)', () => {
  test('per-method traffic, query errors by source, and the default process metrics, as Prometheus text', async () => {
    const metrics = createRuntimeMetrics();
    metrics.requests.inc({ method: 'QueryData' });
    metrics.requests.inc({ method: 'QueryData' });
    metrics.errors.inc({ method: 'QueryData' });
    metrics.duration.observe({ method: 'QueryData' }, 0.002);
    metrics.queryErrors.inc({ source: 'downstream' });
    const text = await metrics.registry.metrics();

    expect(text).toContain('iotlab_anomaly_grpc_requests_total{method="QueryData"} 2\n');
    expect(text).toContain('iotlab_anomaly_grpc_errors_total{method="QueryData"} 1\n');
    expect(text).toContain('iotlab_anomaly_grpc_request_duration_seconds_bucket{le="0.005",method="QueryData"} 1\n');
    expect(text).toContain('iotlab_anomaly_grpc_request_duration_seconds_count{method="QueryData"} 1\n');
    expect(text).toContain('iotlab_anomaly_query_errors_total{source="downstream"} 1\n');
    for (const name of [
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toMatch(new RegExp(`^${name} [\\d.e+-]+$`, 'm'));
    }
  });

  test('a data source registers its own metrics in the same registry', async () => {
    const metrics = createRuntimeMetrics();
    const trained = new Counter({
      name: `${METRIC_PREFIX}models_trained_total`,
      help: 'Models trained.',
      registers: [metrics.registry],
    });
    trained.inc();
    expect(await metrics.registry.metrics()).toMatch(/^iotlab_anomaly_models_trained_total 1$/m);
  });

  test('two servers in one process keep separate registries', async () => {
    const first = createRuntimeMetrics();
    const second = createRuntimeMetrics();
    first.requests.inc({ method: 'CheckHealth' });
    expect(await second.registry.metrics()).not.toContain('method="CheckHealth"');
  });
});
