import * as grpc from '@grpc/grpc-js';

import type { InstanceFactory } from './api';
import { CallTracker, type ServiceDeps } from './calls';
import { describeLaunchProblem, handshakeLine, launchProblem, reserveStdout } from './handshake';
import { InstanceManager } from './instances';
import { createLogger, isStderrOpen, processSecrets, watchStderr, type Logger } from './logger';
import { createRuntimeMetrics, type RuntimeMetrics } from './metrics';
import { protocolServices } from './proto/load';
import { dataService } from './services/data';
import { diagnosticsService } from './services/diagnostics';
import { controllerService, healthService } from './services/plugin';
import { resourceService } from './services/resource';
import { streamService } from './services/stream';

/** Loopback only, by address: `localhost` may resolve to ::1 and other interfaces must not see us. */
const HOST = '127.0.0.1';

/** Grafana SIGKILLs a plugin 2 s after Shutdown; in-flight calls get this long to finish. */
const DRAIN_MS = 800;
const DISPOSE_MS = 500;
const FLUSH_MS = 200;

const SERVER_OPTIONS: grpc.ServerOptions = {
  // Same limits as the Go SDK's plugin server: receive 16 MiB, send unlimited.
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  'grpc.max_send_message_length': -1,
};

export interface PluginServerOptions {
  pluginId: string;
  createInstance: InstanceFactory;
  logger?: Logger;
  /** Called once the server has shut down because the host asked (GRPCController/Shutdown). */
  onShutdownRequest?: () => void;
}

export interface PluginServer {
  port: number;
  address: string;
  metrics: RuntimeMetrics;
  instances: InstanceManager;
  /** Stops accepting calls, cancels running ones, drains, disposes instances. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void work.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function bind(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port)
    );
  });
}

/** The gRPC server alone, without process concerns (handshake, signals, exit): usable in tests. */
export async function startPluginServer(options: PluginServerOptions): Promise<PluginServer> {
  const logger = options.logger ?? createLogger({ module: options.pluginId });
  const metrics = createRuntimeMetrics();
  const calls = new CallTracker();
  const instances = new InstanceManager(
    options.createInstance,
    { logger: logger.child('datasource'), metrics: metrics.registry },
    processSecrets,
    logger.child('instances')
  );
  const deps: ServiceDeps = { logger, metrics, instances, calls, secrets: processSecrets };
  const server = new grpc.Server(SERVER_OPTIONS);
  let stopping: Promise<void> | undefined;

  const shutdown = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      logger.info('Shutting down', { reason, activeCalls: calls.size });
      calls.abortAll(`plugin shutting down (${reason})`);
      await withTimeout(new Promise<void>((resolve) => server.tryShutdown(() => resolve())), DRAIN_MS);
      server.forceShutdown();
      await withTimeout(instances.disposeAll(), DISPOSE_MS);
    })();
    return stopping;
  };

  const services = protocolServices();
  server.addService(services.data, dataService(deps));
  server.addService(services.diagnostics, diagnosticsService(deps));
  server.addService(services.resource, resourceService(deps));
  server.addService(services.stream, streamService(deps));
  server.addService(
    services.health,
    healthService(() => stopping === undefined)
  );
  server.addService(
    services.controller,
    controllerService(() => {
      void shutdown('host requested shutdown').then(options.onShutdownRequest);
    })
  );

  const port = await bind(server);
  return { port, address: `${HOST}:${port}`, metrics, instances, shutdown };
}

function flushStderr(): Promise<void> {
  if (!isStderrOpen()) {
    return Promise.resolve();
  }
  return withTimeout(new Promise<void>((resolve) => process.stderr.write('', () => resolve())), FLUSH_MS);
}

let exiting = false;

async function exitAfterFlush(code: number): Promise<void> {
  if (exiting) {
    return;
  }
  exiting = true;
  await flushStderr();
  process.exit(code);
}

function installCrashLogging(logger: Logger): void {
  process.on('uncaughtException', (error) => {
    // State is unknown after an uncaught exception: log it as JSON (so Grafana
    // shows it at error level) and exit; Grafana restarts the plugin.
    logger.error('Uncaught exception; exiting', { error, stack: error.stack });
    void exitAfterFlush(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.error('Unhandled promise rejection', {
      error: reason,
      stack: reason instanceof Error ? reason.stack : undefined,
    });
  });
}

/**
 * The executable's main loop: checks it was launched by Grafana, serves the
 * plugin protocol on loopback, prints the handshake once the port is bound,
 * and exits 0 on the host's Shutdown call or SIGTERM. SIGINT is ignored, as in
 * go-plugin: a Ctrl-C to Grafana's terminal reaches its plugins too, and they
 * must wait for Grafana's orderly Shutdown.
 */
export async function serve(options: Omit<PluginServerOptions, 'onShutdownRequest'>): Promise<void> {
  const logger = options.logger ?? createLogger({ module: options.pluginId });
  const problem = launchProblem(process.env);
  if (problem) {
    process.stderr.write(describeLaunchProblem(problem, process.argv0));
    process.exitCode = 1;
    return;
  }
  installCrashLogging(logger);
  // Signal handlers come first: a SIGINT that arrived before they exist would
  // take Node's default action and kill the process mid-start.
  let server: PluginServer | undefined;
  const stop = (reason: string): void => {
    void (server?.shutdown(reason) ?? Promise.resolve()).then(() => exitAfterFlush(0));
  };
  process.on('SIGINT', () => logger.debug('Ignoring SIGINT; waiting for the host to shut the plugin down'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Grafana reads our stdio for as long as it runs us: a broken pipe means the
  // host is gone, and an orphaned plugin should not linger.
  watchStderr(() => stop('stderr closed: the host is gone'));
  process.stdout.on('error', () => stop('stdout closed: the host is gone'));
  const writeStdout = reserveStdout(logger);
  const started = performance.now();
  try {
    server = await startPluginServer({ ...options, logger, onShutdownRequest: () => void exitAfterFlush(0) });
  } catch (error) {
    // No handshake will come: exit non-zero at once, so Grafana reports the
    // failure instead of waiting a minute for a line that never arrives.
    logger.error('Plugin server failed to start', { error });
    await exitAfterFlush(1);
    return;
  }
  writeStdout(handshakeLine(server.address));
  logger.info('Plugin server listening', {
    address: server.address,
    startupMs: Math.round(performance.now() - started),
    node: process.version,
  });
}
