/**
 * The Kafka scoring worker's throughput and latency, on a real broker on this
 * machine (Apache Kafka 4.1 in KRaft mode, tools/stack/kafkaBroker.ts): the
 * worker's own loop (ScoringWorker: consume → decode → per-sensor windowed
 * features → Isolation Forest → produce → commit after the ack), in this
 * process, with the default query's features and model parameters.
 *
 * 1. Throughput: a backlog of reading messages (many sensors, 10 s apart) is
 *    written first; the clock runs from the worker's start to the moment
 *    every message is handled and committed.
 * 2. Latency: messages are then produced at a steady rate below capacity; for
 *    every anomaly, the time from its reading's produce call to the broker's
 *    acknowledgement of the anomaly (what a consumer of the anomalies topic
 *    could see at the earliest).
 *
 * One model (trained once on simulated history) serves every sensor, so the
 * run measures scoring, not training; each sensor still keeps its own
 * feature windows. `npm run bench` includes it; `npx tsx
 * tests/bench/workerBench.ts` runs it alone and updates its section of
 * docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

import { compatibilityPartitioner, Producer, stringSerializers } from '@platformatic/kafka';

import { featureSpecOf } from '../../src/backend/scoring/features';
import { loadModel } from '../../src/backend/scoring/model';
import { forestParamsOf, trainModel } from '../../src/backend/scoring/train';
import { AnomalyPublisher, type AnomalyMessage } from '../../src/backend/sources/kafkaAnomalies';
import { kafkaConnectionFromSettings } from '../../src/backend/sources/kafkaConfig';
import { KafkaGroupReader } from '../../src/backend/sources/kafkaReadings';
import { WorkerMetrics } from '../../src/backend/worker/metrics';
import { ScoringWorker } from '../../src/backend/worker/scoringWorker';
import { kafkaWarmUpReader } from '../../src/backend/worker/warmUp';
import { resolveQuery } from '../../src/common/query';
import { readingMessage } from '../../tools/simulator/kafkaWriter';
import { sensorSeries } from '../../tools/simulator/formats';
import { createSensors, readingsAt, type SimReading } from '../../tools/simulator/signals';
import { KafkaBroker } from '../../tools/stack/kafkaBroker';

const SENSORS = 200;
const BACKLOG_PER_SENSOR = 1500;
const LATENCY_RATE = 10_000;
const LATENCY_SECONDS = 6;
const READING_MS = 10_000;
const PARTITIONS = 6;

export interface WorkerBenchResult {
  messages: number;
  seconds: number;
  perSecond: number;
  cpuSeconds: number;
  anomalies: number;
  latency: { rate: number; samples: number; p50Ms: number; p99Ms: number; maxMs: number };
  brokerStartMs: number;
  /** 1-minute load average before and after (2 cores: above 2 means the run waited for CPU). */
  load: [number, number];
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function produceAll(
  producer: Producer<string, string, string, string>,
  topic: string,
  readings: SimReading[],
  stamp: (r: SimReading) => number
): Promise<void> {
  const BATCH = 5000;
  for (let i = 0; i < readings.length; i += BATCH) {
    await producer.send({
      messages: readings.slice(i, i + BATCH).map((r) => ({
        topic,
        key: r.sensorId,
        value: readingMessage(r, 'ms'),
        timestamp: BigInt(stamp(r)),
      })),
    });
  }
}

