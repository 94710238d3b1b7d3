import { Author, NamespaceSecret, blake3, bytesToHex } from '@docs/crypto';
import {
  EMPTY_HASH,
  MAX_TIMESTAMP_FUTURE_SHIFT,
  RecordIdentifier,
  createRecord,
  nowMicros,
  readCapability,
  signEntry,
  writeCapability,
  type SignedEntry,
} from '@docs/entry';
import { Replica, type ReplicaEvent } from '@docs/replica';
import { collect, signTestEntry } from '@docs/store/conformance';
import { describe, expect, it } from 'vitest';
import { ALICE_PEER, keysOf, memoryStore, text, utf8 } from './helpers.js';

const code = (value: string) => expect.objectContaining({ code: value });

function writableReplica(options: ConstructorParameters<typeof Replica>[2] = {}) {
  const store = memoryStore();
  const namespace = NamespaceSecret.generate();
  const replica = new Replica(store, writeCapability(namespace), options);
  return { store, namespace, replica };
}

describe('Replica: local writes', () => {
  it('inserts, reads back and queries (test_basics through the replica)', async () => {
    const { replica, namespace } = writableReplica();
    const alice = Author.generate();
    for (let index = 0; index < 10; index++) {
      const { entry, removed } = await replica.hashAndInsert(utf8(`/${index}`), alice, utf8(`${index}: hello from alice`));
      expect(removed).toBe(0);
      expect(entry.entry.id.namespace).toEqual(namespace.id);
    }
    for (let index = 0; index < 10; index++) {
      const found = await replica.getExact(alice.id, utf8(`/${index}`));
      expect(found?.entry.record.len).toBe(BigInt(`${index}: hello from alice`.length));
      expect(found?.entry.record.hash).toEqual(blake3(utf8(`${index}: hello from alice`)));
    }
    await replica.hashAndInsert(utf8('/cool/path'), alice, utf8('round 1'));
    const second = await replica.hashAndInsert(utf8('/cool/path'), alice, utf8('round 2'));
    expect(second.removed).toBe(1);
    expect((await replica.getExact(alice.id, utf8('/cool/path')))?.entry.record.hash).toEqual(blake3(utf8('round 2')));
    expect(await collect(replica.query({ author: alice.id }))).toHaveLength(11);
    expect(await collect(replica.query({ key: utf8('/cool/path') }))).toHaveLength(1);
    const bob = Author.generate();
    await replica.hashAndInsert(utf8('/cool/path'), bob, utf8('bob round 1'));
    expect(await collect(replica.query({ keyPrefix: utf8('/cool') }))).toHaveLength(2);
    expect(await collect(replica.query())).toHaveLength(12);
  });

  it('scopes reads to its namespace', async () => {
    const store = memoryStore();
    const author = Author.generate();
    const one = new Replica(store, writeCapability(NamespaceSecret.generate()));
    const other = new Replica(store, writeCapability(NamespaceSecret.generate()));
    await one.hashAndInsert(utf8('k'), author, utf8('one'));
    await other.hashAndInsert(utf8('k'), author, utf8('other'));
    expect(await keysOf(one)).toEqual(['k']);
    expect((await one.getExact(author.id, utf8('k')))?.entry.record.hash).toEqual(blake3(utf8('one')));
  });

  it('test_timestamps: an older timestamp → DOCS_REPLICA_NEWER_ENTRY_EXISTS and the stored entry stays', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    const { entry } = await replica.hashAndInsert(utf8('hello'), author, utf8('world'), { timestamp: 2n });
    await expect(replica.hashAndInsert(utf8('hello'), author, utf8('world'), { timestamp: 1n })).rejects.toThrow(
      code('DOCS_REPLICA_NEWER_ENTRY_EXISTS'),
    );
    // Re-inserting the identical entry is refused too.
    await expect(replica.hashAndInsert(utf8('hello'), author, utf8('world'), { timestamp: 2n })).rejects.toThrow(
      code('DOCS_REPLICA_NEWER_ENTRY_EXISTS'),
    );
    expect(await replica.getExact(author.id, utf8('hello'))).toEqual(entry);
  });

  it('test_future_timestamp: up to now + 10 min is accepted, beyond → DOCS_REPLICA_INVALID_ENTRY', async () => {
    const now = nowMicros();
    const { replica } = writableReplica({ now: () => now });
    const author = Author.generate();
    const key = utf8('hi');
    for (const timestamp of [now, now + MAX_TIMESTAMP_FUTURE_SHIFT - 10_000n, now + MAX_TIMESTAMP_FUTURE_SHIFT]) {
      const { entry } = await replica.hashAndInsert(key, author, utf8(`${timestamp}`), { timestamp });
      expect(await replica.getExact(author.id, key)).toEqual(entry);
    }
    const stored = await replica.getExact(author.id, key);
    const beyond = replica.hashAndInsert(key, author, utf8('2'), { timestamp: now + MAX_TIMESTAMP_FUTURE_SHIFT + 10_000n });
    await expect(beyond).rejects.toThrow(
      expect.objectContaining({ code: 'DOCS_REPLICA_INVALID_ENTRY', reason: 'too-far-in-the-future' }),
    );
    expect(await replica.getExact(author.id, key)).toEqual(stored);
  });

  it('test_future_timestamp_accepts_one_second_skew', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    const { entry } = await replica.hashAndInsert(utf8('skew'), author, utf8('ahead'), {
      timestamp: nowMicros() + 1_000_000n,
    });
    expect(await replica.getExact(author.id, utf8('skew'))).toEqual(entry);
  });

  it('test_insert_empty: empty content → DOCS_REPLICA_ENTRY_IS_EMPTY', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    await expect(replica.insert(utf8('foo'), author, EMPTY_HASH, 0)).rejects.toThrow(code('DOCS_REPLICA_ENTRY_IS_EMPTY'));
    await expect(replica.insert(utf8('foo'), author, blake3(utf8('x')), 0n)).rejects.toThrow(
      code('DOCS_REPLICA_ENTRY_IS_EMPTY'),
    );
    await expect(replica.insert(utf8('foo'), author, EMPTY_HASH, 3)).rejects.toThrow(code('DOCS_REPLICA_ENTRY_IS_EMPTY'));
    await expect(replica.hashAndInsert(utf8('foo'), author, new Uint8Array(0))).rejects.toThrow(
      code('DOCS_REPLICA_ENTRY_IS_EMPTY'),
    );
    await expect(replica.setBytes(utf8('foo'), author, new Uint8Array(0))).rejects.toThrow(
      code('DOCS_REPLICA_ENTRY_IS_EMPTY'),
    );
    expect(await collect(replica.query({ includeEmpty: true }))).toEqual([]);
  });

  it('test_prefix_delete: deletePrefix returns the removed count and leaves a hidden tombstone', async () => {
    const { replica } = writableReplica();
    const alice = Author.generate();
    await replica.hashAndInsert(utf8('foobar'), alice, utf8('hello'));
    await replica.hashAndInsert(utf8('fooboo'), alice, utf8('world'));
    expect(await replica.deletePrefix(utf8('foo'), alice)).toBe(2);
    for (const key of ['foobar', 'fooboo', 'foo']) expect(await replica.getExact(alice.id, utf8(key))).toBeUndefined();
    const tombstone = await replica.getExact(alice.id, utf8('foo'), { includeEmpty: true });
    expect(tombstone?.entry.record.hash).toEqual(EMPTY_HASH);
    expect(tombstone?.entry.record.len).toBe(0n);
    // Deleting again removes only the previous tombstone.
    expect(await replica.deletePrefix(utf8('foo'), alice)).toBe(1);
  });

  it('test_replica_delete_edge_cases: 0x00 and 0xff prefixes', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    const hash = blake3(utf8('foo'));
    const hexKeys = async () =>
      (await collect(replica.query())).map((signed) => bytesToHex(signed.entry.id.key)).sort();
    for (const prefix of [0, 255]) {
      const expected: string[] = [];
      for (const suffix of [0, 1, 255]) {
        await replica.insert(Uint8Array.of(prefix, suffix), author, hash, 3);
        expected.push(bytesToHex(Uint8Array.of(prefix, suffix)));
      }
      expect(await hexKeys()).toEqual(expected.sort());
      await replica.deletePrefix(Uint8Array.of(prefix), author);
      expect(await hexKeys()).toEqual([]);
    }
    for (const suffix of [0, 1, 2]) await replica.insert(Uint8Array.of(1, suffix), author, hash, 3);
    await replica.deletePrefix(Uint8Array.of(1, 1), author);
    expect(await hexKeys()).toEqual(['0100', '0102']);
    await replica.insert(Uint8Array.of(0, 255), author, hash, 3);
    await replica.insert(Uint8Array.of(0, 0), author, hash, 3);
    await replica.deletePrefix(Uint8Array.of(0), author);
    expect(await hexKeys()).toEqual(['0100', '0102']);
  });

  it('setBytes stores the content in the blob store and inserts its hash', async () => {
    const { replica, store } = writableReplica();
    const author = Author.generate();
    const { entry } = await replica.setBytes(utf8('doc'), author, utf8('content'));
    expect(entry.entry.record.hash).toEqual(blake3(utf8('content')));
    expect(entry.entry.record.len).toBe(7n);
    expect(await store.blobs.get(entry.entry.record.hash)).toEqual(utf8('content'));
  });
});

