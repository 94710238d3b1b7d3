import { bytesToHex, isDocsError } from '@docs/crypto';
import { Docs } from '@docs/replica';
import { MemoryStore } from '@docs/store-memory';
import {
  MAX_ADDRESS_BOOK_PEERS,
  MAX_PEER_ADDRESS_LENGTH,
  MAX_PEER_ADDRESSES,
  MemoryNetwork,
  NodeSecret,
  SYNC_ERROR_CODES,
  SyncEngine,
  memoryTransport,
  type LiveEvent,
  type PeerAddress,
} from '@docs/sync-transport';
import { describe, expect, test } from 'vitest';
import { storageAddressBook, type AddressStorage } from '../src/storage-address-book.js';

const KEY = 'notes:peer-addresses';

/**
 * Web Storage in memory, as a page's `localStorage` behaves for `getItem`/`setItem`: strings by key, a quota (in
 * UTF-16 code units, keys included) beyond which `setItem` throws `QuotaExceededError`, and access that can be
 * denied (`SecurityError`), as when a browser blocks storage.
 */
class MemoryStorage implements AddressStorage {
  readonly items = new Map<string, string>();
  denied = false;
  readonly #quota: number;

  constructor(quota = Number.POSITIVE_INFINITY) {
    this.#quota = quota;
  }

  getItem(key: string): string | null {
    if (this.denied) throw new DOMException('access to storage is denied', 'SecurityError');
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    if (this.denied) throw new DOMException('access to storage is denied', 'SecurityError');
    if (key.length + value.length > this.#quota) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
    this.items.set(key, value);
  }
}

/** Peer number `index` (below 65,536): its id starts with the index. */
const peer = (index: number, addresses: readonly string[] = [`ws://127.0.0.1:${4000 + index}/docs`]): PeerAddress => ({
  id: Uint8Array.from({ length: 32 }, (_, byte) => (byte === 0 ? index >> 8 : byte === 1 ? index & 0xff : byte)),
  addresses,
});

const plain = (peers: readonly PeerAddress[]) => peers.map((each) => ({ id: bytesToHex(each.id), addresses: [...each.addresses] }));

/** Resolves with the code of the `DocsError` that `promise` rejects with. */
async function errorCode(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isDocsError(error)) throw new Error(`expected a DocsError, got ${String(error)}`);
  return error.code;
}

describe('storageAddressBook', () => {
  test('no item is an empty book; saved peers load back, in order, as versioned JSON with hex ids', async () => {
    const storage = new MemoryStorage();
    const book = storageAddressBook(storage, KEY);
    expect(await book.load()).toEqual([]);
    const peers = [peer(1), peer(2, ['ws://127.0.0.1:4920/docs', 'wss://example.test/docs'])];
    await book.save(peers);
    expect(JSON.parse(storage.items.get(KEY)!)).toEqual({ version: 1, peers: plain(peers) });
    expect(plain(await storageAddressBook(storage, KEY).load())).toEqual(plain(peers));
  });

  test("keeps the engine's bounds on save and on load", async () => {
    const storage = new MemoryStorage();
    const book = storageAddressBook(storage, KEY);
    const long = `ws://${'x'.repeat(MAX_PEER_ADDRESS_LENGTH)}/docs`;
    const many = Array.from({ length: MAX_PEER_ADDRESSES + 4 }, (_, index) => `ws://127.0.0.1:${5000 + index}/docs`);
    const peers = Array.from({ length: MAX_ADDRESS_BOOK_PEERS + 6 }, (_, index) => peer(index));
    peers[MAX_ADDRESS_BOOK_PEERS] = peer(MAX_ADDRESS_BOOK_PEERS, [...many, long]);
    peers[MAX_ADDRESS_BOOK_PEERS + 1] = peer(MAX_ADDRESS_BOOK_PEERS + 1, [long]);
    await book.save(peers);

    const loaded = await book.load();
    expect(loaded).toHaveLength(MAX_ADDRESS_BOOK_PEERS);
    // The peer left without an address is dropped, then the 5 oldest, for 1,024 of 1,030.
    expect(bytesToHex(loaded[0]!.id)).toBe(bytesToHex(peers[5]!.id));
    expect(loaded.map((each) => bytesToHex(each.id))).not.toContain(bytesToHex(peers[MAX_ADDRESS_BOOK_PEERS + 1]!.id));
    const trimmed = loaded.find((each) => bytesToHex(each.id) === bytesToHex(peers[MAX_ADDRESS_BOOK_PEERS]!.id))!;
    expect(trimmed.addresses).toEqual(many.slice(-MAX_PEER_ADDRESSES));

    // Stored by something else, beyond the bounds: loaded within them.
    storage.items.set(KEY, JSON.stringify({ version: 1, peers: plain([peer(1, [...many, long])]) }));
    expect((await book.load())[0]!.addresses).toEqual(many.slice(-MAX_PEER_ADDRESSES));
  });

  test('content that is not a version 1 book fails the load with DOCS_SYNC_ADDRESS_BOOK_INVALID', async () => {
    const storage = new MemoryStorage();
    const book = storageAddressBook(storage, KEY);
    const id = bytesToHex(peer(1).id);
    for (const text of [
      '{"version":1,"peers":[',
      '[]',
      'null',
      '{"version":0,"peers":[]}',
      '{"version":1}',
      '{"version":1,"peers":[{"id":"abc","addresses":[]}]}',
      `{"version":1,"peers":[{"id":"${id}","addresses":"ws://127.0.0.1:1/docs"}]}`,
      `{"version":1,"peers":[{"id":"${id}","addresses":[7]}]}`,
    ]) {
      storage.items.set(KEY, text);
      expect(await errorCode(book.load()), text).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID);
    }
    // A newer page wrote it: kept (an engine saves nothing over an unavailable book).
    storage.items.set(KEY, '{"version":2,"peers":[]}');
    expect(await errorCode(book.load())).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE);
  });

  test('storage that cannot be read or written fails with DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE', async () => {
    const full = new MemoryStorage(100);
    expect(await errorCode(storageAddressBook(full, KEY).save([peer(1)]))).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE);
    expect(full.items.size).toBe(0);
    const denied = new MemoryStorage();
    denied.denied = true;
    expect(await errorCode(storageAddressBook(denied, KEY).load())).toBe(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE);
  });
});

