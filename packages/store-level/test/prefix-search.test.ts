import { compareBytes } from '@docs/crypto';
import { describe, expect, test } from 'vitest';
import { prefixLengthsIn } from '../src/prefix-search.js';
import { seeded } from './fixtures/seeded.js';

/** The greatest of the sorted `members` at or below `bound`, by a scan. */
function floorIn(members: readonly Uint8Array[], bound: Uint8Array): Uint8Array | undefined {
  let found: Uint8Array | undefined;
  for (const member of members) if (compareBytes(member, bound) <= 0) found = member;
  return found;
}

describe('prefixLengthsIn', () => {
  test('finds exactly the prefixes of a key (the key included) that a set holds, longest first (seeded: 1)', () => {
    const random = seeded(1);
    const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 3));
    for (let round = 0; round < 500; round++) {
      const members = Array.from({ length: Math.floor(random() * 40) }, () => bytes(Math.floor(random() * 7))).sort(compareBytes);
      const key = bytes(Math.floor(random() * 8));
      const from = Math.floor(random() * 3);
      let searches = 0;
      const found = prefixLengthsIn(key, from, (bound) => {
        searches++;
        return floorIn(members, bound);
      });
      const expected = [...new Set(members.filter((member) => member.length >= from && member.length <= key.length && compareBytes(member, key.subarray(0, member.length)) === 0).map((member) => member.length))].sort((a, b) => b - a);
      expect(found, `round ${round}`).toEqual(expected);
      // Each search settles at least one length.
      expect(searches).toBeLessThanOrEqual(key.length - from + 2);
    }
  });

  test('one search settles a key that no member starts like', () => {
    let searches = 0;
    const members = [Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)];
    expect(prefixLengthsIn(Uint8Array.of(1, 9, 9, 9), 2, (bound) => (searches++, floorIn(members, bound)))).toEqual([]);
    expect(searches).toBe(1);
  });
});
