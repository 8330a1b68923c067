import type * as grpc from '@grpc/grpc-js';

import type { FrameSendOptions, StreamReply, StreamRequest, StreamSender } from '../api';
import { instanceFor, serverStreamHandler, unaryHandler, writeMessage, type ServiceDeps } from '../calls';
import { parseJsonBytes, toRequestContext } from '../context';
import type { Frame } from '../frames/frame';
import { frameToJSON } from '../frames/json';
import {
  WireStreamStatus,
  type WireStreamPacket,
  type WireStreamRequest,
  type WireStreamResponse,
} from '../proto/messages';

type RunCall = grpc.ServerWritableStream<WireStreamRequest, WireStreamPacket>;

const STATUS: Readonly<Record<StreamReply['status'], WireStreamStatus>> = {
  OK: WireStreamStatus.OK,
  NOT_FOUND: WireStreamStatus.NOT_FOUND,
  PERMISSION_DENIED: WireStreamStatus.PERMISSION_DENIED,
};

const NOT_FOUND: StreamReply = { status: 'NOT_FOUND' };

function toStreamRequest(wire: WireStreamRequest): StreamRequest {
  return { path: wire.path, data: parseJsonBytes(wire.data, null, 'stream data') };
}

function toWireReply(reply: StreamReply): WireStreamResponse {
  return {
    status: STATUS[reply.status],
    data: reply.data === undefined ? new Uint8Array(0) : Buffer.from(JSON.stringify(reply.data)),
  };
}

/**
 * Packets are frame JSON (Grafana Live publishes them verbatim). By default the
 * schema goes out with the first frame and again only when it changes.
 */
class PacketSender implements StreamSender {
  private lastSchema: string | undefined;

  constructor(
    private readonly call: RunCall,
    private readonly signal: AbortSignal
  ) {}

  sendFrame(frame: Frame, options: FrameSendOptions = {}): Promise<void> {
    let include = options.include;
    if (!include) {
      const schema = JSON.stringify(frameToJSON(frame, 'schema').schema);
      include = schema === this.lastSchema ? 'data' : 'all';
      this.lastSchema = schema;
    }
    return this.sendJSON(frameToJSON(frame, include));
  }

  sendJSON(value: unknown): Promise<void> {
    return writeMessage(this.call, { data: Buffer.from(JSON.stringify(value)) }, this.signal);
  }
}

type ReplyHandler = 'subscribe' | 'publish';

function replyHandler(deps: ServiceDeps, method: string, kind: ReplyHandler) {
  return unaryHandler<WireStreamRequest, WireStreamResponse>(deps, method, async (wire, { signal }) => {
    const ctx = toRequestContext(wire.pluginContext, wire.headers, signal, deps.logger);
    const streams = (await instanceFor(deps, ctx)).streams;
    const handler = streams?.[kind];
    const reply = handler ? await handler.call(streams, toStreamRequest(wire), ctx) : NOT_FOUND;
    return toWireReply(reply);
  });
}

/**
 * pluginv2.Stream (Grafana Live): Subscribe decides whether a channel path
 * exists, Run feeds it until Grafana cancels the call (no subscribers left,
 * settings changed) or the plugin shuts down, Publish vets user publications.
 */
export function streamService(deps: ServiceDeps) {
  return {
    SubscribeStream: replyHandler(deps, 'SubscribeStream', 'subscribe'),
    PublishStream: replyHandler(deps, 'PublishStream', 'publish'),
    RunStream: serverStreamHandler<WireStreamRequest, WireStreamPacket>(
      deps,
      'RunStream',
      async (wire, call, { signal }) => {
        const ctx = toRequestContext(wire.pluginContext, wire.headers, signal, deps.logger);
        const streams = (await instanceFor(deps, ctx)).streams;
        if (!streams) {
          return;
        }
        try {
          await streams.run(toStreamRequest(wire), ctx, new PacketSender(call, signal));
        } catch (error) {
          // A run that ends because the call was cancelled is the normal end of a stream.
          if (!signal.aborted) {
            throw error;
          }
        }
      }
    ),
  };
}
