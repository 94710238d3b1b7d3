import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, compareKeys, keyHasPrefix } from '@docs/rbsr';
import { BytesMap } from '../src/bytes-map.js';

const SEED = 0xb7e5;
const bytes = fc.uint8Array({ maxLength: 24 });

describe('byte helpers', () => {
  it('compareKeys is the bytewise order with shorter prefixes first', () => {
    fc.assert(
      fc.property(bytes, bytes, (a, b) => {
        const expected = Buffer.compare(Buffer.from(a), Buffer.from(b));
        expect(Math.sign(compareKeys(a, b))).toBe(expected);
        expect(bytesEqual(a, b)).toBe(expected === 0);
        expect(keyHasPrefix(a, b)).toBe(Buffer.from(a).subarray(0, b.length).equals(Buffer.from(b)));
      }),
      { seed: SEED, numRuns: 2000 },
    );
    expect(compareKeys(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
    expect(keyHasPrefix(Uint8Array.of(1, 2), new Uint8Array(0))).toBe(true);
  });

  it('BytesMap finds values by key content, through hash collisions', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(bytes, fc.integer())), (entries) => {
        const map = new BytesMap<number>();
        const model = new Map<string, number>();
        for (const [key, value] of entries) {
          map.set(key.slice(), value);
          model.set(Buffer.from(key).toString('hex'), value);
        }
        for (const [key] of entries) expect(map.get(key.slice())).toBe(model.get(Buffer.from(key).toString('hex')));
        expect(map.get(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25))).toBe(
          model.get('0102030405060708090a0b0c0d0e0f10111213141516171819'),
        );
      }),
      { seed: SEED, numRuns: 500 },
    );
    // Keys equal in length and last 16 bytes collide in the hash and are still told apart.
    const map = new BytesMap<string>();
    const tail = new Array(16).fill(7);
    map.set(Uint8Array.from([1, ...tail]), 'one');
    map.set(Uint8Array.from([2, ...tail]), 'two');
    expect(map.get(Uint8Array.from([1, ...tail]))).toBe('one');
    expect(map.get(Uint8Array.from([2, ...tail]))).toBe('two');
    expect(map.get(Uint8Array.from([3, ...tail]))).toBeUndefined();
  });
});
