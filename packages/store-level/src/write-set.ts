import { compareBytes } from '@docs/crypto';
import type { NodeReader } from './fingerprint-aggregates.js';
import type { BatchOperation, KeyValueReader, WalkOptions } from './key-value.js';
import { SortedByteMap } from './sorted-byte-map.js';

/**
 * Pending writes of one atomic batch, layered over the committed database: reads see the pending puts and
 * deletes, so the steps of an insert (prefix deletions, index and aggregate updates, and the inserts of earlier
 * entries of the same batch) build on each other. {@link operations} is then committed with one `db.batch()`.
 */
export class WriteSet implements KeyValueReader {
  /** Pending value per key; `null` is a pending delete. */
  private readonly pending = new SortedByteMap<Uint8Array | null>();
  /**
   * Committed values {@link get} read, by key (`null`: no row). No record, index, latest, page or aggregate row is
   * written while a batch is built (every write of those goes through the store's write queue), so a read holds for
   * the whole batch: an author's latest row, say, is read once per batch, not once per entry that does not replace it.
   */
  private readonly committed = new SortedByteMap<Uint8Array | null>();

  constructor(private readonly base: KeyValueReader) {}

  /** Number of pending writes. */
  get size(): number {
    return this.pending.size;
  }

  /** Records a put. */
  put(key: Uint8Array, value: Uint8Array): void {
    this.pending.set(key, value);
  }

  /** Records a delete. */
  del(key: Uint8Array): void {
    this.pending.set(key, null);
  }

  /** The pending write under `key`: its value, `null` for a delete, undefined if there is none. */
  pendingWrite(key: Uint8Array): Uint8Array | null | undefined {
    return this.pending.get(key);
  }

  /** The value under `key`, pending writes first. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const value = this.pending.get(key);
    if (value !== undefined) return value ?? undefined;
    const known = this.committed.get(key);
    if (known !== undefined) return known ?? undefined;
    const read = await this.base.get(key);
    this.committed.set(key.slice(), read ?? null);
    return read;
  }

  /** The values under `keys`, pending writes first; one database call for the rest. */
  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (this.pending.size === 0) return this.base.getMany(keys);
    const results: (Uint8Array | undefined)[] = new Array(keys.length);
    const missing: number[] = [];
    keys.forEach((key, index) => {
      const value = this.pending.get(key);
      if (value === undefined) missing.push(index);
      else results[index] = value ?? undefined;
    });
    const fetched = await this.base.getMany(missing.map((index) => keys[index]!));
    missing.forEach((index, position) => (results[index] = fetched[position]));
    return results;
  }

  /** Entries in `[gte, lt)`: the committed ones merged with the pending writes (pending wins, deletes hide). */
  async *entries(options: WalkOptions): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const { gte, lt, reverse = false, limit = Number.POSITIVE_INFINITY } = options;
    if (limit <= 0) return;
    const pending = this.pending.range(gte, lt, reverse);
    // Committed rows are read without a limit (pending deletes may hide some), fetching a few more than needed.
    const committed = this.base.entries({ gte, ...(lt === undefined ? {} : { lt }), reverse, readAhead: Math.min(limit, 16) + 1 });
    const before = (a: Uint8Array, b: Uint8Array): boolean => (reverse ? compareBytes(a, b) > 0 : compareBytes(a, b) < 0);
    let left = limit;
    let nextPending = pending.next();
    let nextCommitted = await committed.next();
    try {
      while (left > 0 && !(nextPending.done === true && nextCommitted.done === true)) {
        let key: Uint8Array;
        let value: Uint8Array | null;
        if (nextCommitted.done === true || (nextPending.done !== true && !before(nextCommitted.value[0], nextPending.value[0]))) {
          [key, value] = nextPending.value as [Uint8Array, Uint8Array | null];
          if (nextCommitted.done !== true && compareBytes(nextCommitted.value[0], key) === 0) {
            nextCommitted = await committed.next();
          }
          nextPending = pending.next();
        } else {
          [key, value] = nextCommitted.value;
          nextCommitted = await committed.next();
        }
        if (value === null) continue;
        left--;
        yield [key, value];
      }
    } finally {
      await committed.return(undefined);
    }
  }

  /** A synchronous view of `base` (committed rows of one key range) through the pending writes. */
  overlay(base: NodeReader): NodeReader {
    const pending = this.pending;
    return {
      get: (key) => {
        const value = pending.get(key);
        return value === undefined ? base.get(key) : (value ?? undefined);
      },
      range: (gte, lt, reverse = false) => mergeRows(pending.range(gte, lt, reverse), base.range(gte, lt, reverse), reverse),
      before: (key) => {
        // The larger of the two rows below `key`; a pending delete hides its row, and the search goes on below it.
        for (let bound = key; ; ) {
          const mine = pending.before(bound);
          const theirs = base.before(bound);
          if (mine === undefined || (theirs !== undefined && compareBytes(theirs[0], mine[0]) > 0)) return theirs;
          if (mine[1] !== null) return mine as [Uint8Array, Uint8Array];
          bound = mine[0];
        }
      },
    };
  }

  /**
   * The rows in `[gte, lt)` given the committed ones there (read before, ascending): pending wins, deletes hide. A
   * new array.
   */
  over(gte: Uint8Array, lt: Uint8Array, committed: ReadonlyArray<[Uint8Array, Uint8Array]>): Array<[Uint8Array, Uint8Array]> {
    // Usually nothing is pending there (an insert's descendants, say): then the committed rows are the answer.
    const first = this.pending.atOrAfter(gte);
    if (first === undefined || compareBytes(first[0], lt) >= 0) return [...committed];
    return [...mergeRows(this.pending.range(gte, lt), committed, false)];
  }

  /** The batch to commit. */
  operations(): BatchOperation[] {
    const operations: BatchOperation[] = [];
    for (const [key, value] of this.pending.entries()) {
      operations.push(value === null ? { type: 'del', key } : { type: 'put', key, value });
    }
    return operations;
  }
}

/** Merges pending writes into committed rows, both in the same order: pending wins, pending deletes hide. */
function* mergeRows(
  pending: Iterable<[Uint8Array, Uint8Array | null]>,
  committed: Iterable<[Uint8Array, Uint8Array]>,
  reverse: boolean,
): Generator<[Uint8Array, Uint8Array]> {
  const before = (a: Uint8Array, b: Uint8Array): boolean => (reverse ? compareBytes(a, b) > 0 : compareBytes(a, b) < 0);
  const mine = pending[Symbol.iterator]();
  const theirs = committed[Symbol.iterator]();
  let nextMine = mine.next();
  let nextTheirs = theirs.next();
  while (nextMine.done !== true || nextTheirs.done !== true) {
    if (nextTheirs.done === true || (nextMine.done !== true && !before(nextTheirs.value[0], nextMine.value[0]))) {
      const [key, value] = nextMine.value as [Uint8Array, Uint8Array | null];
      if (nextTheirs.done !== true && compareBytes(nextTheirs.value[0], key) === 0) nextTheirs = theirs.next();
      nextMine = mine.next();
      if (value !== null) yield [key, value];
    } else {
      yield nextTheirs.value;
      nextTheirs = theirs.next();
    }
  }
}
