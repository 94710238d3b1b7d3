import { bytesToHex } from '@docs/crypto';
import { RecordIdentifier, encodeSignedEntry, readCapability, writeCapability, type SignedEntry } from '@docs/entry';
import { describe, expect, test } from 'vitest';
import { DEFAULT_DOWNLOAD_POLICY } from '../download-policy.js';
import { STORE_ERROR_CODES } from '../errors.js';
import type { DocsStore } from '../store.js';
import { expectDocsError, expectPlainBytes, expectPlainEntry, expectSameBytes, expectSameEntries } from './assertions.js';
import { collect, signTestEntry, testAuthor, testNamespace, toBytes } from './fixtures.js';
import type { StoreHarness } from './harness.js';
import { StoreModel } from './model.js';
import { SeededRandom } from './seeded-random.js';

const zero = RecordIdentifier.zero().bytes;
const whole = { x: zero, y: zero };

/** Everything observable about a store, in comparable form. */
async function snapshot(store: DocsStore, namespaces: readonly Uint8Array[], blobHashes: readonly Uint8Array[]) {
  const perNamespace = [];
  for (const namespace of namespaces) {
    const ranges = store.ranges(namespace);
    perNamespace.push({
      capability: (await store.getCapability(namespace))?.kind,
      entries: (await collect(store.query(namespace, { includeEmpty: true }))).map((signed) => bytesToHex(encodeSignedEntry(signed))),
      latest: (await store.latestPerAuthor(namespace)).map((head) => [bytesToHex(head.author), head.timestamp, bytesToHex(head.key)]),
      peers: (await store.getSyncPeers(namespace)).map(bytesToHex),
      policy: await store.getDownloadPolicy(namespace),
      count: await ranges.count(whole),
      fingerprint: bytesToHex(await ranges.fingerprint(whole)),
      firstKey: bytesToHex(await ranges.firstKey()),
    });
  }
  const blobs = [];
  for (const hash of blobHashes) blobs.push(bytesToHex((await store.blobs.get(hash)) ?? new Uint8Array([1, 2, 3])));
  return {
    namespaces: (await store.listNamespaces()).map((info) => [bytesToHex(info.id), info.kind]).sort(),
    authors: (await store.listAuthors()).map(bytesToHex),
    perNamespace,
    contentHashes: (await collect(store.contentHashes())).map(bytesToHex).sort(),
    blobs,
  };
}

/** Random entries with heavy prefix overlap (keys over a tiny alphabet, few timestamps, tombstones, 2 authors). */
async function randomEntries(seed: number, count: number): Promise<SignedEntry[]> {
  const random = new SeededRandom(seed);
  const authors = [testAuthor(30), testAuthor(31)];
  const out: SignedEntry[] = [];
  for (let index = 0; index < count; index++) {
    const key = Array.from({ length: 1 + random.below(4) }, () => random.pick(['a', 'b', '/'])).join('');
    const timestamp = 1 + random.below(count);
    out.push(
      await (random.chance(0.1)
        ? signTestEntry({ namespace: testNamespace(30), author: random.pick(authors), key, timestamp, empty: true })
        : signTestEntry({ namespace: testNamespace(30), author: random.pick(authors), key, timestamp, content: `${key}@${timestamp}` })),
    );
  }
  return out;
}

