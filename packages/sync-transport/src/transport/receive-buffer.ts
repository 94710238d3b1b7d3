/** Default bytes a channel buffers per direction before it pushes back: 256 KiB. */
export const DEFAULT_HIGH_WATER_MARK = 256 * 1024;

/**
 * Throws RangeError unless `highWaterMark` is a positive integer.
 * @returns `highWaterMark`
 */
export function checkHighWaterMark(highWaterMark: number): number {
  if (!Number.isSafeInteger(highWaterMark) || highWaterMark < 1) {
    throw new RangeError('highWaterMark must be a positive integer');
  }
  return highWaterMark;
}

/** Where received bytes come from: paused while the buffer is full, resumed once it is read below that. */
export interface ReceiveSource {
  pause(): void;
  resume(): void;
}

interface Waiter {
  resolve(chunk: Uint8Array | undefined): void;
  reject(error: unknown): void;
}

/**
 * The chunks a channel received and its reader has not read yet. Pauses the source when `highWaterMark`
 * bytes are waiting, so an unread channel holds a bounded amount; resumes it when reads bring it below.
 */
export class ReceiveBuffer {
  readonly #highWaterMark: number;
  readonly #source: ReceiveSource;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #bytes = 0;
  #paused = false;
  #ended = false;
  #failure: { readonly error: unknown } | undefined;
  #waiters: Waiter[] = [];

  constructor(highWaterMark: number, source: ReceiveSource) {
    this.#highWaterMark = highWaterMark;
    this.#source = source;
  }

  /** Whether the remote's end arrived. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether {@link ReceiveBuffer.fail} was called. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Adds received bytes (ignored after the end or a failure). */
  push(chunk: Uint8Array): void {
    if (this.#ended || this.#failure !== undefined || chunk.length === 0) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    if (!this.#paused && this.#bytes >= this.#highWaterMark) {
      this.#paused = true;
      this.#source.pause();
    }
  }

  /** The remote ended its side: reads answer undefined once the buffered chunks are read. */
  end(): void {
    if (this.#ended || this.#failure !== undefined) return;
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(undefined);
  }

  /** Drops the buffered chunks; pending and later reads reject with `error`. The first failure wins. */
  fail(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }

  /** The next chunk, undefined after the end, or a rejection after a failure. */
  read(): Promise<Uint8Array | undefined> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure.error);
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#head += 1;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#chunks.length) {
        this.#chunks = this.#chunks.slice(this.#head);
        this.#head = 0;
      }
      this.#bytes -= chunk.length;
      if (this.#paused && this.#bytes < this.#highWaterMark) {
        this.#paused = false;
        this.#source.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
}
