import { ID_LENGTH } from '@docs/entry';
import { HashCounts } from './hash-counts.js';
import { idEnd, idSuffixStart, type PageRecords } from './page-rows.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Hashes are cut to 30 bits, which V8 keeps as small integers (a 32-bit key would be a heap number). */
const HASH_MASK = 0x3fffffff;

/**
 * The hashes of a set of record ids of one namespace — those held for a namespace held whole, or those a batch put —
 * (FNV-1a of `author ‖ key`, the id past its namespace, 30 bits), each with how many ids have it: "which prefixes of
 * this id are records?" then costs one multiplication per byte, where a floor search per prefix length compared ids
 * of 64 shared bytes a dozen times. A length whose hash is absent is no id counted; one whose hash is present may be
 * (hashes collide) and is checked exactly. 16 to 32 bytes per id ({@link HashCounts}).
 */
export class IdHashes {
  private readonly counts: HashCounts;

  /** @param expected - ids about to be counted (see {@link HashCounts}) */
  constructor(expected = 0) {
    this.counts = new HashCounts(expected);
  }

  /**
   * Counts the ids of `page`, in place of those of `replaced` (a page counted before, or undefined). Only the ids
   * between the hashes the two pages start and end with in common are counted again: a page rewritten for an insert
   * changes one.
   */
  replacePage(replaced: PageRecords | undefined, page: PageRecords): void {
    const next = hashesOf(page);
    const previous = replaced === undefined ? EMPTY : hashesOf(replaced);
    let start = 0;
    while (start < previous.length && start < next.length && previous[start] === next[start]) start++;
    let previousEnd = previous.length;
    let nextEnd = next.length;
    while (previousEnd > start && nextEnd > start && previous[previousEnd - 1] === next[nextEnd - 1]) {
      previousEnd--;
      nextEnd--;
    }
    for (let index = start; index < previousEnd; index++) this.counts.remove(previous[index]!);
    for (let index = start; index < nextEnd; index++) this.counts.add(next[index]!);
  }

  /** Counts an id (`namespace ‖ author ‖ key`). */
  addId(id: Uint8Array): void {
    this.counts.add(hashOf(id, ID_LENGTH, id.length));
  }

  /**
   * Counts the ids of pages: what a namespace held whole starts with. One loop over them all, with {@link hashOf}
   * written out: a call of it per id (or of a loop per page) measured twice as slow.
   */
  addPages(pages: readonly PageRecords[]): void {
    const { counts } = this;
    for (const page of pages) {
      const { row } = page;
      for (let index = 0; index < page.count; index++) {
        let hash = FNV_OFFSET;
        const end = idEnd(page, index);
        for (let byte = idSuffixStart(page, index); byte < end; byte++) hash = Math.imul(hash ^ row[byte]!, FNV_PRIME);
        counts.add(hash & HASH_MASK);
      }
    }
  }

  /** Uncounts the ids of a page counted before. */
  removePage(page: PageRecords): void {
    for (const hash of hashesOf(page)) this.counts.remove(hash);
  }

  /**
   * The lengths `ℓ ≥ from`, ascending, at which `id[0..ℓ)` (an id of this namespace, or a prefix of one) may be an
   * id counted: every one that is, and rarely one that is not.
   */
  candidateLengths(id: Uint8Array, from: number): number[] {
    const lengths: number[] = [];
    let hash = FNV_OFFSET;
    for (let index = ID_LENGTH; index < id.length; index++) {
      if (index >= from && this.counts.has(hash & HASH_MASK)) lengths.push(index);
      hash = Math.imul(hash ^ id[index]!, FNV_PRIME);
    }
    if (id.length >= from && this.counts.has(hash & HASH_MASK)) lengths.push(id.length);
    return lengths;
  }
}

const EMPTY = new Uint32Array(0);

/** The hash of each id of a page, in order. */
function hashesOf(page: PageRecords): Uint32Array {
  const { row } = page;
  const hashes = new Uint32Array(page.count);
  for (let index = 0; index < page.count; index++) hashes[index] = hashOf(row, idSuffixStart(page, index), idEnd(page, index));
  return hashes;
}

/** The hash of `bytes[from..to)`. */
function hashOf(bytes: Uint8Array, from: number, to: number): number {
  let hash = FNV_OFFSET;
  for (let index = from; index < to; index++) hash = Math.imul(hash ^ bytes[index]!, FNV_PRIME);
  return hash & HASH_MASK;
}
