import * as grpc from '@grpc/grpc-js';

import type { DataSourceInstance, DataSourceSettings, RequestContext } from './api';
import { QueryError } from './errors';
import type { InstanceManager } from './instances';
import type { Logger } from './logger';
import type { RuntimeMetrics } from './metrics';
import type { SecretRegistry } from '../async/redact';

/** The part of unary and streaming calls the tracker uses (grpc-js does not export the type). */
type SurfaceCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

/** What every service handler needs from the server. */
export interface ServiceDeps {
  logger: Logger;
  metrics: RuntimeMetrics;
  instances: InstanceManager;
  calls: CallTracker;
  secrets: SecretRegistry;
}

/**
 * One AbortSignal per in-flight call, aborted when Grafana cancels the call or
 * the plugin shuts down, so long-running work (queries, Live streams) stops.
 */
export class CallTracker {
  private readonly active = new Set<AbortController>();

  begin(call: SurfaceCall): { signal: AbortSignal; end: () => void } {
    const controller = new AbortController();
    const cancel = (): void => controller.abort(new Error('call cancelled by the client'));
    this.active.add(controller);
    call.once('cancelled', cancel);
    return {
      signal: controller.signal,
      end: () => {
        call.removeListener('cancelled', cancel);
        this.active.delete(controller);
      },
    };
  }

  abortAll(reason: string): void {
    for (const controller of this.active) {
      controller.abort(new Error(reason));
    }
  }

  get size(): number {
    return this.active.size;
  }
}

function settingsOf(ctx: RequestContext): DataSourceSettings {
  if (!ctx.dataSource) {
    throw new QueryError('the request carries no data source instance settings', { status: 400 });
  }
  return ctx.dataSource;
}

/** The request's data source instance, for work that does not hold it open (Live streams). */
export async function instanceFor(deps: ServiceDeps, ctx: RequestContext): Promise<DataSourceInstance> {
  return deps.instances.get(settingsOf(ctx));
}

/** Runs a call on the request's data source instance, held open until the call ends even if settings change meanwhile. */
export async function withInstance<T>(
  deps: ServiceDeps,
  ctx: RequestContext,
  run: (instance: DataSourceInstance) => Promise<T>
): Promise<T> {
  return deps.instances.use(settingsOf(ctx), run);
}

/** A refused request (4xx) is INVALID_ARGUMENT; anything else is our fault, INTERNAL. */
function toServiceError(error: unknown, secrets: SecretRegistry): Partial<grpc.StatusObject> {
  const details = secrets.maskString(error instanceof Error ? error.message : String(error));
  const refused = error instanceof QueryError && error.status < 500;
  return { code: refused ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL, details };
}

interface CallScope {
  signal: AbortSignal;
}

/** Counts, times and logs a call; a thrown error becomes a gRPC status. */
async function instrumented(
  deps: ServiceDeps,
  method: string,
  call: SurfaceCall,
  run: (scope: CallScope) => Promise<void>,
  fail: (error: Partial<grpc.StatusObject>) => void
): Promise<void> {
  const started = performance.now();
  const { signal, end } = deps.calls.begin(call);
  deps.metrics.requests.inc({ method });
  try {
    await run({ signal });
  } catch (error) {
    deps.metrics.errors.inc({ method });
    const status = toServiceError(error, deps.secrets);
    if (!signal.aborted) {
      deps.logger.error('gRPC call failed', { method, code: grpc.status[status.code ?? 2], error });
    }
    fail(status);
  } finally {
    end();
    deps.metrics.duration.observe({ method }, (performance.now() - started) / 1000);
  }
}

export function unaryHandler<Req, Res>(
  deps: ServiceDeps,
  method: string,
  handle: (request: Req, scope: CallScope) => Promise<Res>
): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    void instrumented(
      deps,
      method,
      call,
      async (scope) => callback(null, await handle(call.request, scope)),
      (status) => callback(status)
    );
  };
}

export function serverStreamHandler<Req, Res>(
  deps: ServiceDeps,
  method: string,
  handle: (request: Req, call: grpc.ServerWritableStream<Req, Res>, scope: CallScope) => Promise<void>
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    void instrumented(
      deps,
      method,
      call,
      async (scope) => {
        await handle(call.request, call, scope);
        call.end();
      },
      (status) => call.emit('error', status)
    );
  };
}

/** Writes one message, waiting for the transport to drain when its buffer is full. */
export async function writeMessage<T>(
  call: grpc.ServerWritableStream<unknown, T>,
  message: T,
  signal: AbortSignal
): Promise<void> {
  if (signal.aborted) {
    throw signal.reason;
  }
  if (!call.write(message)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        call.removeListener('drain', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      call.once('drain', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
