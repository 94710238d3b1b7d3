import { bytesToHex, compareBytes } from '@docs/crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { TABLE, authorOfByKeyKey, byKeyKey, escapeKey, keyOfByKeyKey, prefixBounds, tableKey } from '../src/key-layout.js';

const SEED = 0x4ea1;
const key = fc.uint8Array({ maxLength: 5 }).map((bytes) => bytes.map((byte) => [0, 1, 0xfe, 0xff, 0x61][byte % 5]!));
const author = fc.constantFrom(new Uint8Array(32), new Uint8Array(32).fill(1), new Uint8Array(32).fill(0xff));
const namespace = new Uint8Array(32).fill(7);

describe('key layout', () => {
  test('by-key rows sort by (key, author) and give both back (seeded)', () => {
    fc.assert(
      fc.property(key, author, key, author, (keyA, authorA, keyB, authorB) => {
        const rowA = byKeyKey(namespace, keyA, authorA);
        const rowB = byKeyKey(namespace, keyB, authorB);
        const expected = Math.sign(compareBytes(keyA, keyB) || compareBytes(authorA, authorB));
        expect(Math.sign(compareBytes(rowA, rowB))).toBe(expected);
        expect(bytesToHex(keyOfByKeyKey(rowA))).toBe(bytesToHex(keyA));
        expect(bytesToHex(authorOfByKeyKey(rowA))).toBe(bytesToHex(authorA));
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  test('an escaped prefix bounds exactly the rows of keys with that prefix (seeded)', () => {
    fc.assert(
      fc.property(key, key, author, (prefix, other, who) => {
        const bounds = prefixBounds(tableKey(TABLE.byKey, namespace, escapeKey(prefix)));
        const row = byKeyKey(namespace, other, who);
        const inside = compareBytes(row, bounds.gte) >= 0 && compareBytes(row, bounds.lt) < 0;
        const startsWith = other.length >= prefix.length && prefix.every((byte, index) => other[index] === byte);
        expect(inside).toBe(startsWith);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  test('table prefixes never end in 0xff, so every prefix has an upper bound', () => {
    for (const table of Object.values(TABLE)) expect(prefixBounds(Uint8Array.of(table)).lt).toEqual(Uint8Array.of(table + 1));
    expect(() => prefixBounds(Uint8Array.of(0xff))).toThrow(RangeError);
  });
});
