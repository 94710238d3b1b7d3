import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3, bytesToHex, type NamespaceId } from '@docs/crypto';
import { Docs } from '@docs/replica';
import { MemoryStore } from '@docs/store-memory';
import {
  MAX_ADDRESS_BOOK_PEERS,
  MemoryNetwork,
  NodeSecret,
  SYNC_ERROR_CODES,
  SyncEngine,
  memoryTransport,
  type LiveEvent,
  type PeerAddress,
  type PeerAddressBook,
  type SyncEngineOptions,
} from '@docs/sync-transport';
import { fileAddressBook } from '@docs/sync-transport/address-file';
import { KnownPeers } from '../src/sync/known-peers.js';
import { tcpTransport } from '@docs/sync-transport/tcp';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Cleanup, TRANSPORT_KINDS, startNode, text, until } from './helpers.js';

const TCP = TRANSPORT_KINDS.find((kind) => kind.name === 'tcp')!;

const cleanup = new Cleanup();
let directory: string;
let bookPath: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'docs-engine-address-book-'));
  bookPath = join(directory, 'peers.json');
});
afterEach(async () => {
  await cleanup.run();
  await rm(directory, { recursive: true, force: true });
});

/** A node's Docs over a store that outlives its engines (as a LevelStore reopened after a restart would). */
function nodeDocs(): Docs {
  const docs = new Docs(new MemoryStore());
  cleanup.add(async () => {
    docs.closeAll();
    await docs.store.close();
  });
  return docs;
}

/** An engine (closed at the end of the test) that records its events. */
function engineOf(options: SyncEngineOptions): { engine: SyncEngine; events: LiveEvent[] } {
  const engine = new SyncEngine({ reconnectDelay: 20, ...options });
  cleanup.add(() => engine.close());
  const events: LiveEvent[] = [];
  engine.on((event) => events.push(event));
  return { engine, events };
}

/** An engine on the memory transport keeping `addressBook`, its failures pushed to `errors`, and a new document. */
async function engineWithBook(addressBook: PeerAddressBook, errors: unknown[]): Promise<{ engine: SyncEngine; doc: { namespace: NamespaceId } }> {
  const docs = nodeDocs();
  const doc = await docs.createNamespace();
  const { engine } = engineOf({
    docs,
    transports: { memory: memoryTransport(NodeSecret.generate()) },
    addressBook,
    onAddressBookError: (error) => errors.push(error),
  });
  return { engine, doc };
}

/** A peer nothing listens for, on the memory transport. */
const unreachablePeer = (index: number): PeerAddress => ({
  id: blake3(text(`unreachable peer ${index}`)),
  addresses: [`memory://nobody-${index}`],
});

/** Wraps a book to see its saves: how many, whether two ever ran at once, what the last one held. */
function observed(book: PeerAddressBook) {
  const log = { saves: 0, running: 0, overlapped: false, last: [] as PeerAddress[] };
  const wrapped: PeerAddressBook = {
    load: () => book.load(),
    async save(peers) {
      log.saves++;
      if (log.running++ > 0) log.overlapped = true;
      try {
        await book.save(peers);
        log.last = [...peers];
      } finally {
        log.running--;
      }
    },
  };
  return { book: wrapped, log };
}

const ids = (peers: readonly PeerAddress[]) => peers.map((peer) => bytesToHex(peer.id));

