import type { Range } from './range.js';
import type { SplitPart } from './range-store.js';

/**
 * What a store that finds its items by index gives {@link splitByIndex}: the indices are those of the store's own
 * order, the range's first item at `first`.
 */
export interface IndexedItems {
  /** The index of the range's first item. */
  readonly first: number;
  /** The key of the item at `index`. */
  keyAt(index: number): Uint8Array;
  /** XORs the fingerprints of the items at indices `from ≤ index < to` into `fingerprint`. */
  xorInto(fingerprint: Uint8Array, from: number, to: number): void;
}

/**
 * The split of a range `x < y` holding `count` items into `parts` sub-ranges that {@link RangeStore.splitRange}
 * describes, from a store's items by index: the pivots are the items at `first + ⌊count · (i + 1) / parts⌋`, and each
 * sub-range's fingerprint is `emptyFingerprint` XOR its items'.
 */
export function splitByIndex(range: Range, count: number, parts: number, items: IndexedItems, emptyFingerprint: Uint8Array): SplitPart[] {
  const split: SplitPart[] = [];
  let from = 0;
  let x = range.x;
  for (let part = 0; part < parts; part++) {
    const last = part === parts - 1;
    const to = last ? count : Math.floor((count * (part + 1)) / parts);
    const y = last ? range.y : items.keyAt(items.first + to);
    const fingerprint = emptyFingerprint.slice();
    items.xorInto(fingerprint, items.first + from, items.first + to);
    split.push({ range: { x, y }, count: to - from, fingerprint });
    from = to;
    x = y;
  }
  return split;
}
