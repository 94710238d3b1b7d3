import type { DocsStore } from '../store.js';

/** How the conformance suite gets stores of the backend under test. */
export interface StoreConformanceOptions {
  /** A fresh, empty store (its own database). */
  create(): DocsStore | Promise<DocsStore>;
  /**
   * Closes `store` and opens the same persistent store again. Omit it for stores that keep nothing across a close;
   * the persistence tests are skipped then.
   */
  reopen?(store: DocsStore): Promise<DocsStore>;
  /**
   * Runs the long randomised tests (many seeds and steps). Defaults to `process.env.SLOW === '1'`.
   */
  slow?: boolean;
}

/** Whether `SLOW=1` is set in the environment (false where there is no `process`). */
export function slowFromEnvironment(): boolean {
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return environment?.['SLOW'] === '1';
}

/** Creates stores for the tests and closes every one of them after each test. */
export class StoreHarness {
  readonly #options: StoreConformanceOptions;
  readonly #open = new Set<DocsStore>();
  /** Whether the long randomised tests run. */
  readonly slow: boolean;

  constructor(options: StoreConformanceOptions) {
    this.#options = options;
    this.slow = options.slow ?? slowFromEnvironment();
  }

  /** True if the backend can be reopened (persistence tests run). */
  get canReopen(): boolean {
    return this.#options.reopen !== undefined;
  }

  /** A fresh store, closed after the test. */
  async create(): Promise<DocsStore> {
    const store = await this.#options.create();
    this.#open.add(store);
    return store;
  }

  /** Closes and reopens a persistent store. */
  async reopen(store: DocsStore): Promise<DocsStore> {
    const reopen = this.#options.reopen;
    if (reopen === undefined) throw new TypeError('this backend has no reopen');
    this.#open.delete(store);
    const reopened = await reopen(store);
    this.#open.add(reopened);
    return reopened;
  }

  /** Closes every store the current test created. */
  async closeAll(): Promise<void> {
    const stores = [...this.#open];
    this.#open.clear();
    await Promise.all(stores.map((store) => store.close()));
  }
}
