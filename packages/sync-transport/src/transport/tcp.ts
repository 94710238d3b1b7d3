/// <reference types="node" />
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { authenticatedTransport } from './authenticated-transport.js';
import type { ByteChannel } from './byte-stream.js';
import { abortError, checkChunk, connectionClosed, connectionLost } from './channel-errors.js';
import { formatHostPort, parseHostPort } from './host-port.js';
import { ChunkParser, chunkHeader, MAX_STREAM_CHUNK } from './stream-chunks.js';
import type { NodeIdentity } from './node-key.js';
import { DEFAULT_HIGH_WATER_MARK, ReceiveBuffer } from './receive-buffer.js';
import type { ChannelTransport, Listener, Transport } from './transport.js';
import { WriteGate } from './write-gate.js';

/**
 * A TCP connection as a {@link ByteChannel}, chunked as `stream-chunks.ts` describes. Reading pauses the
 * socket while `DEFAULT_HIGH_WATER_MARK` bytes wait unread, so TCP flow control stops the sender; writing
 * waits for `'drain'` when the socket's buffer is full. `abort` resets the connection.
 */
class SocketChannel implements ByteChannel {
  readonly #socket: Socket;
  readonly #incoming: ReceiveBuffer;
  readonly #parser = new ChunkParser();
  readonly #drain = new WriteGate();
  #ending: Promise<void> | undefined;
  #endWaiter: { resolve(): void; reject(error: unknown): void } | undefined;
  #finished = false;
  #failure: { readonly error: unknown } | undefined;

  constructor(socket: Socket) {
    this.#socket = socket;
    const incoming = new ReceiveBuffer(DEFAULT_HIGH_WATER_MARK, {
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    });
    this.#incoming = incoming;
    const sink = { data: (bytes: Uint8Array) => incoming.push(bytes), end: () => incoming.end() };
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      try {
        this.#parser.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), sink);
      } catch (error) {
        this.#fail(connectionLost(`the peer broke the stream format: ${(error as Error).message}`, error));
      }
    });
    socket.on('end', () => {
      if (!incoming.ended) this.#fail(connectionLost('the connection closed without an end of stream'));
    });
    socket.on('drain', () => this.#drain.release());
    socket.on('finish', () => {
      this.#finished = true;
      this.#endWaiter?.resolve();
    });
    socket.on('error', (error: Error) => this.#fail(connectionLost(`the connection failed: ${error.message}`, error)));
    socket.on('close', () => {
      if (!(incoming.ended && this.#finished)) this.#fail(connectionLost('the connection closed'));
    });
  }

  read(): Promise<Uint8Array | undefined> {
    return this.#incoming.read();
  }

  async write(chunk: Uint8Array): Promise<void> {
    checkChunk(chunk);
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#ending !== undefined) throw connectionClosed('written after end()');
    if (chunk.length === 0) return;
    let accepted = true;
    this.#socket.cork();
    for (let offset = 0; offset < chunk.length; offset += MAX_STREAM_CHUNK) {
      const piece = chunk.subarray(offset, offset + MAX_STREAM_CHUNK);
      this.#socket.write(chunkHeader(piece.length));
      accepted = this.#socket.write(piece);
    }
    this.#socket.uncork();
    if (!accepted) await this.#drain.wait();
  }

  end(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    this.#ending ??= new Promise<void>((resolve, reject) => {
      this.#endWaiter = { resolve, reject };
      this.#socket.end(chunkHeader(0));
    });
    return this.#ending;
  }

  abort(error?: unknown): void {
    this.#fail(abortError(error));
  }

  /** Fails every operation with `error` and resets the connection. */
  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#incoming.fail(error);
    this.#drain.fail(error);
    if (!this.#finished) this.#endWaiter?.reject(error);
    if (!this.#socket.destroyed) this.#socket.resetAndDestroy();
  }
}

function connectSocket(address: string, signal?: AbortSignal): Promise<ByteChannel> {
  const { host, port } = parseHostPort(address);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = connect({ host, port, allowHalfOpen: true });
    const onAbort = (): void => {
      socket.destroy();
      reject(signal?.reason);
    };
    const onError = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      reject(
        new SyncError(SYNC_ERROR_CODES.CONNECTION_FAILED, `could not connect to ${address}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      const channel = new SocketChannel(socket);
      socket.off('error', onError);
      resolve(channel);
    });
  });
}

async function listenSockets(address: string, onChannel: (channel: ByteChannel) => void): Promise<Listener> {
  const { host, port } = parseHostPort(address);
  const server = createServer({ allowHalfOpen: true }, (socket) => onChannel(new SocketChannel(socket)));
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
  // Accept errors (e.g. out of file descriptors) drop that connection; the listener goes on.
  server.on('error', () => undefined);
  const bound = server.address() as AddressInfo;
  return {
    address: formatHostPort({ host: bound.address, port: bound.port }),
    async close(): Promise<void> {
      server.close();
    },
  };
}

const tcpChannels: ChannelTransport = { connect: connectSocket, listen: listenSockets };

/**
 * The TCP {@link Transport} (Node only, `node:net`): addresses are `host:port` (`[::1]:port` for IPv6; port
 * 0 to listen on a free port). Each stream is one TCP connection.
 */
export function tcpTransport(identity: NodeIdentity): Transport {
  return authenticatedTransport(tcpChannels, identity);
}
