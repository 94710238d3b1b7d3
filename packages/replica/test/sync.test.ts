import { Author, NamespaceSecret, blake3 } from '@docs/crypto';
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
import { SYNC_MODES } from '@docs/rbsr';
import { Replica, createSyncOutcome, type ReplicaEvent, type ReplicaOptions, type SyncMessage } from '@docs/replica';
import fc from 'fast-check';
import { collect, signTestEntry } from '@docs/store/conformance';
import { describe, expect, it } from 'vitest';
import { ALICE_PEER, BOB_PEER, keysOf, memoryStore, snapshot, syncReplicas, text, utf8 } from './helpers.js';

const MODES = { compat: SYNC_MODES.compat, tuned: SYNC_MODES.tuned } as const;

function pair(options: ReplicaOptions = {}, bobOptions: ReplicaOptions = options) {
  const namespace = NamespaceSecret.generate();
  const alice = new Replica(memoryStore(), writeCapability(namespace), options);
  const bob = new Replica(memoryStore(), writeCapability(namespace), bobOptions);
  return { namespace, alice, bob };
}

describe('Replica sync', () => {
  it('test_replica_sync (compat): the paper sets, alice sent/received 2/6 and bob 6/2', async () => {
    const { alice, bob } = pair({ sync: SYNC_MODES.compat });
    const author = Author.generate();
    const aliceSet = ['ape', 'eel', 'fox', 'gnu'];
    const bobSet = ['bee', 'cat', 'doe', 'eel', 'fox', 'hog'];
    for (const key of aliceSet) await alice.hashAndInsert(utf8(key), author, utf8(key));
    for (const key of bobSet) await bob.hashAndInsert(utf8(key), author, utf8(key));
    const outcome = await syncReplicas(alice, bob);
    expect([outcome.alice.entriesSent, outcome.alice.entriesReceived]).toEqual([2, 6]);
    expect([outcome.bob.entriesSent, outcome.bob.entriesReceived]).toEqual([6, 2]);
    const all = [...new Set([...aliceSet, ...bobSet])].sort();
    expect(await keysOf(alice)).toEqual(all);
    expect(await keysOf(bob)).toEqual(all);
    // eel and fox were written later by bob: his values win on both sides.
    for (const key of ['eel', 'fox']) {
      expect(await alice.getExact(author.id, utf8(key))).toEqual(await bob.getExact(author.id, utf8(key)));
    }
    expect(outcome.alice.entriesInvalid + outcome.bob.entriesInvalid).toBe(0);
  });

  for (const [mode, settings] of Object.entries(MODES)) {
    it(`test_replica_sync (${mode}): both sides end with the union`, async () => {
      const { alice, bob } = pair({ sync: settings });
      const author = Author.generate();
      for (const key of ['ape', 'eel', 'fox', 'gnu']) await alice.hashAndInsert(utf8(key), author, utf8(key));
      for (const key of ['bee', 'cat', 'doe', 'eel', 'fox', 'hog']) await bob.hashAndInsert(utf8(key), author, utf8(key));
      await syncReplicas(alice, bob);
      expect(await snapshot(alice)).toEqual(await snapshot(bob));
      expect(await keysOf(alice)).toHaveLength(8);
    });
  }

  it('test_replica_timestamp_sync: the later write wins, in both directions', async () => {
    const { alice, bob } = pair();
    const author = Author.generate();
    await alice.hashAndInsert(utf8('key'), author, utf8('alice'));
    await bob.hashAndInsert(utf8('key'), author, utf8('bob'));
    await syncReplicas(alice, bob);
    for (const replica of [alice, bob]) {
      expect((await replica.getExact(author.id, utf8('key')))?.entry.record.hash).toEqual(blake3(utf8('bob')));
    }
    await bob.hashAndInsert(utf8('key'), author, utf8('bob'));
    await alice.hashAndInsert(utf8('key'), author, utf8('alice2'));
    await syncReplicas(alice, bob);
    for (const replica of [alice, bob]) {
      expect((await replica.getExact(author.id, utf8('key')))?.entry.record.hash).toEqual(blake3(utf8('alice2')));
    }
  });

  it('test_replica_sync_delete: a prefix delete and a newer write under it end the same on both sides', async () => {
    const { alice, bob } = pair();
    const author = Author.generate();
    await alice.hashAndInsert(utf8('foot'), author, utf8('foot'));
    for (const key of ['fool', 'foo', 'fog']) await bob.hashAndInsert(utf8(key), author, utf8(key));
    await syncReplicas(alice, bob);
    // Bob's later `foo` removed his `fool` and, once synced, alice's older `foot`.
    expect(await keysOf(alice)).toEqual(['fog', 'foo']);
    expect(await keysOf(bob)).toEqual(['fog', 'foo']);
    await alice.deletePrefix(utf8('foo'), author);
    await bob.hashAndInsert(utf8('fooz'), author, utf8('fooz'));
    await syncReplicas(alice, bob);
    expect(await keysOf(alice)).toEqual(['fog', 'fooz']);
    expect(await keysOf(bob)).toEqual(['fog', 'fooz']);
    expect(await snapshot(alice)).toEqual(await snapshot(bob));
  });

  it('test_replica_no_wrong_remote_insert_events: an entry made obsolete during sync emits no event', async () => {
    const { alice: replica1, bob: replica2 } = pair();
    const author = Author.generate();
    const events1: ReplicaEvent[] = [];
    const events2: ReplicaEvent[] = [];
    replica1.on((event) => events1.push(event));
    replica2.on((event) => events2.push(event));
    const state1 = createSyncOutcome();
    const state2 = createSyncOutcome();
    await replica1.hashAndInsert(utf8('foo'), author, utf8('init'));
    const from1 = await replica1.syncInitialMessage();
    const from2 = await replica2.syncProcessMessage(from1, ALICE_PEER, state2);
    expect(from2).toBeDefined();
    const from1Again = await replica1.syncProcessMessage(from2!, BOB_PEER, state1);
    expect(from1Again).toBeDefined();
    // A newer local write lands while the older entry from replica1 is on its way.
    await replica2.hashAndInsert(utf8('foo'), author, utf8('update'));
    expect(await replica2.syncProcessMessage(from1Again!, ALICE_PEER, state2)).toBeUndefined();
    expect(events1.map((event) => event.type)).toEqual(['local-insert']);
    expect(events2.map((event) => event.type)).toEqual(['local-insert']);
    expect([state1.entriesSent, state1.entriesReceived]).toEqual([1, 0]);
    expect([state2.entriesSent, state2.entriesReceived]).toEqual([0, 1]);
    expect((await replica2.getExact(author.id, utf8('foo')))?.entry.record.hash).toEqual(blake3(utf8('update')));
  });

  it('drops and counts invalid received entries; the empty rule does not apply on this path', async () => {
    const namespace = NamespaceSecret.generate();
    const bob = new Replica(memoryStore(), writeCapability(namespace));
    const author = Author.generate();
    const valid = await signTestEntry({ namespace, author, key: 'valid', content: 'v', timestamp: 10n });
    const badSignature: SignedEntry = {
      ...(await signTestEntry({ namespace, author, key: 'forged', content: 'v', timestamp: 10n })),
      signature: { ...valid.signature },
    };
    const otherNamespace = await signTestEntry({
      namespace: NamespaceSecret.generate(),
      author,
      key: 'elsewhere',
      content: 'v',
      timestamp: 10n,
    });
    const future = await signTestEntry({
      namespace,
      author,
      key: 'future',
      content: 'v',
      timestamp: nowMicros() + MAX_TIMESTAMP_FUTURE_SHIFT + 60_000_000n,
    });
    const inconsistentEmpty = await signEntry(
      { id: RecordIdentifier.of(namespace.id, author.id, utf8('odd')), record: createRecord(EMPTY_HASH, 3, 11) },
      namespace,
      author,
    );
    const events: ReplicaEvent[] = [];
    bob.on((event) => events.push(event));
    const whole = { x: valid.entry.id.bytes, y: valid.entry.id.bytes };
    const message: SyncMessage = {
      parts: [
        {
          kind: 'items',
          range: whole,
          values: [valid, badSignature, otherNamespace, future, inconsistentEmpty].map((entry) => [entry, 'complete'] as const),
          haveLocal: true,
        },
      ],
    };
    const outcome = createSyncOutcome();
    expect(await bob.syncProcessMessage(message, ALICE_PEER, outcome)).toBeUndefined();
    expect(outcome.entriesReceived).toBe(5);
    expect(outcome.entriesInvalid).toBe(3);
    expect(await keysOf(bob)).toEqual(['valid']);
    // Hash = the empty hash makes it a tombstone, whatever its length says.
    expect(await bob.getExact(author.id, utf8('odd'), { includeEmpty: true })).toEqual(inconsistentEmpty);
    expect(events.map((event) => (event.type === 'remote-insert' ? text(event.entry.entry.id.key) : event.type))).toEqual([
      'valid',
      'odd',
    ]);
    expect(outcome.headsReceived.entries()).toEqual([[author.id, 11n]]);
  });

  it('a message larger than one validation chunk: every chunk validated, stored in order, invalid ones dropped', async () => {
    const namespace = NamespaceSecret.generate();
    const store = memoryStore();
    // The batches stored: chunks of 250 entries doubling up to 2,000, less the forged ones.
    const batches: number[] = [];
    const putMany = store.putMany.bind(store);
    store.putMany = (entries) => (batches.push(entries.length), putMany(entries));
    const bob = new Replica(store, writeCapability(namespace));
    const author = Author.generate();
    const keys = Array.from({ length: 4_500 }, (_, index) => `k/${String(index).padStart(5, '0')}`);
    const entries = await Promise.all(keys.map((key) => signTestEntry({ namespace, author, key, content: key, timestamp: 10n })));
    // Forged entries in the first chunk (250 entries), a middle one and the last (chunks double up to 2,000).
    for (const index of [249, 2_100, 4_499]) entries[index] = { ...entries[index]!, signature: { ...entries[0]!.signature } };
    const inserted: string[] = [];
    bob.on((event) => {
      if (event.type === 'remote-insert') inserted.push(text(event.entry.entry.id.key));
    });
    const first = entries[0]!.entry.id.bytes;
    const message: SyncMessage = {
      parts: [{ kind: 'items', range: { x: first, y: first }, values: entries.map((entry) => [entry, 'complete'] as const), haveLocal: true }],
    };
    const outcome = createSyncOutcome();
    expect(await bob.syncProcessMessage(message, ALICE_PEER, outcome)).toBeUndefined();
    expect(outcome.entriesInvalid).toBe(3);
    expect(batches).toEqual([249, 500, 1_000, 1_999, 749]);
    const expected = keys.filter((_, index) => ![249, 2_100, 4_499].includes(index));
    expect(inserted).toEqual(expected);
    expect(await keysOf(bob)).toEqual(expected);
  });

  it('reports remote inserts with the sender and its content status', async () => {
    const { alice, bob } = pair({}, { contentStatus: () => 'incomplete' });
    const author = Author.generate();
    await alice.setBytes(utf8('stored'), author, utf8('content alice holds'));
    await alice.hashAndInsert(utf8('hashed'), author, utf8('content alice does not hold'));
    await bob.hashAndInsert(utf8('from-bob'), author, utf8('bob'));
    const aliceEvents: ReplicaEvent[] = [];
    const bobEvents: ReplicaEvent[] = [];
    alice.on((event) => aliceEvents.push(event));
    bob.on((event) => bobEvents.push(event));
    await syncReplicas(alice, bob);
    const summary = (events: ReplicaEvent[]) =>
      events
        .map((event) =>
          event.type === 'remote-insert'
            ? `${text(event.entry.entry.id.key)} from ${event.from[0]}: ${event.contentStatus}, download ${event.shouldDownload}`
            : event.type,
        )
        .sort();
    expect(summary(bobEvents)).toEqual([
      'hashed from 1: missing, download true',
      'stored from 1: complete, download true',
    ]);
    expect(summary(aliceEvents)).toEqual(['from-bob from 2: incomplete, download true']);
  });

  it('records the newest timestamp per author received', async () => {
    const { alice, bob } = pair();
    const [first, second] = [Author.generate(), Author.generate()];
    await alice.hashAndInsert(utf8('a'), first, utf8('1'), { timestamp: 100n });
    await alice.hashAndInsert(utf8('b'), first, utf8('2'), { timestamp: 300n });
    await alice.hashAndInsert(utf8('c'), second, utf8('3'), { timestamp: 200n });
    const { bob: outcome } = await syncReplicas(alice, bob);
    expect(outcome.headsReceived.get(first.id)).toBe(300n);
    expect(outcome.headsReceived.get(second.id)).toBe(200n);
    expect(outcome.headsReceived.size).toBe(2);
  });

  it('a read-only replica syncs', async () => {
    const namespace = NamespaceSecret.generate();
    const alice = new Replica(memoryStore(), writeCapability(namespace));
    const reader = new Replica(memoryStore(), readCapability(namespace.id));
    const author = Author.generate();
    await alice.hashAndInsert(utf8('k'), author, utf8('v'));
    await syncReplicas(reader, alice);
    expect(await snapshot(reader)).toEqual(await snapshot(alice));
  });

  it('a small frame budget takes more rounds and converges; tuned needs fewer rounds than compat', async () => {
    const author = Author.generate();
    const rounds: Record<string, number> = {};
    const settingsByName = {
      compat: SYNC_MODES.compat,
      tuned: SYNC_MODES.tuned,
      'tuned, 4 KiB frames': { ...SYNC_MODES.tuned, frameBudget: 4096 },
    };
    const namespace = NamespaceSecret.generate();
    const entries: SignedEntry[] = [];
    for (let index = 0; index < 200; index++) entries.push(await signTestEntry({
      namespace,
      author,
      key: `key/${index}`,
      content: `${index}`,
      timestamp: 1_000n + BigInt(index),
    }));
    for (const [name, settings] of Object.entries(settingsByName)) {
      const alice = new Replica(memoryStore(), writeCapability(namespace), { sync: settings });
      const bob = new Replica(memoryStore(), writeCapability(namespace), { sync: settings });
      for (const [index, entry] of entries.entries()) {
        await alice.store.put(entry);
        if (index % 2 === 0) await bob.store.put(entry);
      }
      rounds[name] = (await syncReplicas(alice, bob)).rounds;
      expect(await snapshot(bob), name).toEqual(await snapshot(alice));
    }
    expect(rounds['tuned']!).toBeLessThan(rounds['compat']!);
    expect(rounds['tuned, 4 KiB frames']!).toBeGreaterThan(rounds['tuned']!);
  });

  it('refuses invalid sync settings at construction', () => {
    expect(() => new Replica(memoryStore(), writeCapability(NamespaceSecret.generate()), { sync: { splitFactor: 1 } })).toThrow(
      RangeError,
    );
  });
});

