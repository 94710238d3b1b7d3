/**
 * Runs async tasks with at most `limit` of them in flight; the others wait in call order. Used to keep work that
 * runs on libuv's thread pool from filling it: the pool (4 threads by default) also serves file system and
 * database I/O, which would otherwise queue behind every task.
 */
export class ConcurrencyLimit {
  readonly limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  /** @throws RangeError when `limit` is not a positive integer */
  constructor(limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Runs `task` once fewer than `limit` tasks are in flight, and returns what it returns. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so the count stays exact.
      if (next === undefined) this.#active--;
      else next();
    }
  }
}
