import { DocsError } from '@docs/crypto';

/** Stable error codes of `@docs/sync-transport`. */
export const SYNC_ERROR_CODES = {
  /** A frame announced more bytes than the frame limit; nothing of it was buffered. */
  FRAME_TOO_LARGE: 'DOCS_SYNC_FRAME_TOO_LARGE',
  /** A frame's payload is not a valid protocol message (the cause is the decoding error). */
  MALFORMED_MESSAGE: 'DOCS_SYNC_MALFORMED_MESSAGE',
  /** A message holds more parts or entries than the configured limits. */
  MESSAGE_TOO_LARGE: 'DOCS_SYNC_MESSAGE_TOO_LARGE',
  /** The stream ended inside a frame. */
  TRUNCATED_FRAME: 'DOCS_SYNC_TRUNCATED_FRAME',
  /** Dialing failed: nothing listens at the address, or the connection could not be opened. */
  CONNECTION_FAILED: 'DOCS_SYNC_CONNECTION_FAILED',
  /** The remote peer vanished or aborted the stream (reset, dropped connection, transport error). */
  CONNECTION_LOST: 'DOCS_SYNC_CONNECTION_LOST',
  /** The stream was used after this side closed it (written after `end()`, used after `abort()`). */
  CONNECTION_CLOSED: 'DOCS_SYNC_CONNECTION_CLOSED',
  /** The remote node could not be authenticated: bad signature, unexpected node id, or not a peer of ours. */
  HANDSHAKE_FAILED: 'DOCS_SYNC_HANDSHAKE_FAILED',
  /** The listener has no handler for the protocol the dialer asked for. */
  UNKNOWN_PROTOCOL: 'DOCS_SYNC_UNKNOWN_PROTOCOL',
  /** The handshake did not finish in time, or a stream stayed idle longer than its idle timeout. */
  TIMEOUT: 'DOCS_SYNC_TIMEOUT',
  /** An address is not in the form the transport expects. */
  INVALID_ADDRESS: 'DOCS_SYNC_INVALID_ADDRESS',
  /** A listener could not be opened (address in use, or the platform cannot accept connections). */
  LISTEN_FAILED: 'DOCS_SYNC_LISTEN_FAILED',
  /** The remote peer aborted the sync with a reason (`NotFound`, `AlreadySyncing`, `InternalServerError`). */
  REMOTE_ABORT: 'DOCS_SYNC_REMOTE_ABORT',
  /** This side refused the sync (the accept decision) and told the peer why. */
  REJECTED: 'DOCS_SYNC_REJECTED',
  /** The peer broke the message flow: a second Init, Sync before Init, an unexpected Abort or trailing data. */
  PROTOCOL_VIOLATION: 'DOCS_SYNC_PROTOCOL_VIOLATION',
  /** The document is not open for sync on this node. */
  NOT_SYNCING: 'DOCS_SYNC_NOT_SYNCING',
  /** A `doc…` ticket could not be parsed. */
  INVALID_TICKET: 'DOCS_SYNC_INVALID_TICKET',
  /** Content could not be fetched from any peer, or a peer served bytes that do not match the hash. */
  CONTENT_UNAVAILABLE: 'DOCS_SYNC_CONTENT_UNAVAILABLE',
  /** The node was closed. */
  CLOSED: 'DOCS_SYNC_CLOSED',
  /** A saved peer address book is not valid: malformed, too large, or of another version (the cause says why). */
  ADDRESS_BOOK_INVALID: 'DOCS_SYNC_ADDRESS_BOOK_INVALID',
  /** A peer address book could not be read or written (the cause is the file system's error). */
  ADDRESS_BOOK_UNAVAILABLE: 'DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE',
} as const;

/** One of {@link SYNC_ERROR_CODES}. */
export type SyncErrorCode = (typeof SYNC_ERROR_CODES)[keyof typeof SYNC_ERROR_CODES];

/** A failure of the sync protocol or its transports; `code` is one of {@link SYNC_ERROR_CODES}. */
export class SyncError extends DocsError {
  declare readonly code: SyncErrorCode;
  constructor(code: SyncErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
