import * as grpc from '@grpc/grpc-js';

import { WireServingStatus } from '../proto/messages';

/** The service name go-plugin's Ping() asks grpc.health.v1.Health about. */
const GO_PLUGIN_HEALTH_SERVICE = 'plugin';

/** grpc.health.v1.Health/Check: SERVING for the whole server ('') and for `plugin`. */
export function healthService(isServing: () => boolean) {
  const check: grpc.handleUnaryCall<{ service: string }, { status: WireServingStatus }> = (call, callback) => {
    const { service } = call.request;
    if (service !== '' && service !== GO_PLUGIN_HEALTH_SERVICE) {
      callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${JSON.stringify(service)}` });
      return;
    }
    callback(null, { status: isServing() ? WireServingStatus.SERVING : WireServingStatus.NOT_SERVING });
  };
  return { Check: check };
}

/** plugin.GRPCController/Shutdown: answer first, then shut down (go-plugin's Client.Kill()). */
export function controllerService(shutdown: () => void) {
  const handler: grpc.handleUnaryCall<unknown, Record<string, never>> = (_call, callback) => {
    callback(null, {});
    setImmediate(shutdown);
  };
  return { Shutdown: handler };
}
