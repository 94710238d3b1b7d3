import { bytesToHex, hexToBytes } from '@docs/crypto';
import {
  MAX_ADDRESS_BOOK_PEERS,
  MAX_PEER_ADDRESS_LENGTH,
  MAX_PEER_ADDRESSES,
  SYNC_ERROR_CODES,
  SyncError,
  type PeerAddress,
  type PeerAddressBook,
} from '@docs/sync-transport';

/** The part of the Web Storage API the book uses: `localStorage` in the page. */
export type AddressStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** The version of the stored JSON. */
const VERSION = 1;

/**
 * A `SyncEngine`'s {@link PeerAddressBook} in Web Storage, under `key`, as JSON: `{ "version": 1, "peers": [{ "id":
 * "<64 hex digits>", "addresses": ["ws://…"] }] }`, least recently used peer first. Loads and saves keep the
 * engine's bounds: the last {@link MAX_ADDRESS_BOOK_PEERS} peers, each with its last {@link MAX_PEER_ADDRESSES}
 * addresses of at most {@link MAX_PEER_ADDRESS_LENGTH} characters. No item is an empty book.
 *
 * `load` rejects with a `SyncError` `DOCS_SYNC_ADDRESS_BOOK_INVALID` when the item is not such JSON: the engine
 * reports it (`onAddressBookError`), goes on as with an empty book, and replaces the item at its next save. When
 * the storage cannot be read or written (access denied, quota exceeded), `load` or `save` rejects with
 * `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE`, the storage's error as the cause.
 */
export function storageAddressBook(storage: AddressStorage, key: string): PeerAddressBook {
  return {
    async load() {
      const text = access(() => storage.getItem(key), 'read');
      if (text === null) return [];
      try {
        return bounded(decode(text));
      } catch (error) {
        throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_INVALID, `invalid peer address book in storage item ${key}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async save(peers) {
      const saved = bounded(peers).map((peer) => ({ id: bytesToHex(peer.id), addresses: peer.addresses }));
      const text = JSON.stringify({ version: VERSION, peers: saved });
      access(() => storage.setItem(key, text), 'write');
    },
  };
}

/** Runs a storage call; what it throws becomes `DOCS_SYNC_ADDRESS_BOOK_UNAVAILABLE`. */
function access<T>(call: () => T, what: 'read' | 'write'): T {
  try {
    return call();
  } catch (error) {
    throw new SyncError(SYNC_ERROR_CODES.ADDRESS_BOOK_UNAVAILABLE, `could not ${what} the peer address book in storage`, { cause: error });
  }
}

/** The peers of the stored JSON; anything wrong throws (a `TypeError`, or the parser's `SyntaxError`). */
function decode(text: string): PeerAddress[] {
  const document: unknown = JSON.parse(text);
  const { version, peers } = (typeof document === 'object' && document !== null ? document : {}) as { version?: unknown; peers?: unknown };
  if (version !== VERSION) throw new TypeError(`not a version ${VERSION} address book`);
  if (!Array.isArray(peers)) throw new TypeError('"peers" is not a list');
  return peers.map((peer: unknown, index): PeerAddress => {
    const { id, addresses } = (typeof peer === 'object' && peer !== null ? peer : {}) as { id?: unknown; addresses?: unknown };
    if (typeof id !== 'string' || !/^[0-9a-fA-F]{64}$/.test(id)) throw new TypeError(`peer ${index}: the id is not 64 hex digits`);
    if (!Array.isArray(addresses) || !addresses.every((address) => typeof address === 'string')) {
      throw new TypeError(`peer ${index}: "addresses" is not a list of strings`);
    }
    return { id: hexToBytes(id), addresses };
  });
}

/** The peers within the engine's bounds; a peer left without an address is dropped. */
function bounded(peers: readonly PeerAddress[]): PeerAddress[] {
  return peers
    .map((peer) => ({
      id: peer.id,
      addresses: peer.addresses.filter((address) => address.length <= MAX_PEER_ADDRESS_LENGTH).slice(-MAX_PEER_ADDRESSES),
    }))
    .filter((peer) => peer.addresses.length > 0)
    .slice(-MAX_ADDRESS_BOOK_PEERS);
}
