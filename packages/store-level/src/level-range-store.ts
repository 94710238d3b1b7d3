import type { NamespaceId } from '@docs/crypto';
import { EMPTY_FINGERPRINT, RecordIdentifier, xorFingerprintInto, type SignedEntry } from '@docs/entry';
import type { Range, RangeStore } from '@docs/rbsr';
import { clampRange, type KeyInterval } from '@docs/store';
import type { AggregateCache } from './aggregate-cache.js';
import type { Aggregate, FingerprintAggregates } from './fingerprint-aggregates.js';
import { prefixBounds, recordKey } from './key-layout.js';
import { successorKey } from './key-value.js';
import type { LevelDatabase } from './level-database.js';
import type { ReadWriteLock } from './read-write-lock.js';
import { decodeStoredRecord } from './stored-record.js';

/** What a namespace's range store reads through. */
export interface RangeStoreContext {
  readonly database: LevelDatabase;
  /** The committed aggregate nodes, in memory. */
  readonly cache: AggregateCache;
  readonly aggregates: FingerprintAggregates;
  /** Held shared around multi-step aggregate reads, so that no batch commits in between. */
  readonly commitLock: ReadWriteLock;
  ensureOpen(): void;
}

/**
 * One namespace's entries as the reconciliation engine sees them. Every range is first clamped to the namespace
 * ({@link clampRange}); count, fingerprint and keyAt then read the persisted aggregates (a few short walks per
 * interval, never the whole range); items streams the records.
 */
export class LevelRangeStore implements RangeStore<SignedEntry> {
  constructor(
    private readonly context: RangeStoreContext,
    private readonly namespace: NamespaceId,
  ) {}

  /** The namespace's smallest record id, or 64 zero bytes when it has no entry. */
  async firstKey(): Promise<Uint8Array> {
    this.context.ensureOpen();
    for await (const [key] of this.context.database.entries({ ...this.recordBounds(), limit: 1 })) return key.slice(1);
    return RecordIdentifier.zero().bytes;
  }

  /** Number of the namespace's entries in `range`. */
  async count(range: Range): Promise<number> {
    this.context.ensureOpen();
    const intervals = clampRange(this.namespace, range);
    return this.context.commitLock.shared(async () => {
      let total = 0;
      for (const interval of intervals) total += (await this.aggregate(interval)).count;
      return total;
    });
  }

  /** The empty fingerprint XOR the fingerprint of every entry of the namespace in `range`. */
  async fingerprint(range: Range): Promise<Uint8Array> {
    this.context.ensureOpen();
    const intervals = clampRange(this.namespace, range);
    return this.context.commitLock.shared(async () => {
      const fingerprint = EMPTY_FINGERPRINT.slice();
      for (const interval of intervals) xorFingerprintInto(fingerprint, (await this.aggregate(interval)).xor);
      return fingerprint;
    });
  }

  /** The entries of `range` in the reference's iteration order. */
  async *items(range: Range): AsyncGenerator<SignedEntry> {
    this.context.ensureOpen();
    const records = this.recordBounds();
    for (const interval of clampRange(this.namespace, range)) {
      for await (const [key, value] of this.context.database.entries({
        gte: recordKey(interval.from),
        lt: interval.to === undefined ? records.lt : recordKey(interval.to),
      })) {
        yield decodeStoredRecord(key.subarray(1), value);
      }
    }
  }

  /** The key of the `index`-th entry of `range` in iteration order; past the end → RangeError. */
  async keyAt(range: Range, index: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
    this.context.ensureOpen();
    const intervals = clampRange(this.namespace, range);
    const { aggregates, database, cache } = this.context;
    const found = await this.context.commitLock.shared(async () => {
      const nodes = await cache.nodes(this.namespace);
      const loadPage = (boundary: Uint8Array): Promise<void> =>
        cache.ensureLevelOne(this.namespace, successorKey(boundary), successorKey(boundary));
      let left = index;
      for (const interval of intervals) {
        await this.loadPagesAround(interval);
        const [before, upTo] = await Promise.all([
          aggregates.below(database, nodes, this.namespace, interval.from),
          aggregates.below(database, nodes, this.namespace, interval.to),
        ]);
        const inside = upTo.count - before.count;
        if (left < inside) return aggregates.select(database, nodes, this.namespace, before.count + left, loadPage);
        left -= inside;
      }
      return undefined;
    });
    if (found === undefined) throw new RangeError(`index ${index} is past the end of the range`);
    return found.slice();
  }

  /** Must run under the shared commit lock. */
  private async aggregate(interval: KeyInterval): Promise<Aggregate> {
    const { aggregates, database, cache } = this.context;
    await this.loadPagesAround(interval);
    return aggregates.between(database, await cache.nodes(this.namespace), this.namespace, interval.from, interval.to);
  }

  /** Loads the level-1 pages that the walks towards an interval's two bounds read. */
  private async loadPagesAround(interval: KeyInterval): Promise<void> {
    const { cache } = this.context;
    await cache.ensureLevelOne(this.namespace, interval.from, interval.from);
    await cache.ensureLevelOne(this.namespace, interval.to, interval.to);
  }

  private recordBounds(): { gte: Uint8Array; lt: Uint8Array } {
    return prefixBounds(recordKey(this.namespace));
  }
}
