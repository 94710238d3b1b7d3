import { SYNC_ERROR_CODES, SyncError } from '../errors.js';

/*
 * How a byte channel rides on a WebSocket, the same in Node and in browsers: every non-empty binary message
 * carries the next bytes of the stream; an empty binary message is the end of the sender's side (a WebSocket
 * has no half close of its own); a text message is a protocol error. When both sides have sent their end,
 * each closes the WebSocket with code 1000. An abort terminates the connection (Node) or closes it with code
 * 4000 (browsers), either of which the remote sees as a lost connection.
 */

/** Largest WebSocket message sent or accepted: 1 MiB. Larger writes go out as several messages. */
export const MAX_WEBSOCKET_MESSAGE = 1024 * 1024;

/** Close code of a finished stream. */
export const CLOSE_NORMAL = 1000;

/** Close code of an aborted stream (the application range 4000–4999). */
export const CLOSE_ABORTED = 4000;

/** Consecutive views of `chunk`, each at most {@link MAX_WEBSOCKET_MESSAGE} bytes. */
export function splitIntoMessages(chunk: Uint8Array): Uint8Array[] {
  const messages: Uint8Array[] = [];
  for (let offset = 0; offset < chunk.length; offset += MAX_WEBSOCKET_MESSAGE) {
    messages.push(chunk.subarray(offset, offset + MAX_WEBSOCKET_MESSAGE));
  }
  return messages;
}

/**
 * Parses a WebSocket address (`ws://host:port/path` or `wss://…`).
 * @throws DocsError `DOCS_SYNC_INVALID_ADDRESS` for anything else.
 */
export function parseWebSocketUrl(address: string): URL {
  if (typeof address !== 'string') throw new TypeError('address must be a string');
  let url: URL;
  try {
    url = new URL(address);
  } catch (cause) {
    throw new SyncError(SYNC_ERROR_CODES.INVALID_ADDRESS, `not a URL: ${JSON.stringify(address)}`, { cause });
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new SyncError(SYNC_ERROR_CODES.INVALID_ADDRESS, `expected a ws: or wss: URL, got ${JSON.stringify(address)}`);
  }
  return url;
}
