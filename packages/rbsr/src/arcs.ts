import { bytesEqual, compareKeys } from './bytes.js';
import { EMPTY_KEY, isWholeRange, type Range } from './range.js';

/**
 * Merges the `deferred` ranges into runs where they touch (`a.y == b.x`), also through `glue`
 * ranges (which may be spanned but need no answer of their own); returns the runs holding at
 * least one deferred range, sorted by start. A run that ends where another starts across the
 * wrap-around joins it; a whole-set deferred range absorbs everything.
 */
export function mergeAdjacentRanges(deferred: readonly Range[], glue: readonly Range[] = []): Range[] {
  const whole = deferred.find(isWholeRange);
  if (whole !== undefined) return [whole];
  const marked = [
    ...deferred.map((range) => ({ range, deferred: true })),
    ...glue.filter((range) => !isWholeRange(range)).map((range) => ({ range, deferred: false })),
  ].sort((a, b) => compareKeys(a.range.x, b.range.x));
  const runs: Array<{ range: Range; deferred: boolean }> = [];
  for (const entry of marked) {
    const last = runs[runs.length - 1];
    if (last !== undefined && bytesEqual(last.range.y, entry.range.x)) {
      runs[runs.length - 1] = { range: { x: last.range.x, y: entry.range.y }, deferred: last.deferred || entry.deferred };
    } else {
      runs.push(entry);
    }
  }
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (runs.length > 1 && first !== undefined && last !== undefined && bytesEqual(last.range.y, first.range.x)) {
    runs[0] = { range: { x: last.range.x, y: first.range.y }, deferred: last.deferred || first.deferred };
    runs.pop();
  }
  const result = runs.filter((run) => run.deferred).map((run) => run.range);
  const merged = result.find(isWholeRange);
  return merged === undefined ? result : [merged];
}

/** A linear interval `[start, end)` of keys; `end === undefined` is "to the end". */
interface Interval {
  start: Uint8Array;
  end: Uint8Array | undefined;
}

/**
 * The gaps (as ranges) that any single range covering `ranges` may leave out: the stretches of the
 * key circle between the union's pieces. Empty when the union is the whole circle.
 */
export function gapsBetweenRanges(ranges: readonly Range[]): Range[] {
  if (ranges.some(isWholeRange)) return [];
  const intervals: Interval[] = [];
  for (const range of ranges) {
    if (compareKeys(range.x, range.y) < 0) {
      intervals.push({ start: range.x, end: range.y });
    } else {
      intervals.push({ start: range.x, end: undefined });
      if (range.y.length > 0) intervals.push({ start: EMPTY_KEY, end: range.y });
    }
  }
  intervals.sort((a, b) => compareKeys(a.start, b.start));
  const union: Interval[] = [];
  for (const interval of intervals) {
    const last = union[union.length - 1];
    if (last !== undefined && (last.end === undefined || compareKeys(interval.start, last.end) <= 0)) {
      if (last.end !== undefined && (interval.end === undefined || compareKeys(interval.end, last.end) > 0)) {
        last.end = interval.end;
      }
    } else {
      union.push({ ...interval });
    }
  }
  const first = union[0];
  const last = union[union.length - 1];
  if (first === undefined || last === undefined) return [];
  const gaps: Range[] = [];
  for (let i = 0; i + 1 < union.length; i++) {
    gaps.push({ x: (union[i] as Interval).end as Uint8Array, y: (union[i + 1] as Interval).start });
  }
  // The stretch from the union's end through the end of the key space to its start.
  const wrapsFully = last.end === undefined && first.start.length === 0;
  if (!wrapsFully) gaps.push({ x: last.end ?? EMPTY_KEY, y: first.start });
  return gaps;
}

/**
 * One range covering every range of `ranges` (which may overlap or wrap): the whole circle minus
 * `gap`, one of {@link gapsBetweenRanges}; the whole set when there is no gap.
 */
export function coverExcept(ranges: readonly Range[], gap: Range | undefined): Range {
  if (gap === undefined) {
    const anchor = (ranges[0] as Range).x;
    return { x: anchor, y: anchor };
  }
  return { x: gap.y, y: gap.x };
}
