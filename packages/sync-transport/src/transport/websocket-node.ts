/// <reference types="node" />
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { authenticatedTransport } from './authenticated-transport.js';
import type { ByteChannel } from './byte-stream.js';
import { abortError, checkChunk, connectionClosed, connectionLost } from './channel-errors.js';
import { formatHostPort } from './host-port.js';
import type { NodeIdentity } from './node-key.js';
import { DEFAULT_HIGH_WATER_MARK, ReceiveBuffer } from './receive-buffer.js';
import type { ChannelTransport, Listener, Transport } from './transport.js';
import {
  CLOSE_NORMAL,
  MAX_WEBSOCKET_MESSAGE,
  parseWebSocketUrl,
  splitIntoMessages,
} from './websocket-messages.js';

function rawDataToBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) {
    const joined = Buffer.concat(data);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * A `ws` WebSocket as a {@link ByteChannel} (framing in `websocket-messages.ts`). Reading pauses the socket
 * while `DEFAULT_HIGH_WATER_MARK` bytes wait unread; a write waits until its messages are flushed whenever
 * more than that is buffered for sending.
 */
class NodeWebSocketChannel implements ByteChannel {
  readonly #socket: WebSocket;
  readonly #incoming: ReceiveBuffer;
  #ending: Promise<void> | undefined;
  #endSent = false;
  #failure: { readonly error: unknown } | undefined;

  constructor(socket: WebSocket) {
    this.#socket = socket;
    this.#incoming = new ReceiveBuffer(DEFAULT_HIGH_WATER_MARK, {
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        this.#fail(connectionLost('the peer sent a text message'));
        return;
      }
      const bytes = rawDataToBytes(data);
      if (bytes.length > 0) {
        this.#incoming.push(bytes);
        return;
      }
      this.#incoming.end();
      this.#closeWhenDone();
    });
    socket.on('close', (code: number) => {
      if (!(this.#endSent && this.#incoming.ended)) this.#fail(connectionLost(`the WebSocket closed (code ${code})`));
    });
    socket.on('error', (error: Error) => this.#fail(connectionLost(`the WebSocket failed: ${error.message}`, error)));
  }

  read(): Promise<Uint8Array | undefined> {
    return this.#incoming.read();
  }

  async write(chunk: Uint8Array): Promise<void> {
    checkChunk(chunk);
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#ending !== undefined) throw connectionClosed('written after end()');
    if (chunk.length === 0) return;
    const messages = splitIntoMessages(chunk);
    for (const message of messages.slice(0, -1)) this.#socket.send(message, { binary: true });
    const flushed = this.#send(messages[messages.length - 1]!);
    if (this.#socket.bufferedAmount > DEFAULT_HIGH_WATER_MARK) {
      await flushed;
      return;
    }
    flushed.catch(() => undefined); // a later failure reaches the caller through its next operation
  }

  end(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    this.#ending ??= this.#send(new Uint8Array(0)).then(() => {
      this.#endSent = true;
      this.#closeWhenDone();
    });
    return this.#ending;
  }

  abort(error?: unknown): void {
    this.#fail(abortError(error));
  }

  /** Sends one message; settles when it is flushed to the socket. */
  #send(message: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.send(message, { binary: true }, (error) => {
        if (error === undefined || error === null) resolve();
        else reject(this.#failure?.error ?? connectionLost(`the WebSocket failed: ${error.message}`, error));
      });
    });
  }

  #closeWhenDone(): void {
    if (this.#endSent && this.#incoming.ended) this.#socket.close(CLOSE_NORMAL);
  }

  /** Fails every operation with `error` and drops the connection. */
  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#incoming.fail(error);
    this.#socket.terminate();
  }
}

function connectionFailed(address: string, cause?: unknown): SyncError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new SyncError(SYNC_ERROR_CODES.CONNECTION_FAILED, `could not connect to ${address}${reason}`, { cause });
}

function connectWebSocket(address: string, signal?: AbortSignal): Promise<ByteChannel> {
  parseWebSocketUrl(address);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = new WebSocket(address, { perMessageDeflate: false, maxPayload: MAX_WEBSOCKET_MESSAGE });
    const onAbort = (): void => {
      socket.terminate();
      reject(signal?.reason);
    };
    const onError = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      reject(connectionFailed(address, error));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('open', () => {
      signal?.removeEventListener('abort', onAbort);
      const channel = new NodeWebSocketChannel(socket);
      socket.off('error', onError);
      resolve(channel);
    });
  });
}

async function listenWebSockets(address: string, onChannel: (channel: ByteChannel) => void): Promise<Listener> {
  const url = parseWebSocketUrl(address);
  if (url.protocol !== 'ws:' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new SyncError(
      SYNC_ERROR_CODES.INVALID_ADDRESS,
      `a WebSocket listener address is ws://host:port/path, got ${JSON.stringify(address)}`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? 80 : Number(url.port);
  const path = url.pathname;
  const server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' });
    response.end('this endpoint speaks WebSocket only\n');
  });
  const sockets = new WebSocketServer({ server, path, perMessageDeflate: false, maxPayload: MAX_WEBSOCKET_MESSAGE });
  sockets.on('connection', (socket: WebSocket) => onChannel(new NodeWebSocketChannel(socket)));
  // The server's errors are re-emitted here: once listening, a failed upgrade only drops that connection.
  sockets.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new SyncError(SYNC_ERROR_CODES.LISTEN_FAILED, `could not listen on ${address}: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    server.listen({ host, port }, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `ws://${formatHostPort({ host: bound.address, port: bound.port })}${path}`,
    async close(): Promise<void> {
      sockets.close();
      server.close();
    },
  };
}

const webSocketChannels: ChannelTransport = { connect: connectWebSocket, listen: listenWebSockets };

/**
 * The WebSocket {@link Transport}. In Node (this implementation, on `ws`) it dials `ws://` and `wss://` URLs and
 * listens on `ws://host:port/path` (port 0 picks a free port; plain HTTP requests get 426). In browsers the
 * package's `browser` condition selects an implementation on the standard `WebSocket` that can only dial.
 * Each stream is one WebSocket connection.
 */
export function webSocketTransport(identity: NodeIdentity): Transport {
  return authenticatedTransport(webSocketChannels, identity);
}
