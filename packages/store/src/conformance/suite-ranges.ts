import { bytesToHex, compareBytes, concatBytes, type NamespaceId, type NamespaceSecret } from '@docs/crypto';
import { EMPTY_FINGERPRINT, RecordIdentifier, writeCapability, type SignedEntry } from '@docs/entry';
import type { Range, RangeStore } from '@docs/rbsr';
import { describe, expect, test } from 'vitest';
import { incrementBytes } from '../namespace-range.js';
import type { DocsStore } from '../store.js';
import { expectPlainBytes, expectPlainEntry, expectSameBytes, expectSameEntries } from './assertions.js';
import { collect, describeEntry, signTestEntry, testAuthor, testNamespace } from './fixtures.js';
import type { StoreHarness } from './harness.js';
import { StoreModel } from './model.js';

const rangeLabel = (range: Range): string => `(${bytesToHex(range.x) || '∅'}, ${bytesToHex(range.y) || '∅'})`;

/**
 * Checks every RangeStore operation on `range` against the model: count, fingerprint, items (order included) and
 * keyAt at every index (or at a sample of indices when `everyIndex` is false), and keyAt out of bounds.
 */
export async function expectRangeMatchesModel(
  ranges: RangeStore<SignedEntry>,
  model: StoreModel,
  namespace: NamespaceId,
  range: Range,
  everyIndex = true,
): Promise<void> {
  const label = `range ${rangeLabel(range)}`;
  const expected = model.rangeItems(namespace, range);
  expect(await ranges.count(range), `${label}: count`).toBe(expected.length);
  const fingerprint = await ranges.fingerprint(range);
  expectPlainBytes(fingerprint, `${label}: fingerprint`);
  expectSameBytes(fingerprint, model.fingerprint(namespace, range), `${label}: fingerprint`);
  const items = await collect(ranges.items(range));
  expectSameEntries(items, expected, `${label}: items`);
  const indices = everyIndex
    ? expected.map((_, index) => index)
    : [...new Set([0, expected.length >> 1, expected.length - 1])].filter((index) => index >= 0 && index < expected.length);
  for (const index of indices) {
    const key = await ranges.keyAt(range, index);
    expectPlainBytes(key, `${label}: keyAt`);
    expectSameBytes(key, expected[index]!.entry.id.bytes, `${label}: keyAt(${index})`);
  }
  await expect(ranges.keyAt(range, expected.length), `${label}: keyAt past the end`).rejects.toBeInstanceOf(RangeError);
  if (ranges.splitRange !== undefined && compareBytes(range.x, range.y) < 0 && expected.length >= 2) {
    for (const parts of new Set([2, Math.min(expected.length, 5)])) await expectSplitMatchesModel(ranges, model, namespace, range, expected, parts);
  }
}

/**
 * Checks `splitRange` (where the store answers) against the model, given the model's entries of the range
 * (`expected`): the pivots are the entries at indices `⌊count · (i + 1) / parts⌋`, each sub-range with its count and
 * fingerprint.
 */
async function expectSplitMatchesModel(
  ranges: RangeStore<SignedEntry>,
  model: StoreModel,
  namespace: NamespaceId,
  range: Range,
  expected: readonly SignedEntry[],
  parts: number,
): Promise<void> {
  const label = `range ${rangeLabel(range)}: splitRange into ${parts}`;
  const split = await ranges.splitRange!(range, expected.length, parts);
  if (split === undefined) return;
  expect(split, label).toHaveLength(parts);
  let x = range.x;
  for (const [part, { range: sub, count, fingerprint }] of split.entries()) {
    const y = part === parts - 1 ? range.y : expected[Math.floor((expected.length * (part + 1)) / parts)]!.entry.id.bytes;
    expectSameBytes(sub.x, x, `${label}: part ${part} x`);
    expectSameBytes(sub.y, y, `${label}: part ${part} y`);
    expect(count, `${label}: part ${part} count`).toBe(model.rangeItems(namespace, sub).length);
    expectPlainBytes(fingerprint, `${label}: part ${part} fingerprint`);
    expectSameBytes(fingerprint, model.fingerprint(namespace, sub), `${label}: part ${part} fingerprint`);
    x = y;
  }
  expect(await ranges.splitRange!(range, expected.length + 1, parts), `${label}: with a count that is not the range's`).toBeUndefined();
}

