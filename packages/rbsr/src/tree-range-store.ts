import { compareKeys } from './bytes.js';
import type { FingerprintTree } from './fingerprint-tree.js';
import type { Range } from './range.js';
import type { RangeStore, SplitPart } from './range-store.js';
import { splitByIndex } from './split-by-index.js';

/**
 * A {@link RangeStore} over a {@link FingerprintTree}: count, fingerprint and `keyAt` in
 * O(log n), items streamed from the tree. Writes go to the tree directly (the caller's `receive`).
 */
export class TreeRangeStore<T> implements RangeStore<T> {
  /** The tree this store reads. */
  readonly tree: FingerprintTree<T>;
  private readonly emptyFingerprint: Uint8Array;
  private readonly defaultKey: Uint8Array;

  /**
   * @param tree - the items
   * @param emptyFingerprint - the fingerprint of the empty set (for iroh-docs BLAKE3 of no bytes)
   * @param defaultKey - what {@link firstKey} returns for an empty set (for iroh-docs 64 zero bytes; default the empty key)
   */
  constructor(tree: FingerprintTree<T>, emptyFingerprint: Uint8Array, defaultKey: Uint8Array = new Uint8Array(0)) {
    if (emptyFingerprint.length !== 32) {
      throw new TypeError(`TreeRangeStore: emptyFingerprint must be 32 bytes, got ${emptyFingerprint.length}`);
    }
    this.tree = tree;
    this.emptyFingerprint = emptyFingerprint.slice();
    this.defaultKey = defaultKey;
  }

  /** @inheritDoc */
  firstKey(): Promise<Uint8Array> {
    return Promise.resolve(this.tree.keyAt(0) ?? this.defaultKey);
  }

  /** @inheritDoc */
  count(range: Range): Promise<number> {
    const size = this.tree.size;
    const order = compareKeys(range.x, range.y);
    if (order === 0) return Promise.resolve(size);
    const fromX = this.tree.rank(range.x);
    const toY = this.tree.rank(range.y);
    return Promise.resolve(order < 0 ? toY - fromX : size - fromX + toY);
  }

  /** @inheritDoc */
  fingerprint(range: Range): Promise<Uint8Array> {
    const tree = this.tree;
    const result = this.emptyFingerprint.slice();
    const order = compareKeys(range.x, range.y);
    if (order === 0) {
      tree.xorInto(result, 0, tree.size);
    } else if (order < 0) {
      tree.xorInto(result, tree.rank(range.x), tree.rank(range.y));
    } else {
      tree.xorInto(result, 0, tree.rank(range.y));
      tree.xorInto(result, tree.rank(range.x), tree.size);
    }
    return Promise.resolve(result);
  }

  /** @inheritDoc */
  async *items(range: Range): AsyncGenerator<T, void, undefined> {
    const order = compareKeys(range.x, range.y);
    if (order === 0) {
      yield* this.tree.iterate();
    } else if (order < 0) {
      yield* this.tree.iterate(range.x, range.y);
    } else {
      yield* this.tree.iterate(undefined, range.y);
      yield* this.tree.iterate(range.x);
    }
  }

  /** See {@link RangeStore.splitRange}: pivots and fingerprints by index, O(parts · log n). */
  splitRange(range: Range, count: number, parts: number): Promise<readonly SplitPart[] | undefined> {
    const tree = this.tree;
    if (compareKeys(range.x, range.y) >= 0) return Promise.resolve(undefined);
    const first = tree.rank(range.x);
    if (tree.rank(range.y) - first !== count) return Promise.resolve(undefined);
    const items = { first, keyAt: (index: number) => tree.keyAt(index)!, xorInto: tree.xorInto.bind(tree) };
    return Promise.resolve(splitByIndex(range, count, parts, items, this.emptyFingerprint));
  }

  /** @inheritDoc */
  keyAt(range: Range, index: number): Promise<Uint8Array> {
    const tree = this.tree;
    const size = tree.size;
    const order = compareKeys(range.x, range.y);
    let treeIndex = index;
    let count = size;
    if (order < 0) {
      const fromX = tree.rank(range.x);
      treeIndex = fromX + index;
      count = tree.rank(range.y) - fromX;
    } else if (order > 0) {
      const fromX = tree.rank(range.x);
      const below = tree.rank(range.y);
      treeIndex = index < below ? index : fromX + index - below;
      count = size - fromX + below;
    }
    const key = Number.isInteger(index) && index >= 0 && index < count ? tree.keyAt(treeIndex) : undefined;
    if (key === undefined) {
      return Promise.reject(new RangeError(`TreeRangeStore.keyAt: index ${index} is outside the range`));
    }
    return Promise.resolve(key);
  }
}