describe('Replica sync: property', () => {
  const namespace = NamespaceSecret.fromBytes(blake3(utf8('@docs/replica property namespace')));
  const authors = [0, 1].map((index) => Author.fromBytes(blake3(utf8(`@docs/replica property author ${index}`))));
  const KEYS = ['', 'a', 'ab', 'abc', 'abd', 'b', 'ba'];
  const write = fc.record({
    author: fc.integer({ min: 0, max: 1 }),
    key: fc.constantFrom(...KEYS),
    delete: fc.boolean(),
    timestamp: fc.integer({ min: 1, max: 12 }),
    content: fc.integer({ min: 0, max: 2 }),
  });
  type Write = typeof write extends fc.Arbitrary<infer W> ? W : never;
  const runs = process.env['SLOW'] === '1' ? 300 : 25;

  async function apply(replica: Replica, writes: Write[]): Promise<void> {
    for (const step of writes) {
      const author = authors[step.author]!;
      const options = { timestamp: BigInt(step.timestamp) };
      try {
        if (step.delete) await replica.deletePrefix(utf8(step.key), author, options);
        else await replica.hashAndInsert(utf8(step.key), author, utf8(`content ${step.content}`), options);
      } catch (error) {
        if ((error as { code?: string }).code !== 'DOCS_REPLICA_NEWER_ENTRY_EXISTS') throw error;
      }
    }
  }

  for (const [mode, settings] of Object.entries(MODES)) {
    it(`two replicas with random prefix-semantics writes end equal, and equal to the merge of both (${mode})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(write, { maxLength: 12 }), fc.array(write, { maxLength: 12 }), async (aliceWrites, bobWrites) => {
          const alice = new Replica(memoryStore(), writeCapability(namespace), { sync: settings });
          const bob = new Replica(memoryStore(), writeCapability(namespace), { sync: settings });
          await apply(alice, aliceWrites);
          await apply(bob, bobWrites);
          const merged = memoryStore();
          for (const replica of [alice, bob]) {
            for (const entry of await collect(replica.query({ includeEmpty: true }))) await merged.put(entry);
          }
          await syncReplicas(alice, bob);
          const expected = await snapshot(new Replica(merged, readCapability(namespace.id)));
          expect(await snapshot(alice)).toEqual(expected);
          expect(await snapshot(bob)).toEqual(expected);
        }),
        { seed: 0x5eed_2024, numRuns: runs },
      );
    });
  }
});