export async function runWorkerBench(log: (line: string) => void = console.log): Promise<WorkerBenchResult> {
  const loadBefore = os.loadavg()[0];
  const broker = await KafkaBroker.start({
    topics: [
      { name: 'readings', partitions: PARTITIONS },
      { name: 'anomalies', partitions: 3 },
    ],
  });
  log(`worker bench: broker ready in ${broker.startupMs} ms`);
  try {
    const query = resolveQuery({});
    const spec = featureSpecOf({ metrics: query.metrics, transforms: query.transforms });
    const sims = createSensors(SENSORS, 11, { anomaliesPerDay: 3 });
    // History (one a minute, ~3 days) → one model, trained once.
    // Inside the broker's 7-day retention: a backlog older than that could be deleted under the bench.
    // Whole days back, so every run sees the same time of day in the data (and the same anomalies).
    const historyStart = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 5 * 86_400_000;
    const history = [...readingsAt(sims[0]!, historyStart, 60_000, 4000)];
    const trained = trainModel([sensorSeries(history)], spec, forestParamsOf(query), { identity: 'bench' });
    if (!trained.ok) {
      throw new Error('worker bench: too few training rows');
    }
    const model = loadModel(JSON.stringify(trained.model));
    // The backlog: every sensor's readings, 10 s apart, interleaved in time.
    const liveStart = historyStart + 4000 * 60_000;
    const perSensor = sims.map((sim) => [...readingsAt(sim, liveStart, READING_MS, BACKLOG_PER_SENSOR)]);
    const backlog = perSensor.flat().sort((a, b) => a.timeMs - b.timeMs);
    const conn = kafkaConnectionFromSettings({ kafkaBrokers: broker.bootstrap }, {});
    const producer = new Producer({
      clientId: 'bench-producer',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
      idempotent: true,
      partitioner: compatibilityPartitioner,
    });
    const produced = performance.now();
    await produceAll(producer, 'readings', backlog, (r) => r.timeMs);
    log(`worker bench: ${backlog.length} messages produced in ${Math.round(performance.now() - produced)} ms`);

    const metrics = new WorkerMetrics();
    const produceTimes = new Map<string, number>();
    const latencies: number[] = [];
    const publisher = new AnomalyPublisher(conn, 'bench-worker');
    let reader: KafkaGroupReader | undefined;
    const worker = new ScoringWorker({
      openSource: () =>
        (reader = new KafkaGroupReader(conn, {
          groupId: 'bench',
          clientId: 'bench-worker',
          topic: 'readings',
          fallback: 'earliest',
          highWaterMark: 20_000,
        })),
      publisher: {
        async publish(messages: readonly AnomalyMessage[]) {
          await publisher.publish(messages);
          const acked = Date.now();
          for (const m of messages) {
            const sent = produceTimes.get(`${m.sensor}@${m.timeMs}`);
            if (sent !== undefined) {
              latencies.push(acked - sent);
            }
          }
        },
      },
      models: { spec: model.spec, get: async () => ({ key: 'bench-model', model, source: 'store' as const }) },
      warmUpReader: kafkaWarmUpReader(conn, 'readings', () => reader!, 'bench-warmup'),
      shape: conn.shape,
      metrics,
      publish: 'anomalies',
      batch: 5000,
      log: () => undefined,
    });
    // Done = the group has committed every partition up to its end: each message handled, anomalies acknowledged.
    const caughtUp = async () => {
      if (!reader) {
        return false;
      }
      const [end, committed] = await Promise.all([
        reader.endOffsets(),
        reader.committedOffsets().catch(() => [] as bigint[]),
      ]);
      return end.every((e, p) => committed[p] === e);
    };
    const stop = new AbortController();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const running = worker.run(stop.signal);
    while (!(await caughtUp())) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const anomalies = (await metrics.published.get()).values.reduce((n, v) => n + v.value, 0);
    log(
      `worker bench: ${backlog.length} messages in ${seconds.toFixed(2)} s = ${Math.round(backlog.length / seconds)}/s`
    );

    // Latency: continue every sensor's readings at a steady rate; reading time = produce time's order.
    const total = LATENCY_RATE * LATENCY_SECONDS;
    const next = perSensor.map((list, i) =>
      readingsAt(sims[i]!, list[list.length - 1]!.timeMs + READING_MS, READING_MS, Math.ceil(total / SENSORS))
    );
    const stream: SimReading[] = [];
    for (let k = 0; stream.length < total; k++) {
      for (const gen of next) {
        const r = gen.next();
        if (!r.done) {
          stream.push(r.value);
        }
      }
      if (k > total) {
        break;
      }
    }
    const TICK_MS = 50;
    const perTick = Math.round((LATENCY_RATE * TICK_MS) / 1000);
    const startedAt = performance.now();
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0, tick = 0; i < stream.length; i += perTick, tick++) {
      const wait = startedAt + tick * TICK_MS - performance.now();
      if (wait > 0) {
        await new Promise((r) => setTimeout(r, wait));
      }
      const slice = stream.slice(i, i + perTick);
      const now = Date.now();
      for (const r of slice) {
        produceTimes.set(`${r.sensorId}@${r.timeMs}`, now);
      }
      const send = producer
        .send({ messages: slice.map((r) => ({ topic: 'readings', key: r.sensorId, value: readingMessage(r, 'ms') })) })
        .catch((error: unknown) => log(`worker bench: a latency batch was not produced: ${String(error)}`));
      sends.push(send);
    }
    await Promise.all(sends);
    while (!(await caughtUp())) {
      await new Promise((r) => setTimeout(r, 20));
    }
    stop.abort();
    await running;
    await reader?.close();
    await publisher.close();
    await producer.close();
    latencies.sort((a, b) => a - b);
    return {
      messages: backlog.length,
      seconds,
      perSecond: backlog.length / seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      anomalies,
      latency: {
        rate: LATENCY_RATE,
        samples: latencies.length,
        p50Ms: percentile(latencies, 0.5),
        p99Ms: percentile(latencies, 0.99),
        maxMs: latencies[latencies.length - 1] ?? Number.NaN,
      },
      brokerStartMs: broker.startupMs,
      load: [loadBefore, os.loadavg()[0]],
    };
  } finally {
    await broker.destroy();
  }
}

