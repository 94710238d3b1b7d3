/**
 * A size-bounded map that forgets its oldest insertion when full. Used to cache imported key
 * objects, whose creation costs more than the operation they serve.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #capacity: number;

  /** @param capacity - the number of entries kept (at least 1) */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** The value stored under `key`, if any. */
  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Stores `value` under `key`, evicting the oldest entry when the cache is full. */
  set(key: K, value: V): void {
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }

  /** Removes `key`. */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** The number of entries. */
  get size(): number {
    return this.#entries.size;
  }
}