describe('Replica: timestamps', () => {
  it('stamps max(now, latest + 1) so a frozen clock never refuses repeated writes', async () => {
    const { replica } = writableReplica({ now: () => 1_000n });
    const author = Author.generate();
    const stamps: bigint[] = [];
    for (let round = 0; round < 3; round++) {
      stamps.push((await replica.hashAndInsert(utf8('key'), author, utf8(`v${round}`))).entry.entry.record.timestamp);
    }
    // A child of a key just written, then a delete of the parent prefix: each needs a newer timestamp.
    stamps.push((await replica.hashAndInsert(utf8('key/child'), author, utf8('child'))).entry.entry.record.timestamp);
    expect(await replica.deletePrefix(utf8('key'), author)).toBe(2);
    expect(stamps).toEqual([1_000n, 1_001n, 1_002n, 1_003n]);
    expect((await replica.getExact(author.id, utf8('key'), { includeEmpty: true }))?.entry.record.timestamp).toBe(1_004n);
  });

  it('continues from the newest timestamp already in the store', async () => {
    const { replica, store, namespace } = writableReplica({ now: () => 5n });
    const author = Author.generate();
    await replica.hashAndInsert(utf8('a'), author, utf8('1'), { timestamp: 900n });
    const reopened = new Replica(store, writeCapability(namespace), { now: () => 5n });
    const { entry } = await reopened.hashAndInsert(utf8('b'), author, utf8('2'));
    expect(entry.entry.record.timestamp).toBe(901n);
    // Other authors are independent.
    const other = await reopened.hashAndInsert(utf8('a'), Author.generate(), utf8('3'));
    expect(other.entry.entry.record.timestamp).toBe(5n);
  });

  it('moves past a same-author entry from a peer whose clock runs ahead', async () => {
    const now = 1_000_000_000n;
    const { replica, namespace } = writableReplica({ now: () => now });
    const author = Author.generate();
    const ahead = await signTestEntry({
      namespace,
      author,
      key: 'shared',
      content: 'from the future',
      timestamp: now + 60_000_000n,
    });
    await replica.insertRemote(ahead, ALICE_PEER, 'complete');
    const { entry } = await replica.hashAndInsert(utf8('shared'), author, utf8('local'));
    expect(entry.entry.record.timestamp).toBe(now + 60_000_001n);
    expect((await replica.getExact(author.id, utf8('shared')))?.entry.record.hash).toEqual(blake3(utf8('local')));
  });

  it('stores concurrent writes in call order', async () => {
    const { replica } = writableReplica({ now: () => 7n });
    const author = Author.generate();
    const writes = Array.from({ length: 20 }, (_, index) => replica.hashAndInsert(utf8('k'), author, utf8(`v${index}`)));
    const results = await Promise.all(writes);
    expect(results.map((result) => result.entry.entry.record.timestamp)).toEqual(
      Array.from({ length: 20 }, (_, index) => 7n + BigInt(index)),
    );
    expect((await replica.getExact(author.id, utf8('k')))?.entry.record.hash).toEqual(blake3(utf8('v19')));
  });
});

