import { compareKeys } from './bytes.js';

/**
 * A range of keys with wrap-around, exactly as in the reference (`ranger::Range`):
 * - `x == y`: the whole set;
 * - `x < y`: `[x, y)`;
 * - `x > y`: wraps around, `{ k | k >= x or k < y }`.
 *
 * Keys compare bytewise ({@link compareKeys}).
 */
export interface Range {
  /** Inclusive start. */
  readonly x: Uint8Array;
  /** Exclusive end (or, when equal to `x`, the marker of the whole set). */
  readonly y: Uint8Array;
}

/** The empty key: the smallest key there is. */
export const EMPTY_KEY: Uint8Array = new Uint8Array(0);

/**
 * Whether `key` lies in `range`, following the three cases of {@link Range}.
 */
export function rangeContains(range: Range, key: Uint8Array): boolean {
  const order = compareKeys(range.x, range.y);
  if (order === 0) return true;
  if (order < 0) return compareKeys(range.x, key) <= 0 && compareKeys(key, range.y) < 0;
  return compareKeys(range.x, key) <= 0 || compareKeys(key, range.y) < 0;
}

/**
 * Whether `range` is the whole set (`x == y`).
 */
export function isWholeRange(range: Range): boolean {
  return compareKeys(range.x, range.y) === 0;
}

/**
 * One or two ranges, each iterated by a store in plain key order, whose concatenation visits the
 * keys of `range` in circular order starting at `range.x`: `[x, y)` for a plain range, `[x, end)`
 * then `[start, y)` for a wrapping one and `[x, end)` then `[start, x)` for the whole set.
 * `[x, end)` is written `(x, EMPTY_KEY)`: nothing sorts below the empty key, so that wrapping
 * range holds exactly the keys from `x` on.
 */
export function circularSegments(range: Range): Range[] {
  const order = compareKeys(range.x, range.y);
  if (order < 0) return [range];
  const end = order === 0 ? range.x : range.y;
  // Range(x, EMPTY) is [x, end) whenever x is non-empty, and the whole set when x is empty.
  const tail: Range = { x: range.x, y: EMPTY_KEY };
  if (end.length === 0) return [tail];
  return [tail, { x: EMPTY_KEY, y: end }];
}
