import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToMapKey } from '../src/map-key.js';

describe('bytesToMapKey', () => {
  it('is equal exactly for equal bytes, one char per byte, long inputs included (seeded)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10_000 }), fc.uint8Array({ maxLength: 10_000 }), (a, b) => {
        const same = a.length === b.length && a.every((byte, index) => b[index] === byte);
        expect(bytesToMapKey(a) === bytesToMapKey(b)).toBe(same);
        expect(bytesToMapKey(a)).toHaveLength(a.length);
      }),
      { seed: 20_241_129, numRuns: 300 },
    );
    const long = new Uint8Array(9_000).fill(7);
    const other = long.slice();
    other[8_999] = 8;
    expect(bytesToMapKey(long)).not.toBe(bytesToMapKey(other));
  });
});
