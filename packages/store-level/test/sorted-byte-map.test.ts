import { bytesToHex, compareBytes } from '@docs/crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SortedByteMap } from '../src/sorted-byte-map.js';

const SEED = 0x50f7ed;
const SLOW = process.env['SLOW'] === '1';

/** Short keys over a tiny alphabet, so that equal keys, prefixes and neighbours are frequent. */
const key = fc.uint8Array({ minLength: 0, maxLength: 4 }).map((bytes) => bytes.map((byte) => [0, 1, 0x7f, 0xff][byte % 4]!));
const operation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: fc.nat(1000) }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  // Many keys at once (sorted and deduplicated below), merged in one pass.
  fc.record({ kind: fc.constant('setAll' as const), keys: fc.array(key, { maxLength: 300 }), value: fc.nat(1000) }),
);

describe('SortedByteMap', () => {
  test('matches a naive sorted map under random sets, deletes and range walks (seeded)', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: SLOW ? 3000 : 800 }), key, key, fc.boolean(), (operations, lower, upper, reverse) => {
        const map = new SortedByteMap<number>();
        const naive = new Map<string, { key: Uint8Array; value: number }>();
        for (const step of operations) {
          if (step.kind === 'set') {
            map.set(step.key, step.value);
            naive.set(bytesToHex(step.key), { key: step.key, value: step.value });
          } else if (step.kind === 'setAll') {
            const unique = new Map(step.keys.map((bytes, index) => [bytesToHex(bytes), { key: bytes, value: step.value + index }]));
            const sorted = [...unique.values()].sort((a, b) => compareBytes(a.key, b.key));
            map.setAll(sorted.map(({ key: bytes, value }) => [bytes, value] as const));
            for (const [hex, entry] of unique) naive.set(hex, entry);
          } else {
            expect(map.delete(step.key)).toBe(naive.delete(bytesToHex(step.key)));
          }
        }
        expect(map.size).toBe(naive.size);
        const sorted = [...naive.values()].sort((a, b) => compareBytes(a.key, b.key));
        for (const entry of sorted) expect(map.get(entry.key)).toBe(entry.value);
        expect(map.get(Uint8Array.of(9, 9, 9, 9, 9))).toBeUndefined();
        const inRange = sorted.filter((entry) => compareBytes(entry.key, lower) >= 0 && compareBytes(entry.key, upper) < 0);
        const expected = (reverse ? inRange.reverse() : inRange).map((entry) => [bytesToHex(entry.key), entry.value]);
        expect([...map.range(lower, upper, reverse)].map(([bytes, value]) => [bytesToHex(bytes), value])).toEqual(expected);
        const walked: [string, number][] = [];
        map.walk(lower, upper, (bytes, value) => void walked.push([bytesToHex(bytes), value]));
        expect(walked).toEqual(reverse ? [...expected].reverse() : expected);
        let visits = 0;
        map.walk(lower, upper, () => ++visits === 2);
        expect(visits).toBe(Math.min(2, inRange.length));
        const before = sorted.filter((entry) => compareBytes(entry.key, lower) < 0).at(-1);
        expect(map.before(lower)?.map((part) => (part instanceof Uint8Array ? bytesToHex(part) : part))).toEqual(
          before === undefined ? undefined : [bytesToHex(before.key), before.value],
        );
        const atOrAfter = sorted.find((entry) => compareBytes(entry.key, lower) >= 0);
        expect(map.atOrAfter(lower)?.map((part) => (part instanceof Uint8Array ? bytesToHex(part) : part))).toEqual(
          atOrAfter === undefined ? undefined : [bytesToHex(atOrAfter.key), atOrAfter.value],
        );
        // At or before: a probe between keys, and keys that are in the map.
        for (const probe of [lower, ...sorted.slice(0, 3).map((entry) => entry.key), ...sorted.slice(-2).map((entry) => entry.key)]) {
          const atOrBefore = sorted.filter((entry) => compareBytes(entry.key, probe) <= 0).at(-1);
          expect(map.atOrBefore(probe)?.map((part) => (part instanceof Uint8Array ? bytesToHex(part) : part))).toEqual(
            atOrBefore === undefined ? undefined : [bytesToHex(atOrBefore.key), atOrBefore.value],
          );
        }
        const all = sorted.map((entry) => [bytesToHex(entry.key), entry.value]);
        expect([...map.range(undefined, undefined)].map(([bytes, value]) => [bytesToHex(bytes), value])).toEqual(all);
        expect([...map.range(undefined, undefined, true)].map(([bytes, value]) => [bytesToHex(bytes), value])).toEqual(all.reverse());
      }),
      { seed: SEED, numRuns: SLOW ? 2000 : 200 },
    );
  });

  test('thousands of keys split into many chunks and still walk in order', () => {
    const map = new SortedByteMap<number>();
    for (let index = 0; index < 5000; index++) map.set(Uint8Array.of((index * 7919) % 5000 >> 8, (index * 7919) % 5000 & 0xff), index);
    const keys = [...map.entries()].map(([bytes]) => (bytes[0]! << 8) | bytes[1]!);
    expect(keys).toEqual(Array.from({ length: 5000 }, (_, index) => index));
    const backwards = [...map.range(Uint8Array.of(0, 10), Uint8Array.of(19, 0x88), true)].map(([bytes]) => (bytes[0]! << 8) | bytes[1]!);
    expect(backwards).toEqual(Array.from({ length: (19 << 8) + 0x88 - 10 }, (_, index) => (19 << 8) + 0x88 - 1 - index));
    const walked: number[] = [];
    map.walk(Uint8Array.of(0, 10), Uint8Array.of(19, 0x88), (bytes) => void walked.push((bytes[0]! << 8) | bytes[1]!));
    expect(walked).toEqual([...backwards].reverse());
    for (let value = 0; value <= 5000; value += 37) {
      const probe = Uint8Array.of(value >> 8, value & 0xff);
      const before = map.before(probe);
      expect(before === undefined ? -1 : (before[0][0]! << 8) | before[0][1]!).toBe(value - 1);
      const after = map.atOrAfter(probe);
      expect(after === undefined ? 5000 : (after[0][0]! << 8) | after[0][1]!).toBe(value);
    }
  });
});
