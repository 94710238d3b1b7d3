import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, FingerprintTree, keyHasPrefix, prefixUpperBound } from '@docs/rbsr';
import { testTraits, type TestItem } from './helpers/test-items.js';

const SEED = 0x5eed_7ee;
const SLOW = process.env.SLOW === '1';

/**
 * Keys from a tiny alphabet (including 0xff) and short lengths, so prefixes and collisions are
 * common; half of them behind a shared 40-byte prefix, like the namespace and author of real keys.
 */
const SHARED_PREFIX = Array.from({ length: 40 }, (_, i) => (i * 37) & 0xff);
const keyArbitrary = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom(0, 1, 2, 0xff), { minLength: 0, maxLength: 4 }))
  .map(([shared, bytes]) => Uint8Array.from(shared ? [...SHARED_PREFIX, ...bytes] : bytes));

type Operation = { kind: 'set'; key: Uint8Array; value: number } | { kind: 'delete'; key: Uint8Array };

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), key: keyArbitrary, value: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArbitrary }) },
);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function xorAll(entries: readonly TestItem[]): Uint8Array {
  const result = new Uint8Array(32);
  for (const entry of entries) {
    const fingerprint = testTraits.fingerprint(entry);
    for (let i = 0; i < 32; i++) result[i] = (result[i] as number) ^ (fingerprint[i] as number);
  }
  return result;
}

function treeXor(tree: FingerprintTree<TestItem>, from: number, to: number): Uint8Array {
  const result = new Uint8Array(32);
  tree.xorInto(result, from, to);
  return result;
}

/** Checks every query of the tree against recomputation from the naive sorted model. */
function checkAgainstModel(tree: FingerprintTree<TestItem>, model: Map<string, TestItem>, probes: readonly Uint8Array[]): void {
  const sorted = [...model.values()].sort((a, b) => compareKeys(a.key, b.key));
  expect(tree.size).toBe(sorted.length);
  expect([...tree].map((entry) => `${hex(entry.key)}=${entry.value}`)).toEqual(
    sorted.map((entry) => `${hex(entry.key)}=${entry.value}`),
  );
  // Aggregates: the XOR of every prefix and of every suffix equals the recomputed XOR.
  for (let i = 0; i <= sorted.length; i++) {
    expect(hex(treeXor(tree, 0, i))).toBe(hex(xorAll(sorted.slice(0, i))));
    expect(hex(treeXor(tree, i, sorted.length))).toBe(hex(xorAll(sorted.slice(i))));
    if (i < sorted.length) {
      expect(tree.at(i)).toBe(sorted[i]);
      expect(tree.keyAt(i)).toBe(sorted[i]?.key);
    }
  }
  expect(tree.at(sorted.length)).toBeUndefined();
  expect(tree.at(-1)).toBeUndefined();
  expect(tree.first()).toBe(sorted[0]);
  expect(tree.last()).toBe(sorted[sorted.length - 1]);
  // Weight balance bounds the height by log_{4/3}(n + 1).
  expect(tree.height()).toBeLessThanOrEqual(Math.max(1, Math.ceil(Math.log(sorted.length + 1) / Math.log(4 / 3))));
  for (const probe of probes) {
    const rank = sorted.filter((entry) => compareKeys(entry.key, probe) < 0).length;
    expect(tree.rank(probe)).toBe(rank);
    expect(tree.get(probe)).toBe(model.get(hex(probe)));
    expect(tree.has(probe)).toBe(model.has(hex(probe)));
    for (const upper of probes) {
      const inside = sorted.filter((entry) => compareKeys(entry.key, probe) >= 0 && compareKeys(entry.key, upper) < 0);
      expect([...tree.iterate(probe, upper)]).toEqual(inside);
      expect([...tree.iterateReverse(probe, upper)]).toEqual([...inside].reverse());
    }
    expect([...tree.iterate(probe)]).toEqual(sorted.filter((entry) => compareKeys(entry.key, probe) >= 0));
    expect([...tree.iterateReverse(undefined, probe)]).toEqual(
      sorted.filter((entry) => compareKeys(entry.key, probe) < 0).reverse(),
    );
    expect([...tree.prefixed(probe)]).toEqual(sorted.filter((entry) => keyHasPrefix(entry.key, probe)));
    expect(tree.prefixesOf(probe)).toEqual(sorted.filter((entry) => keyHasPrefix(probe, entry.key)));
  }
}

