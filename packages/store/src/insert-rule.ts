import { compareRecords, type SignedEntry } from '@docs/entry';

/**
 * The insert rule (newer wins, with prefix deletion). A backend's `put(e)` applies it atomically:
 *
 * 1. Look at the stored **parents** of `e`: entries of the same namespace and author whose key is a prefix of
 *    e's key — e's key itself and the empty key included, tombstones included. If any parent
 *    {@link blocksInsert}, refuse `e`. (The reference's redb store skips tombstones and the empty key here, which
 *    lets an older copy resurrect a deleted entry; @docs does not.)
 * 2. Remove the stored **descendants** of `e` (same namespace and author, key starting with e's key, e's key
 *    included) that e {@link replaces}, and store `e`.
 */
export function blocksInsert(parent: SignedEntry, incoming: SignedEntry): boolean {
  return compareRecords(incoming.entry.record, parent.entry.record) <= 0;
}

/** True if `incoming` removes the stored descendant `existing` (its value is ≤ the incoming one). */
export function replaces(incoming: SignedEntry, existing: SignedEntry): boolean {
  return compareRecords(incoming.entry.record, existing.entry.record) >= 0;
}
