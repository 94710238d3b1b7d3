import type { NodeId } from './node-key.js';

/**
 * A duplex byte pipe with half close and abrupt close — what a transport adapter provides before any
 * authentication. It moves bytes, not messages: a chunk written may arrive split or joined with others, but
 * every byte arrives once, in order. Frames are the caller's business (`encodeFrame`/`FrameDecoder`).
 *
 * Errors: once either side aborts, or the connection drops, every pending and later `read`, `write` and
 * `end` rejects — with the error given to {@link ByteChannel.abort} on the aborting side (`DOCS_SYNC_CONNECTION_CLOSED`
 * when none was given) and with `DOCS_SYNC_CONNECTION_LOST` on the other side.
 */
export interface ByteChannel {
  /**
   * The next chunk of bytes from the remote, or undefined once the remote has ended its side (and on every
   * later call). Rejects on abort or a lost connection. Reading is what lets the remote write more: a
   * channel that is not read stops accepting bytes after a bounded amount.
   */
  read(): Promise<Uint8Array | undefined>;
  /**
   * Sends `chunk`; resolves when the transport has accepted it, which waits while its bounded send buffer is
   * full (backpressure). An empty chunk sends nothing. Do not change `chunk` after the call. Rejects with
   * `DOCS_SYNC_CONNECTION_CLOSED` after {@link ByteChannel.end}, and like `read` on abort or loss.
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Half close: this side sends no more (the remote's `read` answers undefined after the bytes already
   * written); this side can still read. Resolves when the transport has taken the end. Calling it again
   * does nothing more.
   */
  end(): Promise<void>;
  /**
   * Abrupt close: drops buffered bytes in both directions and releases the connection. Local pending and
   * later operations reject with `error` (default: a `DOCS_SYNC_CONNECTION_CLOSED` error); the remote sees
   * `DOCS_SYNC_CONNECTION_LOST`. Does nothing on a channel that already failed.
   */
  abort(error?: unknown): void;
}

/**
 * One authenticated stream of one protocol between two nodes: a {@link ByteChannel} whose remote node id
 * was proven by the connection handshake.
 */
export interface ByteStream extends ByteChannel {
  /** The authenticated 32-byte node id of the remote peer. */
  readonly remotePeer: NodeId;
  /** The protocol the dialer asked for and the listener accepted, e.g. `/iroh-sync/1`. */
  readonly protocol: string;
  /**
   * Aborts the stream with `DOCS_SYNC_TIMEOUT` when no chunk was read or written for `milliseconds`;
   * undefined turns the idle timeout off. Replaces the timeout given when the stream was opened.
   * @throws RangeError when `milliseconds` is not a positive finite number.
   */
  setIdleTimeout(milliseconds: number | undefined): void;
}
