import { DEFAULT_FRAME_BUDGET } from '@docs/rbsr';
import { SYNC_ERROR_CODES, SyncError } from './errors.js';

/** Bytes of the big-endian u32 length before each frame. */
export const FRAME_HEADER_LENGTH = 4;
/**
 * Bytes a protocol message adds around its reconciliation message: the message variant and, for Init, the
 * 32-byte namespace (64 leaves room).
 */
export const MESSAGE_ENVELOPE_ALLOWANCE = 64;
/**
 * Default largest frame payload accepted: a reconciliation message of the replicas' default frame budget (4 MiB)
 * plus its envelope, so that a full reply of a default replica always fits.
 */
export const DEFAULT_MAX_FRAME_LENGTH = DEFAULT_FRAME_BUDGET + MESSAGE_ENVELOPE_ALLOWANCE;
/** The reference's limit, the most this implementation can be configured to accept: 1 GiB. */
export const MAX_FRAME_LENGTH_LIMIT = 1024 * 1024 * 1024;

/** Prefixes a payload with its u32 big-endian length. */
export function encodeFrame(payload: Uint8Array, maxFrameLength = MAX_FRAME_LENGTH_LIMIT): Uint8Array {
  if (payload.length > maxFrameLength) {
    throw new SyncError(
      SYNC_ERROR_CODES.FRAME_TOO_LARGE,
      `frame of ${payload.length} bytes exceeds the limit of ${maxFrameLength} bytes`,
    );
  }
  const frame = new Uint8Array(FRAME_HEADER_LENGTH + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length);
  frame.set(payload, FRAME_HEADER_LENGTH);
  return frame;
}

/**
 * Splits a byte stream into frames. A frame whose header announces more than `maxFrameLength` bytes is refused with
 * `DOCS_SYNC_FRAME_TOO_LARGE` as soon as its header arrives, before any of its payload is buffered; a partial frame
 * waits for more bytes.
 */
export class FrameDecoder {
  readonly #maxFrameLength: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #expected: number | undefined;

  constructor(maxFrameLength = DEFAULT_MAX_FRAME_LENGTH) {
    if (!Number.isSafeInteger(maxFrameLength) || maxFrameLength < 0 || maxFrameLength > MAX_FRAME_LENGTH_LIMIT) {
      throw new RangeError(`maxFrameLength must be an integer from 0 to ${MAX_FRAME_LENGTH_LIMIT}`);
    }
    this.#maxFrameLength = maxFrameLength;
  }

  /** Bytes received and not yet returned as a frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Feeds received bytes; returns every frame payload they complete. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.#expected === undefined) {
        if (this.#buffered < FRAME_HEADER_LENGTH) return frames;
        const header = this.#take(FRAME_HEADER_LENGTH);
        const length = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
        if (length > this.#maxFrameLength) {
          this.#chunks = [];
          this.#buffered = 0;
          throw new SyncError(
            SYNC_ERROR_CODES.FRAME_TOO_LARGE,
            `peer announced a frame of ${length} bytes; the limit is ${this.#maxFrameLength}`,
          );
        }
        this.#expected = length;
      }
      if (this.#buffered < this.#expected) return frames;
      frames.push(this.#take(this.#expected));
      this.#expected = undefined;
    }
  }

  /** Call when the stream ends: throws `DOCS_SYNC_TRUNCATED_FRAME` if it ended inside a frame. */
  end(): void {
    if (this.#buffered > 0 || this.#expected !== undefined) {
      throw new SyncError(SYNC_ERROR_CODES.TRUNCATED_FRAME, 'the stream ended inside a frame');
    }
  }

  #take(count: number): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const first = this.#chunks[0]!;
    let out: Uint8Array;
    if (first.length >= count) {
      out = first.subarray(0, count);
      if (first.length === count) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      while (filled < count) {
        const chunk = this.#chunks[0]!;
        const used = Math.min(chunk.length, count - filled);
        out.set(chunk.subarray(0, used), filled);
        filled += used;
        if (used === chunk.length) this.#chunks.shift();
        else this.#chunks[0] = chunk.subarray(used);
      }
    }
    this.#buffered -= count;
    return out;
  }
}