describe('FingerprintTree', () => {
  it('matches a naive model after random insert, replace and delete sequences (differential)', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 120 }), fc.array(keyArbitrary, { minLength: 1, maxLength: 12 }), (operations, probes) => {
        const tree = new FingerprintTree<TestItem>(testTraits);
        const model = new Map<string, TestItem>();
        for (const operation of operations) {
          const id = hex(operation.key);
          if (operation.kind === 'set') {
            const entry = { key: operation.key, value: operation.value };
            expect(tree.set(entry)).toBe(model.get(id));
            model.set(id, entry);
          } else {
            expect(tree.delete(operation.key)).toBe(model.get(id));
            model.delete(id);
          }
        }
        checkAgainstModel(tree, model, [...probes, ...operations.map((operation) => operation.key)].slice(0, 16));
      }),
      { seed: SEED, numRuns: SLOW ? 2000 : 200 },
    );
  });

  it('keeps aggregates and balance over long random sequences on a larger key space', () => {
    const runs = SLOW ? 20 : 4;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { minLength: 4000, maxLength: 6000 }), (operations) => {
        const tree = new FingerprintTree<TestItem>(testTraits);
        const model = new Map<string, TestItem>();
        for (const [insert, number] of operations) {
          const key = Uint8Array.from([number >> 8, number & 0xff]);
          if (insert || number % 3 === 0) {
            const entry = { key, value: number };
            tree.set(entry);
            model.set(hex(key), entry);
          } else {
            tree.delete(key);
            model.delete(hex(key));
          }
        }
        const sorted = [...model.values()].sort((a, b) => compareKeys(a.key, b.key));
        expect(tree.size).toBe(sorted.length);
        expect(tree.height()).toBeLessThanOrEqual(Math.ceil(Math.log(sorted.length + 1) / Math.log(4 / 3)));
        for (let i = 0; i <= sorted.length; i += 7) {
          expect(hex(treeXor(tree, 0, i))).toBe(hex(xorAll(sorted.slice(0, i))));
        }
        for (let i = 0; i < 50; i++) {
          const from = (i * 37) % (sorted.length + 1);
          const to = Math.min(sorted.length, from + ((i * 101) % 400));
          expect(hex(treeXor(tree, from, to))).toBe(hex(xorAll(sorted.slice(from, to))));
        }
      }),
      { seed: SEED, numRuns: runs },
    );
  });

  it('fromSorted builds the same tree as inserts, and rejects unsorted or duplicate keys', () => {
    const entries = Array.from({ length: 1000 }, (_, i) => ({ key: Uint8Array.from([i >> 8, i & 0xff]), value: i }));
    const built = FingerprintTree.fromSorted(testTraits, entries);
    const inserted = new FingerprintTree<TestItem>(testTraits);
    for (const entry of [...entries].reverse()) inserted.set(entry);
    expect([...built]).toEqual([...inserted]);
    expect(hex(treeXor(built, 0, 1000))).toBe(hex(treeXor(inserted, 0, 1000)));
    expect(built.height()).toBe(10);
    built.set({ key: Uint8Array.from([9, 9, 9]), value: 1 });
    built.delete(Uint8Array.from([0, 5]));
    expect(built.size).toBe(1000);
    expect(() => FingerprintTree.fromSorted(testTraits, [entries[1]!, entries[0]!])).toThrow(RangeError);
    expect(() => FingerprintTree.fromSorted(testTraits, [entries[0]!, entries[0]!])).toThrow(RangeError);
  });

  it('clone is independent of the original', () => {
    const tree = new FingerprintTree<TestItem>(testTraits);
    const entries = Array.from({ length: 300 }, (_, i) => ({ key: Uint8Array.from([i >> 8, i & 0xff]), value: i }));
    for (const entry of entries) tree.set(entry);
    for (let i = 0; i < 300; i += 3) tree.delete(entries[i]!.key);
    const copy = tree.clone();
    for (let i = 1; i < 300; i += 3) copy.delete(entries[i]!.key);
    copy.set({ key: Uint8Array.from([9, 9]), value: 1 });
    tree.set(entries[0]!);
    const inTree = entries.filter((_, i) => i % 3 !== 0 || i === 0);
    const inCopy = [...entries.filter((_, i) => i % 3 === 2), { key: Uint8Array.from([9, 9]), value: 1 }];
    expect([...tree]).toEqual(inTree);
    expect([...copy].map((entry) => entry.value)).toEqual(inCopy.map((entry) => entry.value));
    expect(hex(treeXor(tree, 0, tree.size))).toBe(hex(xorAll(inTree)));
    expect(hex(treeXor(copy, 0, copy.size))).toBe(hex(xorAll([...copy])));
    expect(hex(treeXor(copy, 0, copy.size))).toBe(hex(xorAll(inCopy)));
  });

  it('memoized ranks and prefix fingerprints follow every change', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { minLength: 1, maxLength: 60 }), (operations) => {
        const tree = new FingerprintTree<TestItem>(testTraits);
        const model = new Map<string, TestItem>();
        for (const operation of operations) {
          // Query before each change so that memoized answers exist, then check after it.
          for (let i = 0; i < tree.size; i++) tree.rank(tree.keyAt(i) as Uint8Array);
          treeXor(tree, 0, tree.size);
          if (operation.kind === 'set') {
            tree.set({ key: operation.key, value: operation.value });
            model.set(hex(operation.key), { key: operation.key, value: operation.value });
          } else {
            tree.delete(operation.key);
            model.delete(hex(operation.key));
          }
          const sorted = [...model.values()].sort((a, b) => compareKeys(a.key, b.key));
          sorted.forEach((entry, index) => expect(tree.rank(entry.key)).toBe(index));
          expect(tree.rank(operation.key)).toBe(sorted.filter((entry) => compareKeys(entry.key, operation.key) < 0).length);
          for (let i = 0; i <= sorted.length; i++) expect(hex(treeXor(tree, 0, i))).toBe(hex(xorAll(sorted.slice(0, i))));
        }
      }),
      { seed: SEED, numRuns: SLOW ? 500 : 60 },
    );
  });

  it('iterators continue after the last returned key when the tree changes underneath', () => {
    const tree = new FingerprintTree<TestItem>(testTraits);
    for (let i = 0; i < 100; i++) tree.set({ key: Uint8Array.from([i * 2]), value: 0 });
    const seen: number[] = [];
    for (const entry of tree.iterate()) {
      const byte = entry.key[0] as number;
      seen.push(byte);
      if (byte === 10) {
        tree.delete(Uint8Array.from([12]));
        tree.set({ key: Uint8Array.from([13]), value: 0 });
        tree.set({ key: Uint8Array.from([5]), value: 0 });
      }
      if (byte === 20) tree.delete(Uint8Array.from([20]));
    }
    expect(seen.slice(0, 9)).toEqual([0, 2, 4, 6, 8, 10, 13, 14, 16]);
    expect(seen).toHaveLength(100);
    const reversed: number[] = [];
    for (const entry of tree.iterateReverse()) {
      reversed.push(entry.key[0] as number);
      if (reversed.length === 1) tree.delete(Uint8Array.from([196]));
    }
    expect(reversed.slice(0, 3)).toEqual([198, 194, 192]);
  });

  it('rejects fingerprints that are not 32 bytes', () => {
    const tree = new FingerprintTree<TestItem>({ key: (entry) => entry.key, fingerprint: () => new Uint8Array(31) });
    expect(() => tree.set({ key: new Uint8Array(1), value: 0 })).toThrow(TypeError);
    expect(tree.size).toBe(0);
    expect(() => new FingerprintTree<TestItem>(testTraits).xorInto(new Uint8Array(8), 0, 1)).toThrow(TypeError);
  });

  it('clear empties the tree and it stays usable', () => {
    const tree = new FingerprintTree<TestItem>(testTraits);
    for (let i = 0; i < 50; i++) tree.set({ key: Uint8Array.from([i]), value: i });
    tree.clear();
    expect(tree.size).toBe(0);
    expect([...tree]).toEqual([]);
    tree.set({ key: Uint8Array.from([7]), value: 7 });
    expect(tree.size).toBe(1);
    expect(hex(treeXor(tree, 0, 1))).toBe(hex(xorAll([{ key: Uint8Array.from([7]), value: 7 }])));
  });

  it('prefixUpperBound is the smallest key above every extension of the prefix', () => {
    expect(prefixUpperBound(Uint8Array.from([1, 2]))).toEqual(Uint8Array.from([1, 3]));
    expect(prefixUpperBound(Uint8Array.from([1, 0xff, 0xff]))).toEqual(Uint8Array.from([2]));
    expect(prefixUpperBound(Uint8Array.from([0xff]))).toBeUndefined();
    expect(prefixUpperBound(new Uint8Array(0))).toBeUndefined();
  });

  it.runIf(SLOW)('handles a million items: bulk build, updates and range fingerprints stay consistent', () => {
    const n = 1_000_000;
    const entries = Array.from({ length: n }, (_, i) => ({ key: Uint8Array.from([i >>> 16, (i >>> 8) & 0xff, i & 0xff]), value: i }));
    const tree = FingerprintTree.fromSorted(testTraits, entries);
    for (let i = 0; i < 20_000; i++) tree.delete(entries[(i * 7919) % n]!.key);
    for (let i = 0; i < 20_000; i++) tree.set(entries[(i * 7919) % n]!);
    expect(tree.size).toBe(n);
    expect(tree.height()).toBeLessThanOrEqual(Math.ceil(Math.log(n + 1) / Math.log(4 / 3)));
    for (let i = 0; i < 20; i++) {
      const from = (i * 48_611) % n;
      const to = Math.min(n, from + 2000);
      expect(hex(treeXor(tree, from, to))).toBe(hex(xorAll(entries.slice(from, to))));
    }
  });
});
