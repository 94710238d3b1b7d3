import { compareKeys, keyHasPrefix } from './bytes.js';

/**
 * How a {@link FingerprintTree} reads its items.
 */
export interface FingerprintTreeOptions<T> {
  /** The item's key; the tree holds at most one item per key, ordered bytewise. Keys must not be mutated. */
  key(item: T): Uint8Array;
  /** The item's 32-byte fingerprint, read once when the item is stored. */
  fingerprint(item: T): Uint8Array;
}

/** Node index 0 is the empty tree: its size and aggregate stay zero, so lookups need no branch. */
const NIL = 0;
/** A fingerprint is kept as 8 native-endian 32-bit words; XOR is bytewise, so the layout is free. */
const WORDS = 8;
const FINGERPRINT_BYTES = 32;
/** Weight-balance parameters (Hirai & Yamamoto 2011): valid for single insertions and deletions. */
const DELTA = 3;
const GAMMA = 2;
const INITIAL_CAPACITY = 16;
/** Bound on memoized prefix fingerprints (about 64 bytes each). */
const PREFIX_CACHE_LIMIT = 65_536;

/**
 * An ordered map from byte keys to items, as a weight-balanced binary search tree whose nodes
 * carry the count and the XOR of the fingerprints of their subtree. Lookup, insert, delete, rank,
 * select (n-th item) and the fingerprint of any index range cost O(log n); iteration streams.
 *
 * Nodes live in typed arrays (struct of arrays), so a million items cost about 80 bytes each
 * beside the items themselves, and XOR of 32-byte fingerprints is 8 word operations.
 *
 * Iterators stay valid while the tree changes: after a change they continue with the first key
 * after the last one they returned.
 */
export class FingerprintTree<T> {
  private readonly keyOf: (item: T) => Uint8Array;
  private readonly fingerprintOf: (item: T) => Uint8Array;
  private left: Int32Array;
  private right: Int32Array;
  private count: Int32Array;
  private itemFingerprint: Uint32Array;
  private itemFingerprintBytes: Uint8Array;
  private aggregate: Uint32Array;
  private items: Array<T | undefined>;
  private keys: Array<Uint8Array | undefined>;
  private root = NIL;
  private nextUnused = 1;
  private released: number[] = [];
  /** Bumped on every change, so iterators know to re-seek. */
  private version = 0;
  /**
   * Ranks by key identity, valid until the next change: range stores ask for the ranks of the
   * same bound and pivot keys many times while answering one message.
   */
  private rankCache = new WeakMap<Uint8Array, number>();
  private rankCacheVersion = 0;
  /** Prefix fingerprints by item count, valid until the next change. */
  private readonly prefixCache = new Map<number, Uint32Array>();
  private prefixCacheVersion = 0;
  /** Scratch accumulator of {@link xorInto}, as words and as bytes. */
  private readonly scratchWords = new Uint32Array(WORDS);
  private readonly scratchBytes = new Uint8Array(this.scratchWords.buffer);
  /** Out-parameters of the recursive insert and delete. */
  private previous: T | undefined;
  private detachedMinimum = NIL;

  /**
   * @param options - how to read an item's key and fingerprint
   */
  constructor(options: FingerprintTreeOptions<T>) {
    this.keyOf = options.key;
    this.fingerprintOf = options.fingerprint;
    this.left = new Int32Array(INITIAL_CAPACITY);
    this.right = new Int32Array(INITIAL_CAPACITY);
    this.count = new Int32Array(INITIAL_CAPACITY);
    this.itemFingerprint = new Uint32Array(INITIAL_CAPACITY * WORDS);
    this.itemFingerprintBytes = new Uint8Array(this.itemFingerprint.buffer);
    this.aggregate = new Uint32Array(INITIAL_CAPACITY * WORDS);
    this.items = [undefined];
    this.keys = [undefined];
  }

  /**
   * Builds a tree from items in strictly increasing key order in O(n), perfectly balanced.
   *
   * @throws RangeError if the keys are not strictly increasing
   */
  static fromSorted<T>(options: FingerprintTreeOptions<T>, sorted: readonly T[]): FingerprintTree<T> {
    const tree = new FingerprintTree(options);
    for (let i = 1; i < sorted.length; i++) {
      if (compareKeys(options.key(sorted[i - 1] as T), options.key(sorted[i] as T)) >= 0) {
        throw new RangeError(`FingerprintTree.fromSorted: keys are not strictly increasing at index ${i}`);
      }
    }
    tree.reserve(sorted.length + 1);
    tree.root = tree.buildBalanced(sorted, 0, sorted.length);
    return tree;
  }

