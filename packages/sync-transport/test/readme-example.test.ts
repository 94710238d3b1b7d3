import { readFileSync } from 'node:fs';
import { bytesToHex } from '@docs/crypto';
import { Docs } from '@docs/replica';
import { MemoryStore } from '@docs/store-memory';
import { NodeSecret, SyncEngine, memoryTransport, type PeerAddressBook } from '@docs/sync-transport';
import { expect, it } from 'vitest';

/** The code between `// --- <name> start ---` and `// --- <name> end ---` in this file. */
function between(name: string): string | undefined {
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  return new RegExp(`// --- ${name} start ---\\n([\\s\\S]*?)\\n\\s*// --- ${name} end ---`).exec(source)?.[1];
}

/** The `index`th TypeScript block of the README after `heading`. */
function readmeBlock(heading: string, index: number): string | undefined {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  return [...readme.slice(readme.indexOf(heading)).matchAll(/```ts\n([\s\S]*?)```/g)][index]?.[1];
}

/**
 * The example's lines without indentation and trailing comments (the README shows the output there), its static
 * imports written as the test's dynamic imports.
 */
function normalize(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.trim().replace(/\s{2,}\/\/ .*$/, ''))
    .map((line) => line.replace(/^import (\{[^}]*\}) from ('[^']*');$/, 'const $1 = await import($2);'))
    .filter((line) => line !== '');
}

// The README's example between the markers (imports written as dynamic imports, console captured), so that it
// stays runnable; the second test checks that the README still shows exactly this code.
it('README example: two engines over TCP, a ticket, content, a live update', async () => {
  const logs: string[] = [];
  const console = { log: (...values: unknown[]) => logs.push(values.join(' ')) };
  // --- README example start ---
  const { Docs } = await import('@docs/replica');
  const { MemoryStore } = await import('@docs/store-memory');
  const { NodeSecret, SyncEngine } = await import('@docs/sync-transport');
  const { tcpTransport } = await import('@docs/sync-transport/tcp');

  const utf8 = (text: string) => new TextEncoder().encode(text);
  const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

  async function startNode() {
    const docs = new Docs(new MemoryStore());
    const engine = new SyncEngine({ docs, transports: { tcp: tcpTransport(NodeSecret.generate()) } });
    await engine.listen('tcp://127.0.0.1:0');
    return { docs, engine };
  }

  /** Resolves on the next event of `type` a node's engine emits. */
  function next(node: Awaited<ReturnType<typeof startNode>>, type: string) {
    return new Promise<void>((resolve) => {
      const stop = node.engine.on((event) => {
        if (event.type !== type) return;
        stop();
        resolve();
      });
    });
  }

  const alice = await startNode();
  const bob = await startNode();

  // Alice writes a document (content goes to her blob store) and shares it: capability + her address.
  const doc = await alice.docs.createNamespace();
  const author = await alice.docs.defaultAuthor();
  await doc.setBytes(utf8('notes/hello'), author, utf8('Hello from Alice'));
  const ticket = await alice.engine.share(doc.namespace, 'write');
  console.log(ticket.slice(0, 3));

  // Bob imports the ticket in one call: he syncs, fetches the content (verified by hash), and stays linked.
  const contentReady = next(bob, 'content-ready');
  const replica = await bob.engine.importTicket(ticket);
  await contentReady;
  const hello = await replica.getExact(author.id, utf8('notes/hello'));
  console.log(text(await bob.docs.store.blobs.get(hello!.entry.record.hash)));

  // Later writes are pushed live to linked peers.
  const arrived = next(bob, 'insert-remote');
  await doc.setBytes(utf8('notes/later'), author, utf8('pushed'));
  await arrived;
  for await (const entry of replica.query()) console.log(text(entry.entry.id.key));

  await Promise.all([alice.engine.close(), bob.engine.close()]);
  // --- README example end ---
  expect(logs).toEqual(['doc', 'Hello from Alice', 'notes/hello', 'notes/later']);
});

it('the README shows the code of the example above', () => {
  const block = readmeBlock('## Example', 0);
  const example = between('README example');
  expect(block).toBeDefined();
  expect(normalize(block!)).toEqual(normalize(example!));
});

