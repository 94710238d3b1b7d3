import { equalBytes } from '@docs/crypto';
import { PostcardReader, PostcardWriter } from '@docs/entry';
import type { BlobStore, StoredBlob } from '@docs/store';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { FramedChannel } from '../framed-channel.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { checkMilliseconds, unrefTimer } from '../transport/deadline.js';
import { decodeLiveOp, encodeLiveOp, type LiveOp } from './ops.js';

/** The protocol name of live links between neighbours of a document. */
export const LIVE_PROTOCOL = '/docs-live/1';
/** Content travels in chunks of at most this many bytes, so live ops are never stuck behind a large file. */
export const CONTENT_CHUNK_LENGTH = 64 * 1024;
/** Default {@link NeighborLinkOptions.idleTimeout}: 30 seconds. */
export const DEFAULT_LINK_IDLE_TIMEOUT = 30_000;
/** Largest frame on a live link: a chunk, or an op carrying one entry with a key of up to ~1 MiB. */
const MAX_LINK_FRAME_LENGTH = 1024 * 1024 + 1024;
/** Largest hello: a namespace and a few addresses. */
const MAX_HELLO_LENGTH = 64 * 1024;

/**
 * Frame kinds of a live link (after the hello): a live op; a content request `id, hash`; a content chunk
 * `id, bytes`; the end of an answer `id, status`; a keep-alive; a cancelled request `id`.
 */
const FRAME = { op: 0, contentRequest: 1, contentChunk: 2, contentEnd: 3, keepAlive: 4, contentCancel: 5 } as const;
const END = { complete: 0, notFound: 1 } as const;

/** What a link does with what it receives. */
export interface LinkHandlers {
  /** Handles a live op from the neighbour; awaited before the next frame is read (backpressure). */
  onOp(op: LiveOp): Promise<void>;
  /** Where content requested by the neighbour is read from, and fetched content is stored. */
  readonly blobs: BlobStore;
}

/** Options of a {@link NeighborLink}. */
export interface NeighborLinkOptions {
  /**
   * Milliseconds without any frame from the neighbour after which the link is aborted with `DOCS_SYNC_TIMEOUT`,
   * and after which a content fetch that received nothing fails the same way (default 30 s). Each side sends a
   * keep-alive when it sent nothing for a third of it, so an idle but healthy link stays up.
   */
  readonly idleTimeout?: number;
}

/**
 * The first frame each side sends: the document and the addresses the sender can be dialed at. The dialer sends
 * it first; the acceptor answers with its own to confirm the link.
 */
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

/** What an acceptor answers to a hello it admits. */
export interface LinkAdmission {
  /** What the link does with what it receives. */
  readonly handlers: LinkHandlers;
  /** The addresses this node can be dialed at, for the dialer. */
  readonly addresses: readonly string[];
}

async function receiveHello(frames: FramedChannel): Promise<LinkHello> {
  const payload = await frames.receive();
  if (payload === undefined) throw violation('the live link closed before its hello');
  if (payload.length > MAX_HELLO_LENGTH) throw violation('the live link hello is too large');
  return decodeLinkHello(payload);
}

interface PendingFetch {
  readonly chunks: ChunkQueue;
  readonly maxLength: bigint | undefined;
  received: bigint;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Marks a fetch the neighbour could not serve. */
const NOT_FOUND = Symbol('content not found');

/**
 * A live link with one neighbour for one document: live ops both ways (`Put`, `ContentReady`, `SyncReport`) and
 * content requests both ways, multiplexed as frames so either side can fetch content from the other whoever
 * dialed. Content is served in 64 KiB chunks and verified by the fetching side's blob store; an idle link is kept
 * up by keep-alives and a silent one is aborted.
 */
export class NeighborLink {
  /** The neighbour's node id. */
  readonly peer: Uint8Array;
  /** The document. */
  readonly namespace: Uint8Array;
  /** The addresses the neighbour said it can be dialed at (from its hello). */
  readonly remoteAddresses: readonly string[];
  /** True if this node dialed the link, false if it accepted it. */
  readonly dialed: boolean;
  readonly #frames: FramedChannel;
  readonly #handlers: LinkHandlers;
  readonly #idleTimeout: number;
  readonly #fetches = new Map<number, PendingFetch>();
  /** Requests this side gave up; their remaining chunks are dropped until their end arrives. */
  readonly #discarding = new Set<number>();
  /** Requests being served, by id: set to true to stop serving one. */
  readonly #serving = new Map<number, { cancelled: boolean }>();
  #nextRequest = 0;
  #sending: Promise<void> = Promise.resolve();
  #lastSent = performance.now();
  #lastReceived = performance.now();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failure: { readonly error: unknown } | undefined;