describe('storageAddressBook in a SyncEngine', () => {
  /** Resolves with the first event of `type` the engine emits from now on. */
  function next(engine: SyncEngine, type: LiveEvent['type']): Promise<LiveEvent> {
    return new Promise((resolve) => {
      const stop = engine.on((event) => {
        if (event.type !== type) return;
        stop();
        resolve(event);
      });
    });
  }

  test('bad content is reported and replaced; after a restart the engine redials the remembered peer', async () => {
    const network = new MemoryNetwork();
    const bobSecret = NodeSecret.generate();
    const bobDocs = new Docs(new MemoryStore());
    const bob = new SyncEngine({ docs: bobDocs, transports: { memory: memoryTransport(bobSecret, { network }) } });
    const bobPeer = { id: bobSecret.id, addresses: [await bob.listen('memory://bob')] };
    const pageDocs = new Docs(new MemoryStore());
    const doc = await pageDocs.createNamespace();
    await bobDocs.importNamespace(await pageDocs.exportCapability(doc.namespace));
    await bob.startSync(doc.namespace);

    const storage = new MemoryStorage();
    storage.items.set(KEY, 'not JSON');
    const errors: unknown[] = [];
    const pageEngine = (): SyncEngine =>
      new SyncEngine({
        docs: pageDocs,
        transports: { memory: memoryTransport(NodeSecret.generate(), { network }) },
        addressBook: storageAddressBook(storage, KEY),
        onAddressBookError: (error) => errors.push(error),
      });
    try {
      let page = pageEngine();
      const synced = next(page, 'sync-finished');
      await page.startSync(doc.namespace, [bobPeer]);
      expect(await synced).toMatchObject({ result: { ok: true } });
      await page.close();
      expect(errors.map((error) => isDocsError(error) && error.code)).toEqual([SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID]);
      expect(JSON.parse(storage.items.get(KEY)!)).toEqual({ version: 1, peers: plain([bobPeer]) });

      page = pageEngine(); // a reload: no peer named
      const linked = next(page, 'neighbor-up');
      await page.startSync(doc.namespace);
      const up = await linked;
      expect(up.type === 'neighbor-up' && bytesToHex(up.peer)).toBe(bytesToHex(bobSecret.id));
      await page.close();
      expect(errors).toHaveLength(1);
    } finally {
      await bob.close();
      pageDocs.closeAll();
      bobDocs.closeAll();
    }
  });
});
