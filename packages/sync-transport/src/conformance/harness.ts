import type { DocsError } from '@docs/crypto';
import type { ByteStream } from '../transport/byte-stream.js';
import { NodeSecret, type NodeIdentity } from '../transport/node-key.js';
import type { Listener, ListenOptions, ProtocolHandlers, StreamHandler, Transport } from '../transport/transport.js';
import { deferred, type Deferred } from './stream-helpers.js';

/** How {@link runTransportConformance} builds the transport under test. */
export interface TransportConformanceOptions {
  /** A transport for one node; called for every node a test needs (listeners and dialers). */
  createTransport(identity: NodeIdentity): Transport;
  /** A transport for dialing nodes, when it differs (a dial-only adapter against another's listener). */
  createDialer?(identity: NodeIdentity): Transport;
  /** A fresh address to listen on, e.g. `127.0.0.1:0`. */
  listenAddress(): string;
  /**
   * Whether a dialer's stream that is not read pushes back on the listener's writes (default true). The
   * standard browser WebSocket API cannot pause receiving, so its adapter sets false and skips that case.
   */
  readonly dialerPausesReading?: boolean;
}

/** A listening node of a test. */
export interface ListeningNode {
  readonly identity: NodeIdentity;
  readonly transport: Transport;
  readonly listener: Listener;
  /** What the listener reported to `onError`, in order. */
  readonly errors: unknown[];
}

/** The `code` of a DocsError, else undefined. */
export function codeOf(error: unknown): string | undefined {
  return (error as Partial<DocsError> | undefined)?.code;
}

/** Builds nodes, listeners and streams for one test and tears them all down afterwards. */
export class Harness {
  readonly options: TransportConformanceOptions;
  readonly #listeners: Listener[] = [];
  readonly #streams: ByteStream[] = [];

  constructor(options: TransportConformanceOptions) {
    this.options = options;
  }

  /** A listening node whose handlers' streams are torn down with the test. */
  async listener(
    handlers: ProtocolHandlers,
    options: ListenOptions = {},
    identity: NodeIdentity = NodeSecret.generate(),
  ): Promise<ListeningNode> {
    const transport = this.options.createTransport(identity);
    const errors: unknown[] = [];
    const listener = await transport.listen(this.options.listenAddress(), this.#tracked(handlers), {
      ...options,
      onError: (error) => errors.push(error),
    });
    this.#listeners.push(listener);
    return { identity, transport, listener, errors };
  }

  /** A dialing node. */
  dialer(identity: NodeIdentity = NodeSecret.generate()): Transport {
    return (this.options.createDialer ?? this.options.createTransport)(identity);
  }

  /** Registers a stream for teardown and returns it. */
  track(stream: ByteStream): ByteStream {
    this.#streams.push(stream);
    return stream;
  }

  /** Aborts every stream and closes every listener of the test. */
  async tearDown(): Promise<void> {
    for (const stream of this.#streams.splice(0)) stream.abort();
    for (const listener of this.#listeners.splice(0)) await listener.close();
  }

  #tracked(handlers: ProtocolHandlers): ProtocolHandlers {
    const wrap =
      (handler: StreamHandler): StreamHandler =>
      (stream) =>
        handler(this.track(stream));
    if (typeof handlers === 'function') return wrap(handlers);
    return new Map([...handlers].map(([protocol, handler]) => [protocol, wrap(handler)]));
  }
}

/** A handler that hands its stream to the test and leaves it alone. */
export function capture(): { handler: StreamHandler; stream: Deferred<ByteStream> } {
  const stream = deferred<ByteStream>();
  return { handler: (accepted) => stream.resolve(accepted), stream };
}