  private constructor(
    frames: FramedChannel,
    stream: ByteStream,
    remoteHello: LinkHello,
    dialed: boolean,
    handlers: LinkHandlers,
    options: NeighborLinkOptions,
  ) {
    this.peer = stream.remotePeer;
    this.namespace = remoteHello.namespace;
    this.remoteAddresses = remoteHello.addresses;
    this.dialed = dialed;
    this.#frames = frames;
    this.#handlers = handlers;
    this.#idleTimeout = checkMilliseconds(options.idleTimeout ?? DEFAULT_LINK_IDLE_TIMEOUT, 'idleTimeout');
    // The link keeps its own deadline: the stream's would count our keep-alives as activity.
    stream.setIdleTimeout(undefined);
    this.#schedule();
  }

  /**
   * Opens a link as the dialer: sends the hello, then waits for the acceptor's hello, which confirms that it
   * admitted the link (a refusing acceptor aborts the stream instead).
   * @throws SyncError `DOCS_SYNC_PROTOCOL_VIOLATION` for a malformed or mismatched reply; transport errors.
   */
  static async dial(
    stream: ByteStream,
    hello: LinkHello,
    handlers: LinkHandlers,
    options: NeighborLinkOptions = {},
  ): Promise<NeighborLink> {
    const frames = new FramedChannel(stream, { maxFrameLength: MAX_LINK_FRAME_LENGTH });
    try {
      await frames.send(encodeLinkHello(hello));
      const reply = await receiveHello(frames);
      if (!equalBytes(reply.namespace, hello.namespace)) throw violation('the live link was confirmed for another document');
      return new NeighborLink(frames, stream, reply, true, handlers, options);
    } catch (error) {
      frames.abort(error);
      throw error;
    }
  }

  /**
   * Accepts a link: reads the dialer's hello, asks `admit` for the handlers of its document and the addresses to
   * tell the dialer, and confirms with a hello of its own. `admit` throws to refuse: the stream is then aborted
   * with that error, which is rethrown.
   */
  static async accept(
    stream: ByteStream,
    admit: (hello: LinkHello) => LinkAdmission,
    options: NeighborLinkOptions = {},
  ): Promise<NeighborLink> {
    const frames = new FramedChannel(stream, { maxFrameLength: MAX_LINK_FRAME_LENGTH });
    try {
      const hello = await receiveHello(frames);
      const admission = admit(hello);
      await frames.send(encodeLinkHello({ namespace: hello.namespace, addresses: admission.addresses }));
      return new NeighborLink(frames, stream, hello, false, admission.handlers, options);
    } catch (error) {
      frames.abort(error);
      throw error;
    }
  }

  /** Reads frames until the neighbour ends the link (resolves) or it fails (rejects). */
  async run(): Promise<void> {
    try {
      for (;;) {
        const frame = await this.#frames.receive();
        if (frame === undefined) break;
        this.#lastReceived = performance.now();
        await this.#handle(frame);
      }
      this.#fail(new SyncError(SYNC_ERROR_CODES.CONNECTION_LOST, 'the neighbour closed the live link'));
      await this.#sending;
      await this.#frames.end().catch(() => undefined);
    } catch (error) {
      this.#fail(error);
      this.#frames.abort(error);
      throw error;
    }
  }

  /** Sends a live op. */
  sendOp(op: LiveOp): Promise<void> {
    return this.#send(concatFrame(FRAME.op, encodeLiveOp(op)));
  }