describe('Replica: entries from peers (insertRemote)', () => {
  it('inserts a valid entry and returns the removed count', async () => {
    const { replica, namespace } = writableReplica();
    const author = Author.generate();
    await replica.hashAndInsert(utf8('a/b'), author, utf8('old'), { timestamp: 10n });
    const newer = await signTestEntry({ namespace, author, key: 'a', content: 'new', timestamp: 20n });
    expect(await replica.insertRemote(newer, ALICE_PEER, 'missing')).toBe(1);
    expect(await keysOf(replica)).toEqual(['a']);
    const older = await signTestEntry({ namespace, author, key: 'a', content: 'older', timestamp: 15n });
    await expect(replica.insertRemote(older, ALICE_PEER, 'missing')).rejects.toThrow(code('DOCS_REPLICA_NEWER_ENTRY_EXISTS'));
  });

  it('validates every rule, the empty rule included, and reports the reason', async () => {
    const { replica, namespace } = writableReplica();
    const author = Author.generate();
    const valid = await signTestEntry({ namespace, author, key: 'k', content: 'v', timestamp: 10n });
    const otherNamespace = await signTestEntry({
      namespace: NamespaceSecret.generate(),
      author,
      key: 'k',
      content: 'v',
      timestamp: 10n,
    });
    const badSignature: SignedEntry = {
      ...valid,
      signature: { ...valid.signature, authorSignature: valid.signature.namespaceSignature },
    };
    const future = await signTestEntry({
      namespace,
      author,
      key: 'k',
      content: 'v',
      timestamp: nowMicros() + MAX_TIMESTAMP_FUTURE_SHIFT + 60_000_000n,
    });
    const inconsistentEmpty = await signEntry(
      { id: RecordIdentifier.of(namespace.id, author.id, utf8('k')), record: createRecord(EMPTY_HASH, 3, 10) },
      namespace,
      author,
    );
    const cases: Array<[SignedEntry, string]> = [
      [otherNamespace, 'invalid-namespace'],
      [badSignature, 'bad-signature'],
      [future, 'too-far-in-the-future'],
      [inconsistentEmpty, 'invalid-empty-entry'],
    ];
    for (const [entry, reason] of cases) {
      await expect(replica.insertRemote(entry, ALICE_PEER, 'complete')).rejects.toThrow(
        expect.objectContaining({ code: 'DOCS_REPLICA_INVALID_ENTRY', reason }),
      );
    }
    expect(await collect(replica.query({ includeEmpty: true }))).toEqual([]);
    expect(await replica.insertRemote(valid, ALICE_PEER, 'complete')).toBe(0);
  });

  it('works on a read-only replica', async () => {
    const store = memoryStore();
    const namespace = NamespaceSecret.generate();
    const replica = new Replica(store, readCapability(namespace.id));
    await replica.insertRemote(await signTestEntry({
      namespace,
      author: Author.generate(),
      key: 'k',
      content: 'v',
      timestamp: 10n,
    }), ALICE_PEER, 'missing');
    expect(await keysOf(replica)).toEqual(['k']);
  });
});