it('README address book example: a restarted engine redials the peer its file address book remembers', async () => {
  const logs: string[] = [];
  const errors: unknown[] = [];
  const console = { log: (...values: unknown[]) => logs.push(values.join(' ')), error: (...values: unknown[]) => errors.push(values) };
  // --- README address book example start ---
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { Docs } = await import('@docs/replica');
  const { MemoryStore } = await import('@docs/store-memory');
  const { NodeSecret, SyncEngine } = await import('@docs/sync-transport');
  const { fileAddressBook } = await import('@docs/sync-transport/address-file');
  const { tcpTransport } = await import('@docs/sync-transport/tcp');

  // Alice's data outlives her engines (in an app: a LevelStore and a NodeSecret saved on disk).
  const alice = new Docs(new MemoryStore());
  const aliceSecret = NodeSecret.generate();
  const peersFile = join(await mkdtemp(join(tmpdir(), 'alice-')), 'peers.json');
  const startAlice = () =>
    new SyncEngine({
      docs: alice,
      transports: { tcp: tcpTransport(aliceSecret) },
      addressBook: fileAddressBook(peersFile),
      onAddressBookError: (error) => console.error('address book:', error),
    });

  /** Resolves on the next event of `type` an engine emits. */
  function next(engine: ReturnType<typeof startAlice>, type: string) {
    return new Promise<void>((resolve) => {
      const stop = engine.on((event) => {
        if (event.type !== type) return;
        stop();
        resolve();
      });
    });
  }

  // Bob syncs a document of Alice's; she names him once.
  const bobDocs = new Docs(new MemoryStore());
  const bob = new SyncEngine({ docs: bobDocs, transports: { tcp: tcpTransport(NodeSecret.generate()) } });
  const bobPeer = { id: bob.localPeer, addresses: [await bob.listen('tcp://127.0.0.1:0')] };
  const doc = await alice.createNamespace();
  await bobDocs.importNamespace(await alice.exportCapability(doc.namespace));
  await bob.startSync(doc.namespace);

  let engine = startAlice();
  const synced = next(engine, 'sync-finished');
  await engine.startSync(doc.namespace, [bobPeer]);
  await synced;
  await engine.close();

  // After a restart, no peer is named: Bob's address comes from peers.json.
  engine = startAlice();
  const linked = next(engine, 'neighbor-up');
  await engine.startSync(doc.namespace);
  await linked;
  console.log('linked with Bob again');

  await Promise.all([engine.close(), bob.close()]);
  // --- README address book example end ---
  expect(logs).toEqual(['linked with Bob again']);
  expect(errors).toEqual([]);
  const { rm } = await import('node:fs/promises');
  await rm(join(peersFile, '..'), { recursive: true, force: true });
});

it('README browser address book: the localStorage book keeps the peers an engine learned', async () => {
  const items = new Map<string, string>();
  const localStorage = { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
  // --- README browser address book start ---
  const { decodeAddressBookJson, encodeAddressBookJson } = await import('@docs/sync-transport');

  const KEY = 'docs-peers';
  const localStorageBook: PeerAddressBook = {
    load: async () => {
      const text = localStorage.getItem(KEY);
      return text === null ? [] : decodeAddressBookJson(text);
    },
    save: async (peers) => localStorage.setItem(KEY, encodeAddressBookJson(peers)),
  };
  // --- README browser address book end ---
  const docs = new Docs(new MemoryStore());
  const doc = await docs.createNamespace();
  const peer = { id: NodeSecret.generate().id, addresses: ['memory://away'] };
  const first = new SyncEngine({ docs, transports: { memory: memoryTransport(NodeSecret.generate()) }, addressBook: localStorageBook });
  await first.syncWith(doc.namespace, peer);
  await first.close();
  expect(JSON.parse(items.get(KEY)!)).toEqual({ version: 1, peers: [{ id: bytesToHex(peer.id), addresses: ['memory://away'] }] });
  const loaded = await localStorageBook.load();
  expect(loaded.map((each) => ({ id: bytesToHex(each.id), addresses: each.addresses }))).toEqual([{ id: bytesToHex(peer.id), addresses: ['memory://away'] }]);
  docs.closeAll();
});

it('the README shows the code of the address book examples above', () => {
  const heading = '## Remembering peers across restarts';
  for (const [index, name] of ['README address book example', 'README browser address book'].entries()) {
    const block = readmeBlock(heading, index);
    expect(block, name).toBeDefined();
    expect(normalize(block!)).toEqual(normalize(between(name)!));
  }
});