  /**
   * An independent copy sharing the (immutable) items and keys, in O(n) array copies and without
   * re-reading any fingerprint: cheap snapshots and fixtures.
   */
  clone(): FingerprintTree<T> {
    const copy = new FingerprintTree<T>({ key: this.keyOf, fingerprint: this.fingerprintOf });
    copy.left = this.left.slice();
    copy.right = this.right.slice();
    copy.count = this.count.slice();
    copy.itemFingerprint = this.itemFingerprint.slice();
    copy.itemFingerprintBytes = new Uint8Array(copy.itemFingerprint.buffer);
    copy.aggregate = this.aggregate.slice();
    copy.items = this.items.slice();
    copy.keys = this.keys.slice();
    copy.root = this.root;
    copy.nextUnused = this.nextUnused;
    copy.released = this.released.slice();
    return copy;
  }

  /** The number of items. */
  get size(): number {
    return this.count[this.root] as number;
  }

  /** The item stored under `key`, or `undefined`. */
  get(key: Uint8Array): T | undefined {
    let node = this.root;
    let belowPrefix = 0;
    let abovePrefix = 0;
    while (node !== NIL) {
      const order = compareFrom(key, this.keys[node] as Uint8Array, Math.min(belowPrefix, abovePrefix));
      if (order === 0) return this.items[node];
      if (order < 0) {
        abovePrefix = commonPrefix;
        node = this.left[node] as number;
      } else {
        belowPrefix = commonPrefix;
        node = this.right[node] as number;
      }
    }
    return undefined;
  }

  /** Whether an item is stored under `key`. */
  has(key: Uint8Array): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Stores `item` under its key, replacing the item stored there.
   *
   * @returns the replaced item, or `undefined` if the key was new
   * @throws TypeError if the item's fingerprint is not 32 bytes
   */
  set(item: T): T | undefined {
    const key = this.keyOf(item);
    const fingerprint = this.fingerprintOf(item);
    if (fingerprint.length !== FINGERPRINT_BYTES) {
      throw new TypeError(`FingerprintTree: an item fingerprint must be 32 bytes, got ${fingerprint.length}`);
    }
    this.previous = undefined;
    this.root = this.insertInto(this.root, key, item, fingerprint, 0, 0);
    this.version++;
    return this.previous;
  }

  /**
   * Removes the item stored under `key`.
   *
   * @returns the removed item, or `undefined` if there was none
   */
  delete(key: Uint8Array): T | undefined {
    this.previous = undefined;
    this.root = this.removeFrom(this.root, key, 0, 0);
    if (this.previous !== undefined) this.version++;
    return this.previous;
  }

  /** Removes every item. */
  clear(): void {
    this.root = NIL;
    this.nextUnused = 1;
    this.released = [];
    this.items = [undefined];
    this.keys = [undefined];
    this.version++;
  }

  /** How many items have a key smaller than `key` (the index `key` has or would have). */
  rank(key: Uint8Array): number {
    const cached = this.currentRankCache().get(key);
    if (cached !== undefined) return cached;
    const rank = this.computeRank(key);
    this.rankCache.set(key, rank);
    return rank;
  }

  /** The item at `index` in key order, or `undefined` when `index` is outside `[0, size)`. */
  at(index: number): T | undefined {
    const node = this.select(index);
    return node === NIL ? undefined : this.items[node];
  }

  /** The key of the item at `index` in key order, or `undefined` when `index` is outside `[0, size)`. */
  keyAt(index: number): Uint8Array | undefined {
    const node = this.select(index);
    if (node === NIL) return undefined;
    const key = this.keys[node] as Uint8Array;
    // A stored key's rank is its index: pivots picked by index are ranked next without a descent.
    this.currentRankCache().set(key, index);
    return key;
  }

  /** The item with the smallest key, or `undefined` when empty. */
  first(): T | undefined {
    return this.at(0);
  }

  /** The item with the largest key, or `undefined` when empty. */
  last(): T | undefined {
    return this.at(this.size - 1);
  }

