interface Waiter {
  readonly exclusive: boolean;
  readonly grant: () => void;
}

/**
 * A first-come first-served read/write lock: readers share, a writer is alone, and a waiting writer holds back
 * later readers (no starvation). Multi-step reads of the aggregates take it shared so that a batch committing in
 * between cannot mix two states; a commit takes it exclusively.
 */
export class ReadWriteLock {
  private readers = 0;
  private writing = false;
  private readonly waiting: Waiter[] = [];

  /** Runs `task` while holding the lock shared. */
  async shared<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await task();
    } finally {
      this.readers--;
      this.wake();
    }
  }

  /** Runs `task` while holding the lock exclusively. */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await task();
    } finally {
      this.writing = false;
      this.wake();
    }
  }

  private acquire(exclusive: boolean): Promise<void> {
    if (this.waiting.length === 0 && !this.writing && (!exclusive || this.readers === 0)) {
      this.take(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ exclusive, grant: resolve }));
  }

  private take(exclusive: boolean): void {
    if (exclusive) this.writing = true;
    else this.readers++;
  }

  private wake(): void {
    while (this.waiting.length > 0 && !this.writing) {
      const next = this.waiting[0]!;
      if (next.exclusive && this.readers > 0) return;
      this.waiting.shift();
      this.take(next.exclusive);
      next.grant();
    }
  }
}