const WORKER_SECTION = '## Kafka scoring worker';

export function renderWorkerBench(r: WorkerBenchResult): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `${WORKER_SECTION}

The worker's loop (tests/bench/workerBench.ts) on a real broker on this machine — Apache Kafka 4.1 in
KRaft mode, one process, ${PARTITIONS} partitions, started in ${n(r.brokerStartMs)} ms — sharing the two cores with
the worker and the producer. ${SENSORS} sensors, readings 10 s apart in the seed's JSON shape, the default
query (default features: ${resolveQuery({}).transforms.join(', ')} of the four metrics, over windows; Isolation Forest, 100 trees,
contamination 0.01); each sensor keeps its own feature windows; one model serves all of them.

| What | Result | Target |
|---|---|---|
| Throughput: consume → decode → windowed features → score → produce anomalies (acks=all, idempotent) → commit, on a backlog of ${n(r.messages)} messages | **${n(r.perSecond)} messages/s** wall clock (${r.seconds.toFixed(2)} s); **${n(r.messages / r.cpuSeconds)} messages per CPU-second** of the worker process, Kafka client included (${r.cpuSeconds.toFixed(2)} s CPU); ${n(r.anomalies)} anomalies produced | ≥ 50,000 messages/s |
| Latency, produce call of a reading → its anomaly acknowledged by the broker, at a steady ${n(r.latency.rate)} messages/s | p50 **${n(r.latency.p50Ms)} ms**, p99 **${n(r.latency.p99Ms)} ms** (max ${n(r.latency.maxMs)} ms, ${n(r.latency.samples)} anomalies) | — |

Load average ${r.load[0].toFixed(1)} before and ${r.load[1].toFixed(1)} after the run, on 2 cores: above 2, the broker, the
producer and the worker waited for CPU, and the wall-clock rate says more about the machine than about
the worker; the rate per CPU-second is what one core of the worker does.

Latency includes the consumer's fetch wait, the worker's batching (a batch is what arrived since the last
one, at most 5,000 messages) and the acknowledged produce of the anomaly (the batch's commit follows it).
`;
}

/** Replaces (or appends) the worker's section of docs/benchmarks.md. */
function writeWorkerSection(section: string, file = join(__dirname, '..', '..', 'docs', 'benchmarks.md')): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(WORKER_SECTION);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const rest = text.slice(start + WORKER_SECTION.length);
  const nextSection = rest.search(/\n## /);
  const end = nextSection < 0 ? text.length : start + WORKER_SECTION.length + nextSection + 1;
  writeFileSync(file, `${text.slice(0, start)}${section}${nextSection < 0 ? '' : `\n${text.slice(end)}`}`);
}

if (require.main === module) {
  runWorkerBench()
    .then((result) => {
      console.log(JSON.stringify(result));
      const section = renderWorkerBench(result);
      console.log(section);
      writeWorkerSection(section);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