  /**
   * XORs the fingerprints of the items at indices `[from, to)` into `target` (32 bytes), in
   * O(log n). Indices are clamped to `[0, size]`; an empty index range leaves `target` unchanged.
   */
  xorInto(target: Uint8Array, from: number, to: number): void {
    if (target.length !== FINGERPRINT_BYTES) {
      throw new TypeError(`FingerprintTree.xorInto: target must be 32 bytes, got ${target.length}`);
    }
    const size = this.size;
    const start = Math.max(0, Math.min(from, size));
    const end = Math.max(0, Math.min(to, size));
    if (end <= start) return;
    const words = this.scratchWords;
    const toEnd = this.prefixXor(end);
    const toStart = this.prefixXor(start);
    for (let w = 0; w < WORDS; w++) words[w] = (toEnd[w] as number) ^ (toStart[w] as number);
    const view = this.scratchBytes;
    for (let i = 0; i < FINGERPRINT_BYTES; i++) target[i] = (target[i] as number) ^ (view[i] as number);
  }

  /**
   * The items with `lower <= key < upper` in increasing key order (an absent bound is open).
   */
  *iterate(lower?: Uint8Array, upper?: Uint8Array): Generator<T, void, undefined> {
    const stack: number[] = [];
    this.seekAscending(stack, lower, true);
    let version = this.version;
    let lastKey: Uint8Array | undefined;
    for (;;) {
      if (version !== this.version) {
        stack.length = 0;
        if (lastKey === undefined) this.seekAscending(stack, lower, true);
        else this.seekAscending(stack, lastKey, false);
        version = this.version;
      }
      const node = stack.pop();
      if (node === undefined) return;
      const key = this.keys[node] as Uint8Array;
      if (upper !== undefined && compareKeys(key, upper) >= 0) return;
      for (let child = this.right[node] as number; child !== NIL; child = this.left[child] as number) {
        stack.push(child);
      }
      lastKey = key;
      yield this.items[node] as T;
    }
  }

  /**
   * The items with `lower <= key < upper` in decreasing key order (an absent bound is open).
   */
  *iterateReverse(lower?: Uint8Array, upper?: Uint8Array): Generator<T, void, undefined> {
    const stack: number[] = [];
    this.seekDescending(stack, upper);
    let version = this.version;
    let lastKey: Uint8Array | undefined;
    for (;;) {
      if (version !== this.version) {
        stack.length = 0;
        this.seekDescending(stack, lastKey ?? upper);
        version = this.version;
      }
      const node = stack.pop();
      if (node === undefined) return;
      const key = this.keys[node] as Uint8Array;
      if (lower !== undefined && compareKeys(key, lower) < 0) return;
      for (let child = this.left[node] as number; child !== NIL; child = this.right[child] as number) {
        stack.push(child);
      }
      lastKey = key;
      yield this.items[node] as T;
    }
  }

  /** All items in increasing key order. */
  [Symbol.iterator](): Generator<T, void, undefined> {
    return this.iterate();
  }

  /** The items whose key starts with `prefix` (including the key equal to it), in key order. */
  prefixed(prefix: Uint8Array): Generator<T, void, undefined> {
    return this.iterate(prefix, prefixUpperBound(prefix));
  }

  /**
   * The items whose key is a prefix of `key`, including an item stored under `key` itself and one
   * stored under the empty key, in increasing key order (shortest first). Costs O(log n) per
   * found prefix plus O(log n) per shared-prefix length it skips, not O(key length · log n).
   */
  prefixesOf(key: Uint8Array): T[] {
    const found: T[] = [];
    let bound = key;
    let inclusive = true;
    for (;;) {
      const node = this.floor(bound, inclusive);
      if (node === NIL) break;
      const candidate = this.keys[node] as Uint8Array;
      if (keyHasPrefix(key, candidate)) {
        found.push(this.items[node] as T);
        if (candidate.length === 0) break;
        bound = candidate;
        inclusive = false;
      } else {
        // Every stored prefix of `key` is at most as long as the part `candidate` shares with it.
        let shared = 0;
        while (shared < candidate.length && candidate[shared] === key[shared]) shared++;
        bound = key.subarray(0, shared);
        inclusive = true;
      }
    }
    return found.reverse();
  }

