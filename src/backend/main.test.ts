import { tableFromIPC } from 'apache-arrow';

import { addressOf, backendCommand, handshake, launchBackend, type LaunchedBackend } from './runtime/testing/launch';
import { PluginClient, pluginContext } from './runtime/testing/pluginClient';

/**
 * The backend as a process, launched the way Grafana's go-plugin client does,
 * talked to over real gRPC. Runs the built executable when present.
 */

const { kind } = backendCommand();
jest.setTimeout(60_000);

const running: LaunchedBackend[] = [];

function launch(env?: NodeJS.ProcessEnv): LaunchedBackend {
  const backend = launchBackend(env);
  running.push(backend);
  return backend;
}

afterEach(async () => {
  for (const backend of running.splice(0)) {
    if (backend.child.exitCode === null && backend.child.signalCode === null) {
      backend.child.kill('SIGKILL');
      await backend.exited;
    }
  }
});

/** Go's layout 2006-01-02T15:04:05.000000Z07:00. */
const SIX_DIGIT_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describe(`backend process (${kind})`, () => {
  test('without the magic cookie: a clear message on stderr, nothing on stdout, exit 1', async () => {
    const backend = launch({ grafana_plugin_type: '' });
    const { code } = await backend.exited;
    expect(code).toBe(1);
    expect(backend.stdout()).toBe('');
    expect(backend.stderr()).toContain('is a Grafana backend plugin: Grafana starts it');
    expect(backend.stderr()).toContain('grafana_plugin_type=datasource');
  });

  test('prints exactly the handshake on stdout once the port accepts calls; logs are hclog JSON on stderr', async () => {
    const backend = launch();
    const line = await handshake(backend);
    expect(line).toMatch(/^1\|2\|tcp\|127\.0\.0\.1:\d+\|grpc\n$/);
    // The host dials as soon as it reads the line, so the server must already answer.
    const client = new PluginClient(addressOf(line));
    try {
      expect(await client.healthCheck('plugin')).toEqual({ status: 1 });
      const response = await client.queryData({
        pluginContext: pluginContext(),
        queries: [
          {
            refId: 'A',
            maxDataPoints: 50,
            intervalMS: 1000,
            // A range of no length: answered (an empty frame for the sensor) without any AWS call.
            timeRange: { fromEpochMS: 1_700_000_000_000, toEpochMS: 1_700_000_000_000 },
            json: Buffer.from('{"sensors":["sensmitter_1"]}'),
            queryType: 'anomalies',
          },
        ],
      });
      expect(response.responses.A!.status).toBe(200);
      const frame = tableFromIPC(response.responses.A!.frames[0]!);
      expect(frame.numRows).toBe(0);
      expect(frame.schema.fields.map((f) => f.name)).toEqual([
        'time',
        'temperature',
        'anomaly',
        'anomaly_score',
        'explanation',
      ]);
      await client.shutdown();
      expect((await backend.exited).code).toBe(0);
    } finally {
      client.close();
    }
    expect(backend.stdout()).toBe(line);
    const lines = backend.stderr().trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const text of lines) {
      const entry = JSON.parse(text) as Record<string, unknown>;
      expect(entry['@level']).toMatch(/^(trace|debug|info|warn|error)$/);
      expect(typeof entry['@message']).toBe('string');
      expect(entry['@timestamp']).toMatch(SIX_DIGIT_TIMESTAMP);
    }
  });

  test('GRPCController/Shutdown: exit code 0 well inside Grafana’s 2 s kill deadline', async () => {
    const backend = launch();
    const client = new PluginClient(addressOf(await handshake(backend)));
    const asked = performance.now();
    await client.shutdown();
    const { code } = await backend.exited;
    const elapsed = performance.now() - asked;
    client.close();
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(2000);
  });

  test('ignores SIGINT (a Ctrl-C to Grafana must not kill it) and exits 0 on SIGTERM', async () => {
    const backend = launch();
    const client = new PluginClient(addressOf(await handshake(backend)));
    try {
      backend.child.kill('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(backend.child.exitCode).toBeNull();
      expect(await client.healthCheck('plugin')).toEqual({ status: 1 });
      backend.child.kill('SIGTERM');
      expect(await backend.exited).toEqual({ code: 0, signal: null });
    } finally {
      client.close();
    }
  });

  test('when the host is gone (stdio readers closed) SIGTERM still ends it, without spinning on EPIPE', async () => {
    const backend = launch();
    await handshake(backend);
    backend.child.stdout.destroy();
    backend.child.stderr.destroy();
    backend.child.kill('SIGTERM');
    expect((await backend.exited).code).toBe(0);
  });
});