  /**
   * Fetches content from the neighbour into the blob store, verified against `hash`. Resolves undefined if the
   * neighbour does not have it. Rejects with `DOCS_STORE_CONTENT_MISMATCH` if it served other bytes, with
   * `DOCS_SYNC_CONTENT_UNAVAILABLE` if it served more than `maxLength` bytes, with `DOCS_SYNC_TIMEOUT` if nothing
   * arrived for the idle timeout, or with the link's error; nothing is stored then.
   */
  fetch(hash: Uint8Array, maxLength?: bigint): Promise<StoredBlob | undefined> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    const id = this.#nextRequest++;
    const pending: PendingFetch = { chunks: new ChunkQueue(), maxLength, received: 0n, timer: undefined };
    this.#fetches.set(id, pending);
    this.#armFetchTimer(id, pending);
    const result = this.#handlers.blobs.putStream(pending.chunks, { expectedHash: hash }).then(
      (stored) => stored,
      (error: unknown) => {
        if (error === NOT_FOUND) return undefined;
        throw error;
      },
    );
    this.#send(new PostcardWriter(40).u8(FRAME.contentRequest).varint(id).raw(hash).finish()).catch((error: unknown) =>
      this.#giveUp(id, error),
    );
    return result.finally(() => {
      // The blob store may stop reading early (an error of its own): the rest of the answer is dropped.
      if (this.#fetches.has(id)) this.#giveUp(id, new SyncError(SYNC_ERROR_CODES.CONTENT_UNAVAILABLE, 'fetch ended'));
    });
  }

  /** Ends the link (half close) after what was queued is sent; the neighbour's `run` then ends. */
  async close(): Promise<void> {
    await this.#sending;
    await this.#frames.end().catch(() => undefined);
  }

  /** Aborts the link; pending fetches fail with `error`. */
  abort(error?: unknown): void {
    const reason = error ?? new SyncError(SYNC_ERROR_CODES.CONNECTION_CLOSED, 'the live link was closed');
    this.#fail(reason);
    this.#frames.abort(reason);
  }

  async #handle(frame: Uint8Array): Promise<void> {
    const reader = new PostcardReader(frame);
    const kind = reader.u8('link frame kind');
    if (kind === FRAME.op) return this.#handlers.onOp(decodeLiveOp(frame.subarray(1)));
    if (kind === FRAME.keepAlive) return reader.end('keep-alive');
    const id = reader.varintAtMost(Number.MAX_SAFE_INTEGER, 'request id');
    switch (kind) {
      case FRAME.contentRequest: {
        const hash = reader.raw(32, 'hash');
        reader.end('content request');
        if (this.#serving.has(id)) throw violation(`content request ${id} is already being served`);
        const serving = { cancelled: false };
        this.#serving.set(id, serving);
        void this.#serve(id, hash, serving).finally(() => this.#serving.delete(id));
        return;
      }
      case FRAME.contentCancel: {
        reader.end('content cancel');
        const serving = this.#serving.get(id);
        if (serving !== undefined) serving.cancelled = true;
        return;
      }
      case FRAME.contentChunk: {
        const pending = this.#fetches.get(id);
        if (pending === undefined) {
          if (this.#discarding.has(id)) return;
          throw violation(`content chunk for unknown request ${id}`);
        }
        const bytes = frame.subarray(reader.offset);
        pending.received += BigInt(bytes.length);
        if (pending.maxLength !== undefined && pending.received > pending.maxLength) {
          this.#giveUp(
            id,
            new SyncError(SYNC_ERROR_CODES.CONTENT_UNAVAILABLE, `the peer served more than the ${pending.maxLength} bytes expected`),
          );
          return;
        }
        this.#armFetchTimer(id, pending);
        await pending.chunks.push(bytes);
        return;
      }
      case FRAME.contentEnd: {
        const status = reader.u8('content end status');
        reader.end('content end');
        if (this.#discarding.delete(id)) return;
        const pending = this.#fetches.get(id);
        if (pending === undefined) throw violation(`content end for unknown request ${id}`);
        this.#settle(id, pending);
        if (status === END.complete) pending.chunks.close();
        else pending.chunks.fail(NOT_FOUND);
        return;
      }
      default:
        throw violation(`unknown live link frame kind ${kind}`);
    }
  }

  async #serve(id: number, hash: Uint8Array, serving: { readonly cancelled: boolean }): Promise<void> {
    const header = (kind: number) => new PostcardWriter(16).u8(kind).varint(id);
    let status: number = END.complete;
    try {
      const content = await this.#handlers.blobs.getStream(hash);
      if (content === undefined) {
        status = END.notFound;
      } else {
        outer: for await (const chunk of content) {
          for (let offset = 0; offset < chunk.length; offset += CONTENT_CHUNK_LENGTH) {
            if (serving.cancelled) break outer;
            await this.#send(concatFrame(header(FRAME.contentChunk).finish(), chunk.subarray(offset, offset + CONTENT_CHUNK_LENGTH)));
          }
        }
      }
    } catch {
      // Our store failed while reading (or the link failed): the answer ends as "not found"; the fetcher drops
      // what it got, as the bytes cannot hash right.
      status = END.notFound;
    }
    await this.#send(header(FRAME.contentEnd).u8(status).finish()).catch(() => undefined);
  }

  /** Fails a fetch of ours and drops the rest of its answer; tells the neighbour to stop serving it. */
  #giveUp(id: number, error: unknown): void {
    const pending = this.#fetches.get(id);
    if (pending === undefined) return;
    this.#settle(id, pending);
    pending.chunks.fail(error);
    if (this.#failure !== undefined) return;
    this.#discarding.add(id);
    this.#send(new PostcardWriter(16).u8(FRAME.contentCancel).varint(id).finish()).catch(() => undefined);
  }

  #settle(id: number, pending: PendingFetch): void {
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    this.#fetches.delete(id);
  }

  #armFetchTimer(id: number, pending: PendingFetch): void {
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    pending.timer = setTimeout(() => {
      this.#giveUp(id, new SyncError(SYNC_ERROR_CODES.TIMEOUT, `no content arrived for ${this.#idleTimeout} ms`));
    }, this.#idleTimeout);
    unrefTimer(pending.timer);
  }

  #send(frame: Uint8Array): Promise<void> {
    const sent = this.#sending.then(() => {
      if (this.#failure !== undefined) throw this.#failure.error;
      this.#lastSent = performance.now();
      return this.#frames.send(frame);
    });
    this.#sending = sent.catch(() => undefined);
    return sent;
  }

  /** Sends keep-alives while idle and aborts the link when the neighbour stays silent for the idle timeout. */
  #schedule(): void {
    const interval = this.#idleTimeout / 3;
    const planned = performance.now() + interval;
    this.#timer = setTimeout(() => {
      if (this.#failure !== undefined) return;
      const now = performance.now();
      // A timer this late means our own event loop was busy (a long reconciliation step): the neighbour's frames
      // may be waiting unread, so silence is not judged until the reader had a chance.
      if (now - planned > interval) this.#lastReceived = now;
      if (now - this.#lastReceived >= this.#idleTimeout) {
        this.abort(new SyncError(SYNC_ERROR_CODES.TIMEOUT, `the neighbour sent nothing for ${this.#idleTimeout} ms`));
        return;
      }
      if (now - this.#lastSent >= interval) this.#send(Uint8Array.of(FRAME.keepAlive)).catch(() => undefined);
      this.#schedule();
    }, interval);
    unrefTimer(this.#timer);
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const [id, pending] of [...this.#fetches]) {
      this.#settle(id, pending);
      pending.chunks.fail(error);
    }
    for (const serving of this.#serving.values()) serving.cancelled = true;
  }
}

