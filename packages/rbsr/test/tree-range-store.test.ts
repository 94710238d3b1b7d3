import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintTree, TreeRangeStore, type Range } from '@docs/rbsr';
import { SortedArrayStore } from './helpers/sorted-array-store.js';
import { EMPTY_FINGERPRINT, testTraits, type TestItem } from './helpers/test-items.js';

const SEED = 0x7ee5;

/** Short keys over a tiny alphabet, half of them behind a shared 40-byte prefix. */
const SHARED_PREFIX = Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff);
const keyArbitrary = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(0, 1, 2, 0xff), { minLength: 0, maxLength: 3 }))
  .map(([shared, bytes]) => Uint8Array.from(shared ? [...SHARED_PREFIX, ...bytes] : bytes));

async function collect(iterable: AsyncIterable<TestItem>): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of iterable) keys.push(Buffer.from(entry.key).toString('hex'));
  return keys;
}

describe('TreeRangeStore', () => {
  it('answers count, fingerprint, items, keyAt and firstKey exactly like the naive store (differential)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(keyArbitrary, fc.integer({ min: 0, max: 5 })), { maxLength: 30 }),
        fc.array(fc.tuple(keyArbitrary, keyArbitrary), { minLength: 1, maxLength: 8 }),
        async (entries, bounds) => {
          const defaultKey = new Uint8Array(64);
          const naive = new SortedArrayStore(testTraits, EMPTY_FINGERPRINT, defaultKey);
          const tree = new FingerprintTree<TestItem>(testTraits);
          const store = new TreeRangeStore(tree, EMPTY_FINGERPRINT, defaultKey);
          for (const [key, value] of entries) {
            naive.setRaw({ key, value });
            tree.set({ key, value });
          }
          expect(await store.firstKey()).toEqual(await naive.firstKey());
          for (const [x, y] of bounds) {
            const range: Range = { x, y };
            const count = await naive.count(range);
            expect(await store.count(range)).toBe(count);
            expect(await store.fingerprint(range)).toEqual(await naive.fingerprint(range));
            expect(await collect(store.items(range))).toEqual(await collect(naive.items(range)));
            for (let index = 0; index < count; index++) {
              expect(await store.keyAt(range, index)).toEqual(await naive.keyAt(range, index));
            }
            await expect(store.keyAt(range, count)).rejects.toThrow(RangeError);
            await expect(store.keyAt(range, -1)).rejects.toThrow(RangeError);
          }
        },
      ),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('returns the default key and the empty fingerprint for an empty set', async () => {
    const store = new TreeRangeStore(new FingerprintTree<TestItem>(testTraits), EMPTY_FINGERPRINT, new Uint8Array(64));
    expect(await store.firstKey()).toEqual(new Uint8Array(64));
    expect(await store.fingerprint({ x: new Uint8Array(64), y: new Uint8Array(64) })).toEqual(EMPTY_FINGERPRINT);
    expect(() => new TreeRangeStore(new FingerprintTree<TestItem>(testTraits), new Uint8Array(3))).toThrow(TypeError);
  });
});
