import { compareBytes } from '@docs/crypto';
import { lowerBound } from './key-search.js';

/** Keys per chunk before a chunk splits; keeps inserts O(√n)-ish with cheap memmoves. */
const CHUNK_LIMIT = 256;

interface Chunk<V> {
  keys: Uint8Array[];
  values: V[];
}

/**
 * An in-memory map from byte strings to values, ordered by {@link compareBytes}: a list of sorted chunks, so an
 * insert costs two binary searches and a short splice even with hundreds of thousands of keys (a write set of a
 * large batch). Supports point lookups and ordered walks from a bound in either direction.
 */
export class SortedByteMap<V> {
  private readonly chunks: Chunk<V>[] = [];
  private entryCount = 0;

  /** Number of keys. */
  get size(): number {
    return this.entryCount;
  }

  /** The value under `key`, or undefined. */
  get(key: Uint8Array): V | undefined {
    const chunk = this.chunks[this.chunkFor(key)];
    if (chunk === undefined) return undefined;
    const index = lowerBound(chunk.keys, key);
    return index < chunk.keys.length && compareBytes(chunk.keys[index]!, key) === 0 ? chunk.values[index] : undefined;
  }

  /** True if `key` is present. */
  has(key: Uint8Array): boolean {
    const chunk = this.chunks[this.chunkFor(key)];
    if (chunk === undefined) return false;
    const index = lowerBound(chunk.keys, key);
    return index < chunk.keys.length && compareBytes(chunk.keys[index]!, key) === 0;
  }

  /** Sets `key` to `value` (the key is kept by reference: do not mutate it afterwards). */
  set(key: Uint8Array, value: V): void {
    if (this.chunks.length === 0) {
      this.chunks.push({ keys: [key], values: [value] });
      this.entryCount = 1;
      return;
    }
    const chunkIndex = Math.min(this.chunkFor(key), this.chunks.length - 1);
    const chunk = this.chunks[chunkIndex]!;
    const index = lowerBound(chunk.keys, key);
    if (index < chunk.keys.length && compareBytes(chunk.keys[index]!, key) === 0) {
      chunk.values[index] = value;
      return;
    }
    chunk.keys.splice(index, 0, key);
    chunk.values.splice(index, 0, value);
    this.entryCount++;
    if (chunk.keys.length > CHUNK_LIMIT) {
      const half = chunk.keys.length >> 1;
      this.chunks.splice(chunkIndex + 1, 0, { keys: chunk.keys.splice(half), values: chunk.values.splice(half) });
    }
  }

  /**
   * Sets many entries, given in strictly ascending key order, as {@link set} on each would: in one merge pass over
   * the map, where sets one by one would each search it.
   */
  setAll(sorted: ReadonlyArray<readonly [Uint8Array, V]>): void {
    if (sorted.length === 0) return;
    const keys: Uint8Array[] = [];
    const values: V[] = [];
    const existing = this.entries();
    let next = existing.next();
    for (const [key, value] of sorted) {
      for (; !next.done && compareBytes(next.value[0], key) < 0; next = existing.next()) {
        keys.push(next.value[0]);
        values.push(next.value[1]);
      }
      if (!next.done && compareBytes(next.value[0], key) === 0) next = existing.next();
      keys.push(key);
      values.push(value);
    }
    for (; !next.done; next = existing.next()) {
      keys.push(next.value[0]);
      values.push(next.value[1]);
    }
    // Half-full chunks, as splits leave them.
    const size = CHUNK_LIMIT >> 1;
    this.chunks.length = 0;
    for (let start = 0; start < keys.length; start += size) {
      this.chunks.push({ keys: keys.slice(start, start + size), values: values.slice(start, start + size) });
    }
    this.entryCount = keys.length;
  }

