import { blake3, bytesToHex, compareBytes, equalBytes } from '@docs/crypto';
import { REPLICA_ERROR_CODES, type Replica } from '@docs/replica';
import type { BlobStore, DocsStore } from '@docs/store';
import {
  FramedChannel,
  LIVE_PROTOCOL,
  MemoryNetwork,
  NeighborLink,
  NodeSecret,
  RemoteAbortError,
  SYNC_ERROR_CODES,
  SYNC_PROTOCOL,
  decodeDocTicket,
  encodeFrame,
  encodeProtocolMessage,
  memoryTransport,
  type ByteStream,
  type LiveEvent,
  type ProtocolHandlers,
  type Transport,
} from '@docs/sync-transport';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Cleanup,
  LEVEL_STORE,
  MEMORY_STORE,
  STORE_KINDS,
  TRANSPORT_KINDS,
  snapshot,
  startNode,
  syncFinished,
  text,
  until,
  untilConverged,
  type TestNode,
} from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Writes `count` entries with content (stored in the node's blob store) under `prefix`. */
/** Alice and Bob on one memory network; Alice created a document whose write capability Bob imported. */
async function twoNodesSharingADocument(): Promise<{ alice: TestNode; bob: TestNode; doc: Replica }> {
  const network = new MemoryNetwork();
  const alice = await startNode(cleanup, 'alice', { network });
  const bob = await startNode(cleanup, 'bob', { network });
  const doc = await alice.docs.createNamespace();
  await bob.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
  return { alice, bob, doc };
}

async function write(node: TestNode, replica: Replica, prefix: string, count: number): Promise<void> {
  const author = await node.docs.defaultAuthor();
  for (let index = 0; index < count; index++) await replica.setBytes(text(`${prefix}${index}`), author, text(`${node.name} ${prefix}${index}`));
}

async function keysOf(node: TestNode, namespace: Uint8Array): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of node.store.query(namespace, { sortBy: 'key-author' })) keys.push(new TextDecoder().decode(entry.entry.id.key));
  return keys;
}

/** Waits until `node` holds every content hash its entries of `namespace` point to. */
async function untilContentComplete(node: TestNode, namespace: Uint8Array, timeout = 20_000): Promise<void> {
  await until(
    async () => {
      for await (const entry of node.store.query(namespace)) if (!(await node.store.blobs.has(entry.entry.record.hash))) return false;
      return true;
    },
    timeout,
    `${node.name} to hold all content`,
  );
}

/**
 * Inserts on `from` and measures the milliseconds from the local insert (its insert-local event, after signing and
 * storing) until `to` emits the insert-remote of that key.
 */