function violation(message: string): SyncError {
  return new SyncError(SYNC_ERROR_CODES.PROTOCOL_VIOLATION, message);
}

function concatFrame(head: number | Uint8Array, body: Uint8Array): Uint8Array {
  const prefix = typeof head === 'number' ? Uint8Array.of(head) : head;
  const frame = new Uint8Array(prefix.length + body.length);
  frame.set(prefix);
  frame.set(body, prefix.length);
  return frame;
}

/** Chunks handed from the link's reader to a blob store write, holding at most a few chunks (backpressure). */
class ChunkQueue implements AsyncIterable<Uint8Array> {
  static readonly CAPACITY = 4;
  readonly #chunks: Uint8Array[] = [];
  #closed = false;
  #failure: { readonly error: unknown } | undefined;
  #wakeReader: (() => void) | undefined;
  #wakeWriter: (() => void) | undefined;

  /** Queues a chunk; waits while the queue is full. Dropped once the queue is closed or failed. */
  async push(chunk: Uint8Array): Promise<void> {
    while (this.#chunks.length >= ChunkQueue.CAPACITY && !this.#closed) {
      await new Promise<void>((resolve) => (this.#wakeWriter = resolve));
    }
    if (this.#closed) return;
    this.#chunks.push(chunk.slice());
    this.#wake();
  }

  /** Ends the chunks after those queued. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** Ends the chunks with an error for the reader; a waiting writer is released. */
  fail(error: unknown): void {
    if (this.#closed) return;
    this.#failure = { error };
    this.#closed = true;
    this.#chunks.length = 0;
    this.#wake();
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
      if (this.#failure !== undefined) throw this.#failure.error;
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
  }

  #wake(): void {
    this.#wakeReader?.();
    this.#wakeReader = undefined;
    this.#wakeWriter?.();
    this.#wakeWriter = undefined;
  }
}