describe('Replica: capability and closing', () => {
  it('test_replica_capability: read → DOCS_REPLICA_READ_ONLY; a write capability upgrades; read never downgrades', async () => {
    const store = memoryStore();
    const namespace = NamespaceSecret.generate();
    const author = Author.generate();
    const replica = new Replica(store, readCapability(namespace.id));
    await expect(replica.hashAndInsert(utf8('foo'), author, utf8('bar'))).rejects.toThrow(code('DOCS_REPLICA_READ_ONLY'));
    await expect(replica.deletePrefix(utf8('foo'), author)).rejects.toThrow(code('DOCS_REPLICA_READ_ONLY'));
    await expect(replica.setBytes(utf8('foo'), author, utf8('bar'))).rejects.toThrow(code('DOCS_REPLICA_READ_ONLY'));
    expect(replica.mergeCapability(writeCapability(namespace))).toBe(true);
    await replica.hashAndInsert(utf8('foo'), author, utf8('bar'));
    expect(replica.mergeCapability(readCapability(namespace.id))).toBe(false);
    expect(replica.capability.kind).toBe('write');
    await replica.hashAndInsert(utf8('foo'), author, utf8('baz'));
    expect(() => replica.mergeCapability(readCapability(NamespaceSecret.generate().id))).toThrow(
      code('DOCS_ENTRY_NAMESPACE_MISMATCH'),
    );
  });

  it('a closed replica refuses every operation with DOCS_REPLICA_CLOSED', async () => {
    const { replica, namespace } = writableReplica();
    const author = Author.generate();
    await replica.hashAndInsert(utf8('k'), author, utf8('v'));
    const entry = await signTestEntry({ namespace, author, key: 'other', content: 'v', timestamp: 10n });
    replica.close();
    expect(replica.closed).toBe(true);
    const closed = code('DOCS_REPLICA_CLOSED');
    await expect(replica.hashAndInsert(utf8('k'), author, utf8('w'))).rejects.toThrow(closed);
    await expect(replica.deletePrefix(utf8('k'), author)).rejects.toThrow(closed);
    await expect(replica.insertRemote(entry, ALICE_PEER, 'missing')).rejects.toThrow(closed);
    expect(() => replica.getExact(author.id, utf8('k'))).toThrow(closed);
    await expect(collect(replica.query())).rejects.toThrow(closed);
    expect(() => replica.syncInitialMessage()).toThrow(closed);
    await expect(replica.syncProcessMessage({ parts: [] }, ALICE_PEER)).rejects.toThrow(closed);
    expect(() => replica.on(() => {})).toThrow(closed);
    expect(() => replica.subscribe()).toThrow(closed);
  });

  it('a write started before close() fails with DOCS_REPLICA_CLOSED instead of landing later', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    const write = replica.hashAndInsert(utf8('k'), author, utf8('v'));
    replica.close();
    await expect(write).rejects.toThrow(code('DOCS_REPLICA_CLOSED'));
  });
});

