import { bytesToMapKey, compareBytes, equalBytes, type NamespaceId } from '@docs/crypto';
import { EMPTY_FINGERPRINT, ID_LENGTH, RECORD_IDENTIFIER_PREFIX_LENGTH, RecordIdentifier, xorFingerprintInto, type SignedEntry } from '@docs/entry';
import { splitByIndex, type ItemSummary, type Range, type RangeStore, type SplitPart } from '@docs/rbsr';
import { STORE_ERROR_CODES, StoreError, clampRange, namespaceInterval, type KeyInterval } from '@docs/store';
import type { AggregateCache } from './aggregate-cache.js';
import type { Aggregate, FingerprintAggregates } from './fingerprint-aggregates.js';
import { prefixBounds, recordKey } from './key-layout.js';
import { successorKey } from './key-value.js';
import type { LevelDatabase } from './level-database.js';
import type { ReadWriteLock } from './read-write-lock.js';
import type { RecordPages } from './record-pages.js';
import { decodeStoredRecord } from './stored-record.js';
import type { WholeNamespace } from './whole-namespace.js';

/** Bytes of bound results a range store keeps between commits (a result takes its bound and about 100 bytes). */
const MEMO_BYTES_LIMIT = 4 * 1024 * 1024;
/** Longer bounds (only ids with very long keys) are not kept. */
const MEMO_BOUND_LIMIT = 1024;
/** What a kept result costs besides its bound. */
const MEMO_RESULT_BYTES = 100;

/**
 * Entries of an interval read by point reads when their ids are in memory (see {@link LevelRangeStore.items}):
 * on classic-level 25 neighbouring point reads cost about half a walk over them.
 */
const POINT_READ_LIMIT = 64;

/**
 * Summaries (keys and fingerprints) handed out at once, at most: a diff's ranges hold a few dozen entries, and a
 * peer's items part over a larger range is answered with items, which stream.
 */
const SUMMARY_LIMIT = 4_096;

/** The memo key of a bound ('' for no bound), or undefined for bounds too long to keep. */
function memoName(bound: Uint8Array | undefined): string | undefined {
  return bound === undefined ? '' : bound.length > MEMO_BOUND_LIMIT ? undefined : bytesToMapKey(bound);
}

/** What a namespace's range store reads through. */
export interface RangeStoreContext {
  readonly database: LevelDatabase;
  /** The committed aggregate nodes, in memory. */
  readonly cache: AggregateCache;
  /** The records of recently read level-1 nodes, in memory. */
  readonly pages: RecordPages;
  /** Batches committed so far: results read at one count hold until it changes. */
  commits(): number;
  readonly aggregates: FingerprintAggregates;
  /** Held shared around multi-step aggregate reads, so that no batch commits in between. */
  readonly commitLock: ReadWriteLock;
  ensureOpen(): void;
}

/**
 * One namespace's entries as the reconciliation engine sees them. Every range is first clamped to the namespace
 * ({@link clampRange}). In a namespace held whole (see `RecordPages.holdNamespace`) count, fingerprint, keyAt and
 * summaries answer from its pages in memory, without a lock or a read; otherwise they read the persisted aggregates
 * (in-memory nodes, and the records of one level-1 node per bound, kept in the store's record pages). Items stream
 * the records.
 */
export class LevelRangeStore implements RangeStore<SignedEntry> {
  /** {@link below} results by bound, read while the store had committed `commits` batches. */
  private memo: { commits: number; bytes: number; results: Map<string, Aggregate> } = { commits: -1, bytes: 0, results: new Map() };

  /** The first key past the namespace's records (undefined: none, for the all-0xff namespace). */
  private readonly end: Uint8Array | undefined;
  /** The namespace's map key, under which the record pages keep it. */
  private readonly name: string;

