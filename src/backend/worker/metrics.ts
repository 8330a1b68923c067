/**
 * The worker's Prometheus metrics (prom-client, with its default process and
 * Node.js metrics) and the HTTP server that exposes them: `GET /metrics`, and
 * `GET /healthz` (200 while the worker is in its group, 503 otherwise).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  collectDefaultMetrics,
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  Registry,
} from 'prom-client';

/** A metric's configuration without its registry: every metric here registers in the worker's own. */
type Unregistered<C> = Omit<C, 'registers'>;

export class WorkerMetrics {
  readonly registry = new Registry();
  /** Reading messages handled, by outcome: scored, dropped (no feature row yet), skipped (malformed, no model). */
  readonly messages = this.counter({
    name: 'iotlab_worker_messages_total',
    help: 'Reading messages handled, by outcome (scored, dropped: no feature row, skipped: malformed or no model) and reason',
    labelNames: ['outcome', 'reason'] as const,
  });
  readonly published = this.counter({
    name: 'iotlab_worker_published_total',
    help: 'Messages produced to the anomalies topic and acknowledged, by kind (anomaly, normal)',
    labelNames: ['kind'] as const,
  });
  readonly batches = this.histogram({
    name: 'iotlab_worker_batch_seconds',
    help: 'Time to decode, score, produce and commit one batch',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  readonly latency = this.histogram({
    name: 'iotlab_worker_latency_seconds',
    help: 'From a reading message’s Kafka timestamp to its anomaly being acknowledged by the broker',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  readonly lag = this.gauge({
    name: 'iotlab_worker_lag_messages',
    help: 'Messages in the assigned partitions not yet processed (high watermark minus position)',
    labelNames: ['partition'] as const,
  });
  readonly partitions = this.gauge({
    name: 'iotlab_worker_assigned_partitions',
    help: 'Partitions of the readings topic this worker owns right now',
  });
  readonly sensors = this.gauge({
    name: 'iotlab_worker_sensors',
    help: 'Sensors whose feature windows this worker keeps',
  });
  readonly warmups = this.counter({
    name: 'iotlab_worker_warmup_messages_total',
    help: 'Messages re-read from before the committed offset to fill the feature windows after a rebalance',
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private counter<L extends string>(config: Unregistered<CounterConfiguration<L>>): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  private gauge<L extends string>(config: Unregistered<GaugeConfiguration<L>>): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
  }

  private histogram<L extends string>(config: Unregistered<HistogramConfiguration<L>>): Histogram<L> {
    return new Histogram({ ...config, registers: [this.registry] });
  }
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves /metrics and /healthz on host:port (0 = a free port). */
export function serveMetrics(
  metrics: WorkerMetrics,
  healthy: () => boolean,
  host: string,
  port: number
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    if (request.method !== 'GET') {
      response.writeHead(405).end();
      return;
    }
    if (request.url === '/metrics') {
      metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: unknown) => response.writeHead(500).end(String(error))
      );
      return;
    }
    if (request.url === '/healthz') {
      const ok = healthy();
      response
        .writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' })
        .end(ok ? 'ok\n' : 'not in the consumer group\n');
      return;
    }
    response.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