  /** Removes `key`; returns true if it was present. */
  delete(key: Uint8Array): boolean {
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) return false;
    const index = lowerBound(chunk.keys, key);
    if (index >= chunk.keys.length || compareBytes(chunk.keys[index]!, key) !== 0) return false;
    chunk.keys.splice(index, 1);
    chunk.values.splice(index, 1);
    this.entryCount--;
    if (chunk.keys.length === 0) this.chunks.splice(chunkIndex, 1);
    return true;
  }

  /**
   * Entries with `lower ≤ key < upper` (either bound may be undefined), ascending, or descending with `reverse`.
   * The map must not change during the walk.
   */
  *range(lower: Uint8Array | undefined, upper: Uint8Array | undefined, reverse = false): Generator<[Uint8Array, V]> {
    if (this.chunks.length === 0) return;
    if (!reverse) {
      let chunkIndex = lower === undefined ? 0 : this.chunkFor(lower);
      let index = lower === undefined || this.chunks[chunkIndex] === undefined ? 0 : lowerBound(this.chunks[chunkIndex]!.keys, lower);
      for (; chunkIndex < this.chunks.length; chunkIndex++, index = 0) {
        const chunk = this.chunks[chunkIndex]!;
        for (; index < chunk.keys.length; index++) {
          const key = chunk.keys[index]!;
          if (upper !== undefined && compareBytes(key, upper) >= 0) return;
          yield [key, chunk.values[index]!];
        }
      }
      return;
    }
    let chunkIndex = upper === undefined ? this.chunks.length - 1 : Math.min(this.chunkFor(upper), this.chunks.length - 1);
    let index =
      upper === undefined ? this.chunks[chunkIndex]!.keys.length - 1 : lowerBound(this.chunks[chunkIndex]!.keys, upper) - 1;
    for (; chunkIndex >= 0; chunkIndex--, index = (this.chunks[chunkIndex]?.keys.length ?? 0) - 1) {
      const chunk = this.chunks[chunkIndex]!;
      for (; index >= 0; index--) {
        const key = chunk.keys[index]!;
        if (lower !== undefined && compareBytes(key, lower) < 0) return;
        yield [key, chunk.values[index]!];
      }
    }
  }

  /**
   * Calls `visit` on the entries with `lower ≤ key < upper`, ascending, until it returns true (the allocation-free
   * walk of hot paths). The map must not change during the walk.
   */
  walk(lower: Uint8Array, upper: Uint8Array, visit: (key: Uint8Array, value: V) => boolean | void): void {
    const [endChunk, endIndex] = this.position(upper);
    let [chunkIndex, index] = this.position(lower);
    for (; chunkIndex <= endChunk && chunkIndex < this.chunks.length; chunkIndex++, index = 0) {
      const { keys, values } = this.chunks[chunkIndex]!;
      const stop = chunkIndex === endChunk ? endIndex : keys.length;
      for (; index < stop; index++) if (visit(keys[index]!, values[index]!) === true) return;
    }
  }

  /** The entry with the largest key below `key`, or undefined. */
  before(key: Uint8Array): [Uint8Array, V] | undefined {
    let [chunkIndex, index] = this.position(key);
    if (index === 0) {
      if (chunkIndex === 0) return undefined;
      chunkIndex--;
      index = this.chunks[chunkIndex]!.keys.length;
    }
    const chunk = this.chunks[chunkIndex]!;
    return [chunk.keys[index - 1]!, chunk.values[index - 1]!];
  }

  /** The entry with the largest key at or before `key`, or undefined. */
  atOrBefore(key: Uint8Array): [Uint8Array, V] | undefined {
    const [chunkIndex, index] = this.position(key);
    const chunk = this.chunks[chunkIndex];
    if (chunk !== undefined && index < chunk.keys.length && compareBytes(chunk.keys[index]!, key) === 0) {
      return [chunk.keys[index]!, chunk.values[index]!];
    }
    return this.before(key);
  }

  /** The entry with the smallest key at or after `key`, or undefined. */
  atOrAfter(key: Uint8Array): [Uint8Array, V] | undefined {
    const [chunkIndex, index] = this.position(key);
    const chunk = this.chunks[chunkIndex];
    return chunk === undefined ? undefined : [chunk.keys[index]!, chunk.values[index]!];
  }

  /** Every entry in ascending key order. */
  entries(): Generator<[Uint8Array, V]> {
    return this.range(undefined, undefined);
  }

  /** Where the first key ≥ `key` is: its chunk and index (chunks.length and 0 past the end). */
  private position(key: Uint8Array): [number, number] {
    const chunkIndex = this.chunkFor(key);
    const chunk = this.chunks[chunkIndex];
    return chunk === undefined ? [chunkIndex, 0] : [chunkIndex, lowerBound(chunk.keys, key)];
  }

  /** Index of the first chunk whose last key is ≥ `key` (= chunks.length if none). */
  private chunkFor(key: Uint8Array): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      const keys = this.chunks[middle]!.keys;
      if (compareBytes(keys[keys.length - 1]!, key) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
