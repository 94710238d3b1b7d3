import { STORE_ERROR_CODES, StoreError } from '@docs/store';
import { TABLE, mapKey, prefixBounds, recordKey } from './key-layout.js';
import type { Aggregate } from './fingerprint-aggregates.js';
import { successorKey, type BatchOperation, type KeyValueReader } from './key-value.js';
import { SortedByteMap, lowerBound } from './sorted-byte-map.js';
import { storedFingerprint } from './stored-record.js';

/** The records of one level-1 node: their ids in order and their fingerprints (32 bytes each, same order). */
interface Page {
  readonly namespace: string;
  readonly boundary: Uint8Array;
  readonly ids: readonly Uint8Array[];
  readonly fingerprints: Uint8Array;
}

/**
 * Default number of pages kept: with 16-way nodes about 65k records, ~10 MB (ids of 64 bytes plus short keys, and
 * their fingerprints).
 */
export const DEFAULT_RECORD_PAGES = 4096;

/**
 * The records of recently read level-1 aggregate nodes, in memory, least recently used dropped first.
 *
 * A range operation ends in the records after the last level-1 boundary below each of its bounds: one node's
 * records (about 16). Reading them is a database walk; reconciliation reads the same nodes many times (count,
 * fingerprint and split pivots of a range, then the peer's answer over the same sub-ranges), so the walks are
 * done once per node and kept as a **page**: the node's record ids and fingerprints.
 *
 * Pages hold committed state only: {@link applyCommitted} runs under the store's exclusive commit lock and drops
 * every page a committed record write may change — the one holding the record's id and the one before it (a
 * removed boundary merges its node into the previous one). Pages are read under the shared lock, so a page is
 * never loaded across a commit. A page is keyed by its node's boundary and checked against the node's count.
 */
export class RecordPages {
  private readonly byNamespace = new Map<string, SortedByteMap<Page>>();
  /** Every page, least recently used first. */
  private readonly recency = new Set<Page>();

  constructor(
    private readonly records: KeyValueReader,
    private readonly capacity = DEFAULT_RECORD_PAGES,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /**
   * Count and XOR of the records with `from ≤ id < to` (`to` undefined: no upper bound) among the `count` records
   * of the level-1 node starting at `boundary` (a record id, or the namespace id for the head node).
   */
  async sum(namespace: Uint8Array, boundary: Uint8Array, count: number, from: Uint8Array, to: Uint8Array | undefined): Promise<Aggregate> {
    const page = await this.page(namespace, boundary, count);
    const first = lowerBound(page.ids, from);
    const end = to === undefined ? page.ids.length : lowerBound(page.ids, to);
    const xor = new Uint8Array(32);
    const { fingerprints } = page;
    for (let index = first; index < end; index++) {
      const offset = index * 32;
      for (let byte = 0; byte < 32; byte++) xor[byte]! ^= fingerprints[offset + byte]!;
    }
    return { count: Math.max(0, end - first), xor };
  }

  /** The id of the `index`-th of the `count` records of the level-1 node starting at `boundary`. */
  async idAt(namespace: Uint8Array, boundary: Uint8Array, count: number, index: number): Promise<Uint8Array | undefined> {
    return (await this.page(namespace, boundary, count)).ids[index];
  }

  /** Drops the pages that the record writes of a committed batch may change. */
  applyCommitted(operations: readonly BatchOperation[]): void {
    if (this.recency.size === 0) return;
    for (const { key } of operations) {
      if (key[0] !== TABLE.records || key.length < 1 + 32) continue;
      const pages = this.byNamespace.get(mapKey(key.subarray(1, 33)));
      if (pages === undefined) continue;
      const id = key.subarray(1);
      // The page holding the id (its boundary ≤ id), and the one before the id (merged into when id was a boundary).
      for (const [, page] of pages.range(undefined, successorKey(id), true)) {
        this.drop(page);
        break;
      }
      for (const [, page] of pages.range(undefined, id, true)) {
        this.drop(page);
        break;
      }
    }
  }

  /** Drops a namespace's pages (after its rows were cleared). */
  forget(namespace: Uint8Array): void {
    const pages = this.byNamespace.get(mapKey(namespace));
    if (pages === undefined) return;
    for (const [, page] of pages.entries()) this.recency.delete(page);
    this.byNamespace.delete(mapKey(namespace));
  }

  private async page(namespace: Uint8Array, boundary: Uint8Array, count: number): Promise<Page> {
    const name = mapKey(namespace);
    const cached = this.byNamespace.get(name)?.get(boundary);
    if (cached !== undefined && cached.ids.length === count) {
      this.recency.delete(cached);
      this.recency.add(cached);
      return cached;
    }
    const page = await this.load(name, namespace, boundary, count);
    let pages = this.byNamespace.get(name);
    if (pages === undefined) {
      pages = new SortedByteMap();
      this.byNamespace.set(name, pages);
    }
    const replaced = pages.get(boundary);
    if (replaced !== undefined) this.recency.delete(replaced);
    pages.set(page.boundary, page);
    this.recency.add(page);
    if (this.recency.size > this.capacity) {
      for (const oldest of this.recency) {
        this.drop(oldest);
        break;
      }
    }
    return page;
  }

  private async load(name: string, namespace: Uint8Array, boundary: Uint8Array, count: number): Promise<Page> {
    const ids: Uint8Array[] = [];
    const fingerprints = new Uint8Array(count * 32);
    if (count > 0) {
      for await (const [key, value] of this.records.entries({
        gte: recordKey(boundary),
        lt: prefixBounds(recordKey(namespace)).lt,
        limit: count,
        readAhead: count,
      })) {
        fingerprints.set(storedFingerprint(value), ids.length * 32);
        ids.push(key.slice(1));
      }
    }
    if (ids.length !== count) {
      throw new StoreError(STORE_ERROR_CODES.CORRUPTED, `an aggregate node counts ${count} records, the records table has ${ids.length}`);
    }
    return { namespace: name, boundary: boundary.slice(), ids, fingerprints };
  }

  private drop(page: Page): void {
    this.recency.delete(page);
    const pages = this.byNamespace.get(page.namespace);
    if (pages === undefined) return;
    pages.delete(page.boundary);
    if (pages.size === 0) this.byNamespace.delete(page.namespace);
  }
}