  constructor(
    private readonly context: RangeStoreContext,
    private readonly namespace: NamespaceId,
  ) {
    this.end = namespaceInterval(namespace).to;
    this.name = bytesToMapKey(namespace);
  }

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
    const whole = this.context.pages.wholeIndex(this.name);
    if (whole !== undefined) return intervals.reduce((total, interval) => total + this.wholeCount(whole, interval), 0);
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
    const whole = this.context.pages.wholeIndex(this.name);
    if (whole !== undefined) {
      const fingerprint = EMPTY_FINGERPRINT.slice();
      for (const interval of intervals) {
        whole.xorBelowInto(this.boundOf(interval.to), fingerprint);
        whole.xorBelowInto(this.boundOf(interval.from), fingerprint);
      }
      return fingerprint;
    }
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
      // Under the shared lock: the point reads of held ids must not see a batch whose pages are not replayed yet.
      const { expected, held } = await this.context.commitLock.shared(async () => {
        const whole = this.context.pages.wholeIndex(this.name);
        const count = whole === undefined ? (await this.aggregate(interval)).count : this.wholeCount(whole, interval);
        return { expected: count, held: this.heldRecords(interval, count) };
      });
      if (held !== undefined) {
        yield* held;
        continue;
      }
      // The count sizes the first read: one step gets the whole range.
      for await (const [key, value] of this.context.database.entries({
        gte: recordKey(interval.from),
        lt: interval.to === undefined ? records.lt : recordKey(interval.to),
        readAhead: expected + 1,
      })) {
        yield decodeStoredRecord(key.subarray(1), value);
      }
    }
  }

  /**
   * The keys and fingerprints of the entries of `range` in iteration order, from memory, if the namespace is held
   * whole and they are at most {@link SUMMARY_LIMIT}; otherwise undefined (see `RangeStore.summaries`). The
   * fingerprints are views that must not be changed.
   */
  async summaries(range: Range): Promise<readonly ItemSummary[] | undefined> {
    this.context.ensureOpen();
    const whole = this.context.pages.wholeIndex(this.name);
    if (whole === undefined) return undefined;
    const spans = clampRange(this.namespace, range).map(
      (interval) => [whole.rank(this.boundOf(interval.from)), whole.rank(this.boundOf(interval.to))] as const,
    );
    if (spans.reduce((total, [from, to]) => total + to - from, 0) > SUMMARY_LIMIT) return undefined;
    const out: ItemSummary[] = [];
    for (const [from, to] of spans) whole.summarize(from, to, out);
    return out;
  }

  /**
   * The engine is about to read about `ranges` ranges (see `RangeStore.expectRangeReads`): if that many page loads
   * (one level-1 node's records each) would bring its piecemeal reads to a quarter of a whole read, the namespace is
   * read whole now, if it fits beside the namespaces held whole (letting idle ones go), instead of after those loads.
   * Nothing to do if it is held whole already. Commits wait for the read (60–110 ms per 100,000 entries on the
   * project's VM on a fast hour, up to ~350 ms on slow ones).
   * @throws RangeError unless `ranges` is a non-negative integer; StoreError `DOCS_STORE_CLOSED`, or
   *   `DOCS_STORE_CORRUPTED` when the pages do not match the aggregates
   */
  async expectRangeReads(ranges: number): Promise<void> {
    if (!Number.isSafeInteger(ranges) || ranges < 0) throw new RangeError(`ranges must be a non-negative integer, got ${ranges}`);
    this.context.ensureOpen();
    const { pages, commitLock, aggregates } = this.context;
    if (pages.holdsWhole(this.namespace)) return;
    const recordsPerLoad = 2 ** aggregates.shape.bitsPerLevel;
    await commitLock.shared(async () => pages.holdNamespace(this.namespace, await this.below(undefined), ranges, recordsPerLoad));
  }

  /** The namespace's entry under the record id `key`, or undefined. */
  async item(key: Uint8Array): Promise<SignedEntry | undefined> {
    this.context.ensureOpen();
    if (key.length < RECORD_IDENTIFIER_PREFIX_LENGTH || !equalBytes(key.subarray(0, ID_LENGTH), this.namespace)) return undefined;
    const value = await this.context.database.get(recordKey(key));
    return value === undefined ? undefined : decodeStoredRecord(key, value);
  }

  /**
   * The entries of a small interval (at most {@link POINT_READ_LIMIT} of them) whose record ids are all in memory,
   * read by synchronous point reads; undefined where a walk is needed. Must run under the shared commit lock.
   */
  private heldRecords(interval: KeyInterval, count: number): SignedEntry[] | undefined {
    const { database, pages } = this.context;
    if (!database.syncReads || count > POINT_READ_LIMIT) return undefined;
    const ids = pages.heldIds(this.namespace, interval.from, interval.to, count);
    if (ids === undefined) return undefined;
    const values = database.getManySync(ids.map(recordKey));
    return ids.map((id, index) => {
      const value = values[index];
      if (value === undefined) throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'a record of a record page is missing');
      return decodeStoredRecord(id, value);
    });
  }

  /**
   * `range` (`x < y`, holding `count` entries) cut into `parts` sub-ranges with their counts and fingerprints, from
   * memory, if the namespace is held whole and indexed (after a few operations, see `RecordPages.wholeIndex`);
   * otherwise undefined (see `RangeStore.splitRange`). The pivots are found
   * by rank, so a split costs two searches and a partial XOR per sub-range instead of three range operations.
   */
  async splitRange(range: Range, count: number, parts: number): Promise<readonly SplitPart[] | undefined> {
    this.context.ensureOpen();
    const whole = this.context.pages.wholeIndex(this.name);
    if (whole === undefined || compareBytes(range.x, range.y) >= 0) return undefined;
    const [interval] = clampRange(this.namespace, range);
    if (interval === undefined) return undefined;
    const first = whole.rank(this.boundOf(interval.from));
    if (whole.rank(this.boundOf(interval.to)) - first !== count) return undefined;
    // Sub-ranges are taken in order, each starting where the one before ended: each rank's XOR is computed once.
    let below = { rank: first, xor: whole.xorBelowRank(first) };
    const xorInto = (fingerprint: Uint8Array, from: number, to: number): void => {
      if (below.rank !== from) below = { rank: from, xor: whole.xorBelowRank(from) };
      const end = whole.xorBelowRank(to);
      xorFingerprintInto(xorFingerprintInto(fingerprint, below.xor), end);
      below = { rank: to, xor: end };
    };
    return splitByIndex(range, count, parts, { first, keyAt: (rank) => whole.idAt(rank)!, xorInto }, EMPTY_FINGERPRINT);
  }

  /** The key of the `index`-th entry of `range` in iteration order; past the end → RangeError. */
  async keyAt(range: Range, index: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
    this.context.ensureOpen();
    const intervals = clampRange(this.namespace, range);
    const { aggregates, pages, cache } = this.context;
    const whole = pages.wholeIndex(this.name);
    const found = whole !== undefined ? this.wholeKeyAt(whole, intervals, index) : await this.context.commitLock.shared(async () => {
      let left = index;
      for (const interval of intervals) {
        const [before, upTo] = await Promise.all([this.below(interval.from), this.below(interval.to)]);
        const inside = upTo.count - before.count;
        if (left < inside) {
          const selected = await aggregates.select(pages, await cache.nodes(this.namespace), this.namespace, before.count + left, this.loadLevelOne);
          // A pivot usually bounds the next ranges asked about: what is below it comes with it.
          if (selected !== undefined) this.remember(selected.id, selected.below);
          return selected?.id;
        }
        left -= inside;
      }
      return undefined;
    });
    if (found === undefined) throw new RangeError(`index ${index} is past the end of the range`);
    return found.slice();
  }

  /** {@link keyAt} in a namespace held whole, or undefined past the end. */
  private wholeKeyAt(whole: WholeNamespace, intervals: readonly KeyInterval[], index: number): Uint8Array | undefined {
    let left = index;
    for (const interval of intervals) {
      const before = whole.rank(this.boundOf(interval.from));
      const inside = whole.rank(this.boundOf(interval.to)) - before;
      if (left < inside) return whole.idAt(before + left);
      left -= inside;
    }
    return undefined;
  }

  /** The number of an interval's records in a namespace held whole. */
  private wholeCount(whole: WholeNamespace, interval: KeyInterval): number {
    return whole.rank(this.boundOf(interval.to)) - whole.rank(this.boundOf(interval.from));
  }

  /** Loads the level-1 nodes under the level-2 node starting at `boundary` (for a walk down by rank). */
  private readonly loadLevelOne = (boundary: Uint8Array): Promise<void> =>
    this.context.cache.ensureLevelOne(this.namespace, successorKey(boundary), successorKey(boundary));

  /** Count and XOR of an interval's records. Must run under the shared commit lock. */
  private async aggregate(interval: KeyInterval): Promise<Aggregate> {
    const [upTo, before] = await Promise.all([this.below(interval.to), this.below(interval.from)]);
    const xor = upTo.xor.slice();
    xorFingerprintInto(xor, before.xor);
    return { count: upTo.count - before.count, xor };
  }

  /**
   * Count and XOR of the namespace's records below `bound` (undefined: all). Reconciliation asks for the same
   * bounds many times (a range's count, fingerprint and pivots, then its neighbours'), so results are kept until
   * the next commit. Must run under the shared commit lock; the result must not be changed.
   */
  private async below(beyond: Uint8Array | undefined): Promise<Aggregate> {
    const { aggregates, pages, cache } = this.context;
    const bound = this.boundOf(beyond);
    const name = memoName(bound);
    const known = name === undefined ? undefined : this.currentMemo().results.get(name);
    if (known !== undefined) return known;
    if (bound !== undefined) {
      await pages.holdNamespace(this.namespace, await this.below(undefined));
      // The level-1 pages that the walk towards the bound reads (below no bound is the sum of the top level).
      await cache.ensureLevelOne(this.namespace, bound, bound);
    }
    const result = await aggregates.below(pages, await cache.nodes(this.namespace), this.namespace, bound);
    this.remember(bound, result);
    return result;
  }

  /** Keeps what is below `bound` (read at the current commit count) until the next commit. */
  private remember(bound: Uint8Array | undefined, result: Aggregate): void {
    const name = memoName(bound);
    const memo = this.currentMemo();
    if (name === undefined || memo.results.has(name)) return;
    memo.results.set(name, result);
    memo.bytes += name.length + MEMO_RESULT_BYTES;
  }

  /** The kept results, emptied first if a batch committed since they were read or they reached their limit. */
  private currentMemo(): { commits: number; bytes: number; results: Map<string, Aggregate> } {
    const commits = this.context.commits();
    if (this.memo.commits !== commits || this.memo.bytes >= MEMO_BYTES_LIMIT) this.memo = { commits, bytes: 0, results: new Map() };
    return this.memo;
  }

  /** A bound at or past the namespace's end (the end of a whole-namespace interval) has every record below it. */
  private boundOf(beyond: Uint8Array | undefined): Uint8Array | undefined {
    return beyond !== undefined && (this.end === undefined || compareBytes(beyond, this.end) < 0) ? beyond : undefined;
  }

  private recordBounds(): { gte: Uint8Array; lt: Uint8Array } {
    return prefixBounds(recordKey(this.namespace));
  }
}
