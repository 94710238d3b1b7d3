import { Author, NamespaceSecret, bytesToHex, compareBytes } from '@docs/crypto';
import { RecordIdentifier, readCapability, writeCapability } from '@docs/entry';
import { describe, expect, test } from 'vitest';
import { DEFAULT_DOWNLOAD_POLICY, type DownloadPolicy } from '../download-policy.js';
import { STORE_ERROR_CODES } from '../errors.js';
import { PEERS_PER_NAMESPACE } from '../store.js';
import { expectDocsError, expectPlainBytes, expectSameBytes } from './assertions.js';
import { collect, signTestEntry, testAuthor, testNamespace, toBytes } from './fixtures.js';
import type { StoreHarness } from './harness.js';

function peer(index: number): Uint8Array {
  return new Uint8Array(32).fill(index);
}

const hexes = (list: readonly Uint8Array[]): string[] => list.map(bytesToHex);

/** Capabilities, authors, namespace removal, sync peers, download policies and the content-hash iterator. */
export function registerNamespaceTests(harness: StoreHarness): void {
  const namespace = testNamespace(3);
  const alice = testAuthor(0);

  describe('namespaces, authors, peers, policies', () => {
    test('capability: read → write upgrades, write is never downgraded (test_replica_capability)', async () => {
      const store = await harness.create();
      expect(await store.getCapability(namespace.id)).toBeUndefined();
      expect(await store.importNamespace(readCapability(namespace.id))).toBe('inserted');
      const read = await store.getCapability(namespace.id);
      expect(read?.kind).toBe('read');
      if (read?.kind === 'read') expectSameBytes(read.id, namespace.id);
      expect(await store.importNamespace(readCapability(namespace.id))).toBe('no-change');
      expect(await store.importNamespace(writeCapability(namespace))).toBe('upgraded');
      const write = await store.getCapability(namespace.id);
      expect(write?.kind).toBe('write');
      if (write?.kind === 'write') {
        expectSameBytes(write.secret.id, namespace.id);
        expectSameBytes(write.secret.toBytes(), namespace.toBytes());
      }
      expect(await store.importNamespace(readCapability(namespace.id))).toBe('no-change');
      expect((await store.getCapability(namespace.id))?.kind).toBe('write');
      expect(await store.importNamespace(writeCapability(namespace))).toBe('no-change');

      const readOnly = testNamespace(4);
      expect(await store.importNamespace(readCapability(readOnly.id))).toBe('inserted');
      const listed = await store.listNamespaces();
      listed.forEach((info) => expectPlainBytes(info.id, 'listed namespace id'));
      expect(listed.map((info) => [bytesToHex(info.id), info.kind]).sort()).toEqual(
        [
          [bytesToHex(namespace.id), 'write'],
          [bytesToHex(readOnly.id), 'read'],
        ].sort(),
      );
    });

    test('authors: import (idempotent), get, list in byte order, delete', async () => {
      const store = await harness.create();
      const authors = [testAuthor(0), testAuthor(1), Author.generate()];
      expect(await store.listAuthors()).toEqual([]);
      for (const author of authors) await store.importAuthor(author);
      await store.importAuthor(authors[0]!);
      const listed = await store.listAuthors();
      listed.forEach((id) => expectPlainBytes(id, 'author id'));
      expect(hexes(listed)).toEqual(hexes(authors.map((author) => author.id).sort(compareBytes)));
      const fetched = await store.getAuthor(authors[2]!.id);
      expectSameBytes(fetched?.toBytes(), authors[2]!.toBytes());
      expectSameBytes(fetched?.id, authors[2]!.id);
      expect(await store.getAuthor(testAuthor(77).id)).toBeUndefined();
      expect(await store.deleteAuthor(authors[1]!.id)).toBe(true);
      expect(await store.deleteAuthor(authors[1]!.id)).toBe(false);
      expect(await store.getAuthor(authors[1]!.id)).toBeUndefined();
      expect(hexes(await store.listAuthors())).toEqual(hexes([authors[0]!.id, authors[2]!.id].sort(compareBytes)));
    });

    test('useful peers: an LRU of 5, newest first (test_lru_cache_like_behaviour)', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      expect(PEERS_PER_NAMESPACE).toBe(5);
      expect(await store.getSyncPeers(namespace.id)).toEqual([]);
      for (let index = 1; index <= 5; index++) await store.registerUsefulPeer(namespace.id, peer(index));
      expect(hexes(await store.getSyncPeers(namespace.id))).toEqual(hexes([5, 4, 3, 2, 1].map(peer)));
      await store.registerUsefulPeer(namespace.id, peer(6));
      expect(hexes(await store.getSyncPeers(namespace.id))).toEqual(hexes([6, 5, 4, 3, 2].map(peer)));
      await store.registerUsefulPeer(namespace.id, peer(3));
      expect(hexes(await store.getSyncPeers(namespace.id))).toEqual(hexes([3, 6, 5, 4, 2].map(peer)));
      await store.registerUsefulPeer(namespace.id, peer(3));
      expect(hexes(await store.getSyncPeers(namespace.id))).toEqual(hexes([3, 6, 5, 4, 2].map(peer)));
      await store.registerUsefulPeer(namespace.id, peer(2));
      expect(hexes(await store.getSyncPeers(namespace.id))).toEqual(hexes([2, 3, 6, 5, 4].map(peer)));
      (await store.getSyncPeers(namespace.id)).forEach((id) => expectPlainBytes(id, 'peer id'));
      // The caller's array is not kept by reference.
      const mutable = peer(9);
      await store.registerUsefulPeer(namespace.id, mutable);
      mutable.fill(0);
      expectSameBytes((await store.getSyncPeers(namespace.id))[0], peer(9));
      // Peers are per namespace; an unknown namespace is an error for writes and empty for reads.
      const other = testNamespace(4);
      await store.importNamespace(writeCapability(other));
      expect(await store.getSyncPeers(other.id)).toEqual([]);
      await expectDocsError(() => store.registerUsefulPeer(testNamespace(5).id, peer(1)), STORE_ERROR_CODES.NAMESPACE_NOT_FOUND);
      expect(await store.getSyncPeers(testNamespace(5).id)).toEqual([]);
    });

    test('download policy: default, set, unknown namespace', async () => {
      const store = await harness.create();
      await store.importNamespace(writeCapability(namespace));
      expect(await store.getDownloadPolicy(namespace.id)).toEqual(DEFAULT_DOWNLOAD_POLICY);
      const policy: DownloadPolicy = {
        kind: 'nothing-except',
        filters: [
          { kind: 'prefix', pattern: toBytes('memes/') },
          { kind: 'exact', pattern: new Uint8Array([0, 255]) },
        ],
      };
      await store.setDownloadPolicy(namespace.id, policy);
      const stored = await store.getDownloadPolicy(namespace.id);
      expect(stored.kind).toBe('nothing-except');
      expect(stored.filters.map((filter) => [filter.kind, bytesToHex(filter.pattern)])).toEqual([
        ['prefix', bytesToHex(toBytes('memes/'))],
        ['exact', '00ff'],
      ]);
      stored.filters.forEach((filter) => expectPlainBytes(filter.pattern, 'filter pattern'));
      await store.setDownloadPolicy(namespace.id, DEFAULT_DOWNLOAD_POLICY);
      expect(await store.getDownloadPolicy(namespace.id)).toEqual(DEFAULT_DOWNLOAD_POLICY);
      await expectDocsError(() => store.setDownloadPolicy(testNamespace(5).id, policy), STORE_ERROR_CODES.NAMESPACE_NOT_FOUND);
      expect(await store.getDownloadPolicy(testNamespace(5).id)).toEqual(DEFAULT_DOWNLOAD_POLICY);
    });

    test('remove namespace: entries, peers and policy go; other namespaces stay; re-creating works', async () => {
      const store = await harness.create();
      const other = testNamespace(4);
      for (const secret of [namespace, other]) {
        await store.importNamespace(writeCapability(secret));
        for (const key of ['a', 'b', 'c']) {
          await store.put(await signTestEntry({ namespace: secret, author: alice, key, timestamp: 1, content: `${key} in ${secret.id[0]}` }));
        }
        await store.registerUsefulPeer(secret.id, peer(1));
        await store.setDownloadPolicy(secret.id, { kind: 'nothing-except', filters: [] });
      }
      expect(await store.removeNamespace(namespace.id)).toBe(true);
      expect(await store.removeNamespace(namespace.id)).toBe(false);
      expect(await store.getCapability(namespace.id)).toBeUndefined();
      expect((await store.listNamespaces()).map((info) => bytesToHex(info.id))).toEqual([bytesToHex(other.id)]);
      expect(await collect(store.query(namespace.id, { includeEmpty: true }))).toEqual([]);
      expect(await store.getExact(namespace.id, alice.id, toBytes('a'), { includeEmpty: true })).toBeUndefined();
      expect(await store.latestPerAuthor(namespace.id)).toEqual([]);
      const zero = RecordIdentifier.zero().bytes;
      expect(await store.ranges(namespace.id).count({ x: zero, y: zero })).toBe(0);
      expect(await store.getSyncPeers(namespace.id)).toEqual([]);
      expect(await store.getDownloadPolicy(namespace.id)).toEqual(DEFAULT_DOWNLOAD_POLICY);
      expect(await collect(store.contentHashes())).toHaveLength(3);

      // The other namespace is untouched.
      expect(await collect(store.query(other.id))).toHaveLength(3);
      expect(hexes(await store.getSyncPeers(other.id))).toEqual([bytesToHex(peer(1))]);
      expect((await store.getDownloadPolicy(other.id)).kind).toBe('nothing-except');
      expect(await store.ranges(other.id).count({ x: zero, y: zero })).toBe(3);

      // Re-creating starts empty, and old entries can be written again.
      expect(await store.importNamespace(writeCapability(namespace))).toBe('inserted');
      expect(await collect(store.query(namespace.id))).toEqual([]);
      const again = await signTestEntry({ namespace, author: alice, key: 'a', timestamp: 1, content: `a in ${namespace.id[0]}` });
      expect(await store.put(again)).toEqual({ inserted: true, removed: 0 });
      expect(await collect(store.query(namespace.id))).toHaveLength(1);

      // A namespace created and removed without entries.
      const fresh = NamespaceSecret.generate();
      expect(await store.importNamespace(writeCapability(fresh))).toBe('inserted');
      expect(await store.removeNamespace(fresh.id)).toBe(true);
    });

    test('content hashes (test_content_hashes_iterator): 3 namespaces × 4 entries → 12, tombstones excluded', async () => {
      const store = await harness.create();
      const expected: string[] = [];
      for (let space = 0; space < 3; space++) {
        const secret = testNamespace(6 + space);
        await store.importNamespace(writeCapability(secret));
        for (let index = 0; index < 4; index++) {
          const signed = await signTestEntry({ namespace: secret, author: alice, key: `k${index}`, timestamp: 1, content: `c ${space} ${index}` });
          await store.put(signed);
          expected.push(bytesToHex(signed.entry.record.hash));
        }
      }
      const hashes = await collect(store.contentHashes());
      hashes.forEach((hash) => expectPlainBytes(hash, 'content hash'));
      expect(hexes(hashes).sort()).toEqual([...expected].sort());
      // A tombstone adds nothing; the same content under another key appears twice.
      await store.put(await signTestEntry({ namespace: testNamespace(6), author: alice, key: 'gone', timestamp: 2, empty: true }));
      const duplicate = await signTestEntry({ namespace: testNamespace(7), author: alice, key: 'copy', timestamp: 2, content: 'c 0 0' });
      await store.put(duplicate);
      expected.push(bytesToHex(duplicate.entry.record.hash));
      expect(hexes(await collect(store.contentHashes())).sort()).toEqual([...expected].sort());
    });
  });
}