async function pushLatency(from: TestNode, replica: Replica, to: TestNode, key: string): Promise<number> {
  const author = await from.docs.defaultAuthor();
  const matches = (event: LiveEvent, type: LiveEvent['type']) =>
    event.type === type && 'entry' in event && new TextDecoder().decode(event.entry.entry.id.key) === key;
  const when = (node: TestNode, type: LiveEvent['type']) =>
    new Promise<number>((resolve) => {
      const stop = node.engine.on((event) => {
        if (!matches(event, type)) return;
        stop();
        resolve(performance.now());
      });
    });
  const inserted = when(from, 'insert-local');
  const arrived = when(to, 'insert-remote');
  await replica.setBytes(text(key), author, text(`pushed ${key}`));
  return (await arrived) - (await inserted);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe.each(TRANSPORT_KINDS)('over the $name transport', (transport) => {
  describe.each(STORE_KINDS)('with the $name store', (store) => {
    test('two peers converge; content follows; live writes arrive within 100 ms', async () => {
      const network = new MemoryNetwork();
      const alice = await startNode(cleanup, 'alice', { transport, store, network });
      const bob = await startNode(cleanup, 'bob', { transport, store, network });
      const doc = await alice.docs.createNamespace();
      await write(alice, doc, 'shared/', 60);
      await bob.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
      const bobDoc = await bob.docs.open(doc.namespace);
      await write(bob, bobDoc, 'bob/', 40);
      await alice.engine.startSync(doc.namespace);
      await bob.engine.startSync(doc.namespace, [alice.peer]);

      const keys = await untilConverged([alice.store, bob.store], doc.namespace);
      expect(keys).toHaveLength(100);
      await untilContentComplete(alice, doc.namespace);
      await untilContentComplete(bob, doc.namespace);
      const finished = syncFinished(bob).find((event) => event.result.ok);
      expect(finished).toMatchObject({ origin: { kind: 'connect', reason: 'direct-join' } });
      expect(finished?.result.ok && finished.result.stats.entriesReceived).toBeGreaterThanOrEqual(60);
      // Both remember the other as a useful peer once their side of the session ended.
      const remembers = (node: TestNode, other: TestNode) => async () =>
        (await node.store.getSyncPeers(doc.namespace)).some((peer) => equalBytes(peer, other.engine.localPeer));
      await until(remembers(bob, alice));
      await until(remembers(alice, bob));

      const latencies: number[] = [];
      for (let index = 0; index < 5; index++) {
        latencies.push(await pushLatency(alice, doc, bob, `live/a${index}`));
        latencies.push(await pushLatency(bob, bobDoc, alice, `live/b${index}`));
      }
      expect(median(latencies)).toBeLessThan(100);
      await untilConverged([alice.store, bob.store], doc.namespace);
      bob.docs.close(doc.namespace);
    });

    test('three peers converge, and a write reaches the peer it has no link with', async () => {
      const network = new MemoryNetwork();
      const [hub, left, right] = await Promise.all(['hub', 'left', 'right'].map((name) => startNode(cleanup, name, { transport, store, network })));
      const doc = await hub!.docs.createNamespace();
      await write(hub!, doc, 'hub/', 30);
      const ticket = await hub!.engine.share(doc.namespace, 'write');
      const leftDoc = await left!.engine.importTicket(ticket);
      await write(left!, leftDoc, 'left/', 20);
      const rightDoc = await right!.engine.importTicket(ticket);
      await write(right!, rightDoc, 'right/', 20);
      const keys = await untilConverged([hub!.store, left!.store, right!.store], doc.namespace);
      expect(keys).toHaveLength(70);
      // left and right are linked only with the hub, which forwards.
      await pushLatency(left!, leftDoc, right!, 'via/hub');
      await untilContentComplete(right!, doc.namespace);
      await untilContentComplete(left!, doc.namespace);
    });
  });
});

describe('sync engine', () => {
  test('a ticket brings a document, its content and later writes in one call; sync events carry stats', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(cleanup, 'alice', { network });
    const bob = await startNode(cleanup, 'bob', { network });
    const doc = await alice.docs.createNamespace();
    const author = await alice.docs.defaultAuthor();
    for (let index = 0; index < 20; index++) await doc.setBytes(text(`key/${index}`), author, text(`value ${index}`));
    await doc.deletePrefix(text('key/1'), author); // removes key/1 and key/10 … key/19

    const ticket = await alice.engine.share(doc.namespace, 'write');
    expect(decodeDocTicket(ticket).nodes).toEqual([{ id: alice.engine.localPeer, addresses: [alice.address] }]);
    const replica = await bob.engine.importTicket(ticket);
    expect(replica.capability.kind).toBe('write');
    const expected = await keysOf(alice, doc.namespace);
    expect(expected).toHaveLength(9);
    await until(async () => (await keysOf(bob, replica.namespace)).length === 9);
    expect(await keysOf(bob, replica.namespace)).toEqual(expected);

    const finished = await until(() => syncFinished(bob).find((event) => event.result.ok));
    expect(equalBytes(finished.peer, alice.engine.localPeer)).toBe(true);
    expect(finished.finished).toBeGreaterThanOrEqual(finished.started);
    if (!finished.result.ok) throw new Error('unreachable');
    expect(finished.result.stats).toMatchObject({ entriesReceived: 10, entriesInvalid: 0 });
    expect(finished.result.stats.roundTrips).toBeGreaterThanOrEqual(1);
    expect(finished.result.stats.bytesReceived).toBeGreaterThan(10 * 200);
    expect(bob.events.some((event) => event.type === 'sync-progress')).toBe(true);
    const accepted = await until(() => syncFinished(alice).find((event) => event.origin.kind === 'accept'));
    expect(accepted.result.ok).toBe(true);

    const hash = blake3(text('value 5'));
    await until(() => bob.events.some((event) => event.type === 'content-ready' && equalBytes(event.hash, hash)));
    expect(await bob.store.blobs.get(hash)).toEqual(text('value 5'));
    await until(() => bob.events.some((event) => event.type === 'pending-content-ready'));
    const remote = bob.events.find((event) => event.type === 'insert-remote');
    expect(remote).toMatchObject({ contentStatus: 'missing' });
  });

  test('a node that does not sync a document answers NotFound', async () => {
    const { alice, bob, doc } = await twoNodesSharingADocument();
    const event = await alice.engine.syncWith(doc.namespace, bob.peer);
    expect(event.result.ok).toBe(false);
    expect(!event.result.ok && event.result.error).toBeInstanceOf(RemoteAbortError);
    expect(!event.result.ok && (event.result.error as RemoteAbortError).reason).toBe('not-found');
    // Once Bob syncs it, the same request succeeds.
    await bob.engine.startSync(doc.namespace);
    expect((await alice.engine.syncWith(doc.namespace, bob.peer)).result.ok).toBe(true);
  });

  test('a wanted peer that cannot be linked is reported, with the error and the growing retry delay, until it can', async () => {
    const { alice, bob, doc } = await twoNodesSharingADocument();
    // Alice does not sync the document yet: she refuses Bob's live link.
    await bob.engine.startSync(doc.namespace, [alice.peer]);
    const unreachable = () => bob.events.flatMap((event) => (event.type === 'neighbor-unreachable' ? [event] : []));
    await until(() => unreachable().length >= 2, 10_000, 'two failed dials');
    const [first, second] = unreachable();
    expect(equalBytes(first!.peer, alice.engine.localPeer)).toBe(true);
    expect(equalBytes(first!.namespace, doc.namespace)).toBe(true);
    expect(first!.error).toMatchObject({ code: expect.stringMatching(/^DOCS_SYNC_/) });
    expect([first!.retryInMs, second!.retryInMs]).toEqual([20, 40]);

    await alice.engine.startSync(doc.namespace);
    await until(() => bob.events.some((event) => event.type === 'neighbor-up'), 10_000, 'the link once Alice syncs');
  });

  test('connections refused before they are served go to the listen onError, and the listener keeps serving', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(cleanup, 'alice', { network });
    const bob = await startNode(cleanup, 'bob', { network });
    const refused: unknown[] = [];
    const address = await alice.engine.listen('memory://alice-second', { onError: (error) => refused.push(error) });
    const stranger = memoryTransport(NodeSecret.generate(), { network });
    await expect(stranger.dial('alice-second', '/not-a-protocol/1')).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.UNKNOWN_PROTOCOL,
    });
    await until(() => refused.length > 0);
    expect(refused[0]).toMatchObject({ code: SYNC_ERROR_CODES.UNKNOWN_PROTOCOL });
    // A live link for a document Alice does not sync is refused too.
    const doc = await alice.docs.createNamespace();
    await bob.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
    await bob.engine.startSync(doc.namespace, [{ id: alice.engine.localPeer, addresses: [address] }]);
    await until(() => refused.some((error) => (error as { code?: string }).code === SYNC_ERROR_CODES.NOT_SYNCING));
    await alice.engine.startSync(doc.namespace);
    expect((await bob.engine.syncWith(doc.namespace, { id: alice.engine.localPeer, addresses: [address] })).result.ok).toBe(true);
  });

  test('simultaneous dials: at most one of two crossing sessions is refused, by the tie-break, and both converge', async () => {
    const { alice, bob, doc } = await twoNodesSharingADocument();
    const bobDoc = await bob.docs.open(doc.namespace);
    await alice.engine.startSync(doc.namespace);
    await bob.engine.startSync(doc.namespace);
    const higher = compareBytes(alice.engine.localPeer, bob.engine.localPeer) > 0 ? alice : bob;
    let refusals = 0;
    for (let round = 0; round < 6; round++) {
      await write(alice, doc, `a${round}/`, 3);
      await write(bob, bobDoc, `b${round}/`, 3);
      const [fromAlice, fromBob] = await Promise.all([
        alice.engine.syncWith(doc.namespace, bob.peer),
        bob.engine.syncWith(doc.namespace, alice.peer),
      ]);
      const failed = [fromAlice, fromBob].filter((event) => !event.result.ok);
      expect(failed.length).toBeLessThanOrEqual(1);
      for (const event of failed) {
        // Only the dial of the node with the greater id is refused, and only with AlreadySyncing.
        expect(equalBytes(event.peer, higher === alice ? bob.engine.localPeer : alice.engine.localPeer)).toBe(true);
        expect(!event.result.ok && event.result.error).toMatchObject({ reason: 'already-syncing' });
        refusals++;
      }
      expect(await snapshot(alice.store, doc.namespace)).toEqual(await snapshot(bob.store, doc.namespace));
    }
    expect(refusals).toBeLessThanOrEqual(6);
    bob.docs.close(doc.namespace);
  });

  test('#111: a remote AlreadySyncing never wedges the pair — the next trigger (a reconnect) syncs', async () => {
    const network = new MemoryNetwork();
    let refuseNext = true;
    const alice = await startNode(cleanup, 'alice', {
      network,
      wrapTransport: (transport) => interceptSync(transport, () => refuseNext),
    });
    const liveStreams: ByteStream[] = [];
    const bob = await startNode(cleanup, 'bob', { network, wrapTransport: (transport) => recordDials(transport, LIVE_PROTOCOL, liveStreams) });
    const doc = await alice.docs.createNamespace();
    await write(alice, doc, 'before/', 5);
    await alice.engine.startSync(doc.namespace);
    await bob.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
    await bob.engine.startSync(doc.namespace, [alice.peer]);
    const refused = await until(() => syncFinished(bob).find((event) => !event.result.ok));
    expect(!refused.result.ok && refused.result.error).toMatchObject({ reason: 'already-syncing' });
    expect(await keysOf(bob, doc.namespace)).toEqual([]);
    refuseNext = false;
    // The link drops and comes back: the reconnect must sync.
    await until(() => liveStreams.length === 1);
    liveStreams[0]!.abort(new Error('network blip'));
    const resynced = await until(() => syncFinished(bob).find((event) => event.result.ok), 10_000, 'the sync after the reconnect');
    expect(resynced.origin).toEqual({ kind: 'connect', reason: 'reconnect' });
    await untilConverged([alice.store, bob.store], doc.namespace);
    expect(await keysOf(bob, doc.namespace)).toHaveLength(5);
  });

  test('writes made while the link is down are reconciled after the reconnect', async () => {
    const network = new MemoryNetwork();
    const liveStreams: ByteStream[] = [];
    const alice = await startNode(cleanup, 'alice', { network });
    const bob = await startNode(cleanup, 'bob', { network, wrapTransport: (transport) => recordDials(transport, LIVE_PROTOCOL, liveStreams) });
    const doc = await alice.docs.createNamespace();
    await alice.engine.startSync(doc.namespace);
    await bob.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
    await bob.engine.startSync(doc.namespace, [alice.peer]);
    await until(() => syncFinished(bob).some((event) => event.result.ok));
    const bobDoc = await bob.docs.open(doc.namespace);
    // Concurrent writes on both sides while the link goes down and comes back.
    await until(() => liveStreams.length === 1);
    liveStreams[0]!.abort(new Error('network blip'));
    await Promise.all([write(alice, doc, 'during-a/', 25), write(bob, bobDoc, 'during-b/', 25)]);
    await untilConverged([alice.store, bob.store], doc.namespace);
    expect(await keysOf(alice, doc.namespace)).toHaveLength(50);
    expect(syncFinished(bob).filter((event) => event.result.ok).length).toBeGreaterThanOrEqual(2);
    bob.docs.close(doc.namespace);
  });

  test('concurrent writes on three peers while they sync converge', async () => {
    const network = new MemoryNetwork();
    const nodes = await Promise.all(['n1', 'n2', 'n3'].map((name) => startNode(cleanup, name, { network })));
    const doc = await nodes[0]!.docs.createNamespace();
    const ticket = await nodes[0]!.engine.share(doc.namespace, 'write');
    const replicas = [doc, ...(await Promise.all(nodes.slice(1).map((node) => node.engine.importTicket(ticket))))];
    const shared = await nodes[0]!.docs.defaultAuthor();
    await Promise.all(nodes.map((node) => node.docs.importAuthor(shared)));
    await Promise.all(
      nodes.map(async (node, index) => {
        for (let round = 0; round < 10; round++) {
          await write(node, replicas[index]!, `${node.name}/${round}/`, 4);
          // One author writing the same key on every node: the newest version wins everywhere.
          await replicas[index]!.setBytes(text('contested'), shared, text(`${node.name} ${round}`)).catch(() => undefined);
        }
      }),
    );
    const keys = await untilConverged(nodes.map((node) => node.store), doc.namespace);
    expect(keys.filter((line) => line.includes(bytesToHex(text('contested'))))).toHaveLength(1);
  });

  test('two nodes that both dial each other keep one live link, without flapping', async () => {
    const { alice, bob, doc } = await twoNodesSharingADocument();
    await Promise.all([alice.engine.startSync(doc.namespace, [bob.peer]), bob.engine.startSync(doc.namespace, [alice.peer])]);
    const ups = (node: TestNode) => node.events.filter((event) => event.type === 'neighbor-up').length;
    const downs = (node: TestNode) => node.events.filter((event) => event.type === 'neighbor-down').length;
    await until(() => ups(alice) > downs(alice) && ups(bob) > downs(bob));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const settled = [ups(alice), downs(alice), ups(bob), downs(bob)];
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect([ups(alice), downs(alice), ups(bob), downs(bob)]).toEqual(settled);
    expect(ups(alice) - downs(alice)).toBe(1);
    expect(ups(bob) - downs(bob)).toBe(1);
    expect(await pushLatency(alice, doc, bob, 'one-link')).toBeLessThan(1_000);
  });

  test('a read-only peer syncs and receives live writes but cannot write', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(cleanup, 'alice', { network });
    const reader = await startNode(cleanup, 'reader', { network });
    const doc = await alice.docs.createNamespace();
    await write(alice, doc, 'k/', 10);
    const replica = await reader.engine.importTicket(await alice.engine.share(doc.namespace, 'read'));
    expect(replica.capability.kind).toBe('read');
    await untilConverged([alice.store, reader.store], doc.namespace);
    await pushLatency(alice, doc, reader, 'live');
    const author = await reader.docs.defaultAuthor();
    await expect(replica.setBytes(text('mine'), author, text('x'))).rejects.toMatchObject({ code: REPLICA_ERROR_CODES.READ_ONLY });
    await expect(reader.engine.share(doc.namespace, 'write')).rejects.toMatchObject({ code: REPLICA_ERROR_CODES.READ_ONLY });
    expect(decodeDocTicket(await reader.engine.share(doc.namespace, 'read')).capability.kind).toBe('read');
    await untilContentComplete(reader, doc.namespace);
  });

  test('content from a peer serving wrong bytes is never stored; it is fetched from an honest peer', async () => {
    const network = new MemoryNetwork();
    const honest = await startNode(cleanup, 'honest', { network });
    const forged = text('forged bytes');
    const liar = await startNode(cleanup, 'liar', { network, wrapStore: (store) => lyingStore(store, forged) });
    const fetcher = await startNode(cleanup, 'fetcher', { network });
    const doc = await honest.docs.createNamespace();
    await write(honest, doc, 'file/', 3);
    const ticket = await honest.engine.share(doc.namespace, 'read');
    await liar.engine.importTicket(ticket);
    await untilContentComplete(liar, doc.namespace); // the liar holds the real content but serves forged bytes
    // The fetcher hears of the entries from the liar first.
    await fetcher.docs.importNamespace(decodeDocTicket(ticket).capability);
    await fetcher.engine.startSync(doc.namespace, [liar.peer]);
    await untilConverged([honest.store, fetcher.store], doc.namespace);
    await new Promise((resolve) => setTimeout(resolve, 200));
    for await (const entry of fetcher.store.query(doc.namespace)) expect(await fetcher.store.blobs.has(entry.entry.record.hash)).toBe(false);
    expect(await fetcher.store.blobs.has(blake3(forged))).toBe(false);
    // Once linked with the honest peer, the content arrives, verified.
    await fetcher.engine.startSync(doc.namespace, [honest.peer]);
    await untilContentComplete(fetcher, doc.namespace);
    for await (const entry of fetcher.store.query(doc.namespace)) {
      expect(bytesToHex(blake3((await fetcher.store.blobs.get(entry.entry.record.hash))!))).toBe(bytesToHex(entry.entry.record.hash));
    }
    expect(fetcher.events.filter((event) => event.type === 'content-ready')).toHaveLength(3);
  });

  test('the listener keeps serving others after malformed and oversized frames', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(cleanup, 'alice', { network });
    const bob = await startNode(cleanup, 'bob', { network });
    const doc = await alice.docs.createNamespace();
    await write(alice, doc, 'k/', 5);
    await alice.engine.startSync(doc.namespace);
    const attacker = memoryTransport(NodeSecret.generate(), { network });
    const target = alice.address.slice('memory://'.length);
    const attacks: Array<(stream: ByteStream) => Promise<void>> = [
      (stream) => stream.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1, 2, 3)),
      (stream) => stream.write(encodeFrame(Uint8Array.of(7, 7, 7))),
      (stream) => stream.write(encodeFrame(encodeProtocolMessage({ type: 'sync', message: { parts: [] } }))),
    ];
    for (const protocol of [SYNC_PROTOCOL, LIVE_PROTOCOL]) {
      for (const attack of attacks) {
        const stream = await attacker.dial(target, protocol);
        await attack(stream);
        await expect(drain(stream)).rejects.toMatchObject({ code: 'DOCS_SYNC_CONNECTION_LOST' });
      }
    }
    await bob.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
    expect((await bob.engine.syncWith(doc.namespace, alice.peer)).result.ok).toBe(true);
    expect(await keysOf(bob, doc.namespace)).toHaveLength(5);
  });

  test('a neighbour pushing a forged entry is dropped; the entry is never stored', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(cleanup, 'alice', { network });
    const doc = await alice.docs.createNamespace();
    await alice.engine.startSync(doc.namespace);
    const writer = await startNode(cleanup, 'writer', { network });
    await writer.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
    const writerDoc = await writer.docs.open(doc.namespace);
    const author = await writer.docs.defaultAuthor();
    const { entry: honest } = await writerDoc.hashAndInsert(text('honest'), author, text('fine'));
    const { entry: original } = await writerDoc.hashAndInsert(text('forged'), author, text('x'));
    const authorSignature = original.signature.authorSignature.slice();
    authorSignature[0]! ^= 1;
    const forged = { ...original, signature: { ...original.signature, authorSignature } };
    writer.docs.close(doc.namespace);

    const stream = await memoryTransport(NodeSecret.generate(), { network }).dial(alice.address.slice('memory://'.length), LIVE_PROTOCOL);
    const link = await NeighborLink.dial(stream, { namespace: doc.namespace, addresses: [] }, { blobs: writer.store.blobs, onOp: async () => undefined });
    const running = link.run();
    await link.sendOp({ type: 'put', entry: honest });
    await until(async () => (await keysOf(alice, doc.namespace)).includes('honest'));
    await link.sendOp({ type: 'put', entry: forged });
    await expect(running).rejects.toMatchObject({ code: 'DOCS_SYNC_CONNECTION_LOST' });
    expect(await keysOf(alice, doc.namespace)).toEqual(['honest']);
  });

  test('leave closes the links and refuses later sessions; startSync again resumes', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(cleanup, 'alice', { network });
    const bob = await startNode(cleanup, 'bob', { network });
    const doc = await alice.docs.createNamespace();
    await bob.engine.importTicket(await alice.engine.share(doc.namespace, 'write'));
    await until(() => alice.events.some((event) => event.type === 'neighbor-up'));
    await alice.engine.leave(doc.namespace);
    await until(() => bob.events.some((event) => event.type === 'neighbor-down'));
    const refused = await bob.engine.syncWith(doc.namespace, alice.peer);
    expect(!refused.result.ok && refused.result.error).toMatchObject({ reason: 'not-found' });
    expect(alice.docs.isOpen(doc.namespace)).toBe(true); // the test's own handle from createNamespace
    await write(alice, doc, 'later/', 3);
    await alice.engine.startSync(doc.namespace);
    // Bob's dial loop finds Alice again and reconciles.
    await until(async () => (await keysOf(bob, doc.namespace)).length === 3, 15_000);
  });
});

