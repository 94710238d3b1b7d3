import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { authenticatedTransport } from './authenticated-transport.js';
import type { ByteChannel } from './byte-stream.js';
import { abortError, checkChunk, connectionClosed, connectionLost } from './channel-errors.js';
import type { NodeIdentity } from './node-key.js';
import { DEFAULT_HIGH_WATER_MARK, ReceiveBuffer } from './receive-buffer.js';
import type { ChannelTransport, Listener, Transport } from './transport.js';
import { CLOSE_ABORTED, CLOSE_NORMAL, parseWebSocketUrl, splitIntoMessages } from './websocket-messages.js';

/** How often a writer waiting for `bufferedAmount` to fall looks again, in milliseconds. */
const DRAIN_POLL_INTERVAL = 10;

/** `bytes` itself when it views an ArrayBuffer; a copy when it views a SharedArrayBuffer (not sendable). */
function sendable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : bytes.slice();
}

function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * A standard (WHATWG) `WebSocket` as a {@link ByteChannel} (framing in `websocket-messages.ts`). Writes wait
 * while `bufferedAmount` is above the high-water mark. The standard API cannot pause receiving, so a
 * channel that is not read buffers whatever the peer sends.
 */
class BrowserWebSocketChannel implements ByteChannel {
  readonly #socket: WebSocket;
  readonly #incoming = new ReceiveBuffer(DEFAULT_HIGH_WATER_MARK, {
    pause: () => undefined,
    resume: () => undefined,
  });
  #ending: Promise<void> | undefined;
  #endSent = false;
  #failure: { readonly error: unknown } | undefined;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data === 'string') {
        this.#fail(connectionLost('the peer sent a text message'));
        return;
      }
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      if (bytes.length > 0) {
        this.#incoming.push(bytes);
        return;
      }
      this.#incoming.end();
      this.#closeWhenDone();
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      if (!(this.#endSent && this.#incoming.ended)) {
        this.#fail(connectionLost(`the WebSocket closed (code ${event.code})`));
      }
    });
    socket.addEventListener('error', () => this.#fail(connectionLost('the WebSocket failed')));
  }

  read(): Promise<Uint8Array | undefined> {
    return this.#incoming.read();
  }

  async write(chunk: Uint8Array): Promise<void> {
    checkChunk(chunk);
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#ending !== undefined) throw connectionClosed('written after end()');
    if (chunk.length === 0) return;
    for (const message of splitIntoMessages(chunk)) this.#socket.send(sendable(message));
    await this.#drained();
  }

  end(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    if (this.#ending === undefined) {
      this.#socket.send(new Uint8Array(0));
      this.#endSent = true;
      this.#closeWhenDone();
      this.#ending = this.#drained();
    }
    return this.#ending;
  }

  abort(error?: unknown): void {
    this.#fail(abortError(error));
  }

  /** Resolves once `bufferedAmount` is at most the high-water mark; rejects if the channel fails first. */
  async #drained(): Promise<void> {
    while (this.#socket.bufferedAmount > DEFAULT_HIGH_WATER_MARK) {
      if (this.#failure !== undefined) throw this.#failure.error;
      await delay(DRAIN_POLL_INTERVAL);
    }
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  #closeWhenDone(): void {
    if (this.#endSent && this.#incoming.ended) this.#socket.close(CLOSE_NORMAL);
  }

  /** Fails every operation with `error` and closes the connection (a no-op once it is closed). */
  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#incoming.fail(error);
    this.#socket.close(CLOSE_ABORTED, 'aborted');
  }
}

function connectWebSocket(address: string, signal?: AbortSignal): Promise<ByteChannel> {
  parseWebSocketUrl(address);
  const WebSocketClass = globalThis.WebSocket;
  if (typeof WebSocketClass !== 'function') {
    return Promise.reject(new SyncError(SYNC_ERROR_CODES.CONNECTION_FAILED, 'this environment has no WebSocket'));
  }
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = new WebSocketClass(address);
    socket.binaryType = 'arraybuffer';
    const cleanUp = (): void => {
      signal?.removeEventListener('abort', onAbort);
      socket.removeEventListener('open', onOpen);
      socket.removeEventListener('error', onFailure);
      socket.removeEventListener('close', onFailure);
    };
    const onOpen = (): void => {
      cleanUp();
      resolve(new BrowserWebSocketChannel(socket));
    };
    const onFailure = (): void => {
      cleanUp();
      reject(new SyncError(SYNC_ERROR_CODES.CONNECTION_FAILED, `could not connect to ${address}`));
    };
    const onAbort = (): void => {
      cleanUp();
      socket.close();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.addEventListener('open', onOpen);
    socket.addEventListener('error', onFailure);
    socket.addEventListener('close', onFailure);
  });
}

async function refuseToListen(address: string): Promise<Listener> {
  throw new SyncError(
    SYNC_ERROR_CODES.LISTEN_FAILED,
    `cannot listen on ${address}: a browser's WebSocket can only dial`,
  );
}

const webSocketChannels: ChannelTransport = { connect: connectWebSocket, listen: refuseToListen };

/**
 * The WebSocket {@link Transport} of browsers (and any runtime with the standard `WebSocket`): dials `ws://`
 * and `wss://` URLs; `listen` rejects with `DOCS_SYNC_LISTEN_FAILED`, since a browser cannot accept
 * connections. Each stream is one WebSocket connection.
 */
export function webSocketTransport(identity: NodeIdentity): Transport {
  return authenticatedTransport(webSocketChannels, identity);
}
