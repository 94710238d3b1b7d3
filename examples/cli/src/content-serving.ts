import type { DocsStore } from '@docs/store';

/**
 * Watches content reads that peers cause: the sync engine serves a neighbour's content request by reading a
 * stream from the blob store. A one-off `docs sync` uses this to stay online until the peer has fetched the
 * content of the entries it just received (the engine reports no event for content a neighbour fetched).
 */
export class ContentServingMonitor {
  #active = 0;
  #lastActivity = 0;

  /** Content streams being read right now. */
  get active(): number {
    return this.#active;
  }

  /** `performance.now()` of the last start or end of a read. */
  get lastActivity(): number {
    return this.#lastActivity;
  }

  /** A view of `store` whose `blobs.getStream` reports to this monitor; everything else is the store itself. */
  observe<Store extends DocsStore>(store: Store): Store {
    const blobs = delegate(store.blobs, {
      getStream: async (hash: Uint8Array) => {
        const stream = await store.blobs.getStream(hash);
        return stream === undefined ? undefined : this.#track(stream);
      },
    });
    return delegate(store, { blobs });
  }

  async *#track(stream: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    this.#change(+1);
    try {
      yield* stream;
    } finally {
      this.#change(-1);
    }
  }

  #change(delta: number): void {
    this.#active += delta;
    this.#lastActivity = performance.now();
  }
}

/** `target` with some members replaced; its other methods stay bound to `target` (private state works). */
function delegate<T extends object>(target: T, overrides: Readonly<Record<string, unknown>>): T {
  return new Proxy(target, {
    get(object, property) {
      if (typeof property === 'string' && Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}