/** Interesting range bounds for a namespace's entries: every key, just before/after keys, and bytes outside it. */
function boundsAround(entries: readonly SignedEntry[], namespaces: readonly NamespaceId[]): Uint8Array[] {
  const bounds: Uint8Array[] = [new Uint8Array(), new Uint8Array(64), new Uint8Array(64).fill(0xff), new Uint8Array(70).fill(0xff)];
  for (const namespace of namespaces) {
    bounds.push(namespace, namespace.subarray(0, 31), concatBytes(namespace, new Uint8Array(40).fill(0xff)));
    const next = incrementBytes(namespace);
    if (next !== undefined) bounds.push(next);
  }
  for (const signed of entries) {
    const id = signed.entry.id.bytes;
    bounds.push(id, concatBytes(id, new Uint8Array([0])), id.subarray(0, 64));
  }
  const unique = new Map(bounds.map((bound) => [bytesToHex(bound), bound]));
  return [...unique.values()].sort(compareBytes);
}

/** The store's entries of three namespaces (the middle one by id order gets the most), as put into a model too. */
async function populate(store: DocsStore, model: StoreModel): Promise<NamespaceSecret[]> {
  const secrets = [testNamespace(20), testNamespace(21), testNamespace(22)].sort((a, b) => compareBytes(a.id, b.id));
  const authors = [testAuthor(20), testAuthor(21), testAuthor(22)];
  let timestamp = 1;
  for (const [position, secret] of secrets.entries()) {
    await store.importNamespace(writeCapability(secret));
    const keys = position === 1 ? ['', 'a', 'a/b', 'a/c', 'b', 'b\u0000', 'bb', 'c\u00ff', 'z'] : ['', 'a', 'm', 'z'];
    for (const author of authors) {
      for (const key of keys) {
        const signed = await signTestEntry({ namespace: secret, author, key, timestamp: timestamp++, content: `${position}/${key}` });
        expect(await store.put(signed)).toEqual(model.put(signed));
      }
    }
    // A tombstone is part of the set like any entry.
    const tombstone = await signTestEntry({ namespace: secret, author: authors[0]!, key: 'zz', timestamp: timestamp++, empty: true });
    expect(await store.put(tombstone)).toEqual(model.put(tombstone));
  }
  return secrets;
}

