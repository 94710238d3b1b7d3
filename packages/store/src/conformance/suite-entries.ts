import { blake3, compareBytes } from '@docs/crypto';
import { EMPTY_HASH, RecordIdentifier, writeCapability, type SignedEntry } from '@docs/entry';
import { describe, expect, test } from 'vitest';
import { expectPlainBytes, expectSameBytes, expectSameEntries, expectSameEntry } from './assertions.js';
import { collect, signTestEntry, testAuthor, testNamespace, toBytes } from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** Content whose BLAKE3 hash sorts below (`'below'`) or above (`'above'`) the empty hash. */
function contentAroundEmptyHash(side: 'below' | 'above'): string {
  for (let index = 0; ; index++) {
    const content = `content ${index}`;
    const order = compareBytes(blake3(toBytes(content)), EMPTY_HASH);
    if (side === 'below' ? order < 0 : order > 0) return content;
  }
}

/** Entries, the insert rule, prefix deletion and per-author heads (the reference's sync.rs store tests). */
export function registerEntryTests(harness: StoreHarness): void {
  const namespace = testNamespace(0);
  const otherNamespace = testNamespace(1);
  const alice = testAuthor(0);
  const bob = testAuthor(1);

  describe('entries and the insert rule', () => {
    test('basics (test_basics): exact gets, versions, queries by author, key and prefix, full range = query all', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      await store.importNamespace(writeCapability(otherNamespace));
      // Entries of another namespace must never show up in this one.
      await store.put(await signTestEntry({ namespace: otherNamespace, author: alice, key: '/0', timestamp: 1, content: 'elsewhere' }));
      await store.put(await signTestEntry({ namespace: otherNamespace, author: alice, key: '/cool/x', timestamp: 1, content: 'x' }));

      let timestamp = 1_000n;
      const firstTen: SignedEntry[] = [];
      for (let index = 0; index < 10; index++) {
        const signed = await signTestEntry({
          namespace,
          author: alice,
          key: `/${index}`,
          timestamp: timestamp++,
          content: `${index}: hello from alice`,
        });
        firstTen.push(signed);
        expect(await store.put(signed)).toEqual({ inserted: true, removed: 0 });
      }
      for (let index = 0; index < 10; index++) {
        expectSameEntry(await store.getExact(namespace.id, alice.id, toBytes(`/${index}`)), firstTen[index]);
      }
      expect(await store.getExact(namespace.id, bob.id, toBytes('/0'))).toBeUndefined();
      expect(await store.getExact(namespace.id, alice.id, toBytes('/10'))).toBeUndefined();

      const round1 = await signTestEntry({ namespace, author: alice, key: '/cool/path', timestamp: timestamp++, content: 'round 1' });
      expect(await store.put(round1)).toEqual({ inserted: true, removed: 0 });
      expectSameEntry(await store.getExact(namespace.id, alice.id, toBytes('/cool/path')), round1);
      const round2 = await signTestEntry({ namespace, author: alice, key: '/cool/path', timestamp: timestamp++, content: 'round 2' });
      expect(await store.put(round2)).toEqual({ inserted: true, removed: 1 });
      expectSameEntry(await store.getExact(namespace.id, alice.id, toBytes('/cool/path')), round2);

      expect(await collect(store.query(namespace.id, { author: alice.id }))).toHaveLength(11);
      expect(await collect(store.query(namespace.id, { author: bob.id }))).toHaveLength(0);
      expect(await collect(store.query(namespace.id, { key: toBytes('/cool/path') }))).toHaveLength(1);
      expect(await collect(store.query(namespace.id))).toHaveLength(11);

      const bobRound1 = await signTestEntry({ namespace, author: bob, key: '/cool/path', timestamp: timestamp++, content: 'bob round 1' });
      expect(await store.put(bobRound1)).toEqual({ inserted: true, removed: 0 });
      expect(await collect(store.query(namespace.id, { key: toBytes('/cool/path') }))).toHaveLength(2);
      expect(await collect(store.query(namespace.id, { keyPrefix: toBytes('/cool') }))).toHaveLength(2);
      expectSameEntries(await collect(store.query(namespace.id, { author: alice.id, keyPrefix: toBytes('/cool') })), [round2]);
      expectSameEntries(await collect(store.query(namespace.id, { author: bob.id, keyPrefix: toBytes('/cool') })), [bobRound1]);

      const all = await collect(store.query(namespace.id));
      expect(all).toHaveLength(12);
      const zero = RecordIdentifier.zero().bytes;
      const ranges = store.ranges(namespace.id);
      expectSameEntries(await collect(await ranges.items({ x: zero, y: zero })), all);
      expect(await ranges.count({ x: zero, y: zero })).toBe(12);
    });

    test('timestamps (test_timestamps): an older value is refused and the stored entry stays', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      const newer = await signTestEntry({ namespace, author: alice, key: 'key', timestamp: 2, content: 'newer' });
      const older = await signTestEntry({ namespace, author: alice, key: 'key', timestamp: 1, content: 'older' });
      expect(await store.put(newer)).toEqual({ inserted: true, removed: 0 });
      expect(await store.put(older)).toEqual({ inserted: false });
      expectSameEntry(await store.getExact(namespace.id, alice.id, toBytes('key')), newer);
      // Re-inserting the identical entry is refused too (an equal value does not win).
      expect(await store.put(newer)).toEqual({ inserted: false });
      // Another author's older entry under the same key is independent.
      expect(await store.put(await signTestEntry({ namespace, author: bob, key: 'key', timestamp: 1, content: 'bob' }))).toEqual({
        inserted: true,
        removed: 0,
      });
    });

    test('equal timestamps: the bigger content hash wins', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      const [first, second] = await Promise.all(
        ['tie a', 'tie b'].map((content) => signTestEntry({ namespace, author: alice, key: 'tie', timestamp: 7, content })),
      );
      const [small, big] = compareBytes(first!.entry.record.hash, second!.entry.record.hash) < 0 ? [first!, second!] : [second!, first!];
      expect(await store.put(big)).toEqual({ inserted: true, removed: 0 });
      expect(await store.put(small)).toEqual({ inserted: false });
      expectSameEntry(await store.getExact(namespace.id, alice.id, toBytes('tie')), big);

      const store2 = await harness.create();
      await store2.importNamespace(writeCapability(namespace));
      expect(await store2.put(small)).toEqual({ inserted: true, removed: 0 });
      expect(await store2.put(big)).toEqual({ inserted: true, removed: 1 });
      expectSameEntry(await store2.getExact(namespace.id, alice.id, toBytes('tie')), big);
    });

    test('putMany applies its entries in order, as sequential puts, and reports each outcome', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      const stored = await signTestEntry({ namespace, author: alice, key: 'a/stored', timestamp: 5, content: 'stored' });
      await store.put(stored);
      const first = await signTestEntry({ namespace, author: alice, key: 'a/x', timestamp: 10, content: 'first' });
      const newer = await signTestEntry({ namespace, author: alice, key: 'a/x', timestamp: 11, content: 'newer' });
      const older = await signTestEntry({ namespace, author: alice, key: 'a/x', timestamp: 9, content: 'older' });
      const bobs = await signTestEntry({ namespace, author: bob, key: 'a/x', timestamp: 1, content: 'bob' });
      const tombstone = await signTestEntry({ namespace, author: alice, key: 'a/', timestamp: 20, empty: true });
      const underTombstone = await signTestEntry({ namespace, author: alice, key: 'a/y', timestamp: 15, content: 'late' });
      expect(await store.putMany([first, newer, older, bobs, tombstone, underTombstone])).toEqual([
        { inserted: true, removed: 0 },
        { inserted: true, removed: 1 },
        { inserted: false },
        { inserted: true, removed: 0 },
        { inserted: true, removed: 2 },
        { inserted: false },
      ]);
      expectSameEntries(await collect(store.query(namespace.id, { author: alice.id, includeEmpty: true })), [tombstone]);
      expectSameEntries(await collect(store.query(namespace.id, { author: bob.id, includeEmpty: true })), [bobs]);
      expect(await store.putMany([])).toEqual([]);
    });

    test('prefix delete (test_prefix_delete): a tombstone removes the older entries under it, bytewise', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      for (const key of ['foobar', 'fooboo']) {
        await store.put(await signTestEntry({ namespace, author: alice, key, timestamp: 10, content: key }));
      }
      const bobsFoobar = await signTestEntry({ namespace, author: bob, key: 'foobar', timestamp: 10, content: 'bob' });
      await store.put(bobsFoobar);
      const tombstone = await signTestEntry({ namespace, author: alice, key: 'foo', timestamp: 20, empty: true });
      expect(await store.put(tombstone)).toEqual({ inserted: true, removed: 2 });
      for (const key of ['foo', 'foobar', 'fooboo']) {
        expect(await store.getExact(namespace.id, alice.id, toBytes(key)), key).toBeUndefined();
      }
      expectSameEntry(await store.getExact(namespace.id, alice.id, toBytes('foo'), { includeEmpty: true }), tombstone);
      expect(await store.getExact(namespace.id, alice.id, toBytes('foobar'), { includeEmpty: true })).toBeUndefined();
      expectSameEntries(await collect(store.query(namespace.id, { author: alice.id })), []);
      expectSameEntries(await collect(store.query(namespace.id, { author: alice.id, includeEmpty: true })), [tombstone]);
      // Other authors are never affected.
      expectSameEntry(await store.getExact(namespace.id, bob.id, toBytes('foobar')), bobsFoobar);

      // Bytewise, no separators: `fool` is under `foo`; entries newer than the tombstone stay.
      const fool = await signTestEntry({ namespace, author: alice, key: 'fool', timestamp: 30, content: 'fool' });
      const fog = await signTestEntry({ namespace, author: alice, key: 'fog', timestamp: 5, content: 'fog' });
      await store.put(fool);
      await store.put(fog);
      expect(await store.put(await signTestEntry({ namespace, author: alice, key: 'fo', timestamp: 25, empty: true }))).toEqual({
        inserted: true,
        removed: 2, // `foo` (the older tombstone) and `fog`; `fool` is newer
      });
      expectSameEntries(await collect(store.query(namespace.id, { author: alice.id })), [fool]);
    });

    test('delete edge cases (test_replica_delete_edge_cases): 0x00 and 0xff prefixes', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      let timestamp = 100;
      for (const prefix of [0, 255]) {
        const keys = [[prefix, 0], [prefix, 1], [prefix, 255]].map((key) => new Uint8Array(key));
        for (const key of keys) await store.put(await signTestEntry({ namespace, author: alice, key, timestamp: timestamp++, content: key }));
        expect(await collect(store.query(namespace.id, { keyPrefix: new Uint8Array([prefix]) }))).toHaveLength(3);
        const outcome = await store.put(
          await signTestEntry({ namespace, author: alice, key: new Uint8Array([prefix]), timestamp: timestamp++, empty: true }),
        );
        expect(outcome).toEqual({ inserted: true, removed: 3 });
        for (const key of keys) expect(await store.getExact(namespace.id, alice.id, key)).toBeUndefined();
      }
      const kept = [];
      for (const key of [[1, 0], [1, 1], [1, 2]]) {
        const signed = await signTestEntry({ namespace, author: alice, key: new Uint8Array(key), timestamp: timestamp++, content: 'x' });
        await store.put(signed);
        if (key[1] !== 1) kept.push(signed);
      }
      expect(
        await store.put(await signTestEntry({ namespace, author: alice, key: new Uint8Array([1, 1]), timestamp: timestamp++, empty: true })),
      ).toEqual({ inserted: true, removed: 1 });
      expectSameEntries(await collect(store.query(namespace.id, { keyPrefix: new Uint8Array([1]) })), kept);
    });

    test('byte keys (test_replica_byte_keys, fs test_ranges): empty, 0x00, 0xff runs, invalid UTF-8, long keys', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      const keys = [
        [],
        [0],
        [255],
        [0, 0],
        [0xc3, 0x28],
        [255, 255],
        [0, 0, 0],
        [255, 255, 255],
        [1, 0, 2],
        Array.from({ length: 2048 }, (_, index) => (index * 7) & 0xff),
      ].map((key) => new Uint8Array(key));
      // Each key is newer than every key listed before it, and none is a prefix of an earlier one: nothing is removed.
      const stored: SignedEntry[] = [];
      let timestamp = 1;
      for (const key of keys) {
        const signed = await signTestEntry({ namespace, author: alice, key, timestamp: timestamp++, content: `key ${key}` });
        expect(await store.put(signed)).toEqual({ inserted: true, removed: 0 });
        stored.push(signed);
      }
      for (const [index, key] of keys.entries()) {
        expectSameEntry(await store.getExact(namespace.id, alice.id, key), stored[index]);
        expectSameEntries(await collect(store.query(namespace.id, { key })), [stored[index]!]);
      }
      const byKey = [...stored].sort((a, b) => compareBytes(a.entry.id.key, b.entry.id.key));
      expectSameEntries(await collect(store.query(namespace.id)), byKey);
      expectSameEntries(await collect(store.query(namespace.id, { keyPrefix: new Uint8Array() })), byKey);
      const under = (prefix: number[]): SignedEntry[] =>
        byKey.filter((signed) => prefix.every((byte, index) => signed.entry.id.key[index] === byte) && signed.entry.id.key.length >= prefix.length);
      for (const prefix of [[255], [255, 255], [255, 255, 255], [0], [0, 0], [1], [0xc3]]) {
        expectSameEntries(await collect(store.query(namespace.id, { keyPrefix: new Uint8Array(prefix) })), under(prefix), `prefix ${prefix}`);
      }
      // The empty key is a parent of every key: a tombstone there removes every older entry of the author.
      const wipe = await signTestEntry({ namespace, author: alice, key: new Uint8Array(), timestamp: timestamp++, empty: true });
      expect(await store.put(wipe)).toEqual({ inserted: true, removed: keys.length });
      expectSameEntries(await collect(store.query(namespace.id, { includeEmpty: true })), [wipe]);
    });

    test('latest per author (test_latest_iter): the maximum timestamp, not the last written', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      await store.importNamespace(writeCapability(otherNamespace));
      expect(await store.latestPerAuthor(namespace.id)).toEqual([]);
      await store.put(await signTestEntry({ namespace, author: alice, key: 'a/b/c', timestamp: 10, content: '1' }));
      await store.put(await signTestEntry({ namespace, author: alice, key: 'a/b/d', timestamp: 20, content: '2' }));
      await store.put(await signTestEntry({ namespace, author: bob, key: 'x', timestamp: 15, content: '3' }));
      await store.put(await signTestEntry({ namespace: otherNamespace, author: alice, key: 'later', timestamp: 99, content: '4' }));
      const expected = (aliceKey: string, aliceTimestamp: bigint) =>
        [
          { author: alice.id, timestamp: aliceTimestamp, key: toBytes(aliceKey) },
          { author: bob.id, timestamp: 15n, key: toBytes('x') },
        ].sort((a, b) => compareBytes(a.author, b.author));
      const check = async (aliceKey: string, aliceTimestamp: bigint) => {
        const latest = await store.latestPerAuthor(namespace.id);
        const want = expected(aliceKey, aliceTimestamp);
        expect(latest.map((head) => head.timestamp)).toEqual(want.map((head) => head.timestamp));
        latest.forEach((head, index) => {
          expectSameBytes(head.author, want[index]!.author);
          expectSameBytes(head.key, want[index]!.key);
          expectPlainBytes(head.author, 'latest author');
          expectPlainBytes(head.key, 'latest key');
        });
      };
      await check('a/b/d', 20n);
      // An older entry arriving later (e.g. by sync) does not lower the head.
      await store.put(await signTestEntry({ namespace, author: alice, key: 'old', timestamp: 5, content: '5' }));
      await check('a/b/d', 20n);
      // A newer one raises it; on a tie the entry written last names the key.
      await store.put(await signTestEntry({ namespace, author: alice, key: 'a', timestamp: 30, empty: true }));
      await check('a', 30n);
      await store.put(await signTestEntry({ namespace, author: alice, key: 'b', timestamp: 30, content: '6' }));
      await check('b', 30n);
      // A refused entry changes nothing.
      await store.put(await signTestEntry({ namespace, author: alice, key: 'a/z', timestamp: 29, content: '7' }));
      await check('b', 30n);
    });

    describe('no resurrection: tombstones and the empty key are parents', () => {
      test('an older entry for a key holding a newer tombstone is refused', async () => {
        const store = await harness.create();
        await store.importNamespace(writeCapability(namespace));
        const original = await signTestEntry({ namespace, author: alice, key: 'doc', timestamp: 5, content: 'v1' });
        const tombstone = await signTestEntry({ namespace, author: alice, key: 'doc', timestamp: 10, empty: true });
        await store.put(original);
        expect(await store.put(tombstone)).toEqual({ inserted: true, removed: 1 });
        // The old version, or any other older value, arrives late (e.g. from a peer that missed the delete).
        expect(await store.put(original)).toEqual({ inserted: false });
        expect(await store.put(await signTestEntry({ namespace, author: alice, key: 'doc', timestamp: 9, content: 'v2' }))).toEqual({
          inserted: false,
        });
        expect(await store.getExact(namespace.id, alice.id, toBytes('doc'))).toBeUndefined();
        expectSameEntry(await store.getExact(namespace.id, alice.id, toBytes('doc'), { includeEmpty: true }), tombstone);
        // A newer value is a real write after the delete.
        const newer = await signTestEntry({ namespace, author: alice, key: 'doc', timestamp: 11, content: 'v3' });
        expect(await store.put(newer)).toEqual({ inserted: true, removed: 1 });
      });

      test('an older entry under a newer tombstone prefix is refused', async () => {
        const store = await harness.create();
        await store.importNamespace(writeCapability(namespace));
        const child = await signTestEntry({ namespace, author: alice, key: 'dir/file', timestamp: 5, content: 'file' });
        await store.put(child);
        expect(await store.put(await signTestEntry({ namespace, author: alice, key: 'dir/', timestamp: 10, empty: true }))).toEqual({
          inserted: true,
          removed: 1,
        });
        expect(await store.put(child)).toEqual({ inserted: false });
        expect(await store.put(await signTestEntry({ namespace, author: alice, key: 'dir/other', timestamp: 3, content: 'o' }))).toEqual({
          inserted: false,
        });
        expectSameEntries(await collect(store.query(namespace.id)), []);
        // Outside the prefix, or by another author, older entries are fine.
        expect(await store.put(await signTestEntry({ namespace, author: alice, key: 'dis', timestamp: 1, content: 'x' }))).toEqual({
          inserted: true,
          removed: 0,
        });
        expect(await store.put(await signTestEntry({ namespace, author: bob, key: 'dir/file', timestamp: 1, content: 'x' }))).toEqual({
          inserted: true,
          removed: 0,
        });
      });

      test('a tombstone at the empty key blocks every older entry of its author', async () => {
        const store = await harness.create();
        await store.importNamespace(writeCapability(namespace));
        const entries = await Promise.all(
          ['a', 'b/c', ''].map((key, index) => signTestEntry({ namespace, author: alice, key, timestamp: index + 1, content: `key ${key}` })),
        );
        for (const signed of entries) await store.put(signed);
        // Note: '' at ts 3 already removed 'a' and 'b/c' (older descendants).
        expect(await collect(store.query(namespace.id))).toHaveLength(1);
        const wipe = await signTestEntry({ namespace, author: alice, key: '', timestamp: 50, empty: true });
        expect(await store.put(wipe)).toEqual({ inserted: true, removed: 1 });
        for (const signed of entries) expect(await store.put(signed)).toEqual({ inserted: false });
        expect(await store.put(await signTestEntry({ namespace, author: alice, key: 'new', timestamp: 49, content: 'n' }))).toEqual({
          inserted: false,
        });
        expectSameEntries(await collect(store.query(namespace.id, { includeEmpty: true })), [wipe]);
        expect(await store.put(await signTestEntry({ namespace, author: alice, key: 'new', timestamp: 51, content: 'n' }))).toEqual({
          inserted: true,
          removed: 0,
        });
        expect(await store.put(await signTestEntry({ namespace, author: bob, key: 'new', timestamp: 1, content: 'n' }))).toEqual({
          inserted: true,
          removed: 0,
        });
      });

      test('equal timestamps under a tombstone: decided by the content hash against the empty hash', async () => {
        const store = await harness.create();
        await store.importNamespace(writeCapability(namespace));
        await store.put(await signTestEntry({ namespace, author: alice, key: 'p', timestamp: 10, empty: true }));
        const below = await signTestEntry({ namespace, author: alice, key: 'p/x', timestamp: 10, content: contentAroundEmptyHash('below') });
        const above = await signTestEntry({ namespace, author: alice, key: 'p/y', timestamp: 10, content: contentAroundEmptyHash('above') });
        expect(await store.put(below)).toEqual({ inserted: false });
        expect(await store.put(above)).toEqual({ inserted: true, removed: 0 });
        expectSameEntries(await collect(store.query(namespace.id)), [above]);
      });
    });
  });
}
