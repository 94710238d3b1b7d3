import { compareKeys, keyHasPrefix, rangeContains, type ItemSummary, type Range, type RangeItemTraits, type RangeStore } from '@docs/rbsr';

/**
 * The naive reference RangeStore: a sorted array, every method a linear scan that follows the
 * reference's definitions literally (filter with `rangeContains`, XOR onto the empty fingerprint).
 */
export class SortedArrayStore<T> implements RangeStore<T> {
  private entries: T[] = [];
  protected readonly traits: RangeItemTraits<T>;
  private readonly emptyFingerprint: Uint8Array;
  private readonly defaultKey: Uint8Array;

  constructor(traits: RangeItemTraits<T>, emptyFingerprint: Uint8Array, defaultKey = new Uint8Array(0)) {
    this.traits = traits;
    this.emptyFingerprint = emptyFingerprint;
    this.defaultKey = defaultKey;
  }

  /** All items in key order. */
  all(): T[] {
    return [...this.entries];
  }

  get(key: Uint8Array): T | undefined {
    return this.entries.find((entry) => compareKeys(this.traits.key(entry), key) === 0);
  }

  /** Stores `item`, replacing the item with the same key (the reference's `entry_put`). */
  setRaw(item: T): void {
    const key = this.traits.key(item);
    this.entries = this.entries.filter((entry) => compareKeys(this.traits.key(entry), key) !== 0);
    this.entries.push(item);
    this.entries.sort((a, b) => compareKeys(this.traits.key(a), this.traits.key(b)));
  }

  /** Removes the item under `key`. */
  removeRaw(key: Uint8Array): void {
    this.entries = this.entries.filter((entry) => compareKeys(this.traits.key(entry), key) !== 0);
  }

  firstKey(): Promise<Uint8Array> {
    const first = this.entries[0];
    return Promise.resolve(first === undefined ? this.defaultKey : this.traits.key(first));
  }

  count(range: Range): Promise<number> {
    return Promise.resolve(this.inIterationOrder(range).length);
  }

  fingerprint(range: Range): Promise<Uint8Array> {
    const result = this.emptyFingerprint.slice();
    for (const entry of this.inIterationOrder(range)) {
      const fingerprint = this.traits.fingerprint(entry);
      for (let i = 0; i < 32; i++) result[i] = (result[i] as number) ^ (fingerprint[i] as number);
    }
    return Promise.resolve(result);
  }

  async *items(range: Range): AsyncGenerator<T> {
    yield* this.inIterationOrder(range);
  }

  keyAt(range: Range, index: number): Promise<Uint8Array> {
    const entry = this.inIterationOrder(range)[index];
    if (entry === undefined) return Promise.reject(new RangeError(`index ${index} outside the range`));
    return Promise.resolve(this.traits.key(entry));
  }

  /** The reference's `get_range`: x == y all; x < y filter; x > y `[start, y)` then `[x, end)`. */
  protected inIterationOrder(range: Range): T[] {
    const inside = this.entries.filter((entry) => rangeContains(range, this.traits.key(entry)));
    if (compareKeys(range.x, range.y) <= 0) return inside;
    const low = inside.filter((entry) => compareKeys(this.traits.key(entry), range.y) < 0);
    const high = inside.filter((entry) => compareKeys(this.traits.key(entry), range.y) >= 0);
    return [...low, ...high];
  }
}

/**
 * The naive store that also holds its keys and fingerprints apart (`summaries`), as a database-backed store does,
 * and counts the items read one by one (`item`).
 */
export class SummarizingStore<T> extends SortedArrayStore<T> {
  /** Items read with {@link item}. */
  itemReads = 0;

  summaries(range: Range): Promise<ItemSummary[]> {
    return Promise.resolve(this.inIterationOrder(range).map((entry) => ({ key: this.traits.key(entry), fingerprint: this.traits.fingerprint(entry) })));
  }

  item(key: Uint8Array): Promise<T | undefined> {
    this.itemReads++;
    return Promise.resolve(this.get(key));
  }
}

/** A set that can apply the reference's insert rule. */
export interface PrefixSet<T> {
  get(key: Uint8Array): T | undefined;
  all(): T[];
  setRaw(item: T): void;
  removeRaw(key: Uint8Array): void;
}

/**
 * The reference's `Store::put` (newer wins, prefix deletion) on a naive set: refused if any item
 * whose key is a prefix of the new key (the empty key and the key itself included) has a value
 * at least as large; otherwise removes the items under the new key's prefix with smaller or
 * equal values and stores the new item.
 *
 * @returns whether the item was inserted
 */
export function putWithPrefixRule<T>(set: PrefixSet<T>, traits: RangeItemTraits<T>, item: T): boolean {
  const key = traits.key(item);
  const entries = set.all();
  for (const entry of entries) {
    if (keyHasPrefix(key, traits.key(entry)) && traits.compareValues(item, entry) <= 0) return false;
  }
  for (const entry of entries) {
    if (keyHasPrefix(traits.key(entry), key) && traits.compareValues(item, entry) >= 0) {
      set.removeRaw(traits.key(entry));
    }
  }
  set.setRaw(item);
  return true;
}
