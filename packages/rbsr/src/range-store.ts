import type { Range } from './range.js';

/**
 * The read side of a set, as the reconciliation engine sees it. Real stores (the in-memory tree,
 * LevelDB) answer every method in O(log n); `items` streams, so a large range is never
 * materialised by the engine. Writes go through the `receive` callback of `processMessage`.
 *
 * Iteration order (the reference's `get_range`): for `x == y` all items in key order; for
 * `x < y` the items of `[x, y)`; for `x > y` the items of `[start, y)` followed by `[x, end)`.
 * `keyAt` indexes that same order.
 *
 * Range bounds can be any keys: the peer's, the store's own, and the empty key (the engine asks
 * for `(EMPTY_KEY, k)`, the items below `k`, and `(k, EMPTY_KEY)`, the items from `k` on). A store
 * scoped to part of a larger key space (one namespace) answers for the items it holds.
 * The engine never writes through this interface and does not iterate while `receive` runs. Its reads
 * may overlap: it computes several fingerprints at once (the sample before `expectRangeReads`).
 */
export interface RangeStore<T> {
  /** The smallest key in the set, or the store's default key when the set is empty. */
  firstKey(): Promise<Uint8Array>;
  /** How many items lie in `range`. */
  count(range: Range): Promise<number>;
  /** The fingerprint of `range`: the empty fingerprint XOR the fingerprints of its items. */
  fingerprint(range: Range): Promise<Uint8Array>;
  /** The items of `range`, in iteration order. */
  items(range: Range): AsyncIterable<T>;
  /** The key of the item at `index` (0-based, in iteration order) of `range`; `index < count(range)`. */
  keyAt(range: Range, index: number): Promise<Uint8Array>;
  /**
   * Optional, for stores that hold their items' keys and fingerprints apart from the items (a database whose items
   * cost a read each): the key and fingerprint of every item of `range`, in iteration order, or undefined where the
   * store does not hold them or they are too many to take at once (the engine then reads {@link items}). A diff
   * against the peer's items then reads — with {@link item} — only our items whose fingerprint differs from the
   * peer's item under the same key. So a summary's fingerprint must be `traits.fingerprint` of the item, and equal
   * fingerprints of items with the same key must mean `traits.compareValues` of 0 (for iroh-docs entries: a BLAKE3
   * hash over the id, timestamp and content hash). The engine also splits a small range (a few items per sub-range)
   * from its summaries: the pivots, counts and fingerprints of the sub-ranges come from one call. So the keys must be
   * exactly those {@link keyAt} gives, and the empty fingerprint XOR the summaries' fingerprints must be
   * {@link fingerprint} of the range.
   */
  summaries?(range: Range): Promise<readonly ItemSummary[] | undefined>;
  /** The item under `key`, or undefined if there is none (any more); required with {@link summaries}. */
  item?(key: Uint8Array): Promise<T | undefined>;
  /**
   * Optional, for stores that find items by their index for less than a search: `range` (`x < y`, holding `count`
   * items) cut into `parts` sub-ranges (`2 ≤ parts ≤ count`) at the items of indices `⌊count · (i + 1) / parts⌋`
   * for `0 ≤ i < parts − 1`, each with its count and fingerprint — the sub-ranges `[x, p₀), [p₀, p₁), …, [pₖ, y)`
   * that the engine would otherwise build from {@link keyAt}, {@link count} and {@link fingerprint}, three range
   * operations per sub-range, and must equal. Undefined where the store cannot (or does not hold `count` items in
   * `range`): the engine then splits as without it. The engine checks only that there are `parts` sub-ranges, each
   * starting where the one before ended, from `x` to `y`, with `count` items in all; the pivots, counts and
   * fingerprints go into its messages as they are.
   */
  splitRange?(range: Range, count: number, parts: number): Promise<readonly SplitPart[] | undefined>;
  /**
   * Optional, for stores that read piecemeal but can read everything at once for less: called before the engine
   * answers a message of 8 or more fingerprint parts, with about how many ranges answering it will read (the
   * differing parts, estimated from up to 16 of them, times the split factor: each a sub-range's bounds and pivot, or
   * a short run of items). A store may then read at once what those reads would read piece by piece. Called after the
   * message's values were stored, possibly once per message: it must be cheap once done. A rejection fails
   * `processMessage`. Only a hint: the answers must not depend on it.
   */
  expectRangeReads?(ranges: number): Promise<void>;
}

/** An item's key and fingerprint (see {@link RangeStore.summaries}). */
export interface ItemSummary {
  readonly key: Uint8Array;
  readonly fingerprint: Uint8Array;
}

/** A sub-range of a split, with its count and fingerprint (see {@link RangeStore.splitRange}). */
export interface SplitPart {
  readonly range: Range;
  readonly count: number;
  readonly fingerprint: Uint8Array;
}
