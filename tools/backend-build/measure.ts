/**
 * Measures a built backend executable the way Grafana uses it:
 * launch → handshake latency, idle RSS after the handshake, QueryData latency
 * of a simple query, and Shutdown → exit time. Numbers only; no thresholds
 * (targets belong to the benchmark suite).
 *
 *   npx tsx tools/backend-build/measure.ts [executable] [--runs N]
 */
import { readFileSync } from 'node:fs';

import { addressOf, BUILT_EXECUTABLE, handshake, launchBackend } from '../../src/backend/runtime/testing/launch';
import { PluginClient, pluginContext } from '../../src/backend/runtime/testing/pluginClient';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

function simpleQuery(maxDataPoints: number) {
  return {
    pluginContext: pluginContext({ jsonData: Buffer.from('{"table":"readings"}') }),
    queries: [
      {
        refId: 'A',
        maxDataPoints,
        intervalMS: 1000,
        timeRange: { fromEpochMS: 1_700_000_000_000, toEpochMS: 1_700_003_600_000 },
        json: Buffer.from('{"sensors":["sensmitter_1"]}'),
        queryType: 'anomalies',
      },
    ],
  };
}

async function timeQueries(client: PluginClient, maxDataPoints: number, count: number): Promise<number[]> {
  await client.queryData(simpleQuery(maxDataPoints)); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await client.queryData(simpleQuery(maxDataPoints));
    times.push(performance.now() - started);
  }
  return times;
}

async function measureOnce(
  executable: string,
  detailed: boolean
): Promise<{ handshakeMs: number; rss: number; exitMs: number }> {
  process.env.BACKEND_EXECUTABLE = executable;
  const started = performance.now();
  const backend = launchBackend();
  const line = await handshake(backend);
  const handshakeMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const rss = rssMiB(backend.child.pid!);
  const client = new PluginClient(addressOf(line));
  if (detailed) {
    for (const points of [100, 1000, 10_000]) {
      const times = await timeQueries(client, points, 30);
      console.log(
        `  QueryData, 1 sensor, ${points} points: median ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms`
      );
    }
    console.log(`  RSS after those queries: ${rssMiB(backend.child.pid!).toFixed(1)} MiB`);
  }
  const asked = performance.now();
  await client.shutdown();
  await backend.exited;
  client.close();
  return { handshakeMs, rss, exitMs: performance.now() - asked };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
  const executable = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? BUILT_EXECUTABLE;
  console.log(`${executable}, ${runs} launches`);
  const results = [];
  for (let run = 0; run < runs; run++) {
    results.push(await measureOnce(executable, run === 0));
  }
  const handshakes = results.map((r) => r.handshakeMs);
  console.log(
    `  launch → handshake: median ${percentile(handshakes, 50).toFixed(0)} ms, max ${Math.max(...handshakes).toFixed(0)} ms`
  );
  console.log(
    `  idle RSS 1 s after handshake: median ${percentile(
      results.map((r) => r.rss),
      50
    ).toFixed(1)} MiB`
  );
  console.log(`  Shutdown → exit: max ${Math.max(...results.map((r) => r.exitMs)).toFixed(0)} ms`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
