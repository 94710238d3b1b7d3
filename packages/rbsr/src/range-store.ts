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
 * The engine never writes through this interface and does not iterate while `receive` runs.
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
   * hash over the id, timestamp and content hash).
   */
  summaries?(range: Range): Promise<readonly ItemSummary[] | undefined>;
  /** The item under `key`, or undefined if there is none (any more); required with {@link summaries}. */
  item?(key: Uint8Array): Promise<T | undefined>;
  /**
   * Optional, for stores that read their items piecemeal: called when a message of at least {@link SWEEP_MIN_PARTS}
   * fingerprint parts differs from ours in about half of them or more — answering them splits them all, so the engine
   * is about to read most of the store. A store may then read everything it needs at once instead of piece by piece.
   * Only a hint: the answers must not depend on it.
   */
  expectSweep?(): Promise<void>;
}

/**
 * Fingerprint parts a message needs before {@link RangeStore.expectSweep} may be called: fewer are a few ranges,
 * answered piecemeal however many items they hold (a session's first message is one part over everything).
 */
export const SWEEP_MIN_PARTS = 8;

/** An item's key and fingerprint (see {@link RangeStore.summaries}). */
export interface ItemSummary {
  readonly key: Uint8Array;
  readonly fingerprint: Uint8Array;
}
