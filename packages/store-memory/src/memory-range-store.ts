import type { SignedEntry } from '@docs/entry';
import type { Range, RangeStore, SplitPart } from '@docs/rbsr';

/**
 * The reconciliation view of one namespace of a {@link MemoryStore}. It looks the namespace up on every call, so
 * it follows later writes and removal, and it fails with `DOCS_STORE_CLOSED` once the store is closed. The
 * namespace's entries live in their own tree, so no range can reach another namespace.
 */
export class MemoryRangeStore implements RangeStore<SignedEntry> {
  readonly #current: () => RangeStore<SignedEntry>;

  /** @param current - the namespace's tree view now (throws `DOCS_STORE_CLOSED` when closed) */
  constructor(current: () => RangeStore<SignedEntry>) {
    this.#current = current;
  }

  async firstKey(): Promise<Uint8Array> {
    return this.#current().firstKey();
  }

  async count(range: Range): Promise<number> {
    return this.#current().count(range);
  }

  async fingerprint(range: Range): Promise<Uint8Array> {
    return this.#current().fingerprint(range);
  }

  async *items(range: Range): AsyncGenerator<SignedEntry, void, undefined> {
    yield* this.#current().items(range);
  }

  async keyAt(range: Range, index: number): Promise<Uint8Array> {
    return this.#current().keyAt(range, index);
  }

  /** See `RangeStore.splitRange`: by index in the namespace's tree. */
  async splitRange(range: Range, count: number, parts: number): Promise<readonly SplitPart[] | undefined> {
    return this.#current().splitRange?.(range, count, parts);
  }
}
