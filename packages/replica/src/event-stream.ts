/**
 * Delivered by an event stream in place of events it had to drop: `missed` events older than the next one were
 * discarded because the consumer fell behind.
 */
export interface LaggedEvent {
  readonly type: 'lagged';
  readonly missed: number;
}

/** The default number of undelivered events an event stream buffers. */
export const DEFAULT_EVENT_BUFFER_SIZE = 1024;

/**
 * An async iterator over events with a bounded buffer. Producers never wait: when `capacity` events are waiting
 * and another arrives, the oldest is dropped and counted, and the consumer receives one {@link LaggedEvent} with
 * the count before the events that were kept (the policy of a broadcast channel: memory stays bounded and a slow
 * consumer learns that it missed events, so it can re-read state with a query). `return()` (or `break` in a
 * `for await` loop) unsubscribes; after the source closes, buffered events are still delivered, then the iterator
 * ends.
 */
export class EventStream<T> implements AsyncIterableIterator<T | LaggedEvent> {
  readonly #capacity: number;
  readonly #onReturn: () => void;
  #buffer: T[] = [];
  #head = 0;
  #missed = 0;
  #ended = false;
  /** Consumers waiting in `next()` while nothing is buffered, oldest first. */
  readonly #waiting: Array<(result: IteratorResult<T | LaggedEvent, undefined>) => void> = [];

  /**
   * @param capacity - how many undelivered events to keep (≥ 1)
   * @param onReturn - called once when the consumer stops (`return()`)
   */
  constructor(capacity: number, onReturn: () => void) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.#capacity = capacity;
    this.#onReturn = onReturn;
  }

  /** Number of events waiting to be read. */
  get pending(): number {
    return this.#buffer.length - this.#head;
  }

  /** Adds an event; drops the oldest waiting one when full. Ignored after the stream ended. */
  push(event: T): void {
    if (this.#ended) return;
    const waiting = this.#waiting.shift();
    if (waiting !== undefined) {
      waiting({ done: false, value: event });
      return;
    }
    if (this.pending === this.#capacity) {
      this.#head++;
      this.#missed++;
    }
    this.#buffer.push(event);
    // Compact once the consumed prefix dominates, so the array does not grow without bound.
    if (this.#head > this.#capacity) {
      this.#buffer = this.#buffer.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Ends the stream: buffered events are still delivered, then the iterator is done. */
  end(): void {
    this.#ended = true;
    for (const resolve of this.#waiting.splice(0)) resolve({ done: true, value: undefined });
  }

  /** The next event, a {@link LaggedEvent}, or done. */
  next(): Promise<IteratorResult<T | LaggedEvent, undefined>> {
    if (this.#missed > 0) {
      const missed = this.#missed;
      this.#missed = 0;
      return Promise.resolve({ done: false, value: { type: 'lagged', missed } });
    }
    if (this.pending > 0) {
      const value = this.#buffer[this.#head]!;
      this.#head++;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
    });
  }

  /** Stops the stream and unsubscribes; waiting events are discarded. */
  return(): Promise<IteratorResult<T | LaggedEvent, undefined>> {
    if (!this.#ended) this.#onReturn();
    this.#buffer = [];
    this.#head = 0;
    this.#missed = 0;
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