  /** The height of the tree (0 when empty); O(n), for diagnostics and tests. */
  height(): number {
    const depthOf = (node: number): number =>
      node === NIL ? 0 : 1 + Math.max(depthOf(this.left[node] as number), depthOf(this.right[node] as number));
    return depthOf(this.root);
  }

  private currentRankCache(): WeakMap<Uint8Array, number> {
    if (this.rankCacheVersion !== this.version) {
      this.rankCache = new WeakMap();
      this.rankCacheVersion = this.version;
    }
    return this.rankCache;
  }

  private computeRank(key: Uint8Array): number {
    let node = this.root;
    let rank = 0;
    let belowPrefix = 0;
    let abovePrefix = 0;
    while (node !== NIL) {
      const left = this.left[node] as number;
      if (compareFrom(key, this.keys[node] as Uint8Array, Math.min(belowPrefix, abovePrefix)) <= 0) {
        abovePrefix = commonPrefix;
        node = left;
      } else {
        belowPrefix = commonPrefix;
        rank += (this.count[left] as number) + 1;
        node = this.right[node] as number;
      }
    }
    return rank;
  }

  private select(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return NIL;
    let node = this.root;
    let remaining = index;
    for (;;) {
      const left = this.left[node] as number;
      const leftCount = this.count[left] as number;
      if (remaining < leftCount) {
        node = left;
      } else if (remaining === leftCount) {
        return node;
      } else {
        remaining -= leftCount + 1;
        node = this.right[node] as number;
      }
    }
  }

  /**
   * The XOR of the fingerprints of the first `n` items, memoized by `n` until the next change:
   * neighbouring ranges share their bounds.
   */
  private prefixXor(n: number): Uint32Array {
    if (this.prefixCacheVersion !== this.version || this.prefixCache.size >= PREFIX_CACHE_LIMIT) {
      this.prefixCache.clear();
      this.prefixCacheVersion = this.version;
    }
    let words = this.prefixCache.get(n);
    if (words === undefined) {
      words = new Uint32Array(WORDS);
      this.xorFirst(words, n);
      this.prefixCache.set(n, words);
    }
    return words;
  }

  /** XORs the fingerprints of the first `n` items into `words`. */
  private xorFirst(words: Uint32Array, n: number): void {
    const aggregate = this.aggregate;
    const itemFingerprint = this.itemFingerprint;
    let node = this.root;
    let remaining = n;
    while (node !== NIL && remaining > 0) {
      const left = this.left[node] as number;
      const leftCount = this.count[left] as number;
      if (remaining <= leftCount) {
        node = left;
        continue;
      }
      const l = left * WORDS;
      const own = node * WORDS;
      for (let w = 0; w < WORDS; w++) {
        words[w] = (words[w] as number) ^ (aggregate[l + w] as number) ^ (itemFingerprint[own + w] as number);
      }
      remaining -= leftCount + 1;
      node = this.right[node] as number;
    }
  }

  /** The node with the largest key `<= bound` (or `< bound`), or NIL. */
  private floor(bound: Uint8Array, inclusive: boolean): number {
    let node = this.root;
    let best = NIL;
    let belowPrefix = 0;
    let abovePrefix = 0;
    while (node !== NIL) {
      const order = compareFrom(bound, this.keys[node] as Uint8Array, Math.min(belowPrefix, abovePrefix));
      if (order > 0 || (inclusive && order === 0)) {
        belowPrefix = commonPrefix;
        best = node;
        node = this.right[node] as number;
      } else {
        abovePrefix = commonPrefix;
        node = this.left[node] as number;
      }
    }
    return best;
  }

  /** Fills `stack` so that popping yields keys `>= bound` (or `> bound`) in increasing order. */
  private seekAscending(stack: number[], bound: Uint8Array | undefined, inclusive: boolean): void {
    let node = this.root;
    let belowPrefix = 0;
    let abovePrefix = 0;
    while (node !== NIL) {
      // `order` compares the bound with the node key: the node qualifies when it is above the bound.
      const order = bound === undefined ? -1 : compareFrom(bound, this.keys[node] as Uint8Array, Math.min(belowPrefix, abovePrefix));
      if (order < 0 || (inclusive && order === 0)) {
        abovePrefix = commonPrefix;
        stack.push(node);
        node = this.left[node] as number;
      } else {
        belowPrefix = commonPrefix;
        node = this.right[node] as number;
      }
    }
  }

