import type { ByteChannel } from './byte-stream.js';
import { abortError, checkChunk, connectionClosed, connectionLost } from './channel-errors.js';
import { checkHighWaterMark, DEFAULT_HIGH_WATER_MARK, ReceiveBuffer } from './receive-buffer.js';
import { WriteGate } from './write-gate.js';

/** One end of an in-process channel pair. Written chunks are copied, so callers may reuse their buffers. */
class MemoryChannel implements ByteChannel {
  readonly #incoming: ReceiveBuffer;
  readonly #gate = new WriteGate();
  #peer!: MemoryChannel;
  #blocked = false;
  #ended = false;
  #failure: { readonly error: unknown } | undefined;

  constructor(highWaterMark: number) {
    // The buffer this end reads from is the one the peer writes into: it gates the peer's writes.
    this.#incoming = new ReceiveBuffer(highWaterMark, {
      pause: () => this.#peer.#block(),
      resume: () => this.#peer.#unblock(),
    });
  }

  /** Links two ends. */
  static connect(a: MemoryChannel, b: MemoryChannel): void {
    a.#peer = b;
    b.#peer = a;
  }

  read(): Promise<Uint8Array | undefined> {
    return this.#incoming.read();
  }

  async write(chunk: Uint8Array): Promise<void> {
    checkChunk(chunk);
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#ended) throw connectionClosed('written after end()');
    if (chunk.length === 0) return;
    this.#peer.#incoming.push(chunk.slice());
    if (this.#blocked) await this.#gate.wait();
  }

  end(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    if (!this.#ended) {
      this.#ended = true;
      this.#peer.#incoming.end();
    }
    return Promise.resolve();
  }

  abort(error?: unknown): void {
    if (this.#failure !== undefined) return;
    this.#fail(abortError(error));
    this.#peer.#fail(connectionLost('the remote peer aborted the stream'));
  }

  #block(): void {
    this.#blocked = true;
  }

  #unblock(): void {
    this.#blocked = false;
    this.#gate.release();
  }

  #fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#incoming.fail(error);
    this.#gate.fail(error);
  }
}

/**
 * Two connected in-process {@link ByteChannel}s: what one writes, the other reads. Each direction buffers at
 * most `highWaterMark` bytes (plus the chunk that crossed it) before `write` waits for the reader.
 */
export function createChannelPair(highWaterMark: number = DEFAULT_HIGH_WATER_MARK): [ByteChannel, ByteChannel] {
  checkHighWaterMark(highWaterMark);
  const a = new MemoryChannel(highWaterMark);
  const b = new MemoryChannel(highWaterMark);
  MemoryChannel.connect(a, b);
  return [a, b];
}