describe('Replica: events', () => {
  it('reports local inserts to callbacks and iterators, only for entries actually inserted', async () => {
    const { replica, namespace } = writableReplica();
    const author = Author.generate();
    const seen: ReplicaEvent[] = [];
    const unsubscribe = replica.on((event) => seen.push(event));
    const stream = replica.subscribe();
    const { entry } = await replica.hashAndInsert(utf8('k'), author, utf8('v'), { timestamp: 5n });
    await expect(replica.hashAndInsert(utf8('k'), author, utf8('older'), { timestamp: 4n })).rejects.toThrow();
    await expect(replica.insert(utf8('k'), author, EMPTY_HASH, 0)).rejects.toThrow();
    expect(seen).toEqual([{ type: 'local-insert', namespace: namespace.id, entry }]);
    expect((await stream.next()).value).toEqual({ type: 'local-insert', namespace: namespace.id, entry });
    unsubscribe();
    await replica.hashAndInsert(utf8('k2'), author, utf8('v'));
    expect(seen).toHaveLength(1);
    expect((await stream.next()).value).toMatchObject({ type: 'local-insert', entry: { entry: { id: { key: utf8('k2') } } } });
  });

  it('reports remote inserts with the peer, its content status and the download policy decision', async () => {
    const { replica, namespace, store } = writableReplica();
    await store.importNamespace(writeCapability(namespace));
    await replica.setDownloadPolicy({ kind: 'nothing-except', filters: [{ kind: 'prefix', pattern: utf8('want/') }] });
    const author = Author.generate();
    const seen: ReplicaEvent[] = [];
    replica.on((event) => seen.push(event));
    const wanted = await signTestEntry({ namespace, author, key: 'want/a', content: 'x', timestamp: 10n });
    const unwanted = await signTestEntry({ namespace, author, key: 'skip/a', content: 'y', timestamp: 10n });
    await replica.insertRemote(wanted, ALICE_PEER, 'complete');
    await replica.insertRemote(unwanted, ALICE_PEER, 'incomplete');
    await expect(replica.insertRemote(wanted, ALICE_PEER, 'complete')).rejects.toThrow();
    expect(seen).toEqual([
      { type: 'remote-insert', namespace: namespace.id, entry: wanted, from: ALICE_PEER, contentStatus: 'complete', shouldDownload: true },
      { type: 'remote-insert', namespace: namespace.id, entry: unwanted, from: ALICE_PEER, contentStatus: 'incomplete', shouldDownload: false },
    ]);
  });

  it('a slow iterator keeps a bounded buffer and reports what it missed', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    const stream = replica.subscribe({ bufferSize: 2 });
    for (let index = 0; index < 5; index++) await replica.hashAndInsert(utf8(`k${index}`), author, utf8('v'));
    const received = [];
    for (let index = 0; index < 3; index++) received.push((await stream.next()).value);
    expect(received[0]).toEqual({ type: 'lagged', missed: 3 });
    expect(received.slice(1).map((event) => text((event as { entry: SignedEntry }).entry.entry.id.key))).toEqual(['k3', 'k4']);
  });

  it('close() ends iterators after their buffered events and drops callbacks', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    const stream = replica.subscribe();
    await replica.hashAndInsert(utf8('k'), author, utf8('v'));
    const waiting = collect(stream);
    replica.close();
    const events = await waiting;
    expect(events).toHaveLength(1);
  });

  it('break in for-await unsubscribes the iterator', async () => {
    const { replica } = writableReplica();
    const author = Author.generate();
    const stream = replica.subscribe();
    await replica.hashAndInsert(utf8('a'), author, utf8('v'));
    for await (const event of stream) {
      expect(event.type).toBe('local-insert');
      break;
    }
    await replica.hashAndInsert(utf8('b'), author, utf8('v'));
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });
});
