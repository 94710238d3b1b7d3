import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMPTY_KEY, rangeContains, type Range } from '@docs/rbsr';
import { coverExcept, gapsBetweenRanges, GlueIndex, mergeAdjacentRanges } from '../src/arcs.js';

const SEED = 0xa5c5;
const key = (byte: number): Uint8Array => Uint8Array.of(byte);
/** Every key that can matter for ranges bounded by one-byte keys: the empty key and 0..30. */
const UNIVERSE = [EMPTY_KEY, ...Array.from({ length: 31 }, (_, i) => key(i))];
const covered = (ranges: readonly Range[], probe: Uint8Array): boolean => ranges.some((range) => rangeContains(range, probe));

/**
 * A partition of the key circle into consecutive ranges at sorted cut points (as the parts of an
 * honest message), each labelled deferred (0), glue (1) or answered (2).
 */
const labelledPartition = fc
  .uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 12 })
  .chain((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    const ranges = sorted.map((cut, i): Range => ({ x: key(cut), y: key(sorted[(i + 1) % sorted.length] as number) }));
    return fc.tuple(fc.constant(ranges), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: ranges.length, maxLength: ranges.length }));
  });

describe('mergeAdjacentRanges', () => {
  it('covers every deferred key and nothing outside deferred or glue ranges', () => {
    fc.assert(
      fc.property(labelledPartition, fc.boolean(), ([ranges, labels], shuffle) => {
        const deferred = ranges.filter((_, i) => labels[i] === 0);
        const glue = ranges.filter((_, i) => labels[i] === 1);
        const input = shuffle ? [...deferred].reverse() : deferred;
        const runs = mergeAdjacentRanges(input, new GlueIndex(glue));
        for (const probe of UNIVERSE) {
          if (covered(deferred, probe)) expect(covered(runs, probe)).toBe(true);
          if (covered(runs, probe)) expect(covered(deferred, probe) || covered(glue, probe)).toBe(true);
        }
        // One run per maximal stretch (around the circle) of deferred and glue ranges holding a deferred one.
        const mergeable = labels.map((label) => label !== 2);
        let stretches = 0;
        if (mergeable.every(Boolean)) {
          stretches = deferred.length > 0 ? 1 : 0;
        } else {
          const start = mergeable.indexOf(false);
          let holdsDeferred = false;
          for (let step = 1; step <= labels.length; step++) {
            const i = (start + step) % labels.length;
            if (!mergeable[i]) {
              if (holdsDeferred) stretches++;
              holdsDeferred = false;
            } else if (labels[i] === 0) {
              holdsDeferred = true;
            }
          }
        }
        expect(runs).toHaveLength(stretches);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('joins through glue and across the wrap-around, and returns the whole set when it closes', () => {
    const r = (x: number, y: number): Range => ({ x: key(x), y: key(y) });
    expect(mergeAdjacentRanges([r(1, 2), r(3, 4)], new GlueIndex([r(2, 3)]))).toEqual([r(1, 4)]);
    expect(mergeAdjacentRanges([r(1, 2), r(3, 4)])).toEqual([r(1, 2), r(3, 4)]);
    expect(mergeAdjacentRanges([r(9, 1), r(1, 2), r(5, 9)])).toEqual([r(5, 2)]);
    expect(mergeAdjacentRanges([r(1, 5), r(5, 1)])).toEqual([r(1, 1)]);
    expect(mergeAdjacentRanges([r(1, 5), r(7, 7)])).toEqual([r(7, 7)]);
    expect(mergeAdjacentRanges([])).toEqual([]);
  });
});

describe('gapsBetweenRanges and coverExcept', () => {
  it('a cover leaving out any one gap still holds every key of every range (overlapping ranges too)', () => {
    const anyRange = fc.record({ x: fc.integer({ min: 0, max: 30 }).map(key), y: fc.integer({ min: 0, max: 30 }).map(key) });
    fc.assert(
      fc.property(fc.array(anyRange, { minLength: 1, maxLength: 8 }), (ranges) => {
        const gaps = gapsBetweenRanges(ranges);
        for (const gap of gaps.length === 0 ? [undefined] : gaps) {
          const cover = coverExcept(ranges, gap);
          for (const probe of UNIVERSE) {
            if (covered(ranges, probe)) expect(covered([cover], probe)).toBe(true);
          }
          if (gap !== undefined) {
            // The gap itself holds no key of any range.
            for (const probe of UNIVERSE) if (rangeContains(gap, probe)) expect(covered(ranges, probe)).toBe(false);
          }
        }
      }),
      { seed: SEED, numRuns: 500 },
    );
  });
});
