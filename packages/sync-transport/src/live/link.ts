import { PostcardReader, PostcardWriter } from '@docs/entry';
import type { BlobStore, StoredBlob } from '@docs/store';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { FramedChannel } from '../framed-channel.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { decodeLiveOp, encodeLiveOp, type LiveOp } from './ops.js';

/** The protocol name of live links between neighbours of a document. */
export const LIVE_PROTOCOL = '/docs-live/1';
/** Content travels in chunks of at most this many bytes, so live ops are never stuck behind a large file. */
export const CONTENT_CHUNK_LENGTH = 64 * 1024;
/** Largest frame on a live link: a chunk, or an op carrying one entry with a key of up to ~1 MiB. */
const MAX_LINK_FRAME_LENGTH = 1024 * 1024 + 1024;

const FRAME = { op: 0, contentRequest: 1, contentChunk: 2, contentEnd: 3 } as const;
const END = { complete: 0, notFound: 1 } as const;

/** What a link does with what it receives. */
export interface LinkHandlers {
  /** Handles a live op from the neighbour; awaited before the next frame is read (backpressure). */
  onOp(op: LiveOp): Promise<void>;
  /** Where content requested by the neighbour is read from, and fetched content is stored. */
  readonly blobs: BlobStore;
}

/** The first frame a dialer sends: the document and the addresses it can be dialed at. */
export interface LinkHello {
  readonly namespace: Uint8Array;
  readonly addresses: readonly string[];
}

/** Encodes a {@link LinkHello}: `namespace (32) ‖ Vec<String>`. */
export function encodeLinkHello(hello: LinkHello): Uint8Array {
  const writer = new PostcardWriter(64).raw(hello.namespace).varint(hello.addresses.length);
  for (const address of hello.addresses) writer.bytes(new TextEncoder().encode(address));
  return writer.finish();
}

/** Decodes a {@link LinkHello}; malformed → `DOCS_SYNC_PROTOCOL_VIOLATION`. */
export function decodeLinkHello(bytes: Uint8Array): LinkHello {
  try {
    const reader = new PostcardReader(bytes);
    const namespace = reader.raw(32, 'namespace');
    const count = reader.count(1, 'address count');
    const addresses: string[] = [];
    for (let index = 0; index < count; index++) {
      addresses.push(new TextDecoder('utf-8', { fatal: true }).decode(reader.bytes('address')));
    }
    reader.end('link hello');
    return { namespace, addresses };
  } catch (error) {
    throw new SyncError(SYNC_ERROR_CODES.PROTOCOL_VIOLATION, 'malformed live link hello', { cause: error });
  }
}

interface PendingFetch {
  readonly chunks: ChunkQueue;
  readonly result: Promise<StoredBlob | undefined>;
}

/**
 * A live link with one neighbour for one document: live ops both ways (`Put`, `ContentReady`, `SyncReport`) and
 * content requests both ways, multiplexed as frames so either side can fetch content from the other whoever
 * dialed. Content is served in 64 KiB chunks and verified by the fetching side's blob store.
 */
