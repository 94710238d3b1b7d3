import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { AuthenticatedStream } from './authenticated-stream.js';
import type { ByteChannel, ByteStream } from './byte-stream.js';
import { connectionClosed } from './channel-errors.js';
import { checkMilliseconds, withDeadline } from './deadline.js';
import {
  checkIdentity,
  dialerHandshake,
  encodeProtocolName,
  listenerHandshake,
  type HandshakeResult,
} from './handshake.js';
import type { NodeIdentity } from './node-key.js';
import {
  DEFAULT_HANDSHAKE_TIMEOUT,
  type ChannelTransport,
  type DialOptions,
  type Listener,
  type ListenOptions,
  type ProtocolHandlers,
  type StreamHandler,
  type Transport,
} from './transport.js';

function handlerLookup(handlers: ProtocolHandlers): (protocol: string) => StreamHandler | undefined {
  if (typeof handlers === 'function') return () => handlers;
  if (typeof handlers === 'object' && handlers !== null && typeof handlers.get === 'function') {
    return (protocol) => handlers.get(protocol);
  }
  throw new TypeError('handlers must be a Map of protocol names to handlers, or one handler function');
}

function timeoutError(message: string): SyncError {
  return new SyncError(SYNC_ERROR_CODES.TIMEOUT, message);
}

/**
 * A {@link Transport} over any {@link ChannelTransport}: every channel runs the handshake (both node ids
 * proven with `identity` and the peer's signature, the protocol selected), then becomes a {@link ByteStream}.
 * The TCP, WebSocket and memory transports are this function over their channel layers.
 */
export function authenticatedTransport(channels: ChannelTransport, identity: NodeIdentity): Transport {
  const localPeer = checkIdentity(identity).slice();

  async function dial(address: string, protocol: string, options: DialOptions = {}): Promise<ByteStream> {
    encodeProtocolName(protocol);
    const timeout = checkMilliseconds(options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT, 'handshakeTimeout');
    const idleTimeout =
      options.idleTimeout === undefined ? undefined : checkMilliseconds(options.idleTimeout, 'idleTimeout');
    const error = timeoutError(`connecting to ${address} and the handshake took longer than ${timeout} ms`);
    const controller = new AbortController();
    let channel: ByteChannel | undefined;
    const attempt = async (): Promise<[ByteChannel, HandshakeResult]> => {
      const opened = await channels.connect(address, controller.signal);
      if (controller.signal.aborted) {
        opened.abort(error);
        throw error;
      }
      channel = opened;
      return [opened, await dialerHandshake(opened, identity, protocol, options.expectedPeer)];
    };
    const [opened, handshake] = await withDeadline(
      attempt(),
      timeout,
      () => {
        controller.abort(error);
        channel?.abort(error);
      },
      error,
    );
    return new AuthenticatedStream(opened, handshake, idleTimeout);
  }

  async function listen(address: string, handlers: ProtocolHandlers, options: ListenOptions = {}): Promise<Listener> {
    const lookup = handlerLookup(handlers);
    const timeout = checkMilliseconds(options.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT, 'handshakeTimeout');
    const idleTimeout =
      options.idleTimeout === undefined ? undefined : checkMilliseconds(options.idleTimeout, 'idleTimeout');
    const report = options.onError ?? ((): void => undefined);
    const handshaking = new Set<ByteChannel>();
    let closed = false;

    const accept = async (channel: ByteChannel): Promise<void> => {
      handshaking.add(channel);
      let handshake: HandshakeResult;
      try {
        const error = timeoutError(`an incoming handshake took longer than ${timeout} ms`);
        handshake = await withDeadline(
          listenerHandshake(channel, identity, (protocol) => lookup(protocol) !== undefined, timeout),
          timeout,
          () => channel.abort(error),
          error,
        );
      } catch (error) {
        report(error);
        return;
      } finally {
        handshaking.delete(channel);
      }
      const stream = new AuthenticatedStream(channel, handshake, idleTimeout);
      try {
        const handler = lookup(handshake.protocol);
        if (handler === undefined) {
          throw new SyncError(SYNC_ERROR_CODES.UNKNOWN_PROTOCOL, `no handler for ${handshake.protocol} any more`);
        }
        await handler(stream);
      } catch (error) {
        stream.abort(error);
        report(error);
      }
    };

    const inner = await channels.listen(address, (channel) => {
      if (closed) channel.abort();
      else void accept(channel);
    });
    return {
      address: inner.address,
      async close(): Promise<void> {
        if (closed) return;
        closed = true;
        await inner.close();
        for (const channel of handshaking) channel.abort(connectionClosed('the listener closed'));
        handshaking.clear();
      },
    };
  }

  return {
    get localPeer() {
      return localPeer.slice();
    },
    dial,
    listen,
  };
}
