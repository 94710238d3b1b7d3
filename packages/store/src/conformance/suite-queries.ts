import { compareBytes } from '@docs/crypto';
import { writeCapability, type SignedEntry } from '@docs/entry';
import { describe, expect, test } from 'vitest';
import type { Query } from '../query.js';
import { expectSameEntries } from './assertions.js';
import { collect, signTestEntry, testAuthor, testNamespace, toBytes } from './fixtures.js';
import type { StoreHarness } from './harness.js';

/** The reference's `test_replica_queries` with its pinned orders, plus the query options around it. */
export function registerQueryTests(harness: StoreHarness): void {
  const namespace = testNamespace(2);
  // Three authors sorted by id: a1 < a2 < a3.
  const [a1, a2, a3] = [testAuthor(10), testAuthor(11), testAuthor(12)].sort((a, b) => compareBytes(a.id, b.id)) as [
    ReturnType<typeof testAuthor>,
    ReturnType<typeof testAuthor>,
    ReturnType<typeof testAuthor>,
  ];

  async function seeded() {
    const store = await harness.create();
    await store.importNamespace(writeCapability(namespace));
    const entry = (key: string, author: typeof a1, timestamp: number) =>
      signTestEntry({ namespace, author, key, timestamp, content: `${key} by ${timestamp}` });
    // Inserted in this order with rising timestamps, as the reference's test does.
    const worldA2 = await entry('hi/world', a2, 1);
    const worldA1 = await entry('hi/world', a1, 2);
    const moonA2 = await entry('hi/moon', a2, 3);
    const hiA3 = await entry('hi', a3, 4);
    for (const signed of [worldA2, worldA1, moonA2, hiA3]) expect(await store.put(signed)).toEqual({ inserted: true, removed: 0 });
    const run = (query?: Query): Promise<SignedEntry[]> => collect(store.query(namespace.id, query));
    return { store, run, worldA2, worldA1, moonA2, hiA3 };
  }

  describe('queries (test_replica_queries)', () => {
    test('flat author-key (default) and key-author orders, both directions', async () => {
      const { run, worldA2, worldA1, moonA2, hiA3 } = await seeded();
      expectSameEntries(await run(), [worldA1, moonA2, worldA2, hiA3]);
      expectSameEntries(await run({ sortBy: 'author-key' }), [worldA1, moonA2, worldA2, hiA3]);
      expectSameEntries(await run({ direction: 'desc' }), [hiA3, worldA2, moonA2, worldA1]);
      expectSameEntries(await run({ sortBy: 'key-author' }), [hiA3, moonA2, worldA1, worldA2]);
      expectSameEntries(await run({ sortBy: 'key-author', direction: 'desc' }), [worldA2, worldA1, moonA2, hiA3]);
      expectSameEntries(await run({ sortBy: 'author-key', direction: 'desc', keyPrefix: toBytes('hi/') }), [worldA2, moonA2, worldA1]);
      expectSameEntries(await run({ keyPrefix: toBytes('hi/'), offset: 1, limit: 1 }), [moonA2]);
    });

    test('single latest per key, both directions, with a prefix', async () => {
      const { run, worldA2, worldA1, moonA2, hiA3 } = await seeded();
      expectSameEntries(await run({ kind: 'single-latest-per-key' }), [hiA3, moonA2, worldA1]);
      expectSameEntries(await run({ kind: 'single-latest-per-key', direction: 'desc' }), [worldA1, moonA2, hiA3]);
      expectSameEntries(await run({ kind: 'single-latest-per-key', keyPrefix: toBytes('hi/') }), [moonA2, worldA1]);
      // The author filter applies before grouping.
      expectSameEntries(await run({ kind: 'single-latest-per-key', author: a2.id }), [moonA2, worldA2]);
    });

    test('filters: author, exact key, prefix, offset and limit', async () => {
      const { run, worldA2, worldA1, moonA2, hiA3 } = await seeded();
      expectSameEntries(await run({ author: a2.id }), [moonA2, worldA2]);
      expectSameEntries(await run({ author: a2.id, sortBy: 'key-author', direction: 'desc' }), [worldA2, moonA2]);
      expectSameEntries(await run({ key: toBytes('hi/world') }), [worldA1, worldA2]);
      expectSameEntries(await run({ key: toBytes('hi/world'), sortBy: 'key-author' }), [worldA1, worldA2]);
      expectSameEntries(await run({ key: toBytes('hi') }), [hiA3]);
      expectSameEntries(await run({ key: toBytes('h') }), []);
      expectSameEntries(await run({ keyPrefix: toBytes('h') }), [worldA1, moonA2, worldA2, hiA3]);
      expectSameEntries(await run({ keyPrefix: toBytes('hi/w'), author: a1.id }), [worldA1]);
      expectSameEntries(await run({ offset: 3 }), [hiA3]);
      expectSameEntries(await run({ offset: 4 }), []);
      expectSameEntries(await run({ limit: 0 }), []);
      expectSameEntries(await run({ limit: 2, direction: 'desc' }), [hiA3, worldA2]);
      expectSameEntries(await run({ kind: 'single-latest-per-key', offset: 1, limit: 5 }), [moonA2, worldA1]);
    });

    test('after a delete: tombstones hidden, shown with includeEmpty; a key whose latest is a tombstone is skipped', async () => {
      const { store, run, worldA1, moonA2, hiA3 } = await seeded();
      const deleted = await signTestEntry({ namespace, author: a2, key: 'hi/world', timestamp: 5, empty: true });
      expect(await store.put(deleted)).toEqual({ inserted: true, removed: 1 });
      expectSameEntries(await run(), [worldA1, moonA2, hiA3]);
      expectSameEntries(await run({ includeEmpty: true }), [worldA1, moonA2, deleted, hiA3]);
      expectSameEntries(await run({ sortBy: 'key-author', includeEmpty: true }), [hiA3, moonA2, worldA1, deleted]);
      // hi/world: a2's tombstone (ts 5) is newer than a1's entry (ts 2), so the whole key is skipped.
      expectSameEntries(await run({ kind: 'single-latest-per-key' }), [hiA3, moonA2]);
      expectSameEntries(await run({ kind: 'single-latest-per-key', includeEmpty: true }), [hiA3, moonA2, deleted]);
      expectSameEntries(await run({ kind: 'single-latest-per-key', author: a1.id }), [worldA1]);
      expectSameEntries(await run({ offset: 1, limit: 1 }), [moonA2]);
    });

    test('single latest per key: on equal timestamps the first in iteration order wins', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      const byA1 = await signTestEntry({ namespace, author: a1, key: 'same', timestamp: 9, content: 'a1' });
      const byA3 = await signTestEntry({ namespace, author: a3, key: 'same', timestamp: 9, content: 'a3' });
      await store.put(byA3);
      await store.put(byA1);
      expectSameEntries(await collect(store.query(namespace.id, { kind: 'single-latest-per-key' })), [byA1]);
      expectSameEntries(await collect(store.query(namespace.id, { kind: 'single-latest-per-key', direction: 'desc' })), [byA3]);
    });

    test('invalid queries are programmer errors', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      const attempt = async (query: Query) => collect(store.query(namespace.id, query));
      await expect(attempt({ key: toBytes('a'), keyPrefix: toBytes('a') })).rejects.toBeInstanceOf(TypeError);
      await expect(attempt({ kind: 'single-latest-per-key', sortBy: 'key-author' })).rejects.toBeInstanceOf(TypeError);
      await expect(attempt({ limit: -1 })).rejects.toBeInstanceOf(RangeError);
      await expect(attempt({ offset: 1.5 })).rejects.toBeInstanceOf(RangeError);
    });

    test('a namespace without entries, or unknown, answers nothing', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      expect(await collect(store.query(namespace.id))).toEqual([]);
      expect(await collect(store.query(testNamespace(99).id, { kind: 'single-latest-per-key' }))).toEqual([]);
    });
  });
}
