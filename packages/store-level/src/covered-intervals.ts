import { compareBytes } from '@docs/crypto';

/** A half-open interval of byte strings, `[from, to)`; `to` undefined is unbounded above. */
export interface ByteInterval {
  readonly from: Uint8Array;
  readonly to: Uint8Array | undefined;
}

/** `a < b` for interval ends, undefined being +∞. */
function endBefore(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined) return false;
  return b === undefined || compareBytes(a, b) < 0;
}

/** The larger of two interval ends. */
function maxEnd(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  return endBefore(a, b) ? b : a;
}

/**
 * A set of disjoint byte-string intervals (which parts of a key range are held in memory): what is missing from an
 * interval, and adding one (merged with its neighbours).
 */
export class CoveredIntervals {
  /** Sorted by `from`, disjoint, not touching. */
  private intervals: ByteInterval[] = [];

  /** The parts of `[from, to)` not covered yet, in order. */
  missing(from: Uint8Array, to: Uint8Array | undefined): ByteInterval[] {
    const out: ByteInterval[] = [];
    let cursor: Uint8Array | undefined = from;
    for (let index = this.firstEndingAfter(from); index < this.intervals.length; index++) {
      const interval = this.intervals[index]!;
      if (cursor === undefined || !endBefore(cursor, to)) break;
      if (!endBefore(cursor, interval.to)) continue; // wholly before the cursor
      if (!endBefore(interval.from, to)) break; // wholly after the query
      if (compareBytes(cursor, interval.from) < 0) out.push({ from: cursor, to: interval.from });
      cursor = interval.to;
    }
    if (cursor !== undefined && endBefore(cursor, to)) out.push({ from: cursor, to });
    return out;
  }

  /** Index of the first interval that ends after `point` (the intervals are sorted and disjoint, so are their ends). */
  private firstEndingAfter(point: Uint8Array): number {
    let low = 0;
    let high = this.intervals.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (endBefore(point, this.intervals[middle]!.to)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** Marks `[from, to)` covered. */
  add(from: Uint8Array, to: Uint8Array | undefined): void {
    if (!endBefore(from, to)) return;
    let mergedFrom = from;
    let mergedTo = to;
    const kept: ByteInterval[] = [];
    for (const interval of this.intervals) {
      // Disjoint and not touching: keep; otherwise merge.
      if (endBefore(interval.to, mergedFrom) || endBefore(mergedTo, interval.from)) {
        kept.push(interval);
        continue;
      }
      if (compareBytes(interval.from, mergedFrom) < 0) mergedFrom = interval.from;
      mergedTo = maxEnd(mergedTo, interval.to);
    }
    kept.push({ from: mergedFrom, to: mergedTo });
    kept.sort((a, b) => compareBytes(a.from, b.from));
    this.intervals = kept;
  }
}
