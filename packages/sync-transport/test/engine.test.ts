import { blake3, bytesToHex, equalBytes } from '@docs/crypto';
import { Docs } from '@docs/replica';
import { MemoryStore } from '@docs/store-memory';
import { MemoryNetwork, NodeSecret, SyncEngine, memoryTransport, type LiveEvent } from '@docs/sync-transport';
import { afterEach, describe, expect, test } from 'vitest';

const text = (value: string) => new TextEncoder().encode(value);

interface Node {
  readonly docs: Docs;
  readonly engine: SyncEngine;
  readonly events: LiveEvent[];
  readonly address: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function startNode(network: MemoryNetwork, name: string): Promise<Node> {
  const store = new MemoryStore();
  const docs = new Docs(store);
  const engine = new SyncEngine({ docs, transports: { memory: memoryTransport(NodeSecret.generate(), { network }) }, reconnectDelay: 20 });
  const events: LiveEvent[] = [];
  engine.on((event) => events.push(event));
  const address = await engine.listen(`memory://${name}`);
  cleanups.push(async () => {
    await engine.close();
    await store.close();
  });
  return { docs, engine, events, address };
}

async function until<T>(check: () => Promise<T | undefined> | T | undefined, timeout = 5_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function keysOf(node: Node, namespace: Uint8Array): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of node.docs.store.query(namespace, { sortBy: 'key-author' })) {
    keys.push(new TextDecoder().decode(entry.entry.id.key));
  }
  return keys;
}

describe('SyncEngine over the in-memory transport', () => {
  test('a ticket brings a document, its content and later writes to a second node', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(network, 'alice');
    const bob = await startNode(network, 'bob');
    const doc = await alice.docs.createNamespace();
    const author = await alice.docs.defaultAuthor();
    for (let index = 0; index < 20; index++) {
      const content = text(`value ${index}`);
      await alice.docs.store.blobs.put(content);
      await doc.hashAndInsert(text(`key/${index}`), author, content);
    }
    await doc.deletePrefix(text('key/1'), author); // removes key/1 and key/10 … key/19

    const ticket = await alice.engine.share(doc.namespace, 'write');
    expect(ticket.startsWith('doc')).toBe(true);
    const replica = await bob.engine.importTicket(ticket);
    const expected = await keysOf(alice, doc.namespace);
    expect(expected).toHaveLength(9);
    await until(async () => (await keysOf(bob, replica.namespace)).length === 9);
    expect(await keysOf(bob, replica.namespace)).toEqual(expected);

    const finished = await until(() => bob.events.find((event) => event.type === 'sync-finished'));
    expect(finished.type === 'sync-finished' && finished.result.ok).toBe(true);

    // Content arrives and is verified by hash.
    const hash = blake3(text('value 5'));
    await until(() => bob.events.some((event) => event.type === 'content-ready' && equalBytes(event.hash, hash)));
    expect(await bob.docs.store.blobs.get(hash)).toEqual(text('value 5'));

    // Live: a new write on Alice reaches Bob without another sync.
    const sent = Date.now();
    await doc.hashAndInsert(text('live'), author, text('pushed'));
    await until(async () => (await keysOf(bob, replica.namespace)).includes('live'));
    expect(Date.now() - sent).toBeLessThan(1_000);
    const remote = bob.events.find((event) => event.type === 'insert-remote' && bytesToHex(event.entry.entry.id.key) === bytesToHex(text('live')));
    expect(remote).toBeDefined();
  });

  test('a node that does not sync a document answers NotFound', async () => {
    const network = new MemoryNetwork();
    const alice = await startNode(network, 'a2');
    const bob = await startNode(network, 'b2');
    const doc = await alice.docs.createNamespace();
    await bob.docs.importNamespace(await alice.docs.exportCapability(doc.namespace));
    const event = await alice.engine.syncWith(doc.namespace, { id: bob.engine.localPeer, addresses: [bob.address] });
    expect(event.result.ok).toBe(false);
    expect(!event.result.ok && (event.result.error as { reason?: string }).reason).toBe('not-found');
  });
});
