import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CoveredIntervals } from '../src/covered-intervals.js';

const SEED = 0xc0fe;

/** Points 0..20 as one-byte strings; 21 stands for "unbounded". */
const point = fc.integer({ min: 0, max: 20 });
const end = fc.integer({ min: 0, max: 21 });
const bytes = (value: number): Uint8Array | undefined => (value === 21 ? undefined : Uint8Array.of(value));

describe('CoveredIntervals', () => {
  test('missing parts match a naive set of covered points (seeded)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(point, end), { maxLength: 12 }), point, end, (added, from, to) => {
        const intervals = new CoveredIntervals();
        const covered = new Set<number>();
        for (const [start, stop] of added) {
          intervals.add(Uint8Array.of(start), bytes(stop));
          for (let value = start; value < stop; value++) covered.add(value);
        }
        const missing = new Set<number>();
        for (const gap of intervals.missing(Uint8Array.of(from), bytes(to))) {
          const gapEnd = gap.to === undefined ? 21 : gap.to[0]!;
          expect(gap.from[0]!).toBeLessThan(gapEnd);
          for (let value = gap.from[0]!; value < gapEnd; value++) missing.add(value);
        }
        const expected = new Set<number>();
        for (let value = from; value < to; value++) if (!covered.has(value)) expected.add(value);
        expect([...missing].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
