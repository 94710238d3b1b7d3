import { SYNC_ERROR_CODES, SyncError } from './errors.js';
import { DEFAULT_MAX_FRAME_LENGTH, FrameDecoder, encodeFrame } from './frame.js';
import type { ByteChannel } from './transport/byte-stream.js';

/** Options of a {@link FramedChannel}. */
export interface FramedChannelOptions {
  /** Largest frame payload accepted or sent, in bytes (default {@link DEFAULT_MAX_FRAME_LENGTH}, at most 1 GiB). */
  readonly maxFrameLength?: number;
}

/**
 * Length-prefixed frames over a byte channel, with counts of frames and bytes each way. An incoming frame over
 * the limit is refused (`DOCS_SYNC_FRAME_TOO_LARGE`) before it is buffered.
 */
export class FramedChannel {
  readonly #channel: ByteChannel;
  readonly #decoder: FrameDecoder;
  readonly #maxFrameLength: number;
  readonly #pending: Uint8Array[] = [];
  #ended = false;
  /** Bytes written, frame headers included. */
  bytesSent = 0;
  /** Bytes read, frame headers included. */
  bytesReceived = 0;
  /** Frames written. */
  framesSent = 0;
  /** Frames read. */
  framesReceived = 0;

  constructor(channel: ByteChannel, options: FramedChannelOptions = {}) {
    this.#channel = channel;
    this.#maxFrameLength = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    this.#decoder = new FrameDecoder(this.#maxFrameLength);
  }

  /** Sends one payload as one frame; waits while the transport applies backpressure. */
  async send(payload: Uint8Array): Promise<void> {
    const frame = encodeFrame(payload, this.#maxFrameLength);
    await this.#channel.write(frame);
    this.bytesSent += frame.length;
    this.framesSent++;
  }

  /** The next frame's payload, or undefined when the peer ended its side cleanly between frames. */
  async receive(): Promise<Uint8Array | undefined> {
    while (this.#pending.length === 0) {
      if (this.#ended) return undefined;
      const chunk = await this.#channel.read();
      if (chunk === undefined) {
        this.#ended = true;
        this.#decoder.end();
        return undefined;
      }
      this.bytesReceived += chunk.length;
      this.#pending.push(...this.#decoder.push(chunk));
    }
    this.framesReceived++;
    return this.#pending.shift();
  }

  /** Half-closes our side, then waits for the peer to end theirs; a further frame is a protocol violation. */
  async finish(): Promise<void> {
    await this.#channel.end();
    if ((await this.receive()) !== undefined) {
      throw new SyncError(SYNC_ERROR_CODES.PROTOCOL_VIOLATION, 'the peer sent data after the exchange finished');
    }
  }

  /** Half-closes our side without waiting for the peer. */
  end(): Promise<void> {
    return this.#channel.end();
  }

  /** Aborts the underlying channel. */
  abort(error?: unknown): void {
    this.#channel.abort(error);
  }
}
