import { SYNC_ERROR_CODES, SyncError } from '../errors.js';

/** The error the remote side of a channel sees when the connection drops or the other side aborts. */
export function connectionLost(message: string, cause?: unknown): SyncError {
  return new SyncError(SYNC_ERROR_CODES.CONNECTION_LOST, message, cause === undefined ? undefined : { cause });
}

/** The error of using a channel this side has closed. */
export function connectionClosed(message: string): SyncError {
  return new SyncError(SYNC_ERROR_CODES.CONNECTION_CLOSED, message);
}

/** The error local operations reject with after `abort(error)`: `error`, or a `CONNECTION_CLOSED` error. */
export function abortError(error: unknown): unknown {
  return error === undefined ? connectionClosed('the stream was aborted') : error;
}

/** Throws TypeError unless `chunk` is a Uint8Array. */
export function checkChunk(chunk: Uint8Array): void {
  if (!(chunk instanceof Uint8Array)) throw new TypeError('chunk must be a Uint8Array');
}