  /** Fills `stack` so that popping yields keys `< bound` in decreasing order. */
  private seekDescending(stack: number[], bound: Uint8Array | undefined): void {
    let node = this.root;
    let belowPrefix = 0;
    let abovePrefix = 0;
    while (node !== NIL) {
      if (bound === undefined || compareFrom(bound, this.keys[node] as Uint8Array, Math.min(belowPrefix, abovePrefix)) > 0) {
        belowPrefix = commonPrefix;
        stack.push(node);
        node = this.right[node] as number;
      } else {
        abovePrefix = commonPrefix;
        node = this.left[node] as number;
      }
    }
  }

  private buildBalanced(sorted: readonly T[], from: number, to: number): number {
    if (from >= to) return NIL;
    const middle = (from + to) >>> 1;
    const item = sorted[middle] as T;
    const node = this.allocate(item, this.keyOf(item), this.fingerprintOf(item));
    const left = this.buildBalanced(sorted, from, middle);
    const right = this.buildBalanced(sorted, middle + 1, to);
    this.left[node] = left;
    this.right[node] = right;
    this.update(node);
    return node;
  }

  private insertInto(
    node: number,
    key: Uint8Array,
    item: T,
    fingerprint: Uint8Array,
    belowPrefix: number,
    abovePrefix: number,
  ): number {
    if (node === NIL) return this.allocate(item, key, fingerprint);
    const order = compareFrom(key, this.keys[node] as Uint8Array, Math.min(belowPrefix, abovePrefix));
    const prefix = commonPrefix;
    // The recursive call may grow (reallocate) the node arrays, so read `this.left`/`this.right` after it.
    if (order < 0) {
      const child = this.insertInto(this.left[node] as number, key, item, fingerprint, belowPrefix, prefix);
      this.left[node] = child;
      return this.balance(node);
    }
    if (order > 0) {
      const child = this.insertInto(this.right[node] as number, key, item, fingerprint, prefix, abovePrefix);
      this.right[node] = child;
      return this.balance(node);
    }
    this.previous = this.items[node];
    this.items[node] = item;
    this.keys[node] = key;
    this.storeFingerprint(node, fingerprint);
    this.update(node);
    return node;
  }

  private removeFrom(node: number, key: Uint8Array, belowPrefix: number, abovePrefix: number): number {
    if (node === NIL) return NIL;
    const order = compareFrom(key, this.keys[node] as Uint8Array, Math.min(belowPrefix, abovePrefix));
    const prefix = commonPrefix;
    if (order < 0) {
      const child = this.removeFrom(this.left[node] as number, key, belowPrefix, prefix);
      this.left[node] = child;
      return this.balance(node);
    }
    if (order > 0) {
      const child = this.removeFrom(this.right[node] as number, key, prefix, abovePrefix);
      this.right[node] = child;
      return this.balance(node);
    }
    this.previous = this.items[node];
    const left = this.left[node] as number;
    const right = this.right[node] as number;
    this.release(node);
    if (left === NIL) return right;
    if (right === NIL) return left;
    const rest = this.detachMinimum(right);
    const successor = this.detachedMinimum;
    this.left[successor] = left;
    this.right[successor] = rest;
    return this.balance(successor);
  }

  /** Removes the smallest node of the subtree (kept in `detachedMinimum`) and returns the new subtree. */
  private detachMinimum(node: number): number {
    const left = this.left[node] as number;
    if (left === NIL) {
      this.detachedMinimum = node;
      return this.right[node] as number;
    }
    this.left[node] = this.detachMinimum(left);
    return this.balance(node);
  }

  private balance(node: number): number {
    const count = this.count;
    const left = this.left[node] as number;
    const right = this.right[node] as number;
    const leftWeight = (count[left] as number) + 1;
    const rightWeight = (count[right] as number) + 1;
    if (rightWeight > DELTA * leftWeight) {
      const inner = this.left[right] as number;
      const outer = this.right[right] as number;
      if ((count[inner] as number) + 1 >= GAMMA * ((count[outer] as number) + 1)) {
        this.right[node] = this.rotateRight(right);
      }
      return this.rotateLeft(node);
    }
    if (leftWeight > DELTA * rightWeight) {
      const inner = this.right[left] as number;
      const outer = this.left[left] as number;
      if ((count[inner] as number) + 1 >= GAMMA * ((count[outer] as number) + 1)) {
        this.left[node] = this.rotateLeft(left);
      }
      return this.rotateRight(node);
    }
    this.update(node);
    return node;
  }