test.each([LEVEL_STORE, MEMORY_STORE])('close aborts running sessions and is idempotent ($name store)', async (store) => {
  const network = new MemoryNetwork();
  const alice = await startNode(cleanup, 'alice', { network, store });
  await alice.engine.close();
  await alice.engine.close();
  await expect(alice.engine.listen('memory://again')).rejects.toMatchObject({ code: 'DOCS_SYNC_CLOSED' });
  await expect(alice.engine.startSync(new Uint8Array(32))).rejects.toMatchObject({ code: 'DOCS_SYNC_CLOSED' });
});

async function drain(stream: ByteStream): Promise<void> {
  while ((await stream.read()) !== undefined);
}

/** A transport whose listener answers a sync stream with Abort{AlreadySyncing} while `refuse()` says so. */
function interceptSync(inner: Transport, refuse: () => boolean): Transport {
  return {
    localPeer: inner.localPeer,
    dial: (address, protocol, options) => inner.dial(address, protocol, options),
    listen(address, handlers: ProtocolHandlers, options) {
      const lookup = typeof handlers === 'function' ? () => handlers : (protocol: string) => handlers.get(protocol);
      return inner.listen(
        address,
        async (stream) => {
          if (stream.protocol === SYNC_PROTOCOL && refuse()) {
            const frames = new FramedChannel(stream);
            await frames.receive();
            await frames.send(encodeProtocolMessage({ type: 'abort', reason: 'already-syncing' }));
            await frames.finish().catch(() => undefined);
            return;
          }
          await lookup(stream.protocol)?.(stream);
        },
        options,
      );
    },
  };
}

/** A transport that records the streams it dials for one protocol (the test may abort them). */
function recordDials(inner: Transport, protocol: string, streams: ByteStream[]): Transport {
  return {
    localPeer: inner.localPeer,
    async dial(address, name, options) {
      const stream = await inner.dial(address, name, options);
      if (name === protocol) streams.push(stream);
      return stream;
    },
    listen: (address, handlers, options) => inner.listen(address, handlers, options),
  };
}

/** A store whose blob store serves `forged` for every hash it holds (the real bytes stay stored). */
function lyingStore(store: DocsStore, forged: Uint8Array): DocsStore {
  const blobs: BlobStore = {
    put: (bytes) => store.blobs.put(bytes),
    putStream: (chunks, options) => store.blobs.putStream(chunks, options),
    get: (hash) => store.blobs.get(hash),
    async getStream(hash) {
      if (!(await store.blobs.has(hash))) return undefined;
      return (async function* () {
        yield forged;
      })();
    },
    has: (hash) => store.blobs.has(hash),
    size: (hash) => store.blobs.size(hash),
    delete: (hash) => store.blobs.delete(hash),
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'blobs') return blobs;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

