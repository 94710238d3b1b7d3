import { compareKeys } from './bytes.js';
import { BytesMap } from './bytes-map.js';
import { EMPTY_KEY, isWholeRange, type Range } from './range.js';

/**
 * Ranges that deferral runs may span without needing an answer of their own (ranges whose
 * fingerprints matched), indexed by start key.
 */
export class GlueIndex {
  private readonly byStart = new BytesMap<Range>();

  constructor(glue: Iterable<Range>) {
    for (const range of glue) if (!isWholeRange(range)) this.byStart.set(range.x, range);
  }

  /** The glue range starting at `key`, if any. */
  startingAt(key: Uint8Array): Range | undefined {
    return this.byStart.get(key);
  }
}

/**
 * Merges the `deferred` ranges into runs where they touch (`a.y == b.x`), directly or through a
 * chain of `glue` ranges, following the wrap-around; a run that ends where it starts, or a
 * whole-set deferred range, is the whole set. Linear in the deferred ranges plus the glue walked:
 * adjacency is key equality, so nothing is sorted. Runs are returned in the order of their first
 * range in `deferred`.
 */
export function mergeAdjacentRanges(deferred: readonly Range[], glue: GlueIndex = new GlueIndex([])): Range[] {
  const whole = deferred.find(isWholeRange);
  if (whole !== undefined) return [whole];
  const byStart = new BytesMap<number>();
  deferred.forEach((range, index) => {
    if (byStart.get(range.x) === undefined) byStart.set(range.x, index);
  });
  // next[i]: the deferred range reached from the end of range i (directly or through glue).
  const next = new Int32Array(deferred.length).fill(-1);
  const hasPrevious = new Uint8Array(deferred.length);
  const walkedGlue = new Set<Range>();
  deferred.forEach((range, index) => {
    let end = range.y;
    for (;;) {
      const direct = byStart.get(end);
      if (direct !== undefined) {
        if (direct !== index && hasPrevious[direct] === 0) {
          next[index] = direct;
          hasPrevious[direct] = 1;
        }
        return;
      }
      const bridge = glue.startingAt(end);
      if (bridge === undefined || walkedGlue.has(bridge)) return;
      walkedGlue.add(bridge);
      end = bridge.y;
    }
  });
  const runs: Range[] = [];
  const used = new Uint8Array(deferred.length);
  const emitFrom = (start: number): void => {
    let last = start;
    used[start] = 1;
    while (next[last] !== -1 && used[next[last] as number] === 0) {
      last = next[last] as number;
      used[last] = 1;
    }
    // Ending where it started makes the run the whole set, as (x, x) means.
    runs.push({ x: (deferred[start] as Range).x, y: (deferred[last] as Range).y });
  };
  deferred.forEach((_, index) => {
    if (hasPrevious[index] === 0) emitFrom(index);
  });
  // What is left forms cycles around the whole circle.
  deferred.forEach((_, index) => {
    if (used[index] === 0) emitFrom(index);
  });
  const merged = runs.find(isWholeRange);
  return merged === undefined ? runs : [merged];
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