describe('SyncEngine with an address book', () => {
  test('after a restart, startSync with no peers redials the remembered peer over TCP; without a book it cannot', async () => {
    const bob = await startNode(cleanup, 'bob', { transport: TCP });
    const aliceDocs = nodeDocs();
    const aliceSecret = NodeSecret.generate();
    const doc = await aliceDocs.createNamespace();
    const namespace: NamespaceId = doc.namespace;
    await bob.docs.importNamespace(await aliceDocs.exportCapability(namespace));
    await bob.engine.startSync(namespace);

    // First run: Alice syncs with Bob, named explicitly; her store remembers him as a useful peer.
    const first = engineOf({ docs: aliceDocs, transports: { tcp: tcpTransport(aliceSecret) }, addressBook: fileAddressBook(bookPath) });
    await first.engine.startSync(namespace, [bob.peer]);
    await until(async () => (await aliceDocs.store.getSyncPeers(namespace)).length > 0, 10_000, 'Bob to become a useful peer');
    await first.engine.close();
    expect(ids(await fileAddressBook(bookPath).load())).toEqual([bytesToHex(bob.identity.id)]);

    // A restart without the book: the store still remembers Bob, but no address — nothing is dialed.
    const forgetful = engineOf({ docs: aliceDocs, transports: { tcp: tcpTransport(aliceSecret) } });
    await forgetful.engine.startSync(namespace);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(forgetful.events.map((event) => event.type)).toEqual([]);
    await forgetful.engine.close();

    // A restart with the book: Alice links with Bob again and receives his next write live.
    const second = engineOf({ docs: aliceDocs, transports: { tcp: tcpTransport(aliceSecret) }, addressBook: fileAddressBook(bookPath) });
    await second.engine.startSync(namespace);
    await until(() => second.events.some((event) => event.type === 'neighbor-up'), 10_000, 'the link with Bob');
    const bobsDoc = await bob.docs.open(namespace);
    await bobsDoc.setBytes(text('after/restart'), await bob.docs.defaultAuthor(), text('hello again'));
    bob.docs.close(namespace);
    await until(
      () =>
        second.events.some(
          (event) => event.type === 'insert-remote' && new TextDecoder().decode(event.entry.entry.id.key) === 'after/restart',
        ),
      10_000,
      "Bob's write",
    );
  });

  test('keeps the 1,024 most recently learned peers of 1,100 in the saved book', async () => {
    const docs = nodeDocs();
    const doc = await docs.createNamespace();
    const { book, log } = observed(fileAddressBook(bookPath));
    const { engine } = engineOf({ docs, transports: { memory: memoryTransport(NodeSecret.generate()) }, addressBook: book });
    await engine.startSync(doc.namespace);
    const peers = Array.from({ length: 1100 }, (_, index) => unreachablePeer(index));
    for (const peer of peers) expect((await engine.syncWith(doc.namespace, peer)).result.ok).toBe(false);
    await engine.close();
    const saved = await fileAddressBook(bookPath).load();
    expect(saved).toHaveLength(MAX_ADDRESS_BOOK_PEERS);
    expect(ids(saved)).toEqual(ids(peers.slice(-MAX_ADDRESS_BOOK_PEERS)));
    expect(ids(log.last)).toEqual(ids(saved));
    expect(log.overlapped).toBe(false);
  });

  test('while peers keep coming it saves one at a time, at most about once a second, and once more on close', async () => {
    const saves: Array<{ started: number; peers: number }> = [];
    let running = 0;
    let overlapped = false;
    const book: PeerAddressBook = {
      load: async () => [],
      async save(peers) {
        if (running++ > 0) overlapped = true;
        saves.push({ started: performance.now(), peers: peers.length });
        if (saves.length === 1) await new Promise((resolve) => setTimeout(resolve, 1200)); // a save slower than the interval
        running--;
      },
    };
    const docs = nodeDocs();
    const doc = await docs.createNamespace();
    const { engine } = engineOf({ docs, transports: { memory: memoryTransport(NodeSecret.generate()) }, addressBook: book });
    await engine.startSync(doc.namespace);
    const end = performance.now() + 2500;
    let learned = 0;
    while (performance.now() < end) {
      await engine.syncWith(doc.namespace, unreachablePeer(learned++));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const whileLearning = saves.length;
    await engine.close();
    expect(overlapped).toBe(false);
    expect(whileLearning).toBeGreaterThanOrEqual(2);
    expect(whileLearning).toBeLessThanOrEqual(3);
    for (let index = 1; index < whileLearning; index++) {
      expect(saves[index]!.started - saves[index - 1]!.started).toBeGreaterThanOrEqual(990);
    }
    expect(saves).toHaveLength(whileLearning + 1); // the changes since the last save, saved by close
    expect(saves.at(-1)!.peers).toBe(Math.min(learned, MAX_ADDRESS_BOOK_PEERS));
  });

  test('loaded peers go first, learned addresses after the known ones; a peer synced now counts as used', async () => {
    const network = new MemoryNetwork();
    const bob = await startNode(cleanup, 'bob', { network });
    const [old, carol] = [unreachablePeer(1), unreachablePeer(2)];
    await fileAddressBook(bookPath).save([old, { id: carol.id, addresses: ['memory://carol-before'] }]);
    const docs = nodeDocs();
    const doc = await docs.createNamespace();
    await bob.docs.importNamespace(await docs.exportCapability(doc.namespace));
    await bob.engine.startSync(doc.namespace);
    const { engine, events } = engineOf({
      docs,
      transports: { memory: memoryTransport(NodeSecret.generate(), { network }) },
      addressBook: fileAddressBook(bookPath),
    });
    const alice = { id: engine.localPeer, addresses: [await engine.listen(`memory://alice-${bytesToHex(engine.localPeer).slice(0, 8)}`)] };
    await engine.startSync(doc.namespace);

    expect((await engine.syncWith(doc.namespace, bob.peer)).result.ok).toBe(true); // learned: Bob is the most recent
    expect((await engine.syncWith(doc.namespace, carol)).result.ok).toBe(false); // learned: now Carol
    expect((await bob.engine.syncWith(doc.namespace, alice)).result.ok).toBe(true); // Bob's session with Alice: used
    await until(() => events.some((event) => event.type === 'sync-finished' && event.origin.kind === 'accept'), 5_000, 'the accepted session');
    await engine.close();

    const saved = await fileAddressBook(bookPath).load();
    expect(ids(saved)).toEqual(ids([old, carol, bob.peer]));
    expect(saved[1]!.addresses).toEqual(['memory://carol-before', carol.addresses[0]]);
  });

  test('a failed load is reported once; the engine works on and its next save replaces the book', async () => {
    await writeFile(bookPath, '{"version":1,"peers":[{"id":');
    const errors: unknown[] = [];
    const { engine, doc } = await engineWithBook(fileAddressBook(bookPath), errors);
    await engine.startSync(doc.namespace, [unreachablePeer(1)]);
    await engine.syncWith(doc.namespace, unreachablePeer(2));
    await engine.close();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID });
    expect(ids(await fileAddressBook(bookPath).load())).toEqual(ids([unreachablePeer(1), unreachablePeer(2)]));
  });

  test('a book that could not be read (not invalid content) is never saved over', async () => {
    const saves: PeerAddress[][] = [];
    const errors: unknown[] = [];
    const unreadable: PeerAddressBook = {
      load: async () => {
        throw new Error('the disk is busy');
      },
      save: async (peers) => void saves.push([...peers]),
    };
    const { engine, doc } = await engineWithBook(unreadable, errors);
    await engine.startSync(doc.namespace, [unreachablePeer(1)]);
    await engine.syncWith(doc.namespace, unreachablePeer(2));
    await engine.close();
    expect(errors).toHaveLength(1);
    expect(saves).toEqual([]);
  });

  test('nothing is saved before the load settled; what was learned meanwhile is merged and saved after it', async () => {
    let finishLoad!: (peers: readonly PeerAddress[]) => void;
    const saves: PeerAddress[][] = [];
    const slowBook: PeerAddressBook = {
      load: () => new Promise((resolve) => (finishLoad = resolve)),
      save: async (peers) => void saves.push([...peers]),
    };
    const docs = nodeDocs();
    const doc = await docs.createNamespace();
    const { engine } = engineOf({ docs, transports: { memory: memoryTransport(NodeSecret.generate()) }, addressBook: slowBook });
    cleanup.add(() => finishLoad([])); // (runs before the engine's close, which waits for the load)
    const starting = engine.startSync(doc.namespace, [unreachablePeer(2)]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(saves).toEqual([]);
    finishLoad([unreachablePeer(1)]);
    await starting;
    await until(() => saves.length > 0, 5_000, 'a save after the load');
    expect(ids(saves[0]!)).toEqual(ids([unreachablePeer(1), unreachablePeer(2)]));
  });

  test('a peer used while the book loads becomes the most recent one once the loaded peers are merged', async () => {
    let finishLoad!: (peers: readonly PeerAddress[]) => void;
    const saves: PeerAddress[][] = [];
    const known = new KnownPeers(
      { load: () => new Promise((resolve) => (finishLoad = resolve)), save: async (peers) => void saves.push([...peers]) },
      undefined,
    );
    const [p1, p2, p3] = [unreachablePeer(1), unreachablePeer(2), unreachablePeer(3)];
    const lookup = known.get(bytesToHex(p1.id)); // starts the load
    known.use(p1.id);
    finishLoad([p1, p2, p3]);
    expect(await lookup).toEqual(p1);
    await known.close();
    expect(saves.map(ids)).toEqual([ids([p2, p3, p1])]);
  });

  test('a failing save is reported, and saved again on close', async () => {
    const errors: unknown[] = [];
    let failures = 1;
    const saves: PeerAddress[][] = [];
    const flakyBook: PeerAddressBook = {
      load: async () => [],
      async save(peers) {
        if (failures-- > 0) throw new Error('disk full');
        saves.push([...peers]);
      },
    };
    const { engine, doc } = await engineWithBook(flakyBook, errors);
    await engine.startSync(doc.namespace, [unreachablePeer(1)]);
    await until(() => errors.length > 0, 5_000, 'the failed save');
    expect(saves).toEqual([]);
    await engine.close();
    expect(errors).toEqual([new Error('disk full')]);
    expect(saves.map(ids)).toEqual([ids([unreachablePeer(1)])]);
  });

  test('a save that throws at once is repeated with the next change, not only on close', async () => {
    const errors: unknown[] = [];
    let failures = 1;
    const saves: PeerAddress[][] = [];
    const throwingBook: PeerAddressBook = {
      load: async () => [],
      save: (peers) => {
        if (failures-- > 0) throw new Error('quota exceeded');
        saves.push([...peers]);
        return Promise.resolve();
      },
    };
    const { engine, doc } = await engineWithBook(throwingBook, errors);
    await engine.startSync(doc.namespace, [unreachablePeer(1)]);
    await until(() => errors.length > 0, 5_000, 'the failed save');
    await engine.syncWith(doc.namespace, unreachablePeer(2));
    await until(() => saves.length > 0, 5_000, 'the save after the next change');
    expect(ids(saves[0]!)).toEqual(ids([unreachablePeer(1), unreachablePeer(2)]));
    await engine.close();
  });

  test('a load that never settles holds neither close nor a session\'s claim; every close call waits for the last save', async () => {
    const saves: PeerAddress[][] = [];
    const { engine, doc } = await engineWithBook({ load: () => new Promise(() => undefined), save: async (peers) => void saves.push([...peers]) }, []);
    const starting = engine.startSync(doc.namespace, [unreachablePeer(1)]);
    const syncing = engine.syncWith(doc.namespace, unreachablePeer(2));
    await new Promise((resolve) => setTimeout(resolve, 50)); // both now wait for the load
    const [first, second] = [engine.close(), engine.close()];
    expect(second).toBe(first);
    await first;
    await starting;
    // The session waited for the address, not holding its claim, and ends with the engine.
    const outcome = await syncing.then((event) => event.result.ok, (error: unknown) => (error as { code?: string }).code);
    expect([false, SYNC_ERROR_CODES.CLOSED]).toContain(outcome);
    // The book was never read, so nothing was saved over it.
    expect(saves).toEqual([]);

    let finishSave!: () => void;
    const slowSave = new Promise<void>((resolve) => (finishSave = resolve));
    const saved: string[] = [];
    const other = await engineWithBook({ load: async () => [], save: async () => { await slowSave; saved.push('done'); } }, []);
    await other.engine.startSync(other.doc.namespace, [unreachablePeer(3)]);
    const closing = [other.engine.close(), other.engine.close()];
    setTimeout(finishSave, 50);
    await Promise.race(closing);
    expect(saved).toEqual(['done']);
  });
});
