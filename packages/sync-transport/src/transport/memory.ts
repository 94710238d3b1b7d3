import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { authenticatedTransport } from './authenticated-transport.js';
import type { ByteChannel, ByteStream } from './byte-stream.js';
import { createChannelPair } from './channel-pair.js';
import { dialerHandshake, listenerHandshake } from './handshake.js';
import { AuthenticatedStream } from './authenticated-stream.js';
import { NodeSecret, type NodeIdentity } from './node-key.js';
import { checkHighWaterMark, DEFAULT_HIGH_WATER_MARK } from './receive-buffer.js';
import { DEFAULT_HANDSHAKE_TIMEOUT, type ChannelTransport, type Listener, type Transport } from './transport.js';

/** Options of {@link MemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** Bytes buffered per direction of a channel before writes wait (default 256 KiB). */
  readonly highWaterMark?: number;
}

/**
 * An in-process network of named endpoints: listen on a name, connect to it. Each connection is a pair of
 * in-memory channels with real backpressure. Networks are isolated from each other.
 */
export class MemoryNetwork implements ChannelTransport {
  readonly #endpoints = new Map<string, (channel: ByteChannel) => void>();
  readonly #highWaterMark: number;
  #nextName = 1;

  constructor(options: MemoryNetworkOptions = {}) {
    this.#highWaterMark = checkHighWaterMark(options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK);
  }

  /**
   * Connects to the endpoint named `address`.
   * @throws DocsError `DOCS_SYNC_CONNECTION_FAILED` when no endpoint has that name.
   */
  async connect(address: string): Promise<ByteChannel> {
    const accept = this.#endpoints.get(address);
    if (accept === undefined) {
      throw new SyncError(SYNC_ERROR_CODES.CONNECTION_FAILED, `no memory endpoint is named ${JSON.stringify(address)}`);
    }
    const [local, remote] = createChannelPair(this.#highWaterMark);
    accept(remote);
    return local;
  }

  /**
   * Listens on the name `address`; the empty string picks a fresh name (`memory-1`, `memory-2`, …).
   * @throws DocsError `DOCS_SYNC_LISTEN_FAILED` when the name is taken.
   */
  async listen(address: string, onChannel: (channel: ByteChannel) => void): Promise<Listener> {
    if (typeof address !== 'string') throw new TypeError('address must be a string');
    let name = address;
    if (name === '') {
      do name = `memory-${this.#nextName++}`;
      while (this.#endpoints.has(name));
    }
    if (this.#endpoints.has(name)) {
      throw new SyncError(SYNC_ERROR_CODES.LISTEN_FAILED, `the memory endpoint ${JSON.stringify(name)} is taken`);
    }
    this.#endpoints.set(name, onChannel);
    return {
      address: name,
      close: async () => {
        if (this.#endpoints.get(name) === onChannel) this.#endpoints.delete(name);
      },
    };
  }
}

const defaultNetwork = new MemoryNetwork();

/** Options of {@link memoryTransport}. */
export interface MemoryTransportOptions {
  /** The network to listen and dial on (default: one network shared by the whole process). */
  readonly network?: MemoryNetwork;
}

/**
 * A {@link Transport} over a {@link MemoryNetwork}: addresses are endpoint names, streams run the same
 * handshake as over TCP. For tests, demos and peers in one process.
 */
export function memoryTransport(identity: NodeIdentity, options: MemoryTransportOptions = {}): Transport {
  return authenticatedTransport(options.network ?? defaultNetwork, identity);
}

/** Options of {@link createMemoryPair}. */
export interface MemoryPairOptions {
  /** The dialing node (default: a random {@link NodeSecret}). */
  readonly dialer?: NodeIdentity;
  /** The listening node (default: a random {@link NodeSecret}). */
  readonly listener?: NodeIdentity;
  /** The protocol of the streams (default `/iroh-sync/1`). */
  readonly protocol?: string;
  /** Bytes buffered per direction before writes wait (default 256 KiB). */
  readonly highWaterMark?: number;
}

/** Two connected, authenticated streams: {@link MemoryPair.dialer}'s remote is the listener and back. */
export interface MemoryPair {
  /** The dialing side; its `remotePeer` is the listener's id. */
  readonly dialer: ByteStream;
  /** The accepting side; its `remotePeer` is the dialer's id. */
  readonly listener: ByteStream;
}

/**
 * Two streams connected in memory after a real handshake, without a listener: the quickest way to test
 * code that runs over a {@link ByteStream}.
 */
export async function createMemoryPair(options: MemoryPairOptions = {}): Promise<MemoryPair> {
  const dialerIdentity = options.dialer ?? NodeSecret.generate();
  const listenerIdentity = options.listener ?? NodeSecret.generate();
  const protocol = options.protocol ?? '/iroh-sync/1';
  const [dialerChannel, listenerChannel] = createChannelPair(options.highWaterMark);
  const [dialerHandshakeResult, listenerHandshakeResult] = await Promise.all([
    dialerHandshake(dialerChannel, dialerIdentity, protocol),
    listenerHandshake(listenerChannel, listenerIdentity, (name) => name === protocol, DEFAULT_HANDSHAKE_TIMEOUT),
  ]);
  return {
    dialer: new AuthenticatedStream(dialerChannel, dialerHandshakeResult, undefined),
    listener: new AuthenticatedStream(listenerChannel, listenerHandshakeResult, undefined),
  };
}