  private rotateLeft(node: number): number {
    const pivot = this.right[node] as number;
    this.right[node] = this.left[pivot] as number;
    this.left[pivot] = node;
    this.update(node);
    this.update(pivot);
    return pivot;
  }

  private rotateRight(node: number): number {
    const pivot = this.left[node] as number;
    this.left[node] = this.right[pivot] as number;
    this.right[pivot] = node;
    this.update(node);
    this.update(pivot);
    return pivot;
  }

  /** Recomputes the count and fingerprint aggregate of `node` from its children. */
  private update(node: number): void {
    const left = this.left[node] as number;
    const right = this.right[node] as number;
    this.count[node] = (this.count[left] as number) + (this.count[right] as number) + 1;
    const aggregate = this.aggregate;
    const own = this.itemFingerprint;
    const n = node * WORDS;
    const l = left * WORDS;
    const r = right * WORDS;
    for (let w = 0; w < WORDS; w++) {
      aggregate[n + w] = (own[n + w] as number) ^ (aggregate[l + w] as number) ^ (aggregate[r + w] as number);
    }
  }

  private allocate(item: T, key: Uint8Array, fingerprint: Uint8Array): number {
    let node = this.released.pop();
    if (node === undefined) {
      if (this.nextUnused >= this.count.length) this.reserve(this.count.length * 2);
      node = this.nextUnused++;
    }
    this.items[node] = item;
    this.keys[node] = key;
    this.left[node] = NIL;
    this.right[node] = NIL;
    this.storeFingerprint(node, fingerprint);
    this.update(node);
    return node;
  }

  private release(node: number): void {
    this.items[node] = undefined;
    this.keys[node] = undefined;
    this.released.push(node);
  }

  private storeFingerprint(node: number, fingerprint: Uint8Array): void {
    if (fingerprint.length !== FINGERPRINT_BYTES) {
      throw new TypeError(`FingerprintTree: an item fingerprint must be 32 bytes, got ${fingerprint.length}`);
    }
    this.itemFingerprintBytes.set(fingerprint, node * FINGERPRINT_BYTES);
  }

  /** Grows the node arrays to hold at least `capacity` nodes (including NIL). */
  private reserve(capacity: number): void {
    if (capacity <= this.count.length) return;
    const grow = <A extends Int32Array | Uint32Array>(array: A, make: (length: number) => A, per: number): A => {
      const grown = make(capacity * per);
      grown.set(array);
      return grown;
    };
    this.left = grow(this.left, (n) => new Int32Array(n), 1);
    this.right = grow(this.right, (n) => new Int32Array(n), 1);
    this.count = grow(this.count, (n) => new Int32Array(n), 1);
    this.itemFingerprint = grow(this.itemFingerprint, (n) => new Uint32Array(n), WORDS);
    this.itemFingerprintBytes = new Uint8Array(this.itemFingerprint.buffer);
    this.aggregate = grow(this.aggregate, (n) => new Uint32Array(n), WORDS);
  }
}

/**
 * The smallest key greater than every key starting with `prefix`, or `undefined` when there is
 * none (the prefix is empty or all `0xff`): strip trailing `0xff` bytes, then increment the last.
 */
export function prefixUpperBound(prefix: Uint8Array): Uint8Array | undefined {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const bound = prefix.slice(0, end);
  bound[end - 1] = (bound[end - 1] as number) + 1;
  return bound;
}

/** Set by {@link compareFrom}: the common prefix length of the two keys it last compared. */
let commonPrefix = 0;

/**
 * Compares `a` and `b` bytewise, given that they agree on their first `start` bytes, and leaves
 * their common prefix length in `commonPrefix`. In a descent every key of the current subtree lies
 * between the nearest smaller and larger ancestors, so it shares at least the smaller of the
 * search key's common prefixes with those two: comparisons start there instead of at byte 0
 * (keys of one namespace and author share 64 bytes).
 */
function compareFrom(a: Uint8Array, b: Uint8Array, start: number): number {
  const length = a.length < b.length ? a.length : b.length;
  let i = start;
  while (i < length && a[i] === b[i]) i++;
  commonPrefix = i;
  return i < length ? (a[i] as number) - (b[i] as number) : a.length - b.length;
}