/** The reconciliation view (`ranges(namespace)`) against a naive computation, and namespace isolation. */
export function registerRangeTests(harness: StoreHarness): void {
  describe('ranges (RangeStore)', () => {
    test('count, fingerprint, items order and keyAt match a naive computation for x < y, x > y and x == y', async () => {
      const store = await harness.create();
      const model = new StoreModel();
      const secrets = await populate(store, model);
      const middle = secrets[1]!.id;
      const ranges = store.ranges(middle);
      const entries = model.entries(middle);
      const bounds = boundsAround(
        entries.filter((_, index) => index % 2 === 0),
        [],
      );
      let wrapping = 0;
      for (const x of bounds) {
        for (const y of bounds) {
          if (compareBytes(x, y) > 0) wrapping++;
          await expectRangeMatchesModel(ranges, model, middle, { x, y }, false);
        }
      }
      expect(wrapping).toBeGreaterThan(100);
      // Full index checks on the three shapes.
      const first = entries[0]!.entry.id.bytes;
      const mid = entries[entries.length >> 1]!.entry.id.bytes;
      for (const range of [{ x: first, y: first }, { x: first, y: mid }, { x: mid, y: first }, { x: mid, y: mid }]) {
        await expectRangeMatchesModel(ranges, model, middle, range, true);
      }
      // An empty range has the fingerprint of the empty set, BLAKE3("").
      const nothing = { x: concatBytes(mid, new Uint8Array([0])), y: concatBytes(mid, new Uint8Array([0, 0])) };
      expect(await ranges.count(nothing)).toBe(0);
      expectSameBytes(await ranges.fingerprint(nothing), EMPTY_FINGERPRINT);
      expectSameBytes(await ranges.firstKey(), first);
      // The view follows later writes.
      const late = await signTestEntry({ namespace: secrets[1]!, author: testAuthor(23), key: 'late', timestamp: 999, content: 'late' });
      expect(await store.put(late)).toEqual(model.put(late));
      await expectRangeMatchesModel(ranges, model, middle, { x: first, y: first }, true);
    });

    test('no leak across namespaces: bounds in and around other namespaces, wrap ranges, x == y, keyAt, firstKey', async () => {
      const store = await harness.create();
      const model = new StoreModel();
      const namespaces = (await populate(store, model)).map((secret) => secret.id);
      const allEntries = namespaces.flatMap((namespace) => model.entries(namespace));
      const bounds = boundsAround(
        allEntries.filter((_, index) => index % 5 === 0),
        namespaces,
      );
      for (const namespace of namespaces) {
        const ranges = store.ranges(namespace);
        const own = bytesToHex(namespace);
        expectSameBytes(await ranges.firstKey(), model.firstKey(namespace));
        for (const x of bounds) {
          for (const y of bounds) {
            const range = { x, y };
            const items = await collect(ranges.items(range));
            const leaked = items.filter((signed) => bytesToHex(signed.entry.id.namespace) !== own);
            expect(leaked.map(describeEntry), `entries of other namespaces in ${rangeLabel(range)}`).toEqual([]);
            const expectedCount = model.count(namespace, range);
            const count = await ranges.count(range);
            if (items.length !== expectedCount || count !== expectedCount) {
              expect([items.length, count], `items and count of ${rangeLabel(range)}`).toEqual([expectedCount, expectedCount]);
            }
            expectSameBytes(await ranges.fingerprint(range), model.fingerprint(namespace, range), rangeLabel(range));
            if (items.length > 0) {
              expectSameBytes(await ranges.keyAt(range, items.length - 1), items[items.length - 1]!.entry.id.bytes);
            }
            await expect(ranges.keyAt(range, items.length)).rejects.toBeInstanceOf(RangeError);
          }
        }
      }
    });

    test('an empty or unknown namespace: count 0, the empty fingerprint, the 64-zero first key', async () => {
      const store = await harness.create();
      const model = new StoreModel();
      const namespaces = (await populate(store, model)).map((secret) => secret.id);
      const empty = testNamespace(23);
      await store.importNamespace(writeCapability(empty));
      const zero = RecordIdentifier.zero().bytes;
      for (const namespace of [empty.id, testNamespace(24).id]) {
        const ranges = store.ranges(namespace);
        expectSameBytes(await ranges.firstKey(), zero);
        for (const range of [{ x: zero, y: zero }, { x: namespaces[0]!, y: namespaces[2]! }, { x: namespaces[2]!, y: namespaces[0]! }]) {
          expect(await ranges.count(range)).toBe(0);
          expectSameBytes(await ranges.fingerprint(range), EMPTY_FINGERPRINT);
          expect(await collect(ranges.items(range))).toEqual([]);
          await expect(ranges.keyAt(range, 0)).rejects.toBeInstanceOf(RangeError);
        }
      }
    });

    test('ids with very long keys (300 kB) as entries and as range bounds', async () => {
      const store = await harness.create();
      const model = new StoreModel();
      const namespace = testNamespace(25);
      const author = testAuthor(25);
      await store.importNamespace(writeCapability(namespace));
      const long = new Uint8Array(300_000).fill(0x62);
      const keys = [new Uint8Array([0x61]), long, concatBytes(long, new Uint8Array([0x01])), new Uint8Array([0x63])];
      for (const [index, key] of keys.entries()) {
        const signed = await signTestEntry({ namespace, author, key, timestamp: index + 1, content: `long ${index}` });
        expect(await store.put(signed)).toEqual(model.put(signed));
      }
      const ids = model.entries(namespace.id).map((entry) => entry.entry.id.bytes);
      const ranges = store.ranges(namespace.id);
      for (const x of ids) for (const y of ids) await expectRangeMatchesModel(ranges, model, namespace.id, { x, y });
      // The insert rule through long keys: a tombstone at the long key removes both long entries and blocks an
      // older entry under it, while a newer one is stored.
      const tombstone = await signTestEntry({ namespace, author, key: long, timestamp: 10, empty: true });
      expect(await store.put(tombstone)).toEqual({ inserted: true, removed: 2 });
      model.put(tombstone);
      const under = (timestamp: number) => signTestEntry({ namespace, author, key: concatBytes(long, new Uint8Array([2])), timestamp, content: 'under' });
      expect(await store.put(await under(5))).toEqual({ inserted: false });
      const newer = await under(11);
      expect(await store.put(newer)).toEqual(model.put(newer));
      expect(model.entries(namespace.id).length).toBe(4);
      const after = model.entries(namespace.id).map((entry) => entry.entry.id.bytes);
      for (const x of after) await expectRangeMatchesModel(ranges, model, namespace.id, { x, y: after[0]! });
    });

    test('results are plain Uint8Arrays', async () => {
      const store = await harness.create();
      const model = new StoreModel();
      const [, middle] = await populate(store, model);
      const ranges = store.ranges(middle!.id);
      const zero = RecordIdentifier.zero().bytes;
      expectPlainBytes(await ranges.firstKey(), 'firstKey');
      expectPlainBytes(await ranges.keyAt({ x: zero, y: zero }, 3), 'keyAt');
      expectPlainBytes(await ranges.fingerprint({ x: zero, y: zero }), 'fingerprint');
      for (const signed of await collect(ranges.items({ x: zero, y: zero }))) expectPlainEntry(signed, 'range item');
    });
  });
}