export class NeighborLink {
  readonly peer: Uint8Array;
  readonly namespace: Uint8Array;
  readonly #frames: FramedChannel;
  readonly #handlers: LinkHandlers;
  readonly #fetches = new Map<number, PendingFetch>();
  #nextRequest = 0;
  #sending: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(stream: ByteStream, namespace: Uint8Array, handlers: LinkHandlers) {
    this.peer = stream.remotePeer;
    this.namespace = namespace;
    this.#frames = new FramedChannel(stream, { maxFrameLength: MAX_LINK_FRAME_LENGTH });
    this.#handlers = handlers;
  }

  /** Opens a link as the dialer: sends the hello first. */
  static async dial(stream: ByteStream, hello: LinkHello, handlers: LinkHandlers): Promise<NeighborLink> {
    const link = new NeighborLink(stream, hello.namespace, handlers);
    await link.#frames.send(encodeLinkHello(hello));
    return link;
  }

  /** Reads the dialer's hello on an accepted stream. */
  static async readHello(stream: ByteStream): Promise<LinkHello> {
    const frames = new FramedChannel(stream, { maxFrameLength: 64 * 1024 });
    const hello = await frames.receive();
    if (hello === undefined) throw new SyncError(SYNC_ERROR_CODES.PROTOCOL_VIOLATION, 'the live link closed before its hello');
    return decodeLinkHello(hello);
  }

  /** Reads frames until the neighbour ends the link (resolves) or it fails (rejects). */
  async run(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.#frames.receive();
        if (frame === undefined) break;
        await this.#handle(frame);
      }
      this.#fail(new SyncError(SYNC_ERROR_CODES.CONNECTION_LOST, 'the neighbour closed the live link'));
      await this.#frames.end().catch(() => undefined);
    } catch (error) {
      this.#fail(error);
      this.#frames.abort(error);
      throw error;
    }
  }

  /** Sends a live op. */
  sendOp(op: LiveOp): Promise<void> {
    return this.#send(Uint8Array.of(FRAME.op, ...encodeLiveOp(op)));
  }

  /**
   * Fetches content from the neighbour into the blob store, verified against `hash`. Undefined if the neighbour
   * does not have it; `DOCS_STORE_CONTENT_MISMATCH` if it served other bytes (nothing is stored).
   */
  fetch(hash: Uint8Array): Promise<StoredBlob | undefined> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextRequest++;
    const chunks = new ChunkQueue();
    const result = this.#handlers.blobs.putStream(chunks, { expectedHash: hash }).then(
      (stored) => stored,
      (error: unknown) => {
        if (error === NOT_FOUND) return undefined;
        throw error;
      },
    );
    this.#fetches.set(id, { chunks, result });
    this.#send(new PostcardWriter(40).u8(FRAME.contentRequest).varint(id).raw(hash).finish()).catch((error: unknown) =>
      chunks.fail(error),
    );
    return result.finally(() => this.#fetches.delete(id));
  }

  /** Ends the link (half close); the neighbour's `run` then ends. */
  async close(): Promise<void> {
    await this.#sending.catch(() => undefined);
    await this.#frames.end().catch(() => undefined);
  }

  /** Aborts the link. */
  abort(error?: unknown): void {
    this.#fail(error ?? new SyncError(SYNC_ERROR_CODES.CONNECTION_CLOSED, 'the live link was closed'));
    this.#frames.abort(error);
  }

  async #handle(frame: Uint8Array): Promise<void> {
    const reader = new PostcardReader(frame);
    const kind = reader.u8('link frame kind');
    if (kind === FRAME.op) return this.#handlers.onOp(decodeLiveOp(frame.subarray(1)));
    const id = reader.varintAtMost(Number.MAX_SAFE_INTEGER, 'request id');
    if (kind === FRAME.contentRequest) {
      const hash = reader.raw(32, 'hash');
      reader.end('content request');
      void this.#serve(id, hash).catch((error: unknown) => this.abort(error));
      return;
    }
    const pending = this.#fetches.get(id);
    if (kind === FRAME.contentChunk) {
      if (pending === undefined) throw violation(`content chunk for unknown request ${id}`);
      await pending.chunks.push(frame.subarray(reader.offset));
      return;
    }
    if (kind === FRAME.contentEnd) {
      const status = reader.u8('content end status');
      reader.end('content end');
      if (pending === undefined) throw violation(`content end for unknown request ${id}`);
      if (status === END.complete) pending.chunks.close();
      else pending.chunks.fail(NOT_FOUND);
      return;
    }
    throw violation(`unknown live link frame kind ${kind}`);
  }

  async #serve(id: number, hash: Uint8Array): Promise<void> {
    const header = (kind: number) => new PostcardWriter(16).u8(kind).varint(id);
    const content = await this.#handlers.blobs.getStream(hash);
    if (content === undefined) {
      await this.#send(header(FRAME.contentEnd).u8(END.notFound).finish());
      return;
    }
    for await (const chunk of content) {
      for (let offset = 0; offset < chunk.length; offset += CONTENT_CHUNK_LENGTH) {
        await this.#send(header(FRAME.contentChunk).raw(chunk.subarray(offset, offset + CONTENT_CHUNK_LENGTH)).finish());
      }
    }
    await this.#send(header(FRAME.contentEnd).u8(END.complete).finish());
  }

  #send(frame: Uint8Array): Promise<void> {
    const sent = this.#sending.then(() => this.#frames.send(frame));
    this.#sending = sent.catch(() => undefined);
    return sent;
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const pending of this.#fetches.values()) pending.chunks.fail(error);
  }
}

/** Marks a fetch the neighbour could not serve. */
const NOT_FOUND = Symbol('content not found');

function violation(message: string): SyncError {
  return new SyncError(SYNC_ERROR_CODES.PROTOCOL_VIOLATION, message);
}

/** Chunks handed from the link's reader to a blob store write, holding at most a few chunks (backpressure). */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  static readonly CAPACITY = 4;
  readonly #chunks: Uint8Array[] = [];
  #closed = false;
  #error: unknown;
  #hasError = false;
  #wakeReader: (() => void) | undefined;
  #wakeWriter: (() => void) | undefined;

  async push(chunk: Uint8Array): Promise<void> {
    while (this.#chunks.length >= ChunkQueue.CAPACITY && !this.#hasError) {
      await new Promise<void>((resolve) => (this.#wakeWriter = resolve));
    }
    if (this.#hasError || this.#closed) return;
    this.#chunks.push(chunk.slice());
    this.#wake();
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  fail(error: unknown): void {
    if (this.#closed) return;
    this.#hasError = true;
    this.#error = error;
    this.#closed = true;
    this.#wake();
    this.#wakeWriter?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        this.#wakeWriter?.();
        this.#wakeWriter = undefined;
        yield chunk;
        continue;
      }
      if (this.#hasError) throw this.#error;
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
  }

  #wake(): void {
    this.#wakeReader?.();
    this.#wakeReader = undefined;
  }
}
