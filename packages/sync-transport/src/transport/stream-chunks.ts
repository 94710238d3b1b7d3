/*
 * How a byte channel rides on a TCP connection: the stream's bytes go in chunks, each a u32 big-endian length
 * (1 to MAX_STREAM_CHUNK) and that many bytes; a zero length marks the end of the sender's side, after which
 * the sender half-closes the connection. A connection that closes without that marker was lost or aborted:
 * TCP alone cannot tell them apart, since Node may report a reset that follows fresh data as a plain end.
 */

/** Bytes of a chunk header. */
export const CHUNK_HEADER_LENGTH = 4;

/** Largest chunk sent or accepted: 1 MiB. Larger writes go out as several chunks. */
export const MAX_STREAM_CHUNK = 1024 * 1024;

/** The header of a chunk of `length` bytes (0: the end marker). */
export function chunkHeader(length: number): Uint8Array {
  const header = new Uint8Array(CHUNK_HEADER_LENGTH);
  new DataView(header.buffer).setUint32(0, length);
  return header;
}

/** What a {@link ChunkParser} found in received bytes. */
export interface ChunkSink {
  /** Stream bytes (views of the received data). */
  data(bytes: Uint8Array): void;
  /** The sender's end marker. */
  end(): void;
}

/**
 * Reads chunked bytes as they arrive, without buffering payloads: each received piece of a chunk is passed on
 * at once; only a header split across reads is held (at most 3 bytes).
 */
export class ChunkParser {
  readonly #header = new Uint8Array(CHUNK_HEADER_LENGTH);
  #headerFilled = 0;
  #remaining = 0;
  #ended = false;

  /** Whether the bytes so far stop inside a chunk. */
  get midChunk(): boolean {
    return this.#headerFilled > 0 || this.#remaining > 0;
  }

  /**
   * Parses received bytes into `sink`.
   * @throws RangeError when the peer breaks the format (a chunk above the limit, bytes after the end marker).
   */
  push(received: Uint8Array, sink: ChunkSink): void {
    let offset = 0;
    while (offset < received.length) {
      if (this.#ended) throw new RangeError('the peer sent bytes after its end marker');
      if (this.#remaining > 0) {
        const length = Math.min(this.#remaining, received.length - offset);
        sink.data(received.subarray(offset, offset + length));
        offset += length;
        this.#remaining -= length;
        continue;
      }
      const length = Math.min(CHUNK_HEADER_LENGTH - this.#headerFilled, received.length - offset);
      this.#header.set(received.subarray(offset, offset + length), this.#headerFilled);
      this.#headerFilled += length;
      offset += length;
      if (this.#headerFilled < CHUNK_HEADER_LENGTH) continue;
      this.#headerFilled = 0;
      const chunkLength = new DataView(this.#header.buffer).getUint32(0);
      if (chunkLength > MAX_STREAM_CHUNK) {
        throw new RangeError(`the peer sent a chunk of ${chunkLength} bytes; the limit is ${MAX_STREAM_CHUNK}`);
      }
      if (chunkLength === 0) {
        this.#ended = true;
        sink.end();
      } else {
        this.#remaining = chunkLength;
      }
    }
  }
}
