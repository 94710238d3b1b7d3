import { FINGERPRINT_LENGTH, ID_LENGTH, xorFingerprintInto } from '@docs/entry';
import type { ItemSummary } from '@docs/rbsr';
import { lowerBound } from './key-search.js';
import { fingerprintOf, idOf, lowerBoundIn, xorFingerprints, type PageRecords } from './page-rows.js';

/** A page of a namespace held whole: its records and the boundary of its level-1 node. */
export interface WholePage extends PageRecords {
  readonly boundary: Uint8Array;
}

/** Bounds a {@link WholeNamespace} remembers where they fall (see `recent`). */
const RECENT_BOUNDS = 4;

/** Where the records below a bound end, and (once asked for) the XOR of their fingerprints. */
interface Position {
  readonly bound: Uint8Array;
  /** The page the bound falls in. */
  readonly page: number;
  /** How many of that page's records are below the bound. */
  readonly records: number;
  xor?: Uint8Array;
}

/**
 * Count and XOR of every record of a namespace below any id, from all its record pages held in memory: prefix sums
 * over the pages (in boundary order) and a short scan of the one page the id falls in. Nothing is read and nothing
 * awaited, so an operation over a namespace held whole costs microseconds. Built in one pass over the pages (a
 * page's XOR is computed once, see {@link pageXor}), and rebuilt when a commit changes them.
 */
export class WholeNamespace {
  /** `counts[p]`: records in the pages before page `p` (one more entry than pages: the total last). */
  private readonly counts: Float64Array;
  /** `xors[32p..32p+32)`: XOR of the fingerprints of the pages before page `p`. */
  private readonly xors: Uint8Array;
  /** The XOR of all the fingerprints: the last entry of {@link xors}, a view. */
  private readonly totalXor: Uint8Array;
  /** The boundary of each page. */
  private readonly boundaries: readonly Uint8Array[];

  /**
   * The last {@link RECENT_BOUNDS} bounds looked up, replaced in turn. Reconciliation asks about each bound two or
   * three times in a row: a range's end is the next one's start, and a range's fingerprint, count and pivots read the
   * same two bounds. A search and a page's partial XOR then cost one comparison of the bound.
   */
  private readonly recent: Position[] = [];
  private nextRecent = 0;

  constructor(private readonly pages: readonly WholePage[]) {
    this.boundaries = pages.map((page) => page.boundary);
    this.counts = new Float64Array(pages.length + 1);
    this.xors = new Uint8Array((pages.length + 1) * FINGERPRINT_LENGTH);
    const { counts, xors } = this;
    for (let index = 0; index < pages.length; index++) {
      const page = pages[index]!;
      counts[index + 1] = counts[index]! + page.count;
      const own = pageXor(page);
      const from = index * FINGERPRINT_LENGTH;
      for (let byte = 0; byte < FINGERPRINT_LENGTH; byte++) xors[from + FINGERPRINT_LENGTH + byte] = xors[from + byte]! ^ own[byte]!;
    }
    this.totalXor = xors.subarray(pages.length * FINGERPRINT_LENGTH);
  }

  /** Records in the namespace. */
  get count(): number {
    return this.counts[this.pages.length]!;
  }

  /**
   * XORs the fingerprints of the records with `id < bound` (undefined: all of them) into `out`, and returns it. A
   * bound starts with the namespace id (bounds within the namespace do: any byte string between the namespace id and
   * the next one starts with it), which comparisons skip.
   */
  xorBelowInto(bound: Uint8Array | undefined, out: Uint8Array): Uint8Array {
    if (bound === undefined) return xorFingerprintInto(out, this.totalXor);
    const position = this.position(bound);
    position.xor ??= this.xorBefore(position.page, position.records);
    return xorFingerprintInto(out, position.xor);
  }

  /** The number of records with `id < bound` (undefined: all of them). */
  rank(bound: Uint8Array | undefined): number {
    if (bound === undefined) return this.count;
    const { page, records } = this.position(bound);
    return this.counts[page]! + records;
  }

  /** The id of the record at `rank` (0-based, in id order; a new array), or undefined past the end. */
  idAt(rank: number): Uint8Array | undefined {
    if (rank >= this.count) return undefined;
    const page = this.pageOfRank(rank);
    return idOf(this.pages[page]!, rank - this.counts[page]!);
  }

  /** The XOR of the fingerprints of the records of ranks below `rank` (a new array). */
  xorBelowRank(rank: number): Uint8Array {
    if (rank >= this.count) return this.xorBefore(this.pages.length, 0);
    const page = this.pageOfRank(rank);
    return this.xorBefore(page, rank - this.counts[page]!);
  }

  /** Appends the ids (new arrays) and fingerprints (views) of the records of ranks `from ≤ rank < to` to `out`. */
  summarize(from: number, to: number, out: ItemSummary[]): void {
    if (from >= to) return;
    for (let page = this.pageOfRank(from), index = from - this.counts[page]!, rank = from; rank < to; page++, index = 0) {
      const records = this.pages[page]!;
      for (; index < records.count && rank < to; index++, rank++) {
        out.push({ key: idOf(records, index), fingerprint: fingerprintOf(records, index) });
      }
    }
  }

  /** The page holding the record of `rank` (below the count): the last one with at most `rank` records before it. */
  private pageOfRank(rank: number): number {
    let low = 0;
    let high = this.pages.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.counts[middle]! <= rank) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Where the records below `bound` end: the page and how many of its records are below it. */
  private position(bound: Uint8Array): Position {
    for (const position of this.recent) if (sameBound(position.bound, bound)) return position;
    // The pages wholly below the bound start before it and are followed by a page starting at or before it.
    const next = lowerBound(this.boundaries, bound, ID_LENGTH);
    const position: Position = {
      bound: bound.slice(),
      page: next === 0 ? 0 : next - 1,
      records: next === 0 ? 0 : lowerBoundIn(this.pages[next - 1]!, bound, ID_LENGTH),
    };
    this.recent[this.nextRecent] = position;
    this.nextRecent = (this.nextRecent + 1) % RECENT_BOUNDS;
    return position;
  }

  /** The XOR of the fingerprints of the pages before page `page` and that page's first `records` records (new). */
  private xorBefore(page: number, records: number): Uint8Array {
    const from = page * FINGERPRINT_LENGTH;
    const xor = this.xors.slice(from, from + FINGERPRINT_LENGTH);
    if (records > 0) xorFingerprints(this.pages[page]!, 0, records, xor);
    return xor;
  }
}

/** Whether two bounds within one namespace are equal: compared from the end, where different ids usually differ. */
function sameBound(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = left.length - 1; index >= ID_LENGTH; index--) if (left[index] !== right[index]) return false;
  return true;
}

/** XORs of pages already summed: a page's records never change (a commit makes a new page). */
const pageXors = new WeakMap<PageRecords, Uint8Array>();

/** The XOR of all fingerprints of a page (not to be changed), computed once per page. */
export function pageXor(page: PageRecords): Uint8Array {
  let xor = pageXors.get(page);
  if (xor === undefined) {
    xor = new Uint8Array(FINGERPRINT_LENGTH);
    xorFingerprints(page, 0, page.count, xor);
    pageXors.set(page, xor);
  }
  return xor;
}
