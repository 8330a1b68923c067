import type * as grpc from '@grpc/grpc-js';

import type { RequestContext, ResourceHeaders, ResourceRequest, ResourceResponse, ResourceRoute } from '../api';
import { serverStreamHandler, withInstance, writeMessage, type ServiceDeps } from '../calls';
import { toRequestContext } from '../context';
import { QueryError, ResourceError } from '../errors';
import { JsonInputError, parseBoundedJson } from '../json';
import type { WireCallResourceRequest, WireCallResourceResponse, WireEntry, WireStringList } from '../proto/messages';

type Call = grpc.ServerWritableStream<WireCallResourceRequest, WireCallResourceResponse>;

const JSON_HEADERS = { 'content-type': ['application/json'] } as const;

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, '');
}

/** Header names are the client's choice (`__proto__` included): a Map keeps them as data. */
function lowerCaseHeaders(
  headers: ReadonlyArray<WireEntry<WireStringList>> | undefined
): Map<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const { key, value } of headers ?? []) {
    const name = key.toLowerCase();
    out.set(name, [...(out.get(name) ?? []), ...(value?.values ?? [])]);
  }
  return out;
}

function toResourceRequest(wire: WireCallResourceRequest): ResourceRequest {
  const url = new URL(wire.url || wire.path, 'http://plugin/');
  const body = wire.body ?? new Uint8Array(0);
  return {
    method: wire.method.toUpperCase(),
    path: trimSlashes(wire.path),
    query: url.searchParams,
    headers: lowerCaseHeaders(wire.headers),
    body,
    json() {
      try {
        return parseBoundedJson(Buffer.from(body).toString('utf8'), 'request body');
      } catch (error) {
        throw error instanceof JsonInputError ? new ResourceError(400, error.message) : error;
      }
    },
  };
}

function toWireHeaders(
  headers: ResourceHeaders | undefined,
  defaults: Record<string, readonly string[]>
): Array<WireEntry<WireStringList>> {
  return Object.entries({ ...defaults, ...headers }).map(([key, values]) => ({
    key,
    value: { values: typeof values === 'string' ? [values] : [...values] },
  }));
}

function jsonMessage(status: number, body: unknown, headers?: ResourceHeaders): WireCallResourceResponse {
  return { code: status, headers: toWireHeaders(headers, JSON_HEADERS), body: Buffer.from(JSON.stringify(body)) };
}

function toBytes(chunk: Uint8Array | string): Uint8Array {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** 404 for unknown paths, 405 (with Allow) when the path exists under other methods. */
function route(routes: readonly ResourceRoute[], request: ResourceRequest): ResourceRoute | ResourceResponse {
  const matches = routes.filter((r) => trimSlashes(r.path) === request.path);
  if (matches.length === 0) {
    return { status: 404, body: { message: `no resource at ${JSON.stringify(request.path)}` } };
  }
  const match = matches.find((r) => r.method === request.method);
  if (!match) {
    const allowed = matches.map((r) => r.method).join(', ');
    return {
      status: 405,
      headers: { allow: allowed },
      body: { message: `method ${request.method} not allowed on ${JSON.stringify(request.path)}; use ${allowed}` },
    };
  }
  return match;
}

async function respond(
  request: ResourceRequest,
  ctx: RequestContext,
  routes: readonly ResourceRoute[]
): Promise<ResourceResponse> {
  const target = route(routes, request);
  if (!('handler' in target)) {
    return target;
  }
  try {
    return await target.handler(request, ctx);
  } catch (error) {
    if (error instanceof ResourceError || (error instanceof QueryError && error.status < 500)) {
      return { status: error.status, body: { message: error.message } };
    }
    ctx.logger.error('Resource handler failed', { path: request.path, method: request.method, error });
    return { status: 500, body: { message: 'internal error' } };
  }
}

/**
 * Status and headers travel in the first message only (Grafana ignores them
 * later); every message's body is written in order, which lets a handler
 * stream a chunked response.
 */
async function send(call: Call, response: ResourceResponse, signal: AbortSignal): Promise<void> {
  if ('body' in response) {
    await writeMessage(call, jsonMessage(response.status, response.body, response.headers), signal);
    return;
  }
  const headers = toWireHeaders(response.headers, {});
  if ('raw' in response) {
    await writeMessage(call, { code: response.status, headers, body: toBytes(response.raw) }, signal);
    return;
  }
  let first = true;
  for await (const chunk of response.chunks) {
    await writeMessage(call, { code: response.status, headers: first ? headers : [], body: toBytes(chunk) }, signal);
    first = false;
  }
  if (first) {
    // Grafana rejects a resource stream without any message.
    await writeMessage(call, { code: response.status, headers, body: new Uint8Array(0) }, signal);
  }
}

async function callResource(
  deps: ServiceDeps,
  wire: WireCallResourceRequest,
  call: Call,
  signal: AbortSignal
): Promise<void> {
  const ctx = toRequestContext(wire.pluginContext, [], signal, deps.logger);
  const request = toResourceRequest(wire);
  let response: ResourceResponse;
  try {
    response = await withInstance(deps, ctx, (instance) => respond(request, ctx, instance.resources ?? []));
  } catch (error) {
    ctx.logger.error('Data source instance unavailable', { error });
    const status = error instanceof QueryError ? error.status : 500;
    response = {
      status,
      body: { message: deps.secrets.maskString(error instanceof Error ? error.message : String(error)) },
    };
  }
  await send(call, response, signal);
}

/** pluginv2.Resource/CallResource: HTTP requests to /api/datasources/uid/<uid>/resources/<path>. */
export function resourceService(deps: ServiceDeps) {
  return {
    CallResource: serverStreamHandler<WireCallResourceRequest, WireCallResourceResponse>(
      deps,
      'CallResource',
      (request, call, { signal }) => callResource(deps, request, call, signal)
    ),
  };
}
