interface GateWaiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Writers waiting for a full send buffer to drain: released together, or rejected together on failure. */
export class WriteGate {
  #waiters: GateWaiter[] = [];

  /** A promise that settles at the next {@link WriteGate.release} or {@link WriteGate.fail}. */
  wait(): Promise<void> {
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  /** Lets every waiting writer go on. */
  release(): void {
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  /** Rejects every waiting writer with `error`. */
  fail(error: unknown): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
