import { compareBytes } from '@docs/crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeKey, keyAuthorIndexKey, keyIndexPrefix } from '../src/key-author-index.js';

const PROPERTY_SEED = 20_241_128;
const sign = (value: number): number => Math.sign(value);
const startsWith = (bytes: Uint8Array, prefix: Uint8Array): boolean =>
  bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
// Keys over few symbols (0x00 and 0x01 included) so that escapes, prefixes and ties are frequent.
const key = fc.uint8Array({ maxLength: 5 }).map((bytes) => bytes.map((byte) => [0, 1, 2, 0xff][byte % 4]!));
const author = fc.constantFrom(0, 1, 0xff).map((byte) => new Uint8Array(32).fill(byte));

describe('key-author index keys', () => {
  it('order like (key, author), a key before its extensions (seeded)', () => {
    fc.assert(
      fc.property(key, author, key, author, (k1, a1, k2, a2) => {
        const expected = sign(compareBytes(k1, k2) || compareBytes(a1, a2));
        expect(sign(compareBytes(keyAuthorIndexKey(k1, a1), keyAuthorIndexKey(k2, a2)))).toBe(expected);
      }),
      { seed: PROPERTY_SEED, numRuns: 5_000 },
    );
  });

  it('select exactly one key, or every key under a prefix, by index prefix (seeded)', () => {
    fc.assert(
      fc.property(key, author, key, (stored, storedAuthor, probe) => {
        const indexKey = keyAuthorIndexKey(stored, storedAuthor);
        expect(startsWith(indexKey, keyIndexPrefix(probe))).toBe(compareBytes(stored, probe) === 0);
        expect(startsWith(indexKey, escapeKey(probe))).toBe(startsWith(stored, probe));
      }),
      { seed: PROPERTY_SEED, numRuns: 5_000 },
    );
  });

  it('escapes 0x00 as 00 01 and ends a key with 00 00', () => {
    expect([...keyAuthorIndexKey(new Uint8Array([0x61, 0, 0x62]), new Uint8Array([9]))]).toEqual([0x61, 0, 1, 0x62, 0, 0, 9]);
    expect([...escapeKey(new Uint8Array([0, 0]))]).toEqual([0, 1, 0, 1]);
    expect([...keyIndexPrefix(new Uint8Array())]).toEqual([0, 0]);
  });
});
