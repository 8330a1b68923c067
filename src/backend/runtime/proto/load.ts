import * as grpc from '@grpc/grpc-js';
import { fromJSON, type Options } from '@grpc/proto-loader';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'protobufjs';

/** The protocol's `.proto` files, beside this module. */
type ProtoFile = 'backend.proto' | 'health.proto' | 'controller.proto';

/**
 * Replaced by the backend build with the text of every `.proto` file of this
 * folder, as JSON keyed by file name (tools/backend-build/bundle.ts): a single
 * executable has no files beside it. Undeclared when run from source (tests,
 * tools), which reads the files.
 */
declare const IOTLAB_EMBEDDED_PROTOS: string | undefined;

function protoText(file: ProtoFile): string {
  if (typeof IOTLAB_EMBEDDED_PROTOS === 'undefined') {
    return readFileSync(join(__dirname, file), 'utf8');
  }
  const text = (JSON.parse(IOTLAB_EMBEDDED_PROTOS) as Partial<Record<ProtoFile, string>>)[file];
  if (text === undefined) {
    throw new Error(`the backend build embedded no ${file}`);
  }
  return text;
}

/**
 * How messages appear in handlers: field names exactly as in the proto, int64
 * as JS numbers (every int64 here is epoch ms, an id or a count < 2^53), enums
 * as numbers, and absent scalars filled with their defaults.
 */
const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: Number, defaults: true, oneofs: true };

type ServiceDefinition = grpc.ServiceDefinition;

function loadServices(file: ProtoFile): grpc.GrpcObject {
  const root = parse(protoText(file), { keepCase: true }).root;
  return grpc.loadPackageDefinition(fromJSON(root.toJSON(), LOADER_OPTIONS));
}

function serviceAt(root: grpc.GrpcObject, dottedName: string): ServiceDefinition {
  let node: unknown = root;
  for (const part of dottedName.split('.')) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  const service = (node as { service?: ServiceDefinition } | undefined)?.service;
  if (!service) {
    throw new Error(`proto defines no service ${dottedName}`);
  }
  return service;
}

export interface ProtocolServices {
  data: ServiceDefinition;
  diagnostics: ServiceDefinition;
  resource: ServiceDefinition;
  stream: ServiceDefinition;
  health: ServiceDefinition;
  controller: ServiceDefinition;
}

let cached: ProtocolServices | undefined;

/** Parses the protos once per process. */
export function protocolServices(): ProtocolServices {
  if (!cached) {
    const backend = loadServices('backend.proto');
    const health = loadServices('health.proto');
    const controller = loadServices('controller.proto');
    cached = {
      data: serviceAt(backend, 'pluginv2.Data'),
      diagnostics: serviceAt(backend, 'pluginv2.Diagnostics'),
      resource: serviceAt(backend, 'pluginv2.Resource'),
      stream: serviceAt(backend, 'pluginv2.Stream'),
      health: serviceAt(health, 'grpc.health.v1.Health'),
      controller: serviceAt(controller, 'plugin.GRPCController'),
    };
  }
  return cached;
}
