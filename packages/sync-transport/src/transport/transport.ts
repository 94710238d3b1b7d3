import type { ByteChannel, ByteStream } from './byte-stream.js';
import type { NodeId } from './node-key.js';

/** An open listener. */
export interface Listener {
  /** The address it listens on, as dialers should use it (a requested port 0 or empty name resolved). */
  readonly address: string;
  /**
   * Stops accepting: later dials fail, handshakes in progress are aborted. Streams already handed to a
   * handler stay open; their owners close them.
   */
  close(): Promise<void>;
}

/**
 * The unauthenticated layer an adapter implements: opens and accepts {@link ByteChannel}s, one per
 * connection. {@link authenticatedTransport} turns it into a {@link Transport}; implement it to run the
 * protocols over any other duplex (a WebRTC data channel, a pipe).
 */
export interface ChannelTransport {
  /**
   * Opens a channel to `address`.
   * @param signal - aborts the attempt (the handshake timeout uses it)
   * @throws DocsError `DOCS_SYNC_CONNECTION_FAILED` when nothing accepts; `DOCS_SYNC_INVALID_ADDRESS` for a
   *   malformed address.
   */
  connect(address: string, signal?: AbortSignal): Promise<ByteChannel>;
  /**
   * Accepts channels at `address` and hands each to `onChannel`.
   * @throws DocsError `DOCS_SYNC_LISTEN_FAILED` when the address cannot be used; `DOCS_SYNC_INVALID_ADDRESS`
   *   for a malformed address.
   */
  listen(address: string, onChannel: (channel: ByteChannel) => void): Promise<Listener>;
}

/**
 * Receives an accepted stream. A returned promise that rejects (or a throw) aborts the stream with that
 * error and reports it to {@link ListenOptions.onError}.
 */
export type StreamHandler = (stream: ByteStream) => void | Promise<void>;

/**
 * The protocols a listener serves: a handler per protocol name, or one handler for every protocol (it
 * reads {@link ByteStream.protocol}).
 */
export type ProtocolHandlers = ReadonlyMap<string, StreamHandler> | StreamHandler;

/** Options of {@link Transport.dial}. */
export interface DialOptions {
  /** Refuse the listener unless its authenticated node id is this one (`DOCS_SYNC_HANDSHAKE_FAILED`). */
  readonly expectedPeer?: NodeId;
  /** Most milliseconds for connecting and the handshake together (default {@link DEFAULT_HANDSHAKE_TIMEOUT}). */
  readonly handshakeTimeout?: number;
  /** Idle timeout of the stream in milliseconds (default: none); see {@link ByteStream.setIdleTimeout}. */
  readonly idleTimeout?: number;
}

/** Options of {@link Transport.listen}. */
export interface ListenOptions {
  /** Most milliseconds for an accepted connection's handshake (default {@link DEFAULT_HANDSHAKE_TIMEOUT}). */
  readonly handshakeTimeout?: number;
  /** Idle timeout of each accepted stream in milliseconds (default: none). */
  readonly idleTimeout?: number;
  /**
   * Told about every incoming connection the listener refused or lost before its handler took it
   * (`DOCS_SYNC_HANDSHAKE_FAILED`, `DOCS_SYNC_UNKNOWN_PROTOCOL`, `DOCS_SYNC_TIMEOUT`,
   * `DOCS_SYNC_CONNECTION_LOST`) and about handler failures. The listener keeps serving either way.
   */
  readonly onError?: (error: unknown) => void;
}

/** Default handshake timeout: 10 seconds. */
export const DEFAULT_HANDSHAKE_TIMEOUT = 10_000;

/**
 * Authenticated streams between nodes: the layer sessions are built on. Every stream is one connection
 * whose handshake proved both node ids and selected one protocol; one listener serves many protocols.
 */
export interface Transport {
  /** The id of the local node, the one remote peers see as {@link ByteStream.remotePeer}. */
  readonly localPeer: NodeId;
  /**
   * Connects to a listener and opens a stream of `protocol`. Resolves once both node ids are proven and the
   * listener accepted the protocol.
   * @throws DocsError `DOCS_SYNC_CONNECTION_FAILED`, `DOCS_SYNC_INVALID_ADDRESS`, `DOCS_SYNC_HANDSHAKE_FAILED`,
   *   `DOCS_SYNC_UNKNOWN_PROTOCOL`, `DOCS_SYNC_TIMEOUT`, `DOCS_SYNC_CONNECTION_LOST`.
   * @throws TypeError/RangeError when `protocol` is not 1 to 255 bytes of UTF-8.
   */
  dial(address: string, protocol: string, options?: DialOptions): Promise<ByteStream>;
  /**
   * Accepts connections at `address`; each authenticated stream goes to the handler of its protocol.
   * @throws DocsError `DOCS_SYNC_LISTEN_FAILED`, `DOCS_SYNC_INVALID_ADDRESS`.
   */
  listen(address: string, handlers: ProtocolHandlers, options?: ListenOptions): Promise<Listener>;
}