/** Closing, persistence across reopen, concurrent writes, plain byte results. */
export function registerLifecycleTests(harness: StoreHarness): void {
  describe('lifecycle', () => {
    test('a closed store refuses every call with DOCS_STORE_CLOSED; close is idempotent', async () => {
      const store = await harness.create();
      const namespace = testNamespace(40);
      const author = testAuthor(40);
      await store.importNamespace(writeCapability(namespace));
      const signed = await signTestEntry({ namespace, author, key: 'k', timestamp: 1, content: 'c' });
      await store.put(signed);
      const ranges = store.ranges(namespace.id);
      await store.close();
      await store.close();
      const calls: Array<[string, () => unknown]> = [
        ['importNamespace', () => store.importNamespace(readCapability(testNamespace(41).id))],
        ['getCapability', () => store.getCapability(namespace.id)],
        ['listNamespaces', () => store.listNamespaces()],
        ['removeNamespace', () => store.removeNamespace(namespace.id)],
        ['importAuthor', () => store.importAuthor(author)],
        ['getAuthor', () => store.getAuthor(author.id)],
        ['listAuthors', () => store.listAuthors()],
        ['deleteAuthor', () => store.deleteAuthor(author.id)],
        ['put', () => store.put(signed)],
        ['getExact', () => store.getExact(namespace.id, author.id, toBytes('k'))],
        ['query', () => collect(store.query(namespace.id))],
        ['latestPerAuthor', () => store.latestPerAuthor(namespace.id)],
        ['contentHashes', () => collect(store.contentHashes())],
        ['ranges().firstKey', () => ranges.firstKey()],
        ['ranges().count', () => ranges.count(whole)],
        ['ranges().fingerprint', () => ranges.fingerprint(whole)],
        ['ranges().items', () => collect(ranges.items(whole))],
        ['ranges().keyAt', () => ranges.keyAt(whole, 0)],
        ['new ranges().count', () => store.ranges(namespace.id).count(whole)],
        ['registerUsefulPeer', () => store.registerUsefulPeer(namespace.id, new Uint8Array(32))],
        ['getSyncPeers', () => store.getSyncPeers(namespace.id)],
        ['setDownloadPolicy', () => store.setDownloadPolicy(namespace.id, DEFAULT_DOWNLOAD_POLICY)],
        ['getDownloadPolicy', () => store.getDownloadPolicy(namespace.id)],
        ['blobs.put', () => store.blobs.put(new Uint8Array([1]))],
        ['blobs.putStream', () => store.blobs.putStream([new Uint8Array([1])])],
        ['blobs.get', () => store.blobs.get(new Uint8Array(32))],
        ['blobs.getStream', () => store.blobs.getStream(new Uint8Array(32))],
        ['blobs.has', () => store.blobs.has(new Uint8Array(32))],
        ['blobs.size', () => store.blobs.size(new Uint8Array(32))],
        ['blobs.delete', () => store.blobs.delete(new Uint8Array(32))],
      ];
      for (const [name, call] of calls) {
        await expectDocsError(async () => call(), STORE_ERROR_CODES.CLOSED).catch((error: unknown) => {
          throw new Error(`${name} on a closed store`, { cause: error });
        });
      }
    });

    test('results are plain Uint8Arrays, never Buffer or another subclass', async () => {
      const store = await harness.create();
      const namespace = testNamespace(42);
      const author = testAuthor(42);
      await store.importNamespace(writeCapability(namespace));
      await store.importAuthor(author);
      await store.put(await signTestEntry({ namespace, author, key: 'plain', timestamp: 1, content: 'bytes' }));
      await store.registerUsefulPeer(namespace.id, new Uint8Array(32).fill(3));
      await store.setDownloadPolicy(namespace.id, { kind: 'everything-except', filters: [{ kind: 'prefix', pattern: toBytes('x') }] });
      const { hash } = await store.blobs.put(toBytes('blob'));

      expectPlainEntry((await store.getExact(namespace.id, author.id, toBytes('plain')))!, 'getExact');
      for (const query of [{}, { sortBy: 'key-author' as const }, { kind: 'single-latest-per-key' as const }]) {
        for (const signed of await collect(store.query(namespace.id, query))) expectPlainEntry(signed, 'query');
      }
      (await store.listNamespaces()).forEach((info) => expectPlainBytes(info.id, 'namespace id'));
      const capability = await store.getCapability(namespace.id);
      if (capability?.kind === 'write') expectPlainBytes(capability.secret.id, 'capability namespace id');
      (await store.listAuthors()).forEach((id) => expectPlainBytes(id, 'author id'));
      expectPlainBytes((await store.getAuthor(author.id))?.id, 'author from store');
      for (const head of await store.latestPerAuthor(namespace.id)) {
        expectPlainBytes(head.author, 'latest author');
        expectPlainBytes(head.key, 'latest key');
      }
      for (const contentHash of await collect(store.contentHashes())) expectPlainBytes(contentHash, 'content hash');
      for (const peerId of await store.getSyncPeers(namespace.id)) expectPlainBytes(peerId, 'peer');
      for (const filter of (await store.getDownloadPolicy(namespace.id)).filters) expectPlainBytes(filter.pattern, 'filter');
      expectPlainBytes(hash, 'blob hash');
      expectPlainBytes(await store.blobs.get(hash), 'blob');
      for (const chunk of await collect((await store.blobs.getStream(hash))!)) expectPlainBytes(chunk, 'blob chunk');
      const ranges = store.ranges(namespace.id);
      expectPlainBytes(await ranges.firstKey(), 'firstKey');
      expectPlainBytes(await ranges.keyAt(whole, 0), 'keyAt');
      expectPlainBytes(await ranges.fingerprint(whole), 'fingerprint');
      for (const signed of await collect(ranges.items(whole))) expectPlainEntry(signed, 'range item');
    });

    test('concurrent puts with prefix deletions end in the same state as sequential ones', async () => {
      const entries = await randomEntries(harness.slow ? 1_000 : 100, harness.slow ? 2_000 : 300);
      const namespace = testNamespace(30);
      const sequential = await harness.create();
      const concurrent = await harness.create();
      for (const store of [sequential, concurrent]) await store.importNamespace(writeCapability(namespace));
      const model = new StoreModel();
      for (const signed of entries) {
        model.put(signed);
        await sequential.put(signed);
      }
      // Everything at once, with reads in between; a put's result is not compared (it depends on the order).
      const reads: Array<Promise<unknown>> = [];
      const writes = entries.map((signed, index) => {
        if (index % 10 === 0) {
          reads.push(concurrent.getExact(namespace.id, signed.entry.id.author, signed.entry.id.key));
          reads.push(collect(concurrent.query(namespace.id, { keyPrefix: signed.entry.id.key })));
          reads.push(concurrent.ranges(namespace.id).fingerprint(whole));
        }
        return concurrent.put(signed);
      });
      await Promise.all([...writes, ...reads]);
      const expected = model.query(namespace.id, { includeEmpty: true });
      expect(expected.length).toBeGreaterThan(5);
      for (const store of [sequential, concurrent]) {
        expectSameEntries(await collect(store.query(namespace.id, { includeEmpty: true })), expected);
        expectSameBytes(await store.ranges(namespace.id).fingerprint(whole), model.fingerprint(namespace.id, whole));
        expect(await store.ranges(namespace.id).count(whole)).toBe(expected.length);
        expect((await store.latestPerAuthor(namespace.id)).map((head) => head.timestamp)).toEqual(
          model.latestPerAuthor(namespace.id).map((head) => head.timestamp),
        );
      }
    });

    test.skipIf(!harness.canReopen)('persistence: everything survives reopen, and the insert rule still holds', async () => {
      let store = await harness.create();
      const namespace = testNamespace(43);
      const readOnly = testNamespace(44);
      const author = testAuthor(43);
      await store.importNamespace(writeCapability(namespace));
      await store.importNamespace(readCapability(readOnly.id));
      await store.importAuthor(author);
      const entries = await randomEntries(43, 60);
      const namespaceOf30 = testNamespace(30);
      await store.importNamespace(writeCapability(namespaceOf30));
      for (const signed of entries) await store.put(signed);
      await store.put(await signTestEntry({ namespace, author, key: 'dir/file', timestamp: 5, content: 'file' }));
      await store.put(await signTestEntry({ namespace, author, key: 'dir/', timestamp: 10, empty: true }));
      await store.put(await signTestEntry({ namespace, author, key: 'other', timestamp: 3, content: 'other' }));
      for (let index = 1; index <= 6; index++) await store.registerUsefulPeer(namespace.id, new Uint8Array(32).fill(index));
      await store.setDownloadPolicy(namespace.id, { kind: 'nothing-except', filters: [{ kind: 'exact', pattern: toBytes('x') }] });
      const blobHashes = [(await store.blobs.put(toBytes('persisted blob'))).hash, (await store.blobs.putStream([toBytes('a'), toBytes('b')])).hash];
      const namespaces = [namespace.id, readOnly.id, namespaceOf30.id];
      const before = await snapshot(store, namespaces, blobHashes);
      expect(before.perNamespace[2]!.count).toBeGreaterThan(5);

      store = await harness.reopen(store);
      expect(await snapshot(store, namespaces, blobHashes)).toEqual(before);
      // The rule uses the persisted state: the old file stays deleted, newer writes work.
      expect(await store.put(await signTestEntry({ namespace, author, key: 'dir/file', timestamp: 5, content: 'file' }))).toEqual({ inserted: false });
      expect(await store.put(await signTestEntry({ namespace, author, key: 'other', timestamp: 4, content: 'newer' }))).toEqual({ inserted: true, removed: 1 });
      const after = await snapshot(store, namespaces, blobHashes);
      store = await harness.reopen(store);
      expect(await snapshot(store, namespaces, blobHashes)).toEqual(after);
      expect(await store.removeNamespace(namespaceOf30.id)).toBe(true);
      store = await harness.reopen(store);
      expect(await collect(store.query(namespaceOf30.id, { includeEmpty: true }))).toEqual([]);
      expect(await store.ranges(namespaceOf30.id).count(whole)).toBe(0);
      expect(await store.getCapability(namespaceOf30.id)).toBeUndefined();
    });
  });
}
